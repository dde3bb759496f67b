package main_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
	stripewebhook "github.com/stripe/stripe-go/v85/webhook"
)

// runWebhooks runs the binary's webhooks command and waits for it to exit.
func runWebhooks(args ...string) *gexec.Session {
	cmd := exec.Command(binary, append([]string{"webhooks"}, args...)...)
	session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	Eventually(session, time.Minute).Should(gexec.Exit())
	return session
}

var _ = Describe("stripe-contract webhooks", func() {
	const secret = "whsec_clitestsecret0000000000"
	var (
		target   string
		accepted atomic.Int32
	)
	BeforeEach(func() {
		accepted.Store(0)
		// A handler as Stripe's docs write one, with stripe-go's own check.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if _, err := stripewebhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			accepted.Add(1)
		}))
		DeferCleanup(srv.Close)
		target = srv.URL + "/webhook"
	})

	It("exits 0 when the endpoint accepts every re-signed delivery", func() {
		s := runWebhooks("--cassettes", "../../cassettes", "--target", target, "--webhook-secret", secret)
		Expect(accepted.Load()).To(Equal(int32(3)))
		Expect(string(s.Err.Contents())).To(ContainSubstring("3 deliveries to " + target + ", re-signed with --webhook-secret"))
		Expect(string(s.Err.Contents())).To(ContainSubstring("ok docs/webhook_invoice_payment_paid.yaml interaction 0: 200"))
		Expect(string(s.Out.Contents())).To(ContainSubstring("3 documents checked at 2026-08-26.dahlia (3): 3 valid, 0 invalid"))
		Expect(s).To(gexec.Exit(0))
	})

	It("exits 1, naming cassette, interaction and status, when deliveries go unsigned", func() {
		s := runWebhooks("--cassettes", "../../cassettes", "--target", target)
		Expect(s).To(gexec.Exit(1))
		Expect(accepted.Load()).To(BeZero())
		Expect(string(s.Err.Contents())).To(ContainSubstring("unsigned: no --webhook-secret"))
		Expect(string(s.Out.Contents())).To(ContainSubstring("../../cassettes/docs/webhook_invoice_payment_paid.yaml:21 (interaction 0: POST https://example.com/webhooks/stripe): error: /interactions/0/request: " +
			"docs/webhook_invoice_payment_paid.yaml interaction 0: POST " + target + ": endpoint answered 400 Bad Request, want 2xx: \"webhook has no Stripe-Signature header\" [webhook.delivery]"))
	})

	It("exits 1 with the wrong secret, and says so in JSON", func() {
		s := runWebhooks("--cassettes", "../../cassettes", "--target", target, "--webhook-secret", "whsec_wrong", "--format", "json")
		Expect(s).To(gexec.Exit(1))
		type jsonRow struct {
			Source     string
			Valid      bool
			Violations []struct{ Rule, Path, Message string }
		}
		var rows []jsonRow
		for _, line := range strings.Split(strings.TrimSpace(string(s.Out.Contents())), "\n") {
			var r jsonRow
			Expect(json.Unmarshal([]byte(line), &r)).To(Succeed(), line)
			rows = append(rows, r)
		}
		Expect(rows).To(HaveLen(3)) // one per bundled delivery
		i := slices.IndexFunc(rows, func(r jsonRow) bool { return strings.Contains(r.Source, "webhook_invoice_payment_paid") })
		Expect(i).NotTo(Equal(-1))
		row := rows[i]
		Expect(row.Source).To(Equal("../../cassettes/docs/webhook_invoice_payment_paid.yaml:21"))
		Expect(row.Valid).To(BeFalse())
		Expect(row.Violations).To(HaveLen(1))
		Expect(row.Violations[0].Rule).To(Equal("webhook.delivery"))
		Expect(row.Violations[0].Message).To(HaveSuffix(`400 Bad Request, want 2xx: "webhook had no valid signature"`))
	})

	It("exits 1 when the endpoint answers 500, as a GitHub annotation", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
		defer srv.Close()
		s := runWebhooks("--cassettes", "../../cassettes", "--target", srv.URL, "--webhook-secret", secret, "--format", "github")
		Expect(s).To(gexec.Exit(1))
		Expect(string(s.Out.Contents())).To(HavePrefix("::error file=../../cassettes/docs/"))
		Expect(string(s.Out.Contents())).To(ContainSubstring("::error file=../../cassettes/docs/webhook_invoice_payment_paid.yaml,line=21,title=webhook.delivery::"))
		Expect(strings.Count(string(s.Out.Contents()), "endpoint answered 500 Internal Server Error")).To(Equal(3)) // one per bundled delivery
	})

	It("exits 1 within --timeout when the endpoint hangs", func() {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		DeferCleanup(func() { close(release); srv.Close() })
		start := time.Now()
		s := runWebhooks("--cassettes", "../../cassettes", "--target", srv.URL, "--timeout", "500ms", "--format", "junit")
		Expect(s).To(gexec.Exit(1))
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
		Expect(string(s.Out.Contents())).To(ContainSubstring("no answer within 500ms"))
		Expect(string(s.Out.Contents())).To(ContainSubstring("<testsuites"))
	})

	DescribeTable("exits 2 on usage errors, saying what is wrong",
		func(message string, args ...string) {
			s := runWebhooks(args...)
			Expect(s).To(gexec.Exit(2))
			Expect(strings.Join(strings.Fields(string(s.Err.Contents())), " ")).To(ContainSubstring(message))
		},
		Entry("no target", "--cassettes and --target are required", "--cassettes", "../../cassettes"),
		Entry("no cassettes", "--cassettes and --target are required", "--target", "http://127.0.0.1:1/"),
		Entry("a secret that is not whsec_", "webhook secret must start with whsec_", "--cassettes", "../../cassettes", "--target", "http://127.0.0.1:1/", "--webhook-secret", "sk_test_123"),
		Entry("a target that is not a URL", "want an http or https URL", "--cassettes", "../../cassettes", "--target", "localhost:4242"),
		Entry("an unknown format", "must be one of text, json, junit, github, html", "--cassettes", "../../cassettes", "--target", "http://127.0.0.1:1/", "--format", "xml"),
		Entry("a missing directory", "--cassettes nowhere: not a readable directory", "--cassettes", "nowhere", "--target", "http://127.0.0.1:1/"),
		Entry("cassettes without deliveries", "no webhook deliveries", "--cassettes", "testdata/input", "--target", "http://127.0.0.1:1/"),
		Entry("an argument", `unexpected argument "extra"`, "--cassettes", "../../cassettes", "--target", "http://127.0.0.1:1/", "extra"),
	)
})
