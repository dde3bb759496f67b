package recorder_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

// answer is what a Server said over HTTP.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func fetch(base, target string) answer {
	resp, err := http.Get(base + target)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return answer{resp.StatusCode, resp.Header, b}
}

var _ = Describe("Server with the request contract", func() {
	var (
		api      string
		mu       sync.Mutex
		rejected []*recorder.RequestError
	)

	start := func(fsys fs.FS) {
		checker, err := request.New()
		Expect(err).NotTo(HaveOccurred())
		mu.Lock()
		rejected = nil
		mu.Unlock()
		srv, err := recorder.NewServer(fsys,
			recorder.WithRequestCheck(checker),
			recorder.WithRejectHandler(func(_ *http.Request, e *recorder.RequestError) {
				mu.Lock()
				defer mu.Unlock()
				rejected = append(rejected, e)
			}))
		Expect(err).NotTo(HaveOccurred())
		ts := httptest.NewServer(srv)
		DeferCleanup(ts.Close)
		api = ts.URL
	}

	DescribeTable("answers a request the API rejects with its 400 envelope, over HTTP",
		func(target, rule, code, param string) {
			start(cassettes.FS)
			a := fetch(api, target)
			Expect(a.status).To(Equal(http.StatusBadRequest))
			Expect(a.header.Get(recorder.RequestViolationHeader)).To(Equal(rule))
			Expect(a.header.Get(recorder.ReplayedFromHeader)).To(BeEmpty())
			Expect(a.header.Get("Content-Type")).To(Equal("application/json"))
			var env request.Envelope
			Expect(json.Unmarshal(a.body, &env)).To(Succeed())
			Expect(env.Error.Type).To(Equal("invalid_request_error"))
			Expect(env.Error.Code).To(Equal(code))
			Expect(env.Error.Param).To(Equal(param))
			Expect(env.Error.Message).NotTo(BeEmpty())

			res := mustValidate(a.body)
			Expect(res.Kind).To(Equal(validators.KindError))
			Expect(res.Violations).To(BeEmpty())

			mu.Lock()
			defer mu.Unlock()
			Expect(rejected).To(HaveLen(1))
			Expect(rejected[0].Violations[0].Rule).To(Equal(rule))
			Expect(rejected[0].Error()).To(ContainSubstring("breaks the request contract"))
		},
		Entry("limit=0", "/v1/invoice_payments?invoice=in_1QInvoicePaid0000001&limit=0", "request.invoice_payments.list.limit.range", "", "limit"),
		Entry("limit=101", "/v1/invoice_payments?invoice=in_1QInvoicePaid0000001&limit=101", "request.invoice_payments.list.limit.range", "", "limit"),
		Entry("status=succeeded, for an invoice no recording asked about", "/v1/invoice_payments?status=succeeded", "request.invoice_payments.list.status.enum", "", "status"),
		Entry("payment[payment_intent] without payment[type]", "/v1/invoice_payments?payment[payment_intent]=pi_x", "request.invoice_payments.list.payment.type.required", "parameter_missing", "payment[type]"),
		Entry("starting_after and ending_before", "/v1/invoice_payments?starting_after=inpay_2&ending_before=inpay_1", "request.invoice_payments.list.cursors.exclusive", "parameters_exclusive", ""),
		Entry("expand[]=customer", "/v1/invoice_payments/inpay_1QPaidPaymentIntent1?expand[]=customer", "request.invoice_payments.retrieve.expand.expandable", "", "expand[0]"),
		Entry("an unknown parameter", "/v1/invoice_payments?invoice=in_1QInvoicePaid0000001&customer=cus_1", "request.invoice_payments.list.unknown-parameter", "parameter_unknown", "customer"),
	)

	It("replays the API's own recorded 400 to a request it rejected (status=succeeded)", func() {
		start(cassettes.FS)
		a := fetch(api, "/v1/invoice_payments?invoice=in_1QInvoicePaid0000001&status=succeeded")
		Expect(a.status).To(Equal(http.StatusBadRequest))
		Expect(a.header.Get(recorder.ReplayedFromHeader)).To(Equal("stripe-mock/error_400_invalid_status.yaml#/interactions/0"))
		Expect(a.header.Get(recorder.RequestViolationHeader)).To(Equal("request.invoice_payments.list.status.enum"))
		Expect(string(a.body)).To(ContainSubstring("value is not in enumeration"))
		mu.Lock()
		defer mu.Unlock()
		Expect(rejected).To(BeEmpty(), "the recorded answer is the API's rejection; nothing is logged")
	})

	It("never replays a recorded success to a request the API rejects", func() {
		raw, err := fs.ReadFile(cassettes.FS, "stripe-mock/retrieve_expand_invoice.yaml")
		Expect(err).NotTo(HaveOccurred())
		// The same recording, made to ask for a field that cannot be expanded.
		bad := strings.ReplaceAll(string(raw), "expand[]=invoice", "expand[]=customer")
		bad = strings.Replace(bad, "            expand[]:\n                - invoice\n", "            expand[]:\n                - customer\n", 1)
		Expect(bad).NotTo(Equal(string(raw)))
		start(fstest.MapFS{"bad.yaml": {Data: []byte(bad)}})

		a := fetch(api, "/v1/invoice_payments/inpay_1QPaidPaymentIntent1?expand[]=customer")
		Expect(a.status).To(Equal(http.StatusBadRequest))
		Expect(a.header.Get(recorder.ReplayedFromHeader)).To(BeEmpty())
		Expect(a.header.Get(recorder.RequestViolationHeader)).To(Equal("request.invoice_payments.retrieve.expand.expandable"))

		By("and without the check, the same server replays it")
		srv, err := recorder.NewServer(fstest.MapFS{"bad.yaml": {Data: []byte(bad)}})
		Expect(err).NotTo(HaveOccurred())
		ts := httptest.NewServer(srv)
		defer ts.Close()
		Expect(fetch(ts.URL, "/v1/invoice_payments/inpay_1QPaidPaymentIntent1?expand[]=customer").status).To(Equal(http.StatusOK))
	})

	It("does not consume the interaction a rejected request matched", func() {
		raw, err := fs.ReadFile(cassettes.FS, "stripe-mock/retrieve_expand_invoice.yaml")
		Expect(err).NotTo(HaveOccurred())
		bad := strings.ReplaceAll(string(raw), "expand[]=invoice", "expand[]=customer")
		bad = strings.Replace(bad, "                - invoice\n", "                - customer\n", 1)
		start(fstest.MapFS{"bad.yaml": {Data: []byte(bad)}, "good.yaml": {Data: raw}})
		Expect(fetch(api, "/v1/invoice_payments/inpay_1QPaidPaymentIntent1?expand[]=customer").status).To(Equal(http.StatusBadRequest))
		a := fetch(api, "/v1/invoice_payments/inpay_1QPaidPaymentIntent1?expand[]=invoice")
		Expect(a.status).To(Equal(http.StatusOK))
		Expect(a.header.Get(recorder.RequestViolationHeader)).To(BeEmpty())
	})

	It("answers every bundled conforming request from its recording", func() {
		start(cassettes.FS)
		for _, target := range []string{
			"/v1/invoice_payments/inpay_1QPaidPaymentIntent1?expand[0]=payment.payment_intent",
			"/v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=pi_3QPaymentIntent00001",
			"/v1/invoices/in_1QInvoicePaid0000001?expand[]=payments",
			"/v1/events/evt_1QInvoicePaymentPaid01",
		} {
			a := fetch(api, target)
			Expect(a.status).To(Equal(http.StatusOK), target)
			Expect(a.header.Get(recorder.RequestViolationHeader)).To(BeEmpty(), target)
		}
	})
})

func mustValidate(body []byte) validators.Result {
	v, err := validators.New(validators.WithStrict(true))
	Expect(err).NotTo(HaveOccurred())
	return v.Validate(body)
}
