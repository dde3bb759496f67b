package recorder_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	stripe "github.com/stripe/stripe-go/v85"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// GinkgoT() is a recorder.TB, as *testing.T is.
var (
	_ recorder.TB = GinkgoT()
	_ recorder.TB = (*testing.T)(nil)
)

// observedT is a recorder.TB that keeps what ForTest said, for the specs
// that check how it fails a test (a real *testing.T would fail this one).
// Fatalf records and returns: ForTest returns nil right after it.
type observedT struct {
	mu         sync.Mutex
	name       string
	logs, errs []string
	fatal      string
	cleanups   []func()
}

func (o *observedT) Helper()          {}
func (o *observedT) Name() string     { return o.name }
func (o *observedT) Cleanup(f func()) { o.cleanups = append(o.cleanups, f) }
func (o *observedT) Logf(f string, a ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.logs = append(o.logs, fmt.Sprintf(f, a...))
}
func (o *observedT) Errorf(f string, a ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errs = append(o.errs, fmt.Sprintf(f, a...))
}
func (o *observedT) Fatalf(f string, a ...any) { o.fatal = fmt.Sprintf(f, a...) }

// finish runs the cleanups, last registered first, as testing does.
func (o *observedT) finish() {
	for i := len(o.cleanups) - 1; i >= 0; i-- {
		o.cleanups[i]()
	}
}

func env(vars map[string]string) recorder.RecorderOption {
	return recorder.WithEnv(func(k string) string { return vars[k] })
}

// stripeGo is a stripe-go client whose requests go through httpClient to
// base (api.stripe.com when ""), with retries off: a miss fails at once.
func stripeGo(httpClient *http.Client, base, key string) *stripe.Client {
	cfg := &stripe.BackendConfig{
		HTTPClient:        httpClient,
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if base != "" {
		cfg.URL = stripe.String(base)
	}
	return stripe.NewClient(key, stripe.WithBackends(&stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, cfg)}))
}

const bundledRetrieve = "../cassettes/stripe-mock/flow_customer_retrieve.yaml"

