package request_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

func post(target, form string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// violation is what a test expects of one violation.
type violation struct{ rule, pointer, message string }

func found(vs []validators.Violation) []violation {
	out := []violation{}
	for _, v := range vs {
		out = append(out, violation{v.Rule, v.Pointer, v.Message})
	}
	return out
}

// Requests written from the spec of each embedded version, with what the
// version's contract says of them.
var _ = Describe("the request contract of every embedded version", func() {
	for _, version := range schemas.Versions() {
		Context(version, func() {
			var c *request.Checker
			BeforeEach(func() {
				var err error
				c, err = request.New(request.WithAPIVersion(version))
				Expect(err).NotTo(HaveOccurred())
			})

			DescribeTable("checks GET queries and POST forms",
				func(r func() *http.Request, want ...violation) {
					Expect(found(c.Check(r()))).To(Equal(append([]violation{}, want...)))
				},
				Entry("a GET with a query value outside the parameter's enum",
					func() *http.Request { return get("/v1/invoices?status=bogus") },
					violation{"request.invoices.list.status.enum", "/query/status", `status is "bogus"; status is one of "draft", "open", "paid", "uncollectible", "void"`}),
				Entry("a GET whose limit is out of the range its description states",
					func() *http.Request { return get("/v1/customers?limit=0") },
					violation{"request.customers.list.limit.range", "/query/limit", "limit is 0; limit is between 1 and 100"}),
				Entry("a POST with a form parameter the operation does not take",
					func() *http.Request { return post("/v1/customers", "email=a@example.com&bogus=1") },
					violation{"request.customers.create.unknown-parameter", "/body/bogus", "bogus is not a parameter of POST /v1/customers, which takes address, balance, " + customerParams[version]}),
				Entry("a POST whose integer parameter is not an integer",
					func() *http.Request { return post("/v1/payment_intents", "amount=abc&currency=usd") },
					violation{"request.payment_intents.create.amount.json-type", "/body/amount", `amount is "abc", not an integer; amount is an integer`}),
				Entry("a POST whose boolean parameter is not a boolean",
					func() *http.Request { return post("/v1/payment_intents", "amount=2000&currency=usd&confirm=yes") },
					violation{"request.payment_intents.create.confirm.json-type", "/body/confirm", `confirm is "yes", not a boolean; confirm is a boolean`}),
				Entry("a POST without a required form parameter",
					func() *http.Request { return post("/v1/payment_intents", "currency=usd") },
					violation{"request.payment_intents.create.amount.required", "/body/amount", "amount is missing; amount is required"}),
				Entry("a POST without a body, missing every required parameter",
					func() *http.Request { return httptest.NewRequest(http.MethodPost, "/v1/payment_intents", nil) },
					violation{"request.payment_intents.create.amount.required", "/body/amount", "amount is missing; amount is required"},
					violation{"request.payment_intents.create.currency.required", "/body/currency", "currency is missing; currency is required"}),
				Entry("a POST whose currency is not a lowercase ISO code (stated in prose)",
					func() *http.Request { return post("/v1/payment_intents", "amount=2000&currency=USD") },
					violation{"request.payment_intents.create.currency.iso-4217-lowercase", "/body/currency", `currency is "USD"; currency is a three-letter ISO currency code in lowercase`}),
				Entry("a metadata value that is not a string (metadata[k][x]=v)",
					func() *http.Request { return post("/v1/customers", "metadata[k][x]=v") },
					violation{"request.customers.create.metadata.*.json-type", "/body/metadata/k", "metadata[k] is given with members (metadata[k][x]); metadata[*] is a string"}),
				Entry("a nested object parameter with a member it does not have",
					func() *http.Request { return post("/v1/customers", "address[planet]=mars") },
					violation{"request.customers.create.unknown-parameter", "/body/address/planet", "address[planet] is not a parameter of POST /v1/customers: address takes address[city], address[country], address[line1], address[line2], address[postal_code], address[state]"}),
				Entry("an item of a list of objects with a member that is not an integer",
					func() *http.Request {
						return post("/v1/invoiceitems", "customer=cus_1&amount=100&currency=usd&period[start]=soon&period[end]=1")
					},
					violation{"request.invoiceitems.create.period.start.json-type", "/body/period/start", `period[start] is "soon", not an integer; period[start] is an integer`}),
				Entry("a POST given its parameters in the query",
					func() *http.Request { return post("/v1/customers?email=a@example.com", "") },
					violation{"request.customers.create.unknown-parameter", "/query/email", "email is not a query parameter of POST /v1/customers, which takes its parameters in the form body"}),
				Entry("a POST to a verb of a resource, with an enum outside its values",
					func() *http.Request { return post("/v1/payment_intents/pi_1/cancel", "cancellation_reason=bored") },
					violation{"request.payment_intents.cancel.cancellation_reason.enum", "/body/cancellation_reason", `cancellation_reason is "bored"; cancellation_reason is one of "abandoned", "duplicate", "fraudulent", "requested_by_customer"`}),
			)

			DescribeTable("accepts conforming requests",
				func(r func() *http.Request) {
					Expect(c.Check(r())).To(BeEmpty())
				},
				Entry("a POST with a nested deepObject parameter (metadata[k]=v)", func() *http.Request {
					return post("/v1/customers", "email=a@example.com&metadata[order_id]=6735&metadata[note]=")
				}),
				Entry("a payment intent as stripe-go writes it", func() *http.Request {
					return post("/v1/payment_intents", "amount=2000&currency=usd&confirm=true&payment_method_types[0]=card&metadata[order]=1&expand[0]=customer&automatic_payment_methods[enabled]=false")
				}),
				Entry("an update that unsets metadata with an empty string (the anyOf of a value and \"\")", func() *http.Request {
					return post("/v1/customers/cus_1", "metadata=&description=")
				}),
				Entry("a list of objects, each with its members (items[0][price])", func() *http.Request {
					return post("/v1/subscriptions", "customer=cus_1&items[0][price]=price_1&items[0][quantity]=2&items[1][price]=price_2")
				}),
				Entry("a boolean or a string: off_session=true", func() *http.Request {
					return post("/v1/payment_intents/pi_1/confirm", "off_session=true")
				}),
				Entry("a search, its own operation rather than a customer ID", func() *http.Request {
					return get("/v1/customers/search?query=email:'a@example.com'&limit=10")
				}),
				Entry("a GET of a nested collection", func() *http.Request {
					return get("/v1/customers/cus_1/sources?object=card&limit=3")
				}),
			)

			It("names operations by path and method, literal segments first", func() {
				for target, name := range map[string]string{
					"GET /v1/customers":                      "customers.list",
					"POST /v1/customers":                     "customers.create",
					"GET /v1/customers/cus_1":                "customers.retrieve",
					"POST /v1/customers/cus_1":               "customers.update",
					"GET /v1/customers/search":               "customers.search",
					"POST /v1/customers/cus_1/sources":       "customers.sources.create",
					"GET /v1/customers/cus_1/sources/card_1": "customers.sources.retrieve",
					"POST /v1/payment_intents/pi_1/confirm":  "payment_intents.confirm",
					"GET /v1/invoices/search":                "invoices.search",
					"GET /v1/invoices/in_1":                  "invoices.retrieve",
					"GET /v1/balance":                        "balance.retrieve",
					"POST /v1/checkout/sessions":             "checkout.sessions.create",
					"GET /v1/invoice_payments":               "invoice_payments.list",
					"GET /v1/invoice_payments/inpay_1":       "invoice_payments.retrieve",
					"GET /v1/events/evt_1":                   "events.retrieve",
				} {
					method, path, _ := strings.Cut(target, " ")
					Expect(c.Operation(httptest.NewRequest(method, path, nil))).To(Equal(name), target)
				}
				Expect(c.Operation(httptest.NewRequest(http.MethodDelete, "/v1/customers/cus_1", nil))).To(BeEmpty(), "DELETE is not covered")
				Expect(c.Operation(get("/v1/nowhere"))).To(BeEmpty())
			})

			It("has a rule for every constraint keyword of every operation", func() {
				raw, err := fs.ReadFile(mustVersion(version), schemas.RequestFile)
				Expect(err).NotTo(HaveOccurred())
				var doc map[string]any
				Expect(json.Unmarshal(raw, &doc)).To(Succeed())
				defs := doc["$defs"].(map[string]any)
				catalogue := doc["x-rule-definitions"].(map[string]any)
				var problems []string
				for name, def := range defs {
					problems = append(problems, unannotated(def.(map[string]any), "/$defs/"+name, catalogue, false)...)
				}
				Expect(problems).To(BeEmpty())
				rules := c.Rules()
				Expect(rules).To(HaveLen(len(catalogue)))
			})
		})
	}
})

// customerParams are the form parameters of POST /v1/customers after
// address and balance, as each version's spec lists them.
var customerParams = map[string]string{
	"2025-05-28.basil":  "cash_balance, description, email, expand, invoice_prefix, invoice_settings, metadata, name, next_invoice_sequence, payment_method, phone, preferred_locales, shipping, source, tax, tax_exempt, tax_id_data, test_clock",
	"2025-09-30.clover": "business_name, cash_balance, description, email, expand, individual_name, invoice_prefix, invoice_settings, metadata, name, next_invoice_sequence, payment_method, phone, preferred_locales, shipping, source, tax, tax_exempt, tax_id_data, test_clock",
	"2026-08-26.dahlia": "business_name, cash_balance, description, email, expand, individual_name, invoice_prefix, invoice_settings, metadata, name, next_invoice_sequence, payment_method, phone, preferred_locales, shipping, source, tax, tax_exempt, tax_id_data, test_clock",
}

func mustVersion(version string) fs.FS {
	files, err := schemas.Version(version)
	Expect(err).NotTo(HaveOccurred())
	return files
}

// constraints are the keywords that fail on their own; each needs a rule.
var constraints = []string{"type", "enum", "const", "maxLength", "minLength", "pattern", "minimum", "maximum", "maxItems", "anyOf", "not", "format"}

// unannotated lists the constraint keywords under n (at loc) that name no
// rule of the catalogue: an anyOf branch is spoken for by its anyOf's rule
// (branch true), a required member by its own required rule, a closed
// object by its unknown-parameter rule.
func unannotated(n map[string]any, loc string, catalogue map[string]any, branch bool) []string {
	var out []string
	xr, _ := n["x-rules"].(map[string]any)
	rule := func(kw string) {
		id, ok := xr[kw].(string)
		if _, defined := catalogue[id]; !ok || !defined {
			out = append(out, loc+": "+kw+" names no defined rule")
		}
	}
	if !branch {
		for _, kw := range constraints {
			if _, ok := n[kw]; ok {
				rule(kw)
			}
		}
	}
	if n["additionalProperties"] == false {
		rule("additionalProperties")
	}
	for _, a := range asList(n["allOf"]) {
		am, _ := a.(map[string]any)
		id, _ := am["x-rule"].(string)
		if _, ok := catalogue[id]; !ok {
			out = append(out, loc+"/allOf: names no defined rule")
		}
	}
	members, _ := n["properties"].(map[string]any)
	for _, req := range asList(n["required"]) {
		name, _ := req.(string)
		m, _ := members[name].(map[string]any)
		mr, _ := m["x-rules"].(map[string]any)
		id, _ := mr["required"].(string)
		if _, ok := catalogue[id]; !ok {
			out = append(out, loc+": required "+name+" names no defined rule")
		}
	}
	for name, m := range members {
		out = append(out, unannotated(m.(map[string]any), loc+"/properties/"+name, catalogue, false)...)
	}
	if items, ok := n["items"].(map[string]any); ok {
		out = append(out, unannotated(items, loc+"/items", catalogue, branch)...)
	}
	if values, ok := n["additionalProperties"].(map[string]any); ok {
		out = append(out, unannotated(values, loc+"/additionalProperties", catalogue, false)...)
	}
	for i, b := range asList(n["anyOf"]) {
		out = append(out, unannotated(b.(map[string]any), loc+"/anyOf/"+strconv.Itoa(i), catalogue, true)...)
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

var templateParam = regexp.MustCompile(`\{[^}]+\}`)

// Every GET and POST operation of each version's spec, counted from the
// spec itself, is an operation of the contract that a request to it
// matches.
var _ = Describe("the operations of each version's spec", func() {
	for _, ev := range generator.EmbeddedVersions() {
		version := ev.APIVersion
		It("are all in "+version+"'s request contract, a request to each matching it", func(ctx SpecContext) {
			specs, err := generator.LoadSpecs(ctx, version)
			Expect(err).NotTo(HaveOccurred())
			var spec struct {
				Paths map[string]map[string]json.RawMessage `json:"paths"`
			}
			Expect(json.Unmarshal(specs.GA, &spec)).To(Succeed())
			c, err := request.New(request.WithAPIVersion(version))
			Expect(err).NotTo(HaveOccurred())
			raw, err := fs.ReadFile(mustVersion(version), schemas.RequestFile)
			Expect(err).NotTo(HaveOccurred())
			var doc struct {
				Operations []struct{ Operation, Method, Path string } `json:"x-operations"`
			}
			Expect(json.Unmarshal(raw, &doc)).To(Succeed())
			template := map[string]string{}
			for _, o := range doc.Operations {
				template[o.Operation] = o.Method + " " + o.Path
			}
			counts := map[string]int{}
			for path, item := range spec.Paths {
				for _, method := range []string{http.MethodGet, http.MethodPost} {
					if _, ok := item[strings.ToLower(method)]; !ok {
						continue
					}
					counts[method]++
					concrete := templateParam.ReplaceAllString(path, "x_1")
					name := c.Operation(httptest.NewRequest(method, concrete, nil))
					Expect(name).NotTo(BeEmpty(), "%s %s", method, path)
					Expect(template[name]).To(Equal(method+" "+path), "%s %s (requested as %s) matched %s", method, path, concrete, name)
				}
			}
			Expect(doc.Operations).To(HaveLen(counts[http.MethodGet] + counts[http.MethodPost]))
			Expect(counts[http.MethodGet]).To(BeNumerically(">", 250))
			Expect(counts[http.MethodPost]).To(BeNumerically(">", 270))
			GinkgoWriter.Printf("%s: %d GET and %d POST operations in the spec, %d in the contract\n", version, counts[http.MethodGet], counts[http.MethodPost], len(doc.Operations))
			names := make([]string, 0, len(doc.Operations))
			for _, o := range doc.Operations {
				names = append(names, o.Operation)
			}
			Expect(c.Operations()).To(Equal(names))
		}, SpecTimeout(2*time.Minute))

		It("compile, every one of "+version+"'s", func() {
			c, err := request.New(request.WithAPIVersion(version))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.CompileAll()).To(Succeed())
		})
	}
})

var _ = Describe("a Checker shared before any operation is compiled", func() {
	It("compiles each operation once however many goroutines ask, with the same verdicts", func() {
		c, err := request.New()
		Expect(err).NotTo(HaveOccurred())
		targets := []func() *http.Request{
			func() *http.Request { return post("/v1/payment_intents", "amount=abc&currency=usd") },
			func() *http.Request { return get("/v1/invoices?status=bogus") },
			func() *http.Request { return post("/v1/customers", "bogus=1") },
		}
		want := make([][]violation, len(targets))
		serial, err := request.New()
		Expect(err).NotTo(HaveOccurred())
		for i, t := range targets {
			want[i] = found(serial.Check(t()))
			Expect(want[i]).NotTo(BeEmpty())
		}
		done := make(chan [][]violation)
		for range 8 {
			go func() {
				defer GinkgoRecover()
				got := make([][]violation, len(targets))
				for i, t := range targets {
					got[i] = found(c.Check(t()))
				}
				done <- got
			}()
		}
		for range 8 {
			Expect(<-done).To(Equal(want))
		}
	})
})
