package generator_test

import (
	"encoding/json"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

func TestGenerator(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Generator Suite")
}

// mutate returns the pinned spec with change applied to its parsed form.
func mutate(change func(spec map[string]any)) []byte {
	raw, _ := generator.PinnedSpec()
	var spec map[string]any
	Expect(json.Unmarshal(raw, &spec)).To(Succeed())
	change(spec)
	out, err := json.Marshal(spec)
	Expect(err).NotTo(HaveOccurred())
	return out
}

func component(spec map[string]any, name string) map[string]any {
	return spec["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
}

func property(spec map[string]any, comp, prop string) map[string]any {
	return component(spec, comp)["properties"].(map[string]any)[prop].(map[string]any)
}

func generate(spec []byte, opts ...generator.Option) (map[string]any, error) {
	files, err := generator.Generate(spec, "test", opts...)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	Expect(json.Unmarshal(files[generator.InvoicePaymentFile], &doc)).To(Succeed())
	return doc, nil
}

func ruleIDs(doc map[string]any) []string {
	var ids []string
	for id := range doc["x-rule-definitions"].(map[string]any) {
		ids = append(ids, id)
	}
	return ids
}

var _ = Describe("Generate", func() {
	It("derives the prose rules from the pinned spec", func() {
		raw, origin := generator.PinnedSpec()
		doc, err := generate(raw)
		Expect(err).NotTo(HaveOccurred())
		Expect(origin).To(ContainSubstring("sha256:"))
		Expect(ruleIDs(doc)).To(ContainElements(
			"invoice_payment.status.enum",
			"invoice_payment.currency.iso-4217-lowercase",
			"invoice_payment.amount_paid.null-unless-paid",
			"invoice_payment.amount_paid.at-most-requested",
			"invoice_payment.status_transitions.paid_at.iff-paid",
			"invoice_payment.status_transitions.canceled_at.iff-canceled",
			"invoice_payment.payment.reference-matches-type",
		))
	})

	It("takes the status values from the description, whatever they are, once the new values are recorded", func() {
		spec := mutate(func(s map[string]any) {
			property(s, "invoice_payment", "status")["description"] = "The status of the payment, one of `open`, `paid`, `canceled`, or `refunded`."
			// The list filter states the same values; keep the two in step.
			for _, p := range s["paths"].(map[string]any)["/v1/invoice_payments"].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
				if pm := p.(map[string]any); pm["name"] == "status" {
					pm["schema"].(map[string]any)["enum"] = []any{"canceled", "open", "paid", "refunded"}
				}
			}
		})
		_, err := generate(spec)
		Expect(err).To(MatchError(`prose rule invoice_payment.status.enum (#/components/schemas/invoice_payment/properties/status/description) is found in a new form: now "canceled, open, paid, refunded", was "canceled, open, paid"`))
		doc, err := generate(spec, generator.WithExpectation(nil))
		Expect(err).NotTo(HaveOccurred())
		status := doc["properties"].(map[string]any)["status"].(map[string]any)
		Expect(status["enum"]).To(Equal([]any{"open", "paid", "canceled", "refunded"}))
	})

	It("fails when the status description no longer lists the values", func() {
		_, err := generate(mutate(func(s map[string]any) {
			property(s, "invoice_payment", "status")["description"] = "The status of the payment."
		}))
		Expect(err).To(MatchError(ContainSubstring("status description no longer lists its values")))
	})

	It("fails when the prose and the list filter disagree on the status values", func() {
		_, err := generate(mutate(func(s map[string]any) {
			property(s, "invoice_payment", "status")["description"] = "The status of the payment, one of `open` or `paid`."
		}))
		Expect(err).To(MatchError(ContainSubstring("takes the values [open paid] but the list endpoint filters on")))
	})

	It("drops the amount_paid rule when its sentence is gone, which only recording a new expectation accepts", func() {
		doc, err := generate(mutate(func(s map[string]any) {
			p := property(s, "invoice_payment", "amount_paid")
			p["description"] = strings.Replace(p["description"].(string), "This field is null until the payment is `paid`. ", "", 1)
		}), generator.WithExpectation(nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(ruleIDs(doc)).NotTo(ContainElement("invoice_payment.amount_paid.null-unless-paid"))
	})

	It("fails when a payment type has no reference documented for it", func() {
		_, err := generate(mutate(func(s map[string]any) {
			p := property(s, "invoices_payments_invoice_payment_associated_payment", "charge")
			p["description"] = "ID of the successful charge for this payment."
		}))
		Expect(err).To(MatchError(ContainSubstring(`no property is documented as set when type is "charge"`)))
	})

	It("translates nullable into a null type", func() {
		raw, _ := generator.PinnedSpec()
		doc, err := generate(raw)
		Expect(err).NotTo(HaveOccurred())
		p := doc["properties"].(map[string]any)
		Expect(p["amount_paid"].(map[string]any)["type"]).To(Equal([]any{"integer", "null"}))
		Expect(p["amount_requested"].(map[string]any)["type"]).To(Equal("integer"))
	})

	It("turns expandable fields into an ID or the expanded resource, checked against its own file", func() {
		raw, _ := generator.PinnedSpec()
		doc, err := generate(raw)
		Expect(err).NotTo(HaveOccurred())
		// invoice: an ID, or an invoice or a deleted invoice, told apart
		// by object and deleted.
		invoice := doc["properties"].(map[string]any)["invoice"].(map[string]any)
		branches := invoice["anyOf"].([]any)
		Expect(branches).To(HaveLen(2))
		Expect(branches[0]).To(HaveKeyWithValue("type", "string"))
		expanded := branches[1].(map[string]any)
		Expect(expanded["properties"].(map[string]any)["object"]).To(HaveKeyWithValue("enum", []any{"invoice"}))
		then := expanded["allOf"].([]any)[0].(map[string]any)["then"].(map[string]any)
		Expect(then["then"]).To(HaveKeyWithValue("$ref", "deleted_invoice.schema.json"))
		Expect(then["else"]).To(HaveKeyWithValue("$ref", "invoice.schema.json"))
		// payment.payment_intent: an ID, a PaymentIntent or null, by $ref.
		pi := doc["properties"].(map[string]any)["payment"].(map[string]any)["properties"].(map[string]any)["payment_intent"].(map[string]any)
		Expect(pi["anyOf"]).To(ContainElement(HaveKeyWithValue("$ref", "payment_intent.schema.json")))
		Expect(doc["$defs"]).To(HaveLen(1), "no shallow copies of other resources, only the partial object")
		Expect(doc["$defs"]).To(HaveKey("partial"))
	})

	It("rejects what is not an OpenAPI 3 spec", func() {
		_, err := generator.Generate([]byte(`{"swagger":"2.0"}`), "test")
		Expect(err).To(MatchError(ContainSubstring("openapi version")))
		_, err = generator.Generate([]byte(`{"openapi":`), "test")
		Expect(err).To(MatchError(ContainSubstring("parse OpenAPI spec")))
	})
})

// listParam returns the parameter name of GET path in a parsed spec.
func listParam(spec map[string]any, path, name string) map[string]any {
	for _, p := range spec["paths"].(map[string]any)[path].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
		if pm := p.(map[string]any); pm["name"] == name {
			return pm
		}
	}
	Fail("no parameter " + name + " in GET " + path)
	return nil
}

// requestDoc generates from spec and returns the request file, parsed.
func requestDoc(spec []byte, opts ...generator.Option) (map[string]any, error) {
	files, err := generator.Generate(spec, "test", opts...)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	Expect(json.Unmarshal(files[generator.RequestFile], &doc)).To(Succeed())
	return doc, nil
}

// query returns the query schema of an operation's parameter.
func queryParam(doc map[string]any, op, name string) map[string]any {
	q := doc["$defs"].(map[string]any)[op].(map[string]any)["properties"].(map[string]any)["query"].(map[string]any)
	p, _ := q["properties"].(map[string]any)[name].(map[string]any)
	return p
}

func expandable(doc map[string]any, op string) []any {
	items, _ := queryParam(doc, op, "expand")["items"].(map[string]any)
	list, _ := items["enum"].([]any)
	return list
}

var _ = Describe("Generate: the request contract", func() {
	pinned := func() map[string]any {
		raw, _ := generator.PinnedSpec()
		doc, err := requestDoc(raw)
		Expect(err).NotTo(HaveOccurred())
		return doc
	}

	It("derives every request rule from the pinned spec", func() {
		doc := pinned()
		Expect(ruleIDs(doc)).To(ContainElements(
			"request.invoice_payments.list.limit.range",
			"request.invoice_payments.list.limit.json-type",
			"request.invoice_payments.list.status.enum",
			"request.invoice_payments.list.payment.type.enum",
			"request.invoice_payments.list.payment.type.required",
			"request.invoice_payments.list.created.json-type",
			"request.invoice_payments.list.created.gte.json-type",
			"request.invoice_payments.list.cursors.exclusive",
			"request.invoice_payments.list.unknown-parameter",
			"request.invoice_payments.list.expand.expandable",
			"request.invoice_payments.retrieve.expand.expandable",
			"request.invoices.retrieve.expand.expandable",
			"request.events.retrieve.expand.expandable",
		))
		limit := queryParam(doc, "invoice_payments.list", "limit")
		Expect(limit).To(HaveKeyWithValue("minimum", BeNumerically("==", 1)))
		Expect(limit).To(HaveKeyWithValue("maximum", BeNumerically("==", 100)))
		Expect(queryParam(doc, "invoice_payments.list", "status")["enum"]).To(ConsistOf("open", "paid", "canceled"))
		Expect(expandable(doc, "invoice_payments.retrieve")).To(ContainElements("invoice", "payment.payment_intent", "payment.charge", "invoice.customer"))
		Expect(expandable(doc, "invoice_payments.retrieve")).NotTo(ContainElements("customer", "status_transitions", "payment"))
		Expect(expandable(doc, "invoice_payments.list")).To(ContainElements("data.invoice", "data.payment.payment_intent"))
		Expect(expandable(doc, "invoice_payments.list")).NotTo(ContainElement("invoice"))
		Expect(expandable(doc, "invoices.retrieve")).To(ContainElements("payments", "customer"))
		Expect(queryParam(doc, "events.retrieve", "expand")).To(HaveKeyWithValue("maxItems", BeNumerically("==", 0)))
		Expect(doc["x-operations"]).To(ContainElement(And(
			HaveKeyWithValue("path", "/v1/invoices/{invoice}"),
			HaveKeyWithValue("not-paths", ContainElement("/v1/invoices/search")))))
	})

	It("takes the range of limit from its description's sentence, once the new range is recorded", func() {
		spec := mutate(func(s map[string]any) {
			listParam(s, "/v1/invoice_payments", "limit")["description"] = "A limit on the number of objects to be returned. Limit can range between 1 and 50, and the default is 10."
		})
		_, err := requestDoc(spec)
		Expect(err).To(MatchError(`prose rule request.invoice_payments.list.limit.range (#/paths/~1v1~1invoice_payments/get/parameters/4/description) is found in a new form: now "limit is between 1 and 50", was "limit is between 1 and 100"`))
		doc, err := requestDoc(spec, generator.WithExpectation(nil))
		Expect(err).NotTo(HaveOccurred())
		Expect(queryParam(doc, "invoice_payments.list", "limit")).To(HaveKeyWithValue("maximum", BeNumerically("==", 50)))
		Expect(doc["x-rule-definitions"].(map[string]any)["request.invoice_payments.list.limit.range"]).To(
			HaveKeyWithValue("doc", "Limit can range between 1 and 50, and the default is 10."))
	})

	It("fails when the description of limit no longer states its range", func() {
		_, err := requestDoc(mutate(func(s map[string]any) {
			listParam(s, "/v1/invoice_payments", "limit")["description"] = "A limit on the number of objects to be returned."
		}))
		Expect(err).To(MatchError(ContainSubstring("limit description no longer states its range")))
	})

	It("takes the status filter's values from prose when the spec gives no enum", func() {
		doc, err := requestDoc(mutate(func(s map[string]any) {
			p := listParam(s, "/v1/invoice_payments", "status")
			p["description"] = "The status of the invoice payments to return, one of `open`, `paid`, or `canceled`."
			delete(p["schema"].(map[string]any), "enum")
		}))
		Expect(err).NotTo(HaveOccurred())
		Expect(queryParam(doc, "invoice_payments.list", "status")["enum"]).To(Equal([]any{"open", "paid", "canceled"}))
	})

	It("fails when only one of the two cursors is still described as one", func() {
		_, err := requestDoc(mutate(func(s map[string]any) {
			listParam(s, "/v1/invoice_payments", "ending_before")["description"] = "An object ID."
		}))
		Expect(err).To(MatchError(ContainSubstring("pagination cursors [starting_after], want ending_before and starting_after")))
	})

	It("follows the response schema for expand[]: a field no longer expandable is not listed", func() {
		doc, err := requestDoc(mutate(func(s map[string]any) {
			inv := property(s, "invoice_payment", "invoice")
			delete(inv, "x-expansionResources")
		}))
		Expect(err).NotTo(HaveOccurred())
		Expect(expandable(doc, "invoice_payments.retrieve")).NotTo(ContainElement("invoice"))
		Expect(expandable(doc, "invoice_payments.retrieve")).To(ContainElement("payment.payment_intent"))
	})

	It("refuses a payment filter whose required member is not among its properties", func() {
		_, err := requestDoc(mutate(func(s map[string]any) {
			listParam(s, "/v1/invoice_payments", "payment")["schema"].(map[string]any)["required"] = []any{"kind"}
		}))
		Expect(err).To(MatchError(ContainSubstring(`required "kind" is not among its properties`)))
	})
})

// probe adds the OpenAPI schema s (given as JSON) twice to the pinned spec,
// as a field "probe" of invoice_payment and as a query parameter "probe" of
// GET /v1/invoice_payments, and returns the two translations with each
// file's rule catalogue.
func probe(s string) (response, request, responseRules, requestRules map[string]any) {
	spec := mutate(func(spec map[string]any) {
		var a, b map[string]any
		Expect(json.Unmarshal([]byte(s), &a)).To(Succeed())
		Expect(json.Unmarshal([]byte(s), &b)).To(Succeed())
		component(spec, "invoice_payment")["properties"].(map[string]any)["probe"] = a
		op := spec["paths"].(map[string]any)["/v1/invoice_payments"].(map[string]any)["get"].(map[string]any)
		op["parameters"] = append(op["parameters"].([]any), map[string]any{
			"in": "query", "name": "probe", "required": false, "style": "deepObject", "explode": true, "schema": b,
		})
	})
	files, err := generator.Generate(spec, "test")
	Expect(err).NotTo(HaveOccurred())
	var resp, req map[string]any
	Expect(json.Unmarshal(files[generator.InvoicePaymentFile], &resp)).To(Succeed())
	Expect(json.Unmarshal(files[generator.RequestFile], &req)).To(Succeed())
	response = resp["properties"].(map[string]any)["probe"].(map[string]any)
	request = queryParam(req, "invoice_payments.list", "probe")
	Expect(request).NotTo(BeNil())
	return response, request, resp["x-rule-definitions"].(map[string]any), req["x-rule-definitions"].(map[string]any)
}

// Responses and requests are translated by one walker: a construct the spec
// uses on both sides gets the same keywords and the same rules on both.
var _ = DescribeTable("Generate: a construct translates alike in a response and a request",
	func(schema string, keywords ...string) {
		resp, req, respRules, reqRules := probe(schema)
		for _, k := range keywords {
			Expect(resp).To(HaveKey(k), "response")
			Expect(req[k]).To(Equal(resp[k]), "keyword %s", k)
		}
		respX, _ := resp["x-rules"].(map[string]any)
		reqX, _ := req["x-rules"].(map[string]any)
		Expect(reqX).To(HaveLen(len(respX)), "request x-rules %v, response x-rules %v", reqX, respX)
		for kw, id := range respX {
			Expect(id).To(HavePrefix("invoice_payment.probe."))
			aspect := strings.TrimPrefix(id.(string), "invoice_payment.")
			Expect(reqX).To(HaveKeyWithValue(kw, "request.invoice_payments.list."+aspect), "keyword %s", kw)
			r, q := respRules[id.(string)].(map[string]any), reqRules[reqX[kw].(string)].(map[string]any)
			Expect(q["summary"]).To(Equal(r["summary"]), "rule %s", aspect)
			Expect(q["doc"]).To(Equal(r["doc"]), "rule %s", aspect)
		}
	},
	Entry("a lowercase ISO currency code, stated in prose, is an enum of the ISO 4217 codes under the iso-4217-lowercase rule",
		`{"type": "string", "description": "Three-letter [ISO currency code](https://www.iso.org/iso-4217-currency-codes.html), in lowercase. Must be a supported currency."}`,
		"type", "enum"),
	Entry("values stated in prose (one of `a`, `b`) are an enum",
		"{\"type\": \"string\", \"description\": \"The kind of probe, one of `first`, `second`, or `third`.\"}",
		"type", "enum"),
	Entry("an enum keyword is an enum", `{"type": "string", "enum": ["x", "y"], "description": "A probe."}`, "type", "enum"),
	Entry("maxLength is maxLength", `{"type": "string", "maxLength": 12, "description": "A probe."}`, "type", "maxLength"),
	Entry("a type is a type", `{"type": "integer", "description": "A probe."}`, "type"),
)
