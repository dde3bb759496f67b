package drift_test

import (
	"bytes"
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas/drift"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

// obj is a JSON object literal for hand-made schema files.
type obj = map[string]any

// responseFile is a minimal generated response file of resource: a root
// whose type rule names the resource, with schema's keywords.
func responseFile(resource string, schema obj) []byte {
	doc := obj{
		"type":               "object",
		"x-rules":            obj{"type": resource + ".json-type"},
		"x-rule-definitions": obj{resource + ".json-type": obj{"aspect": "json-type"}},
	}
	for k, v := range schema {
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// requestFile is a minimal request contract: one operation whose query
// parameters are query.
func requestFile(operation string, query obj) []byte {
	b, err := json.Marshal(obj{
		"x-operations": []any{obj{"operation": operation, "schema": "#/$defs/" + operation}},
		"$defs":        obj{operation: obj{"type": "object", "properties": obj{"query": query}}},
	})
	Expect(err).NotTo(HaveOccurred())
	return b
}

func contract(version string, files map[string][]byte) *drift.Contract {
	return &drift.Contract{APIVersion: version, Files: files}
}

// compare compares two single-file contracts.
func compare(a, b []byte) []drift.Change {
	GinkgoHelper()
	r, err := drift.Compare(contract("v1", map[string][]byte{"x.schema.json": a}), contract("v2", map[string][]byte{"x.schema.json": b}))
	Expect(err).NotTo(HaveOccurred())
	return r.Changes
}

// essentials drops the versions from changes, for comparing with a table.
func essentials(changes []drift.Change) []drift.Change {
	out := make([]drift.Change, len(changes))
	for i, c := range changes {
		c.From, c.To = "", ""
		out[i] = c
	}
	return out
}

func props(p obj, required ...string) obj {
	s := obj{"properties": p}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

var str = obj{"type": "string"}

var _ = DescribeTable("Compare: each change of a response field, and how oasdiff classifies it",
	func(a, b obj, want drift.Change) {
		got := essentials(compare(responseFile("widget", a), responseFile("widget", b)))
		want.Resource = "widget"
		if want.Side == "" {
			want.Side = drift.Response
		}
		Expect(got).To(ConsistOf(want))
	},
	Entry("an optional field added is not breaking",
		props(obj{"id": str}, "id"), props(obj{"id": str, "note": str}, "id"),
		drift.Change{Path: "/note", Kind: drift.FieldAdded, Oasdiff: "response-optional-property-added"}),
	Entry("a required field removed breaks responses (ERR)",
		props(obj{"id": str, "note": str}, "id", "note"), props(obj{"id": str}, "id"),
		drift.Change{Path: "/note", Kind: drift.FieldRemoved, Breaking: true, Oasdiff: "response-required-property-removed"}),
	Entry("an optional field removed breaks responses (WARN)",
		props(obj{"id": str, "note": str}), props(obj{"id": str}),
		drift.Change{Path: "/note", Kind: drift.FieldRemoved, Breaking: true, Oasdiff: "response-optional-property-removed"}),
	Entry("a field that became optional breaks responses",
		props(obj{"id": str}, "id"), props(obj{"id": str}),
		drift.Change{Path: "/id", Kind: drift.BecameOptional, Breaking: true, Oasdiff: "response-property-became-optional"}),
	Entry("a field that became required is not breaking",
		props(obj{"id": str}), props(obj{"id": str}, "id"),
		drift.Change{Path: "/id", Kind: drift.BecameRequired, Oasdiff: "response-property-became-required"}),
	Entry("a field that became nullable breaks responses",
		props(obj{"paid_at": obj{"type": "integer"}}), props(obj{"paid_at": obj{"type": []any{"integer", "null"}}}),
		drift.Change{Path: "/paid_at", Kind: drift.BecameNullable, Breaking: true, Oasdiff: "response-property-became-nullable"}),
	Entry("an anyOf with a null branch is nullable too",
		props(obj{"charge": obj{"anyOf": []any{str}}}), props(obj{"charge": obj{"anyOf": []any{str, obj{"type": "null"}}}}),
		drift.Change{Path: "/charge", Kind: drift.BecameNullable, Breaking: true, Oasdiff: "response-property-became-nullable"}),
	Entry("a field no longer nullable is not breaking",
		props(obj{"paid_at": obj{"type": []any{"integer", "null"}}}), props(obj{"paid_at": obj{"type": "integer"}}),
		drift.Change{Path: "/paid_at", Kind: drift.BecameNonNullable, Oasdiff: "response-property-became-not-nullable"}),
	Entry("a type changed breaks responses",
		props(obj{"amount": obj{"type": "integer"}}), props(obj{"amount": str}),
		drift.Change{Path: "/amount", Kind: drift.TypeChanged, Value: "string", Previous: "integer", Breaking: true, Oasdiff: "response-property-type-changed"}),
	Entry("an ID made expandable is a type generalized, which breaks responses",
		props(obj{"invoice": str}), props(obj{"invoice": obj{"anyOf": []any{str, obj{"$ref": "#/$defs/invoice"}}}}),
		drift.Change{Path: "/invoice", Kind: drift.TypeChanged, Value: "$ref:invoice, string", Previous: "string", Breaking: true, Oasdiff: "response-property-type-generalized"}),
	Entry("a new enum value breaks responses (WARN)",
		props(obj{"type": obj{"type": "string", "enum": []any{"charge"}}}), props(obj{"type": obj{"type": "string", "enum": []any{"charge", "payment_record"}}}),
		drift.Change{Path: "/type", Kind: drift.EnumValueAdded, Value: "payment_record", Breaking: true, Oasdiff: "response-property-enum-value-added"}),
	Entry("an enum value removed is not breaking for responses",
		props(obj{"type": obj{"type": "string", "enum": []any{"a", "b"}}}), props(obj{"type": obj{"type": "string", "enum": []any{"a"}}}),
		drift.Change{Path: "/type", Kind: drift.EnumValueRemoved, Value: "b"}),
	Entry("an enum that disappears frees the values, as values added do",
		props(obj{"type": obj{"type": "string", "enum": []any{"a", "b"}}}), props(obj{"type": str}),
		drift.Change{Path: "/type", Kind: drift.EnumRemoved, Previous: "a, b", Breaking: true, Oasdiff: "response-property-enum-value-added"}),
	Entry("an enum that appears restricts the values: not breaking for responses",
		props(obj{"type": str}), props(obj{"type": obj{"type": "string", "enum": []any{"b", "a"}}}),
		drift.Change{Path: "/type", Kind: drift.EnumAdded, Value: "a, b"}),
	Entry("a longer maxLength breaks responses",
		props(obj{"id": obj{"type": "string", "maxLength": 5000}}), props(obj{"id": obj{"type": "string", "maxLength": 40000}}),
		drift.Change{Path: "/id", Kind: drift.MaxLengthChanged, Value: "40000", Previous: "5000", Breaking: true, Oasdiff: "response-property-max-length-increased"}),
	Entry("a nested object removed is one change, at the object",
		props(obj{"payment": props(obj{"type": str, "charge": str}, "type")}), props(obj{}),
		drift.Change{Path: "/payment", Kind: drift.FieldRemoved, Breaking: true, Oasdiff: "response-optional-property-removed"}),
	Entry("array items are * in the path",
		props(obj{"data": obj{"type": "array", "items": props(obj{"id": str})}}), props(obj{"data": obj{"type": "array", "items": props(obj{"id": str, "x": str})}}),
		drift.Change{Path: "/data/*/x", Kind: drift.FieldAdded, Oasdiff: "response-optional-property-added"}),
)

var _ = DescribeTable("Compare: each change of a request parameter, and how oasdiff classifies it",
	func(a, b obj, want drift.Change) {
		got := essentials(compare(requestFile("widgets.list", a), requestFile("widgets.list", b)))
		want.Resource, want.Side = "request.widgets.list", drift.Request
		Expect(got).To(ConsistOf(want))
	},
	Entry("a parameter removed breaks requests (WARN)",
		props(obj{"limit": obj{"type": "integer"}, "status": str}), props(obj{"status": str}),
		drift.Change{Path: "/query/limit", Kind: drift.FieldRemoved, Breaking: true, Oasdiff: "request-parameter-removed"}),
	Entry("a new required parameter breaks requests",
		props(obj{"status": str}), props(obj{"status": str, "invoice": str}, "invoice"),
		drift.Change{Path: "/query/invoice", Kind: drift.FieldAdded, Breaking: true, Oasdiff: "new-required-request-parameter"}),
	Entry("a new optional parameter does not",
		props(obj{"status": str}), props(obj{"status": str, "created": obj{"type": "integer"}}),
		drift.Change{Path: "/query/created", Kind: drift.FieldAdded, Oasdiff: "new-optional-request-parameter"}),
	Entry("a parameter that became required breaks requests",
		props(obj{"status": str}), props(obj{"status": str}, "status"),
		drift.Change{Path: "/query/status", Kind: drift.BecameRequired, Breaking: true, Oasdiff: "request-parameter-became-required"}),
	Entry("a property of a parameter that became required breaks requests",
		props(obj{"payment": props(obj{"type": str})}), props(obj{"payment": props(obj{"type": str}, "type")}),
		drift.Change{Path: "/query/payment/type", Kind: drift.BecameRequired, Breaking: true, Oasdiff: "request-property-became-required"}),
	Entry("an enum value removed breaks requests",
		props(obj{"status": obj{"type": "string", "enum": []any{"open", "paid"}}}), props(obj{"status": obj{"type": "string", "enum": []any{"open"}}}),
		drift.Change{Path: "/query/status", Kind: drift.EnumValueRemoved, Value: "paid", Breaking: true, Oasdiff: "request-parameter-enum-value-removed"}),
	Entry("an enum value added to a parameter's property does not",
		props(obj{"payment": props(obj{"type": obj{"type": "string", "enum": []any{"charge"}}})}), props(obj{"payment": props(obj{"type": obj{"type": "string", "enum": []any{"charge", "payment_record"}}})}),
		drift.Change{Path: "/query/payment/type", Kind: drift.EnumValueAdded, Value: "payment_record", Oasdiff: "request-parameter-property-enum-value-added"}),
	Entry("an expand value added is a parameter's item value, not a property's",
		props(obj{"expand": obj{"type": "array", "items": obj{"type": "string", "enum": []any{"a"}}}}), props(obj{"expand": obj{"type": "array", "items": obj{"type": "string", "enum": []any{"a", "b"}}}}),
		drift.Change{Path: "/query/expand/*", Kind: drift.EnumValueAdded, Value: "b", Oasdiff: "request-parameter-enum-value-added"}),
	Entry("a shorter maxLength breaks requests",
		props(obj{"invoice": obj{"type": "string", "maxLength": 5000}}), props(obj{"invoice": obj{"type": "string", "maxLength": 100}}),
		drift.Change{Path: "/query/invoice", Kind: drift.MaxLengthChanged, Value: "100", Previous: "5000", Breaking: true, Oasdiff: "request-parameter-max-length-decreased"}),
)

var _ = Describe("Compare", func() {
	It("keys fields and enum values by name: a reordered file is no change", func() {
		a := []byte(`{"type":"object","x-rules":{"type":"widget.json-type"},"x-rule-definitions":{"widget.json-type":{"aspect":"json-type"}},
			"required":["id","type"],"properties":{"id":{"type":"string"},"type":{"type":"string","enum":["a","b","c"]}}}`)
		b := []byte(`{"properties":{"type":{"enum":["c","a","b"],"type":"string"},"id":{"type":"string"}},"required":["type","id"],
			"x-rule-definitions":{"widget.json-type":{"aspect":"json-type"}},"x-rules":{"type":"widget.json-type"},"type":"object"}`)
		Expect(compare(a, b)).To(BeEmpty())
	})

	It("reports resources added and removed, and sorts by resource, path, kind and value", func() {
		from := contract("v1", map[string][]byte{
			"b.schema.json": responseFile("bravo", props(obj{"z": obj{"type": "string", "enum": []any{"x"}}, "a": str})),
			"c.schema.json": responseFile("charlie", props(obj{})),
		})
		to := contract("v2", map[string][]byte{
			"a.schema.json": responseFile("alpha", props(obj{})),
			"b.schema.json": responseFile("bravo", props(obj{"z": obj{"type": "string", "enum": []any{"y", "x", "w"}}, "b": str})),
		})
		r, err := drift.Compare(from, to)
		Expect(err).NotTo(HaveOccurred())
		var got []string
		for _, c := range r.Changes {
			Expect(c.From).To(Equal("v1"))
			Expect(c.To).To(Equal("v2"))
			got = append(got, c.Resource+" "+c.Path+" "+string(c.Kind)+" "+c.Value)
		}
		Expect(got).To(Equal([]string{
			"alpha  resource-added ",
			"bravo /a field-removed ",
			"bravo /b field-added ",
			"bravo /z enum-value-added w",
			"bravo /z enum-value-added y",
			"charlie  resource-removed ",
		}))
		Expect(r.Breaking()).To(Equal(4)) // removed field, two enum values, removed resource
		Expect(r.Resources()).To(Equal([]string{"alpha", "bravo", "charlie"}))
	})

	It("fails on a response file whose root names no resource, naming the file", func() {
		_, err := drift.Compare(contract("v1", map[string][]byte{"bad.schema.json": []byte(`{"type":"object"}`)}), contract("v2", nil))
		Expect(err).To(MatchError(ContainSubstring("bad.schema.json of v1")))
	})
})

// eventFile is an event envelope listing types.
func eventFile(types ...string) []byte {
	enum := make([]any, len(types))
	for i, t := range types {
		enum[i] = t
	}
	return responseFile("event", props(obj{"type": obj{"type": "string", "enum": enum}}))
}

// eventMap says what each event type carries.
func eventMap(carries map[string]string) *generator.EventMap {
	m := &generator.EventMap{}
	for _, t := range sortedKeys(carries) {
		m.Mapped = append(m.Mapped, generator.EventType{Type: t, Carries: []generator.Resource{{Component: carries[t], Object: carries[t]}}})
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

var _ = Describe("Compare: event types", func() {
	compareEvents := func(a []string, ca map[string]string, b []string, cb map[string]string) []drift.Change {
		from := contract("basil", map[string][]byte{"e.schema.json": eventFile(a...)})
		from.Events = eventMap(ca)
		to := contract("clover", map[string][]byte{"e.schema.json": eventFile(b...)})
		to.Events = eventMap(cb)
		r, err := drift.Compare(from, to)
		Expect(err).NotTo(HaveOccurred())
		return essentials(r.Changes)
	}

	It("finds basil's invoice.payment.paid renamed invoice_payment.paid by the resource it carries", func() {
		got := compareEvents(
			[]string{"invoice.payment.paid"}, map[string]string{"invoice.payment.paid": "invoice_payment"},
			[]string{"invoice_payment.paid"}, map[string]string{"invoice_payment.paid": "invoice_payment"})
		Expect(got).To(Equal([]drift.Change{{
			Resource: "event", Path: "/type", Kind: drift.EventRenamed, Value: "invoice_payment.paid", Previous: "invoice.payment.paid",
			Carries: []string{"invoice_payment"}, Breaking: true, Side: drift.Both, Oasdiff: "request-property-enum-value-removed",
		}}))
	})

	It("reports a type added (breaking responses) and one removed (breaking requests) when they carry different resources", func() {
		got := compareEvents(
			[]string{"invoice.paid"}, map[string]string{"invoice.paid": "invoice"},
			[]string{"invoice_payment.paid"}, map[string]string{"invoice_payment.paid": "invoice_payment"})
		Expect(got).To(ConsistOf(
			drift.Change{Resource: "event", Path: "/type", Kind: drift.EventAdded, Value: "invoice_payment.paid", Carries: []string{"invoice_payment"},
				Breaking: true, Side: drift.Response, Oasdiff: "response-property-enum-value-added"},
			drift.Change{Resource: "event", Path: "/type", Kind: drift.EventRemoved, Value: "invoice.paid", Carries: []string{"invoice"},
				Breaking: true, Side: drift.Request, Oasdiff: "request-property-enum-value-removed"},
		))
	})

	It("does not guess a rename when two new types could be it, or when nothing says what a type carries", func() {
		got := compareEvents(
			[]string{"invoice.payment.paid"}, map[string]string{"invoice.payment.paid": "invoice_payment"},
			[]string{"invoice_payment.paid", "invoice_payment.x.paid"}, map[string]string{"invoice_payment.paid": "invoice_payment", "invoice_payment.x.paid": "invoice_payment"})
		Expect(got).To(HaveLen(3))
		for _, c := range got {
			Expect(c.Kind).NotTo(Equal(drift.EventRenamed))
		}
		got = compareEvents([]string{"invoice.payment.paid"}, nil, []string{"invoice_payment.paid"}, nil)
		Expect(got).To(HaveLen(2))
	})

	It("never reports the event types as enum values of the envelope's type", func() {
		got := compareEvents([]string{"a.created"}, nil, []string{"a.created", "a.deleted"}, nil)
		Expect(got).To(HaveLen(1))
		Expect(got[0].Kind).To(Equal(drift.EventAdded))
	})
})

var _ = Describe("Compare: prose rules", func() {
	It("reports rules found, lost and changed, at the field whose x-rules name them, classified by side", func() {
		fileA := responseFile("widget", props(obj{"status": obj{"type": "string", "x-rules": obj{"enum": "widget.status.enum"}}}))
		req := requestFile("widgets.list", props(obj{"limit": obj{"type": "integer", "x-rules": obj{"maximum": "request.widgets.list.limit.range"}}}))
		from := contract("v1", map[string][]byte{"w.schema.json": fileA, "requests.schema.json": req})
		from.Prose = []generator.ProseRule{
			{Resource: "widget", ID: "widget.status.enum", Form: "open, paid"},
			{Resource: "widget", ID: "widget.paid_at.iff-paid", Form: "paid_at is set if and only if status is paid"},
		}
		to := contract("v2", map[string][]byte{"w.schema.json": fileA, "requests.schema.json": req})
		to.Prose = []generator.ProseRule{
			{Resource: "widget", ID: "widget.status.enum", Form: "open, paid, void"},
			{Resource: "request.widgets.list", ID: "request.widgets.list.limit.range", Form: "limit is between 1 and 100"},
		}
		r, err := drift.Compare(from, to)
		Expect(err).NotTo(HaveOccurred())
		Expect(essentials(r.Changes)).To(Equal([]drift.Change{
			{Resource: "request.widgets.list", Path: "/query/limit", Kind: drift.ProseFound, Rule: "request.widgets.list.limit.range", Value: "limit is between 1 and 100",
				Breaking: true, Side: drift.Request, Oasdiff: "request-parameter-pattern-added"},
			{Resource: "widget", Path: "", Kind: drift.ProseLost, Rule: "widget.paid_at.iff-paid", Value: "paid_at is set if and only if status is paid",
				Breaking: true, Side: drift.Response, Oasdiff: "response-property-max-length-unset"},
			{Resource: "widget", Path: "/status", Kind: drift.ProseChanged, Rule: "widget.status.enum", Value: "open, paid, void", Previous: "open, paid",
				Breaking: true, Side: drift.Response},
		}))
	})
})

var _ = Describe("Compare: prose rules of an operation added or removed", func() {
	It("are the operation's own change, not found or lost apart from it", func() {
		limit := props(obj{"limit": obj{"type": "integer", "x-rules": obj{"maximum": "request.gadgets.list.limit.range"}}})
		from := contract("v1", map[string][]byte{"requests.schema.json": requestFile("widgets.list", props(obj{}))})
		to := contract("v2", map[string][]byte{"requests.schema.json": requestFile("gadgets.list", limit)})
		to.Prose = []generator.ProseRule{{Resource: "request.gadgets.list", ID: "request.gadgets.list.limit.range", Form: "limit is between 1 and 100"}}
		r, err := drift.Compare(from, to)
		Expect(err).NotTo(HaveOccurred())
		var kinds []string
		for _, c := range r.Changes {
			kinds = append(kinds, c.Resource+" "+string(c.Kind))
		}
		Expect(kinds).To(ConsistOf("request.gadgets.list resource-added", "request.widgets.list resource-removed"))
		r, err = drift.Compare(to, from)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Changes).To(HaveLen(2), "the rule is not lost apart from its operation either")
	})
})

var _ = Describe("Report formats", func() {
	var r *drift.Report
	BeforeEach(func() {
		var err error
		r, err = drift.Compare(
			contract("v1", map[string][]byte{"w.schema.json": responseFile("widget", props(obj{"type": obj{"type": "string", "enum": []any{"a"}}}))}),
			contract("v2", map[string][]byte{"w.schema.json": responseFile("widget", props(obj{"type": obj{"type": "string", "enum": []any{"a", "b|c"}}, "note": str}))}))
		Expect(err).NotTo(HaveOccurred())
	})

	It("writes JSON lines that read back as the changes", func() {
		var buf bytes.Buffer
		Expect(r.WriteJSON(&buf)).To(Succeed())
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		Expect(lines).To(HaveLen(2))
		Expect(lines[1]).To(HavePrefix(`{"resource":"widget","path":"/type","change":"enum-value-added","value":"b|c","breaking":true,"side":"response"`))
		var c drift.Change
		Expect(json.Unmarshal([]byte(lines[1]), &c)).To(Succeed())
		Expect(c).To(Equal(r.Changes[1]))
	})

	It("writes text grouped by resource with a summary", func() {
		var buf bytes.Buffer
		Expect(r.WriteText(&buf)).To(Succeed())
		Expect(buf.String()).To(Equal("Contract drift from v1 to v2\n\nwidget\n" +
			"  /note field-added [not breaking, as oasdiff response-optional-property-added]\n" +
			"  /type enum-value-added: b|c [BREAKING for responses, as oasdiff response-property-enum-value-added]\n" +
			"\n2 changes in 1 resource, 1 breaking (field-added 1, enum-value-added 1)\n"))
	})

	It("writes a markdown table per resource, escaping pipes", func() {
		var buf bytes.Buffer
		Expect(r.WriteMarkdown(&buf)).To(Succeed())
		Expect(buf.String()).To(ContainSubstring("## widget\n\n| path | change |"))
		Expect(buf.String()).To(ContainSubstring("| `/type` | enum-value-added | b\\|c |  | **yes** | response | `response-property-enum-value-added` |\n"))
	})
})
