package request_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

func get(target string) *http.Request { return httptest.NewRequest(http.MethodGet, target, nil) }

// rules lists the rule IDs of violations.
func rules(vs []validators.Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	return out
}

const (
	list     = "/v1/invoice_payments"
	retrieve = "/v1/invoice_payments/inpay_1QPaidPaymentIntent1"
)

var _ = Describe("Check", func() {
	DescribeTable("accepts the documented parameters",
		func(target string) {
			Expect(checker.Check(get(target))).To(BeEmpty())
		},
		Entry("limit is between 1 and 100: 1", list+"?limit=1"),
		Entry("limit is between 1 and 100: 100", list+"?limit=100"),
		Entry("status is one of the statuses", list+"?status=canceled"),
		Entry("payment[type] with its reference", list+"?payment[type]=payment_record&payment[payment_record]=pr_1"),
		Entry("payment[type] alone", list+"?payment[type]=payment_intent"),
		Entry("created as an integer", list+"?created=1700000000"),
		Entry("created as a range", list+"?created[gte]=1700000000&created[lt]=1800000000"),
		Entry("starting_after alone", list+"?starting_after=inpay_1"),
		Entry("ending_before alone", list+"?ending_before=inpay_1"),
		Entry("invoice is a string", list+"?invoice=in_1"),
		Entry("a list expands data.", list+"?expand[]=data.invoice&expand[]=data.payment.payment_intent"),
		Entry("retrieve expands invoice (expand[])", retrieve+"?expand[]=invoice"),
		Entry("retrieve expands with indexes (expand[0], as stripe-go writes)", retrieve+"?expand[0]=invoice&expand[1]=payment.payment_intent"),
		Entry("retrieve expands into an expanded object", retrieve+"?expand[]=invoice.customer"),
		Entry("an invoice expands its payments", "/v1/invoices/in_1?expand[]=payments"),
		Entry("an event without parameters", "/v1/events/evt_1"),
		Entry("escaped brackets, as curl without -g sends them", list+"?payment%5Btype%5D=payment_intent"),
	)

	DescribeTable("reports each broken rule at the parameter, with its rule",
		func(target, rule, pointer, message string) {
			vs := checker.Check(get(target))
			Expect(vs).To(HaveLen(1), "%v", vs)
			Expect(vs[0].Rule).To(Equal(rule))
			Expect(vs[0].Pointer).To(Equal(pointer))
			Expect(vs[0].Message).To(Equal(message))
			Expect(vs[0].Severity).To(Equal(validators.Error))
			Expect(vs[0].Doc).NotTo(BeEmpty())
		},
		Entry("limit below 1", list+"?limit=0", "request.invoice_payments.list.limit.range", "/query/limit",
			"limit is 0; limit is between 1 and 100"),
		Entry("limit above 100", list+"?limit=101", "request.invoice_payments.list.limit.range", "/query/limit",
			"limit is 101; limit is between 1 and 100"),
		Entry("limit not an integer", list+"?limit=ten", "request.invoice_payments.list.limit.json-type", "/query/limit",
			`limit is "ten", not an integer; limit is an integer`),
		Entry("limit written as a decimal", list+"?limit=10.0", "request.invoice_payments.list.limit.json-type", "/query/limit",
			`limit is "10.0", not an integer; limit is an integer`),
		Entry("status outside the enum", list+"?status=succeeded", "request.invoice_payments.list.status.enum", "/query/status",
			`status is "succeeded"; status is one of "canceled", "open", "paid"`),
		Entry("status given with members", list+"?status[x]=paid", "request.invoice_payments.list.status.json-type", "/query/status",
			"status is given with members (status[x]); status is a string"),
		Entry("payment[type] outside the enum", list+"?payment[type]=charge", "request.invoice_payments.list.payment.type.enum", "/query/payment/type",
			`payment[type] is "charge"; payment[type] is one of "payment_intent", "payment_record"`),
		Entry("payment[...] without payment[type]", list+"?payment[payment_intent]=pi_x", "request.invoice_payments.list.payment.type.required", "/query/payment/type",
			"payment[type] is missing; payment[type] is required when any payment[...] parameter is given"),
		Entry("payment[type] given with members", list+"?payment[type][x]=1", "request.invoice_payments.list.payment.type.json-type", "/query/payment/type",
			"payment[type] is given with members (payment[type][x]); payment[type] is a string"),
		Entry("payment given both as a value and with members", list+"?payment=x&payment[type]=payment_intent", "request.invoice_payments.list.payment.json-type", "/query/payment",
			"payment is given both as a value and with members (payment=... and payment[...]=...); a parameter has one shape"),
		Entry("an unknown member of payment", list+"?payment[type]=payment_intent&payment[charge]=ch_1", "request.invoice_payments.list.unknown-parameter", "/query/payment/charge",
			"payment[charge] is not a parameter of GET /v1/invoice_payments: payment takes payment[payment_intent], payment[payment_record], payment[type]"),
		Entry("payment[payment_intent] longer than 5000", list+"?payment[type]=payment_intent&payment[payment_intent]="+strings.Repeat("x", 5001), "request.invoice_payments.list.payment.payment_intent.max-length", "/query/payment/payment_intent",
			"payment[payment_intent] is 5001 characters long; payment[payment_intent] is at most 5000 characters long"),
		Entry("created neither an integer nor a range", list+"?created=yesterday", "request.invoice_payments.list.created.json-type", "/query/created",
			`created is "yesterday"; created is an object with gt, gte, lt, lte, or an integer`),
		Entry("a created bound that is not an integer", list+"?created[gte]=soon", "request.invoice_payments.list.created.gte.json-type", "/query/created/gte",
			`created[gte] is "soon", not an integer; created[gte] is an integer`),
		Entry("a created bound the range does not have", list+"?created[after]=1", "request.invoice_payments.list.unknown-parameter", "/query/created/after",
			"created[after] is not a parameter of GET /v1/invoice_payments: created takes created[gt], created[gte], created[lt], created[lte]"),
		Entry("starting_after and ending_before both", list+"?starting_after=inpay_2&ending_before=inpay_1", "request.invoice_payments.list.cursors.exclusive", "/query",
			"starting_after and ending_before are both given; a list request gives at most one cursor: starting_after for the next page, ending_before for the previous"),
		Entry("invoice given as a list", list+"?invoice[]=in_1", "request.invoice_payments.list.invoice.json-type", "/query/invoice",
			"invoice is given as a list (invoice[]=...); invoice is a string"),
		Entry("an unknown parameter", list+"?customer=cus_1", "request.invoice_payments.list.unknown-parameter", "/query/customer",
			"customer is not a parameter of GET /v1/invoice_payments, which takes created, ending_before, expand, invoice, limit, payment, starting_after, status"),
		Entry("a list expanding a field without data.", list+"?expand[]=invoice", "request.invoice_payments.list.expand.expandable", "/query/expand/0",
			`expand[0] is "invoice", which GET /v1/invoice_payments cannot expand; it expands data.invoice, data.payment.charge, data.payment.payment_intent, data.payment.payment_record (and what those hold, such as data.invoice.account_tax_ids)`),
		Entry("retrieve expanding a field that is not expandable", retrieve+"?expand[]=customer", "request.invoice_payments.retrieve.expand.expandable", "/query/expand/0",
			`expand[0] is "customer", which GET /v1/invoice_payments/{invoice_payment} cannot expand; it expands invoice, payment.charge, payment.payment_intent, payment.payment_record (and what those hold, such as invoice.account_tax_ids)`),
		Entry("retrieve expanding a plain nested object", retrieve+"?expand[1]=status_transitions&expand[0]=invoice", "request.invoice_payments.retrieve.expand.expandable", "/query/expand/0",
			`expand[0] is "status_transitions", which GET /v1/invoice_payments/{invoice_payment} cannot expand; it expands invoice, payment.charge, payment.payment_intent, payment.payment_record (and what those hold, such as invoice.account_tax_ids)`),
		Entry("retrieve with a list parameter", retrieve+"?limit=3", "request.invoice_payments.retrieve.unknown-parameter", "/query/limit",
			"limit is not a parameter of GET /v1/invoice_payments/{invoice_payment}, which takes expand"),
		Entry("an event expanding anything", "/v1/events/evt_1?expand[]=data.object", "request.events.retrieve.expand.expandable", "/query/expand",
			`expand asks to expand ["data.object"], but nothing in the answer of GET /v1/events/{id} can be expanded`),
		Entry("a query that is not form-encoded", list+"?limit%zz=1", "request.invoice_payments.list.unknown-parameter", "/query",
			`the query is not form-encoded: key "limit%zz": invalid URL escape "%zz"`),
	)

	It("reports every violation of a request, ordered by pointer", func() {
		vs := checker.Check(get(list + "?status=succeeded&limit=0&foo=1&payment[payment_intent]=pi_x"))
		Expect(rules(vs)).To(Equal([]string{
			"request.invoice_payments.list.unknown-parameter",
			"request.invoice_payments.list.limit.range",
			"request.invoice_payments.list.payment.type.required",
			"request.invoice_payments.list.status.enum",
		}))
		Expect(vs[0].Pointer).To(Equal("/query/foo"))
	})

	It("names what an invoice can expand when asked for what it cannot", func() {
		vs := checker.Check(get("/v1/invoices/in_1?expand[]=payment"))
		Expect(rules(vs)).To(Equal([]string{"request.invoices.retrieve.expand.expandable"}))
		Expect(vs[0].Message).To(HavePrefix(`expand[0] is "payment", which GET /v1/invoices/{invoice} cannot expand; it expands `))
		Expect(vs[0].Message).To(ContainSubstring(" customer, "))
		Expect(vs[0].Message).To(ContainSubstring(" payments, "))
		Expect(vs[0].Message).NotTo(ContainSubstring("customer.default_source,"), "fields inside expandable ones are not listed")
	})

	It("leaves requests to other endpoints alone", func() {
		Expect(checker.Check(httptest.NewRequest(http.MethodDelete, "/v1/customers/cus_1?limit=0", nil))).To(BeNil(), "DELETE requests are not covered")
		Expect(checker.Check(get("/v1/nowhere?limit=0"))).To(BeNil())
		Expect(checker.Operation(get("/v1/invoices/search?query=x"))).To(Equal("invoices.search"), "search is its own operation, not an invoice ID")
		Expect(checker.Check(get("/v1/invoices/search?query=x"))).To(BeEmpty())
		Expect(checker.Check(httptest.NewRequest(http.MethodPost, list+"?limit=0", nil))).To(BeNil(), "the API has no POST /v1/invoice_payments")
		Expect(checker.Check(get("/v1/invoice_payments/"))).To(BeNil())
		Expect(checker.Operation(get(retrieve))).To(Equal("invoice_payments.retrieve"))
	})

	It("reads a form body, reports it on a GET, and puts it back", func() {
		r := httptest.NewRequest(http.MethodGet, list, strings.NewReader("limit=5"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		vs := checker.Check(r)
		Expect(vs).To(HaveLen(1))
		Expect(vs[0].Pointer).To(Equal("/body"))
		Expect(vs[0].Rule).To(Equal("request.invoice_payments.list.unknown-parameter"))
		Expect(vs[0].Message).To(Equal("GET /v1/invoice_payments takes its parameters in the query, and the request has a form body"))
		rest, err := io.ReadAll(r.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(rest)).To(Equal("limit=5"))
	})

	It("finds nothing in an empty query", func() {
		Expect(checker.Check(get(list + "?&&&"))).To(BeEmpty())
	})

	It("never panics on odd keys", func() {
		for _, q := range []string{"=1", "[a]=1", "payment[type=x", "payment]x[=1", "expand[][]=a", "expand[0][x]=a&expand[1]=b", "created[gte]=99999999999999999999", "a=%", "limit"} {
			Expect(func() { checker.Check(get(list + "?" + q)) }).NotTo(Panic(), q)
			Expect(checker.Check(get(list+"?"+q))).NotTo(BeEmpty(), q)
		}
	})
})

var _ = Describe("ErrorResponse", func() {
	envelope := func(target string) (int, map[string]any) {
		status, body := checker.ErrorResponse(checker.Check(get(target)))
		var doc map[string]any
		Expect(json.Unmarshal(body, &doc)).To(Succeed())
		return status, doc["error"].(map[string]any)
	}

	DescribeTable("answers as the API does, with Stripe's error code where it has one",
		func(target, code, param string) {
			status, e := envelope(target)
			Expect(status).To(Equal(http.StatusBadRequest))
			Expect(e).To(HaveKeyWithValue("type", "invalid_request_error"))
			Expect(e["message"]).NotTo(BeEmpty())
			if code == "" {
				Expect(e).NotTo(HaveKey("code"))
				Expect(e).NotTo(HaveKey("doc_url"))
			} else {
				Expect(e).To(HaveKeyWithValue("code", code))
				Expect(e).To(HaveKeyWithValue("doc_url", request.ErrorDocBase+strings.ReplaceAll(code, "_", "-")))
			}
			if param == "" {
				Expect(e).NotTo(HaveKey("param"))
			} else {
				Expect(e).To(HaveKeyWithValue("param", param))
			}
		},
		Entry("not an integer: parameter_invalid_integer", list+"?limit=x", "parameter_invalid_integer", "limit"),
		Entry("created not an integer: parameter_invalid_integer", list+"?created=x", "parameter_invalid_integer", "created"),
		Entry("unknown: parameter_unknown", list+"?foo=1", "parameter_unknown", "foo"),
		Entry("missing: parameter_missing", list+"?payment[payment_record]=pr_1", "parameter_missing", "payment[type]"),
		Entry("both cursors: parameters_exclusive", list+"?starting_after=a&ending_before=b", "parameters_exclusive", ""),
		Entry("out of range: no code", list+"?limit=0", "", "limit"),
		Entry("outside the enum: no code", list+"?status=succeeded", "", "status"),
		Entry("not expandable: no code", retrieve+"?expand[]=customer", "", "expand[0]"),
	)

	It("is an error envelope that keeps the contract", func() {
		v, err := validators.New(validators.WithStrict(true))
		Expect(err).NotTo(HaveOccurred())
		for _, q := range []string{"?limit=x", "?foo=1", "?status=succeeded", "?starting_after=a&ending_before=b"} {
			_, body := checker.ErrorResponse(checker.Check(get(list + q)))
			res := v.Validate(body)
			Expect(res.Kind).To(Equal(validators.KindError), q)
			Expect(res.Violations).To(BeEmpty(), q)
		}
	})

	It("has nothing to say about a conforming request", func() {
		status, body := checker.ErrorResponse(nil)
		Expect(status).To(BeZero())
		Expect(body).To(BeNil())
	})
})

var _ = Describe("the bundled cassettes", func() {
	It("send conforming requests, except those recorded answering 4xx", func() {
		files, err := filepath.Glob(filepath.Join("..", "..", "cassettes", "*", "*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(files).NotTo(BeEmpty())
		checked, rejected := 0, 0
		for _, file := range files {
			c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
			Expect(err).NotTo(HaveOccurred(), file)
			for n, i := range c.Interactions {
				r, err := i.GetHTTPRequest()
				Expect(err).NotTo(HaveOccurred())
				if checker.Operation(r) == "" {
					continue
				}
				checked++
				vs := checker.Check(r)
				if i.Response.Code >= 400 && i.Response.Code < 500 && len(vs) > 0 {
					rejected++
					continue
				}
				Expect(vs).To(BeEmpty(), "%s interaction %d: %s %s", file, n, i.Request.Method, i.Request.URL)
			}
		}
		Expect(checked).To(BeNumerically(">=", 17))
		Expect(rejected).To(Equal(1), "the 400 for status=succeeded")
	})

	It("include the recorded 400 for status=succeeded, which the checker rejects too", func() {
		c, err := cassette.Load(filepath.Join("..", "..", "cassettes", "stripe-mock", "error_400_invalid_status"))
		Expect(err).NotTo(HaveOccurred())
		r, err := c.Interactions[0].GetHTTPRequest()
		Expect(err).NotTo(HaveOccurred())
		Expect(rules(checker.Check(r))).To(Equal([]string{"request.invoice_payments.list.status.enum"}))
		_, statErr := os.Stat(filepath.Join("..", "..", "cassettes", "stripe-mock", "error_400_invalid_status.yaml"))
		Expect(statErr).NotTo(HaveOccurred())
	})
})

var _ = Describe("Rules", func() {
	It("lists the request rules with their docs", func() {
		ids := []string{}
		for _, r := range checker.Rules() {
			ids = append(ids, r.ID)
			Expect(r.Doc).NotTo(BeEmpty(), r.ID)
			Expect(r.Source).To(HavePrefix("#/paths/"), r.ID)
			Expect(r.File).To(Equal("requests.schema.json"))
		}
		Expect(ids).To(ContainElements("request.invoice_payments.list.limit.range", "request.invoice_payments.list.cursors.exclusive", "request.invoice_payments.retrieve.expand.expandable"))
		Expect(checker.APIVersion()).To(Equal("2026-08-26.dahlia"))
	})
})

var _ = Describe("the order of a request's violations", func() {
	// The checker once sorted with its own comparator, which read tokens
	// with strconv.Atoi: cmp("1","01") was 0 and "1" < "0a" < "01" < "1"
	// a cycle, so the same request listed its violations in whatever
	// order the decoded parameters came. It sorts with pointer.Compare.
	It("is the same whatever order the parameters come in, and pointer.Compare's", func() {
		names := []string{"1", "01", "0a", "00", "10", "2", "a"}
		var first []string
		for run := range 40 {
			q := make([]string, len(names))
			for i := range names {
				q[i] = "created[" + names[(i+run)%len(names)] + "]=1"
			}
			vs := checker.Check(get(list + "?" + strings.Join(q, "&")))
			var ptrs []string
			for _, v := range vs {
				ptrs = append(ptrs, v.Pointer)
			}
			Expect(slices.IsSortedFunc(ptrs, pointer.Compare)).To(BeTrue(), "%q", ptrs)
			if first == nil {
				first = ptrs
				Expect(len(ptrs)).To(BeNumerically(">=", len(names)), "each unknown created[...] member is a violation")
			}
			Expect(ptrs).To(Equal(first))
		}
	})
})
