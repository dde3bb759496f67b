package sdk_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/suites/replay"
)

// stripeNodeVersion is the stripe-node release the spec installs.
const stripeNodeVersion = "23.1.0"

// nodeScript asks the replay server, through stripe-node, for a recorded
// invoice payment, for the same with an expansion nobody recorded (a
// miss) and for the recorded 401, and prints what stripe-node raised.
const nodeScript = `
const Stripe = require('stripe');
const u = new URL(process.env.API);
const client = (key) => new Stripe(key, {host: u.hostname, port: u.port, protocol: 'http', maxNetworkRetries: 2, telemetry: false});
const describe = (e) => ({class: e.constructor.name, type: e.type, rawType: e.rawType, statusCode: e.statusCode, message: e.message});
(async () => {
  const out = {};
  const ok = await client(process.env.KEY).invoicePayments.retrieve('inpay_1QPaidPaymentIntent1');
  out.hit = {id: ok.id, status: ok.status};
  try { await client(process.env.KEY).invoicePayments.retrieve('inpay_1QPaidPaymentIntent1', {expand: ['payment.charge']}); out.miss = 'no error'; }
  catch (e) { out.miss = describe(e); }
  try { await client(process.env.REFUSED).invoicePayments.retrieve('inpay_1QBadKeyRequest0001'); out.refused = 'no error'; }
  catch (e) { out.refused = describe(e); }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`

type nodeError struct {
	Class, Type, RawType, Message string
	StatusCode                    int
}

var _ = Describe("stripe-node against the replay server", Label("stripe-node"), func() {
	It("raises StripeAPIError for a miss (status 421, rawType stripe_contract_miss), not StripeInvalidRequestError, sent once despite retries; StripeAuthenticationError for the recorded 401", func() {
		if testing.Short() {
			Skip("installs stripe-node with npm; skipped with -short")
		}
		node, errNode := exec.LookPath("node")
		npm, errNPM := exec.LookPath("npm")
		if errNode != nil || errNPM != nil {
			Skip("node and npm are needed to install and run stripe-node (apt-get install nodejs npm); skipped without them")
		}
		dir := GinkgoT().TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		install := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", dir, "stripe@"+stripeNodeVersion)
		if out, err := install.CombinedOutput(); err != nil {
			Skip("npm install stripe@" + stripeNodeVersion + " failed (no registry?): " + strings.TrimSpace(string(out)))
		}
		Expect(os.WriteFile(filepath.Join(dir, "miss.js"), []byte(nodeScript), 0o644)).To(Succeed())

		srv, err := recorder.NewServer(cassettes.FS)
		Expect(err).NotTo(HaveOccurred())
		var misses atomic.Int64
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Has("expand[0]") || r.URL.Query().Has("expand[]") {
				misses.Add(1)
			}
			srv.ServeHTTP(w, r)
		}))
		DeferCleanup(api.Close)

		run := exec.CommandContext(ctx, node, filepath.Join(dir, "miss.js"))
		run.Dir = dir
		run.Env = append(os.Environ(), "API="+api.URL, "KEY=sk_test_stripecontractnodesuite", "REFUSED="+replay.RefusedKey)
		out, err := run.Output()
		Expect(err).NotTo(HaveOccurred(), "node: %s", out)
		var got struct {
			Hit     struct{ ID, Status string }
			Miss    nodeError
			Refused nodeError
		}
		Expect(json.Unmarshal(out, &got)).To(Succeed(), string(out))
		AddReportEntry("stripe-node "+stripeNodeVersion+" on a miss", string(out))

		Expect(got.Hit.ID).To(Equal("inpay_1QPaidPaymentIntent1"))
		// stripe-node maps an error type it does not know to its generic
		// StripeAPIError, whatever the status; rawType keeps ours.
		Expect(got.Miss.Class).To(Equal("StripeAPIError"))
		Expect(got.Miss.Class).NotTo(Equal("StripeInvalidRequestError"), "a test expecting Stripe's 400/404 must not pass on a miss")
		Expect(got.Miss.RawType).To(Equal(recorder.MissErrorType))
		Expect(got.Miss.StatusCode).To(Equal(recorder.MissStatus))
		Expect(got.Miss.Message).To(ContainSubstring("nearest is interaction 0 of stripe-mock/retrieve_"))
		Expect(misses.Load()).To(Equal(int64(1)), "stripe-node does not retry a 421 (maxNetworkRetries: 2)")
		Expect(got.Refused.Class).To(Equal("StripeAuthenticationError"))
		Expect(got.Refused.StatusCode).To(Equal(401))
	})
})
