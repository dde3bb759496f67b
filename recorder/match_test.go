package recorder_test

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// sent builds a request as an SDK sends it.
func sent(method, target, body string, headers ...string) *http.Request {
	var r *http.Request
	if body == "" {
		r, _ = http.NewRequest(method, "http://127.0.0.1:12114"+target, nil)
	} else {
		r, _ = http.NewRequest(method, "http://127.0.0.1:12114"+target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

// recorded builds a request as a cassette holds it.
func recorded(method, target, body string, headers ...string) cassette.Request {
	h := http.Header{}
	if body != "" {
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Add(headers[i], headers[i+1])
	}
	return cassette.Request{Method: method, URL: "https://api.stripe.com" + target, Body: body, Headers: h}
}

var _ = DescribeTable("the matcher compares method, path, and query and form body as multisets",
	func(m *recorder.Matcher, r *http.Request, rec cassette.Request, want []recorder.Difference) {
		got := m.Diff(r, rec)
		if want == nil {
			Expect(got).To(BeEmpty())
			Expect(m.Match(r, rec)).To(BeTrue())
		} else {
			Expect(got).To(Equal(want))
			Expect(m.Match(r, rec)).To(BeFalse())
		}
	},
	Entry("expand[] values match in any order",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments/inpay_1?expand[]=payment.payment_intent&expand[]=invoice", ""),
		recorded("GET", "/v1/invoice_payments/inpay_1?expand[]=invoice&expand[]=payment.payment_intent", ""),
		nil),
	Entry("expand[0] (stripe-go, stripe-node) matches expand[] (curl, Ruby)",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments/inpay_1?expand%5B0%5D=invoice&expand%5B1%5D=payment.payment_intent", ""),
		recorded("GET", "/v1/invoice_payments/inpay_1?expand[]=payment.payment_intent&expand[]=invoice", ""),
		nil),
	Entry("percent-encoded brackets match plain ones",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments?payment%5Btype%5D=payment_intent&invoice=in_1", ""),
		recorded("GET", "/v1/invoice_payments?invoice=in_1&payment[type]=payment_intent", ""),
		nil),
	Entry("a different payment[type] is named with both values",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments?payment[type]=payment_record", ""),
		recorded("GET", "/v1/invoice_payments?payment[type]=payment_intent", ""),
		[]recorder.Difference{{Part: "query", Recorded: "payment[type]=payment_intent", Sent: "payment[type]=payment_record"}}),
	Entry("created[gte] in a form body matches in any order",
		recorder.NewMatcher(),
		sent("POST", "/v1/search", "limit=3&created[gte]=1760000000&created[lt]=1770000000"),
		recorded("POST", "/v1/search", "created%5Blt%5D=1770000000&created%5Bgte%5D=1760000000&limit=3"),
		nil),
	Entry("a repeated pair counts twice (multisets, not sets)",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments/inpay_1?expand[]=invoice", ""),
		recorded("GET", "/v1/invoice_payments/inpay_1?expand[]=invoice&expand[]=invoice", ""),
		[]recorder.Difference{{Part: "query", Recorded: "expand[]=invoice"}}),
	Entry("a parameter missing from the request is named as recorded, not sent",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments", ""),
		recorded("GET", "/v1/invoice_payments?status=open", ""),
		[]recorder.Difference{{Part: "query", Recorded: "status=open"}}),
	Entry("headers that vary per run are ignored: Idempotency-Key, User-Agent, X-Stripe-Client-User-Agent, Authorization, Stripe-Version",
		recorder.NewMatcher(),
		sent("POST", "/v1/invoices/in_1/pay", "paid_out_of_band=true",
			"Idempotency-Key", "9b0f-run-2", "User-Agent", "Stripe/v1 NodeBindings/18.0.0", "X-Stripe-Client-User-Agent", `{"lang":"node"}`,
			"Authorization", "Bearer [REDACTED]", "Stripe-Version", "2026-08-26.dahlia"),
		recorded("POST", "/v1/invoices/in_1/pay", "paid_out_of_band=true",
			"Idempotency-Key", "1c2d-run-1", "User-Agent", "Stripe/v1 GoBindings/83.0.0", "X-Stripe-Client-User-Agent", `{"lang":"go"}`,
			"Authorization", "Basic [REDACTED]", "Stripe-Version", "2025-01-27.acacia"),
		nil),
	Entry("Stripe-Version is compared when asked",
		recorder.NewMatcher("Stripe-Version"),
		sent("GET", "/v1/invoice_payments/inpay_1", "", "Stripe-Version", "2026-08-26.dahlia"),
		recorded("GET", "/v1/invoice_payments/inpay_1", "", "Stripe-Version", "2025-01-27.acacia"),
		[]recorder.Difference{{Part: "header Stripe-Version", Recorded: "2025-01-27.acacia", Sent: "2026-08-26.dahlia"}}),
	Entry("Stripe-Account is always compared: another account's data is another answer",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments/inpay_1", ""),
		recorded("GET", "/v1/invoice_payments/inpay_1", "", "Stripe-Account", "acct_1Connected"),
		[]recorder.Difference{{Part: "header Stripe-Account", Recorded: "acct_1Connected"}}),
	Entry("another method is a difference",
		recorder.NewMatcher(),
		sent("POST", "/v1/invoice_payments/inpay_1", ""),
		recorded("GET", "/v1/invoice_payments/inpay_1", ""),
		[]recorder.Difference{{Part: "method", Recorded: "GET", Sent: "POST"}}),
	Entry("another path is a difference",
		recorder.NewMatcher(),
		sent("GET", "/v1/invoice_payments/inpay_2", ""),
		recorded("GET", "/v1/invoice_payments/inpay_1", ""),
		[]recorder.Difference{{Part: "path", Recorded: "/v1/invoice_payments/inpay_1", Sent: "/v1/invoice_payments/inpay_2"}}),
	Entry("a form value that differs is named in the body",
		recorder.NewMatcher(),
		sent("POST", "/v1/invoices/in_1/pay", "paid_out_of_band=false"),
		recorded("POST", "/v1/invoices/in_1/pay", "paid_out_of_band=true"),
		[]recorder.Difference{{Part: "body", Recorded: "paid_out_of_band=true", Sent: "paid_out_of_band=false"}}),
)

var _ = Describe("the matcher on JSON bodies (webhook deliveries)", func() {
	It("compares them as JSON, so member order and spacing do not matter", func() {
		r, _ := http.NewRequest("POST", "http://127.0.0.1/webhooks", strings.NewReader(`{"type":"invoice_payment.paid","id":"evt_1"}`))
		r.Header.Set("Content-Type", "application/json")
		rec := cassette.Request{Method: "POST", URL: "https://example.com/webhooks", Body: "{\n  \"id\": \"evt_1\",\n  \"type\": \"invoice_payment.paid\"\n}",
			Headers: http.Header{"Content-Type": {"application/json; charset=utf-8"}}}
		Expect(recorder.NewMatcher().Diff(r, rec)).To(BeEmpty())
	})

	It("names a body that differs", func() {
		r, _ := http.NewRequest("POST", "http://127.0.0.1/webhooks", strings.NewReader(`{"id":"evt_2"}`))
		r.Header.Set("Content-Type", "application/json")
		rec := cassette.Request{Method: "POST", URL: "https://example.com/webhooks", Body: `{"id":"evt_1"}`, Headers: http.Header{"Content-Type": {"application/json"}}}
		Expect(recorder.NewMatcher().Diff(r, rec)).To(Equal([]recorder.Difference{{Part: "body", Recorded: `{"id":"evt_1"}`, Sent: `{"id":"evt_2"}`}}))
	})

	It("leaves the request body readable after matching", func() {
		r := sent("POST", "/v1/invoices/in_1/pay", "paid_out_of_band=true")
		recorder.NewMatcher().Match(r, recorded("POST", "/v1/invoices/in_1/pay", "paid_out_of_band=true"))
		Expect(r.ParseForm()).To(Succeed())
		Expect(r.PostForm.Get("paid_out_of_band")).To(Equal("true"))
	})
})

var _ = DescribeTable("a value recorded as [MASKED] (--mask-pii)",
	func(rec, sent_ string, match bool) {
		m := recorder.NewMatcher()
		Expect(m.Match(sent("GET", sent_, ""), recorded("GET", rec, ""))).To(Equal(match))
	},
	Entry("matches any value of a query parameter", "/v1/customers?email=[MASKED]", "/v1/customers?email=bob%40example.org", true),
	Entry("but the parameter must be sent", "/v1/customers?email=[MASKED]", "/v1/customers", false),
	Entry("and under its own key only", "/v1/customers?email=[MASKED]", "/v1/customers?name=bob", false),
	Entry("matches inside a value, the rest compared as written", "/v1/charges?description=call+[MASKED]+today", "/v1/charges?description=call+555-0100+today", true),
	Entry("not when the rest differs", "/v1/charges?description=call+[MASKED]+today", "/v1/charges?description=mail+bob+today", false),
	Entry("matches a quoted Search clause", "/v1/customers/search?query=email%3A%27[MASKED]%27+AND+status%3A%27paid%27", "/v1/customers/search?query=email%3A%27bob%40x.org%27+AND+status%3A%27paid%27", true),
	Entry("a quoted Search clause holding an escaped quote", "/v1/customers/search?query=name%3A%27[MASKED]%27", "/v1/customers/search?query=name%3A%27O%5C%27Brien%27", true),
	Entry("never past its closing quote", "/v1/customers/search?query=email%3A%27[MASKED]%27+AND+status%3A%27paid%27", "/v1/customers/search?query=email%3A%27a%27+OR+x%3A%27b%27+AND+status%3A%27paid%27", false),
	Entry("matches one path segment", "/v1/customers/[MASKED]/balance_transactions", "/v1/customers/bob@example.org/balance_transactions", true),
	Entry("never two", "/v1/customers/[MASKED]", "/v1/customers/a/b", false),
)

var _ = Describe("a JSON body recorded with [MASKED] members", func() {
	It("matches any value there, a number or an object as well, but not a missing member", func() {
		m := recorder.NewMatcher()
		rec := cassette.Request{Method: "POST", URL: "https://example.com/hook", Body: `{"email":"[MASKED]","shipping":"[MASKED]","amount":2000}`,
			Headers: http.Header{"Content-Type": {"application/json"}}}
		req := func(body string) *http.Request {
			r, _ := http.NewRequest("POST", "http://127.0.0.1/hook", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		}
		Expect(m.Diff(req(`{"amount":2000,"email":"bob@x.org","shipping":{"name":"Bob"}}`), rec)).To(BeEmpty())
		Expect(m.Diff(req(`{"amount":2001,"email":"bob@x.org","shipping":1}`), rec)).To(HaveLen(1))
		d := m.Diff(req(`{"amount":2000,"shipping":1}`), rec)
		Expect(d).To(HaveLen(1))
		Expect(d[0].Masked).To(BeTrue(), "only a masked member is missing")
	})
})
