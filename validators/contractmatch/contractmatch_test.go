package contractmatch_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	stripe "github.com/stripe/stripe-go/v85"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators"
	. "github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

const rule = "invoice_payment.amount_paid.null-unless-paid"

// open is a bundled invoice payment that keeps the contract, and paidWhileOpen
// the same one claiming an amount paid while open, which breaks it.
var open, paidWhileOpen = func() ([]byte, []byte) {
	b, err := os.ReadFile("../../schemas/examples/invoice_payment_open.json")
	if err != nil {
		panic(err)
	}
	return b, []byte(strings.Replace(string(b), `"amount_paid": null`, `"amount_paid": 2000`, 1))
}()

// failure runs matcher on actual and returns Gomega's failure message, or
// "" when it passed.
func failure(actual any, matcher types.GomegaMatcher) string {
	var msg string
	g := NewGomega(func(message string, _ ...int) { msg = message })
	g.Expect(actual).To(matcher)
	return msg
}

var _ = Describe("KeepTheContract", func() {
	It("passes a payload that keeps the contract, as []byte, string or json.RawMessage", func() {
		Expect(open).To(KeepTheContract())
		Expect(string(open)).To(KeepTheContract())
		Expect(json.RawMessage(open)).To(KeepTheContract())
	})

	It("fails one that breaks it, listing each violation's pointer, message, rule and doc sentence", func() {
		Expect(paidWhileOpen).NotTo(KeepTheContract())
		msg := failure(paidWhileOpen, KeepTheContract())
		Expect(msg).To(HavePrefix("Expected the payload (invoice_payment, judged at 2026-08-26.dahlia) to keep the contract, but it breaks 1 rule:\n"))
		Expect(msg).To(ContainSubstring(`  error /amount_paid: is 2000 but status is "open"; amount_paid is null until the payment is paid, and set once it is [` + rule + "]\n"))
		Expect(msg).To(MatchRegexp(`\n      doc: "[^"]*paid[^"]*"\n`))
	})

	It("judges undocumented fields as errors only in strict mode", func() {
		extra := strings.Replace(string(open), `"status": "open"`, `"status": "open", "not_in_the_docs": 1`, 1)
		Expect(extra).To(KeepTheContract())
		Expect(extra).NotTo(KeepTheContract(Strict()))
		Expect(failure(extra, KeepTheContract(Strict()))).To(ContainSubstring("/not_in_the_docs"))
	})

	It("judges at the API version AtAPIVersion names, and errs on one not embedded", func() {
		msg := failure(paidWhileOpen, KeepTheContract(AtAPIVersion("2025-09-30.clover")))
		Expect(msg).To(ContainSubstring("judged at 2025-09-30.clover"))
		_, err := KeepTheContract(AtAPIVersion("2020-01-01")).Match(open)
		Expect(err).To(MatchError(ContainSubstring(`API version "2020-01-01" is not embedded`)))
	})

	It("judges with the validator WithValidator gives", func() {
		strict, err := validators.New(validators.WithStrict(true))
		Expect(err).NotTo(HaveOccurred())
		extra := strings.Replace(string(open), `"status": "open"`, `"status": "open", "not_in_the_docs": 1`, 1)
		Expect(extra).NotTo(KeepTheContract(WithValidator(strict)))
	})

	It("reads an *http.Response's body and puts it back", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(paidWhileOpen)
		}))
		DeferCleanup(srv.Close)
		resp, err := http.Get(srv.URL + "/v1/invoice_payments/inpay_1")
		Expect(err).NotTo(HaveOccurred())
		Expect(failure(resp, KeepTheContract())).To(HavePrefix("Expected the response to GET /v1/invoice_payments/inpay_1 (invoice_payment, judged at"))
		Expect(resp).To(HaveViolation(rule, "/amount_paid")) // read again: put back each time
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(body).To(Equal(paidWhileOpen))
	})

	It("redacts secrets the violations quote", func() {
		leaky := strings.Replace(string(open), `"currency": "usd"`, `"currency": "sk_test_51LeakedKeyInAPayload00000000"`, 1)
		msg := failure(leaky, KeepTheContract())
		Expect(msg).To(ContainSubstring("/currency"))
		Expect(msg).NotTo(ContainSubstring("51LeakedKeyInAPayload"))
	})

	It("takes a validators.Result as judged", func() {
		v, err := validators.New()
		Expect(err).NotTo(HaveOccurred())
		res := v.Validate(paidWhileOpen)
		Expect(res).NotTo(KeepTheContract())
		Expect(&res).To(HaveViolation(rule, "/amount_paid"))
	})

	It("errs on what it cannot judge, naming what it can", func() {
		_, err := KeepTheContract().Match(42)
		Expect(err).To(MatchError(ContainSubstring("cannot judge a int: want []byte, string")))
		_, err = KeepTheContract().Match((*http.Response)(nil))
		Expect(err).To(MatchError(ContainSubstring("nil *http.Response")))
	})
})

var _ = Describe("HaveViolation", func() {
	It("matches the rule at the pointer, and says what there was when it does not", func() {
		Expect(paidWhileOpen).To(HaveViolation(rule, "/amount_paid"))
		Expect(paidWhileOpen).NotTo(HaveViolation(rule, "/status"))
		Expect(open).NotTo(HaveViolation(rule, "/amount_paid"))
		Expect(failure(open, HaveViolation(rule, "/amount_paid"))).To(Equal(
			"Expected the payload (invoice_payment, judged at 2026-08-26.dahlia) to break " + rule + " at /amount_paid, but it does not; it has no violation at all\n"))
		Expect(failure(paidWhileOpen, HaveViolation(rule, "/status"))).To(ContainSubstring("it has 1 violation:\n  error /amount_paid:"))
	})
})

// stripe-go against the replay server over the bundled cassettes, as a
// user's test would run it against Stripe: every response it decodes keeps
// the contract, checked through the object's LastResponse.
var _ = Describe("with stripe-go", func() {
	var sc *stripe.Client

	BeforeEach(func() {
		srv, err := recorder.NewServer(cassettes.FS)
		Expect(err).NotTo(HaveOccurred())
		api := httptest.NewServer(srv)
		DeferCleanup(api.Close)
		backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
			URL:               stripe.String(api.URL),
			MaxNetworkRetries: stripe.Int64(0),
			LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		})
		sc = stripe.NewClient("sk_test_stripecontract", stripe.WithBackends(&stripe.Backends{API: backend}))
	})

	It("retrieves a customer and an invoice payment whose responses keep the contract", func(ctx context.Context) {
		customer, err := sc.V1Customers.Retrieve(ctx, "cus_QFlowCustomer001", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(customer.LastResponse).To(KeepTheContract(Strict()))
		Expect(customer).To(KeepTheContract())
		Expect(customer.LastResponse.RawJSON).To(ContainSubstring(`"object":"customer"`))

		payment, err := sc.V1InvoicePayments.Retrieve(ctx, "inpay_1QOpen000000000001", nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(payment).To(KeepTheContract())
		Expect(payment).NotTo(HaveViolation(rule, "/amount_paid"))
	})
})