var _ = Describe("ForTest", func() {
	It("replays a bundled cassette for stripe-go under GinkgoT(), sending nothing", func(ctx context.Context) {
		sc := stripeGo(recorder.ForTest(GinkgoT(), bundledRetrieve, env(nil)), "", recorder.PlaceholderTestKey)
		c, err := sc.V1Customers.Retrieve(ctx, "cus_QFlowCustomer001", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.ID).To(Equal("cus_QFlowCustomer001"))
	})

	It("records a missing cassette with a test-mode key outside CI, saves it redacted on cleanup, then replays it", func(ctx context.Context) {
		upstream := startStripeLike()
		key := randomKey("sk_test_")
		file := filepath.Join(GinkgoT().TempDir(), "testdata", "retrieve.yaml") // testdata/ is made for it

		t := &observedT{name: "TestRetrieve"}
		client := recorder.ForTest(t, file, env(map[string]string{"STRIPE_API_KEY": key}))
		Expect(t.fatal).To(BeEmpty())
		p, err := stripeGo(client, upstream.URL, key).V1InvoicePayments.Retrieve(ctx, "inpay_recorded", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.ID).To(Equal("inpay_recorded"))
		Expect(upstream.requests.Load()).To(BeEquivalentTo(1))
		Expect(file).NotTo(BeAnExistingFile(), "saved on cleanup, not before")
		t.finish()
		Expect(t.errs).To(BeEmpty())
		Expect(t.logs).To(ContainElement(ContainSubstring("recorded 1 interactions into " + file)))
		saved, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(saved)).To(ContainSubstring("inpay_recorded"))
		Expect(string(saved)).NotTo(ContainSubstring(key[len("sk_test_"):]))

		upstream.Close()
		again := &observedT{name: "TestRetrieve"}
		replayed, err := stripeGo(recorder.ForTest(again, file, env(map[string]string{"CI": "true"})), upstream.URL, recorder.PlaceholderTestKey).V1InvoicePayments.Retrieve(ctx, "inpay_recorded", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(replayed.ID).To(Equal("inpay_recorded"))
		again.finish()
		Expect(again.errs).To(BeEmpty())
		Expect(again.fatal).To(BeEmpty())
	})

	It("fails the test at once when CI=true and the cassette is missing, recording nothing", func() {
		file := filepath.Join(GinkgoT().TempDir(), "missing.yaml")
		t := &observedT{name: "TestMissing"}
		client := recorder.ForTest(t, file, env(map[string]string{"CI": "true", "STRIPE_API_KEY": randomKey("sk_test_")}))
		Expect(client).To(BeNil())
		Expect(t.fatal).To(Equal("recorder.ForTest: cassette " + file + " does not exist, and CI=true: a CI run never records; " +
			"record it where a test-mode key is at hand (STRIPE_API_KEY=sk_test_... go test -run '^TestMissing$', CI unset) and commit it"))
		t.finish()
		Expect(file).NotTo(BeAnExistingFile())
	})

	It("fails the test when the cassette is missing and there is no key, or a live-mode one", func() {
		file := filepath.Join(GinkgoT().TempDir(), "missing.yaml")
		t := &observedT{name: "TestMissing"}
		Expect(recorder.ForTest(t, file, env(nil))).To(BeNil())
		Expect(t.fatal).To(ContainSubstring("does not exist; to record it, set STRIPE_API_KEY to a test-mode key"))

		live := &observedT{name: "TestMissing"}
		Expect(recorder.ForTest(live, file, env(map[string]string{"STRIPE_API_KEY": "sk_live_notreal"}))).To(BeNil())
		Expect(live.fatal).To(ContainSubstring("STRIPE_API_KEY is a live-mode key (sk_live_...)"))
	})

	It("fails the test for a request the cassette does not hold, naming the nearest recording", func(ctx context.Context) {
		t := &observedT{name: "TestMiss"}
		_, err := stripeGo(recorder.ForTest(t, bundledRetrieve, env(map[string]string{"CI": "true"})), "", recorder.PlaceholderTestKey).V1Customers.Retrieve(ctx, "cus_NotRecorded", nil)
		Expect(err).To(HaveOccurred())
		Expect(t.errs).To(HaveLen(1))
		Expect(t.errs[0]).To(ContainSubstring("recorder.ForTest: " + bundledRetrieve + " does not hold this request (no recorded interaction matches GET /v1/customers/cus_NotRecorded; nearest is interaction 0"))
		Expect(t.errs[0]).To(ContainSubstring("CI never records"))
		t.finish()
	})

	It("fails the test for a response that breaks the contract, listing pointer, rule and doc", func(ctx context.Context) {
		broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			p := invoicePayment("inpay_broken")
			p["status"] = "open" // amount_paid stays 2000: paid while open
			b, _ := json.Marshal(p)
			w.Write(b)
		}))
		DeferCleanup(broken.Close)
		file := filepath.Join(GinkgoT().TempDir(), "broken.yaml")
		t := &observedT{name: "TestBroken"}
		key := randomKey("sk_test_")
		_, err := stripeGo(recorder.ForTest(t, file, env(map[string]string{"STRIPE_API_KEY": key})), broken.URL, key).V1InvoicePayments.Retrieve(ctx, "inpay_broken", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.errs).To(HaveLen(1))
		Expect(t.errs[0]).To(HavePrefix("recorder.ForTest: the response to GET /v1/invoice_payments/inpay_broken (invoice_payment, judged at "))
		Expect(t.errs[0]).To(ContainSubstring(`/amount_paid: is 2000 but status is "open"`))
		Expect(t.errs[0]).To(ContainSubstring("[invoice_payment.amount_paid.null-unless-paid]\n      doc: "))
		t.finish()
	})

	It("refuses to send a live-mode key while recording", func(ctx context.Context) {
		upstream := startStripeLike()
		file := filepath.Join(GinkgoT().TempDir(), "live.yaml")
		t := &observedT{name: "TestLive"}
		_, err := stripeGo(recorder.ForTest(t, file, env(map[string]string{"STRIPE_API_KEY": randomKey("sk_test_")})), upstream.URL, "sk_live_notreal0000000000").V1InvoicePayments.Retrieve(ctx, "inpay_1", nil)
		Expect(err).To(HaveOccurred())
		Expect(upstream.requests.Load()).To(BeZero())
		Expect(t.errs).To(ContainElement(ContainSubstring("not sent: the request's Authorization is a live-mode key")))
		t.finish()
		Expect(strings.Join(t.errs, "\n")).NotTo(ContainSubstring("notreal"))
	})
})
