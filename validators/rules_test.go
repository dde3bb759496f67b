package validators_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
	. "github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

// Base documents, valid, written from the API reference (schemas/examples).
var (
	paidPI       = example("invoice_payment_paid_payment_intent.json")
	paidCharge   = example("invoice_payment_paid_charge.json")
	paidRecord   = example("invoice_payment_paid_payment_record.json")
	openPayment  = example("invoice_payment_open.json")
	canceled     = example("invoice_payment_canceled.json")
	partial      = example("invoice_payment_partially_paid.json")
	expanded     = example("invoice_payment_expanded.json")
	list         = example("invoice_payment_list.json")
	invoice      = example("invoice_with_payments.json")
	notFound     = example("error_resource_missing.json")
	paidEvent    = with(example("event_invoice_payment_paid.json"), setTo("/account", "acct_1QExample"), setTo("/context", "ctx_example"), setTo("/data/previous_attributes", map[string]any{}))
	fullError    = fullErrorEnvelope()
	baseByPrefix = map[string]map[string]any{
		"invoice_payment": paidPI,
		"list":            list,
		"event":           paidEvent,
		"invoice":         invoice,
		"error":           fullError,
	}
)

// fullErrorEnvelope sets every documented field of the error envelope, so
// that each field's rules are exercised by a passing case.
func fullErrorEnvelope() map[string]any {
	return map[string]any{"error": map[string]any{
		"type": "card_error", "advice_code": "try_again_later", "charge": "ch_3QExample", "code": "card_declined",
		"decline_code": "generic_decline", "doc_url": "https://stripe.com/docs/error-codes/card-declined",
		"message": "Your card was declined.", "network_advice_code": "02", "network_decline_code": "05", "param": "source",
		"payment_method_type": "card", "request_log_url": "https://dashboard.stripe.com/test/logs/req_1",
		// The expanded resources, whole: each is checked against its own
		// schema. The PaymentIntent is the expanded example's; the others
		// are the smallest documents their schemas describe.
		"payment_intent": expanded["payment"].(map[string]any)["payment_intent"],
		"payment_method": smallest("payment_method.schema.json"),
		"setup_intent":   smallest("setup_intent.schema.json"),
		"source":         smallest("card.schema.json"),
	}}
}

// Rules that kind detection makes unreachable at the root of a document: a
// document is recognised as an event because its object is "event", so
// event.object can never break event.object.enum there. They still hold
// wherever the same schema applies deeper (list.object via invoice.payments).
var unreachable = map[string]string{
	"schema.keyword":           "names a failure of a hand-edited schema; the generated files name every keyword's rule (checkAnnotations)",
	"validator.internal":       "names a bug of the validator; fuzzing checks that no document reaches it",
	"event.json-type":          "a document is an event only if it is an object",
	"event.object.required":    "a document is an event only if object is \"event\"",
	"event.object.json-type":   "a document is an event only if object is \"event\"",
	"event.object.enum":        "a document is an event only if object is \"event\"",
	"invoice.json-type":        "a document is an invoice only if it is an object",
	"invoice.object.required":  "a document is an invoice only if object is \"invoice\"",
	"invoice.object.json-type": "a document is an invoice only if object is \"invoice\"",
	"invoice.object.enum":      "a document is an invoice only if object is \"invoice\"",
	"error.json-type":          "a document is an error envelope only if it is an object",
	"list.json-type":           "a document is a list only if it is an object",
	"list.object.required":     "a document is a list only if object is \"list\"; a resource's own lists have their own rules (invoice.payments.object.required)",
	"list.object.json-type":    "a document is a list only if object is \"list\"",
	"list.object.enum":         "a document is a list only if object is \"list\"",
	"error.error.required":     "a document is an error envelope only if it has an error member",
}

// covered records which rules have a failing and a passing case.
var covered = map[string]map[string]bool{}

func cover(rule, how string) {
	if covered[rule] == nil {
		covered[rule] = map[string]bool{}
	}
	covered[rule][how] = true
}

// structuralCase is a failing case derived from a rule's ID and its schema:
// the field it names, set to a value the rule rejects.
type structuralCase struct {
	base    map[string]any
	doc     map[string]any
	pointer string // where the violation must be reported
	field   string // where the passing case holds the value the rule checks
}

func rawSchemas() map[string]map[string]any {
	out := map[string]map[string]any{}
	prefixes := map[string]string{
		schemas.InvoicePaymentFile: "invoice_payment", schemas.ListFile: "list", schemas.EventFile: "event",
		schemas.InvoiceFile: "invoice", schemas.ErrorFile: "error",
	}
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		panic(err)
	}
	for file, prefix := range prefixes {
		raw, err := fs.ReadFile(files, file)
		if err != nil {
			panic(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			panic(err)
		}
		out[prefix] = doc
	}
	return out
}

// schemaAt follows properties from a file's root.
func schemaAt(root map[string]any, path []string) map[string]any {
	cur := root
	for _, p := range path {
		props, _ := cur["properties"].(map[string]any)
		next, ok := props[p].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

// wrongType returns a value of a JSON type the schema does not allow.
func wrongType(s map[string]any) any {
	var allowed []string
	switch t := s["type"].(type) {
	case string:
		allowed = []string{t}
	case []any:
		for _, x := range t {
			allowed = append(allowed, x.(string))
		}
	}
	if len(allowed) == 0 || !slices.Contains(allowed, "boolean") {
		return true
	}
	return 12345
}

// inScope says whether a rule is one this table derives cases for: the
// invoice_payment contract as it stood before the whole API (every
// invoice_payment rule; the list, event and error envelopes' own fields;
// an invoice's identity and payments). The rest of the API is checked by
// the whole-API specs (api_test.go), from documents written from the spec.
func inScope(prefix string, path []string) bool {
	if slices.Contains(path, "items") || slices.ContainsFunc(path, func(p string) bool { return strings.Contains(p, "@") }) {
		return false
	}
	switch prefix {
	case "invoice":
		return len(path) > 0 && (path[0] == "id" || path[0] == "object" || path[0] == "payments")
	case "event":
		return len(path) == 0 || path[0] != "data" || len(path) < 2 || path[1] != "object"
	}
	return true
}

// structuralCases derives, for every rule about one field's requiredness,
// type, values or length, a document that breaks it.
func structuralCases() map[string]structuralCase {
	files := rawSchemas()
	out := map[string]structuralCase{}
	for _, r := range validator.Rules() {
		if r.Check != "schema" {
			continue
		}
		parts := strings.Split(r.ID, ".")
		prefix, aspect, path := parts[0], parts[len(parts)-1], parts[1:len(parts)-1]
		base := baseByPrefix[prefix]
		if base == nil || unreachable[r.ID] != "" || !inScope(prefix, path) {
			continue
		}
		root := ""
		// Reach invoice_payment's own object field through a list, and the
		// list's through an invoice, where kind detection does not look.
		switch {
		case prefix == "invoice_payment" && len(path) == 2 && path[0] == "payment" && path[1] == "charge":
			base = paidCharge
		case prefix == "invoice_payment" && len(path) == 2 && path[0] == "payment" && path[1] == "payment_record":
			base = paidRecord
		case prefix == "invoice_payment" && (len(path) == 0 || path[0] == "object"):
			// An invoice's payments list refers to the invoice_payment
			// file itself, where kind detection does not look.
			base, root = invoice, "/payments/data/0"
		}
		pointer := root
		for _, p := range path {
			pointer += "/" + p
		}
		s := schemaAt(files[prefix], path)
		var doc map[string]any
		switch aspect {
		case "required":
			doc = without(base, pointer)
		case "json-type":
			doc = set(base, pointer, wrongType(s))
		case "enum":
			value := "not_a_documented_value"
			if r.ID == "event.type.enum" {
				value = "invoice_payment.not_documented" // still an invoice_payment.* event
			}
			doc = set(base, pointer, value)
		case "max-length":
			max := int(s["maxLength"].(float64))
			value := strings.Repeat("x", max+1)
			if r.ID == "event.type.max-length" {
				value = "invoice_payment." + value
			}
			doc = set(base, pointer, value)
		case "expandable":
			doc = set(base, pointer, 12345)
		case "iso-4217-lowercase":
			doc = set(base, pointer, "USD")
		case "undocumented-field":
			doc = set(base, pointer+"/not_a_documented_field", "surprise")
			pointer += "/not_a_documented_field"
		default:
			continue // a rule about several fields: written out by hand below
		}
		field := pointer
		if aspect == "undocumented-field" {
			field = ""
		}
		out[r.ID] = structuralCase{base: base, doc: doc, pointer: pointer, field: field}
	}
	return out
}

var _ = Describe("every structural rule", func() {
	cases := structuralCases()
	ids := make([]string, 0, len(cases))
	for id := range cases {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var failing, passing []TableEntry
	for _, id := range ids {
		c := cases[id]
		failing = append(failing, Entry(id, id, c))
		passing = append(passing, Entry(id, id, c))
		cover(id, "fail")
		cover(id, "pass")
	}

	DescribeTable("fails at the field's own pointer when broken",
		func(id string, c structuralCase) {
			res := validator.Validate(encode(c.doc))
			Expect(res).To(HaveViolation(id, c.pointer), "%s", res.Violations)
			r, _ := validator.Rule(id)
			for _, v := range res.Violations {
				if v.Rule == id {
					Expect(v.Severity).To(Equal(r.Severity))
					Expect(v.Message).To(HaveSuffix("; " + r.Summary))
					Expect(v.Doc).To(Equal(r.Doc))
				}
			}
		},
		failing,
	)

	DescribeTable("holds in a valid document that has the field",
		func(id string, c structuralCase) {
			if c.field != "" {
				Expect(lookup(c.base, c.field)).To(BeTrue(), "the passing case must hold %s, or it checks nothing", c.field)
			}
			res := validator.Validate(encode(c.base))
			Expect(res).To(BeClean())
		},
		passing,
	)
})

// lookup reports whether pointer resolves in doc.
func lookup(doc any, pointer string) bool {
	cur := doc
	for _, s := range segments(pointer) {
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[s]
			if !ok {
				return false
			}
			cur = next
		case []any:
			i := 0
			if _, err := fmt.Sscan(s, &i); err != nil || i >= len(c) {
				return false
			}
			cur = c[i]
		default:
			return false
		}
	}
	return true
}

// catalogued says whether a rule is one this file must cover: the
// validator's own rules and those of the invoice_payment contract (see
// inScope); every other resource's rules are covered by the whole-API
// specs (api_test.go).
func catalogued(r validators.Rule) bool {
	if r.File == "" {
		return true
	}
	parts := strings.Split(r.ID, ".")
	prefix := parts[0]
	if prefix != "invoice_payment" && prefix != "invoice" && prefix != "list" && prefix != "event" && prefix != "error" {
		return false
	}
	return inScope(prefix, parts[1:len(parts)-1])
}

var _ = Describe("the rule catalogue", func() {
	It("has a failing and a passing case for every rule", func() {
		var missing []string
		for _, r := range validator.Rules() {
			if unreachable[r.ID] != "" || !catalogued(r) {
				continue
			}
			for _, how := range []string{"fail", "pass"} {
				if !covered[r.ID][how] {
					missing = append(missing, r.ID+" ("+how+")")
				}
			}
		}
		Expect(missing).To(BeEmpty())
	})

	It("lists as unreachable only rules that exist", func() {
		for id := range unreachable {
			_, ok := validator.Rule(id)
			Expect(ok).To(BeTrue(), id)
		}
	})

	It("gives every rule a summary, a doc text and a source", func() {
		for _, r := range validator.Rules() {
			Expect(r.Summary).NotTo(BeEmpty(), r.ID)
			Expect(r.Doc).NotTo(BeEmpty(), r.ID)
			Expect(r.Source).NotTo(BeEmpty(), r.ID)
		}
	})

	It("takes rules checked elsewhere (about the files documents come in), but never a second definition of one", func() {
		extra := validators.Rule{ID: "cassette.example", Severity: validators.Error, Check: "go", Summary: "s", Doc: "d", Source: "src"}
		v, err := validators.New(validators.WithRules(extra))
		Expect(err).NotTo(HaveOccurred())
		r, ok := v.Rule("cassette.example")
		Expect(ok).To(BeTrue())
		Expect(r).To(Equal(extra))
		Expect(v.Rules()).To(ContainElement(extra))
		_, err = validators.New(validators.WithRules(validators.Rule{ID: validators.RuleSyntax}))
		Expect(err).To(MatchError("validators: rule json.syntax is already defined"))
	})

	It("is for the API version of the schemas", func() {
		Expect(validator.APIVersion()).To(Equal("2026-08-26.dahlia"))
	})
})

// documented is a hand-written case: a document, and either the violation
// it must produce or none of the rule at all.
func fails(rule, description string, doc map[string]any, pointer, message string) TableEntry {
	cover(rule, "fail")
	return Entry(rule+": "+description, rule, doc, true, pointer, message)
}

func holds(rule, description string, doc map[string]any) TableEntry {
	cover(rule, "pass")
	return Entry(rule+": "+description, rule, doc, false, "", "")
}

var _ = DescribeTable("rules the docs state in prose",
	func(rule string, doc map[string]any, broken bool, pointer, message string) {
		res := validator.Validate(encode(doc))
		if !broken {
			Expect(res).NotTo(HaveViolationOf(rule), "%s", res.Violations)
			Expect(res).To(KeepTheContract(), "%s", res.Violations)
			return
		}
		Expect(res).To(HaveViolation(rule, pointer), "%s", res.Violations)
		for _, v := range res.Violations {
			if v.Rule == rule && v.Pointer == pointer && message != "" {
				Expect(v.Message).To(Equal(message))
			}
		}
	},

	fails("invoice_payment.status.enum", "a status the docs do not list",
		set(paidPI, "/status", "succeeded"), "/status",
		`is "succeeded"; status is one of "open", "paid", "canceled"`),
	holds("invoice_payment.status.enum", "open", openPayment),
	holds("invoice_payment.status.enum", "canceled", canceled),

	fails("invoice_payment.currency.iso-4217-lowercase", "upper case",
		set(paidPI, "/currency", "USD"), "/currency",
		`is "USD"; currency is a three-letter ISO currency code in lowercase`),
	fails("invoice_payment.currency.iso-4217-lowercase", "two letters", set(paidPI, "/currency", "us"), "/currency", ""),
	fails("invoice_payment.currency.iso-4217-lowercase", "four letters", set(paidPI, "/currency", "usdx"), "/currency", ""),
	fails("invoice_payment.currency.iso-4217-lowercase", "three lowercase letters that are no ISO 4217 code",
		set(paidPI, "/currency", "abc"), "/currency",
		`is "abc"; currency is a three-letter ISO currency code in lowercase`),
	holds("invoice_payment.currency.iso-4217-lowercase", "usd", paidPI),
	holds("invoice_payment.currency.iso-4217-lowercase", "eur", set(paidPI, "/currency", "eur")),
	holds("invoice_payment.currency.iso-4217-lowercase", "jpy", set(paidPI, "/currency", "jpy")),

	fails("invoice_payment.amount_paid.null-unless-paid", "an amount on an open payment",
		set(openPayment, "/amount_paid", 2000), "/amount_paid",
		`is 2000 but status is "open"; amount_paid is null until the payment is paid, and set once it is`),
	fails("invoice_payment.amount_paid.null-unless-paid", "an amount on a canceled payment",
		set(canceled, "/amount_paid", 0), "/amount_paid", `is 0 but status is "canceled"; amount_paid is null until the payment is paid, and set once it is`),
	fails("invoice_payment.amount_paid.null-unless-paid", "null on a paid payment",
		set(paidPI, "/amount_paid", nil), "/amount_paid",
		`is null but status is "paid"; amount_paid is null until the payment is paid, and set once it is`),
	fails("invoice_payment.amount_paid.null-unless-paid", "absent from a paid payment",
		without(paidPI, "/amount_paid"), "/amount_paid",
		`is missing but status is "paid"; amount_paid is null until the payment is paid, and set once it is`),
	holds("invoice_payment.amount_paid.null-unless-paid", "null while open", openPayment),
	holds("invoice_payment.amount_paid.null-unless-paid", "absent while open", without(openPayment, "/amount_paid")),
	holds("invoice_payment.amount_paid.null-unless-paid", "an integer once paid", paidPI),

	fails("invoice_payment.status_transitions.paid_at.iff-paid", "paid without paid_at",
		set(paidPI, "/status_transitions/paid_at", nil), "/status_transitions/paid_at",
		`is null but status is "paid"; status_transitions.paid_at is set if and only if status is "paid"`),
	fails("invoice_payment.status_transitions.paid_at.iff-paid", "paid with paid_at absent",
		without(paidPI, "/status_transitions/paid_at"), "/status_transitions/paid_at",
		`is missing but status is "paid"; status_transitions.paid_at is set if and only if status is "paid"`),
	fails("invoice_payment.status_transitions.paid_at.iff-paid", "open with paid_at",
		set(openPayment, "/status_transitions/paid_at", 1760003600), "/status_transitions/paid_at",
		`is 1760003600 but status is "open"; status_transitions.paid_at is set if and only if status is "paid"`),
	holds("invoice_payment.status_transitions.paid_at.iff-paid", "paid with paid_at", paidPI),
	holds("invoice_payment.status_transitions.paid_at.iff-paid", "open without", openPayment),

	fails("invoice_payment.status_transitions.canceled_at.iff-canceled", "canceled without canceled_at",
		set(canceled, "/status_transitions/canceled_at", nil), "/status_transitions/canceled_at",
		`is null but status is "canceled"; status_transitions.canceled_at is set if and only if status is "canceled"`),
	fails("invoice_payment.status_transitions.canceled_at.iff-canceled", "paid with canceled_at",
		set(paidPI, "/status_transitions/canceled_at", 1760007200), "/status_transitions/canceled_at", ""),
	holds("invoice_payment.status_transitions.canceled_at.iff-canceled", "canceled with canceled_at", canceled),
	holds("invoice_payment.status_transitions.canceled_at.iff-canceled", "paid without", paidPI),

	fails("invoice_payment.payment.reference-matches-type", "type payment_intent without a payment_intent",
		set(paidPI, "/payment/payment_intent", nil), "/payment/payment_intent",
		`is null but payment.type is "payment_intent"; exactly one of charge, payment_intent, payment_record is set: the one payment.type names`),
	fails("invoice_payment.payment.reference-matches-type", "type charge with the charge absent",
		without(paidCharge, "/payment/charge"), "/payment/charge",
		`is missing but payment.type is "charge"; exactly one of charge, payment_intent, payment_record is set: the one payment.type names`),
	fails("invoice_payment.payment.reference-matches-type", "type charge with a payment_intent set too",
		set(paidCharge, "/payment/payment_intent", "pi_3QOther"), "/payment/payment_intent",
		`is "pi_3QOther" but payment.type is "charge"; exactly one of charge, payment_intent, payment_record is set: the one payment.type names`),
	fails("invoice_payment.payment.reference-matches-type", "type payment_record naming a charge",
		with(paidRecord, remove("/payment/payment_record"), setTo("/payment/charge", "ch_1")), "/payment/charge", ""),
	holds("invoice_payment.payment.reference-matches-type", "payment_intent", paidPI),
	holds("invoice_payment.payment.reference-matches-type", "charge", paidCharge),
	holds("invoice_payment.payment.reference-matches-type", "payment_record, the others null",
		with(paidRecord, setTo("/payment/charge", nil), setTo("/payment/payment_intent", nil))),
	holds("invoice_payment.payment.reference-matches-type", "an expanded payment_intent", expanded),

	fails("invoice_payment.amount_paid.at-most-requested", "more paid than requested",
		set(paidPI, "/amount_paid", 2500), "/amount_paid",
		"is 2500, more than amount_requested (2000); amount_paid is at most amount_requested"),
	holds("invoice_payment.amount_paid.at-most-requested", "partially paid", partial),
	holds("invoice_payment.amount_paid.at-most-requested", "paid in full", paidPI),

	fails("invoice_payment.invoice.expanded-object", "an expanded invoice that says it is another object",
		set(expanded, "/invoice/object", "charge"), "/invoice/object", ""),
	holds("invoice_payment.invoice.expanded-object", "an expanded invoice", expanded),
	fails("error.error.source.expanded-object", "a source that is no payment source",
		set(fullError, "/error/source/object", "customer"), "/error/source/object", ""),
	holds("error.error.source.expanded-object", "a card as the source", fullError),

	fails("invoice.payments.invoice-matches", "a payment of another invoice",
		set(invoice, "/payments/data/0/invoice", "in_1QSomeOtherInvoice"), "/payments/data/0/invoice",
		`is "in_1QSomeOtherInvoice", but the payment is listed on invoice "in_1QExampleInvoice0010"; every payment in an invoice's payments list names that invoice in its invoice field`),
	fails("invoice.payments.invoice-matches", "an expanded invoice of another id",
		set(invoice, "/payments/data/0/invoice", map[string]any{"id": "in_other", "object": "invoice"}), "/payments/data/0/invoice", ""),
	holds("invoice.payments.invoice-matches", "its own payments", invoice),

	fails("json.integer-form", "an integer written with a fraction",
		set(paidPI, "/amount_requested", json.Number("2000.0")), "/amount_requested",
		"is written 2000.0; an integer field is written as plain digits within the signed 64-bit range"),
	fails("json.integer-form", "an integer written with an exponent", set(paidPI, "/created", json.Number("1.76e9")), "/created", ""),
	fails("json.integer-form", "beyond 64 bits", set(paidPI, "/amount_requested", json.Number("99999999999999999999")), "/amount_requested", ""),
	holds("json.integer-form", "plain integers", paidPI),

	fails("kind.unknown", "an object no resource has", map[string]any{"object": "not_a_resource", "id": "x_1"}, "/object",
		`is "not_a_resource", which no resource of API version 2026-08-26.dahlia is; a document is a resource of its API version, recognised by its object member (its deleted form when it says "deleted": true), a list, a search result, an event, or a Stripe error envelope`),
	fails("kind.unknown", "an object member that is not a string", map[string]any{"object": 5}, "/object", ""),
	fails("kind.unknown", "no object member", map[string]any{"id": "x"}, "/object",
		`is missing (nor is the document an error envelope); a document is a resource of its API version, recognised by its object member (its deleted form when it says "deleted": true), a list, a search result, an event, or a Stripe error envelope`),
	holds("kind.unknown", "each kind the contract covers", paidPI),

	fails("api_version.not-embedded", "an event stamped with a version whose contract is not embedded",
		set(paidEvent, "/api_version", "2024-06-20"), "/api_version",
		`names API version "2024-06-20", whose contract is not embedded (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia), so it was judged at 2026-08-26.dahlia; a document is judged at the API version it names, when that version's contract is embedded`),
	holds("api_version.not-embedded", "an event stamped with an embedded version", set(paidEvent, "/api_version", "2026-08-26.dahlia")),
)

var _ = Describe("severities and strict mode", func() {
	It("keeps a document with only warnings and notices valid", func() {
		res := validator.Validate(encode(with(paidPI, setTo("/amount_paid", 2500), setTo("/new_field", 1))))
		Expect(res).To(KeepTheContract())
		Expect(res).To(HaveViolation("invoice_payment.amount_paid.at-most-requested", "/amount_paid"))
		Expect(res).To(HaveViolation("invoice_payment.undocumented-field", "/new_field"))
	})

	It("reports undocumented fields as notices by default and errors in strict mode", func() {
		doc := encode(set(paidPI, "/payment/new_reference", "x"))
		res := validator.Validate(doc)
		Expect(res.Violations).To(ConsistOf(SatisfyAll(
			HaveField("Rule", "invoice_payment.undocumented-field"),
			HaveField("Pointer", "/payment/new_reference"),
			HaveField("Severity", validators.Notice),
		)))
		Expect(res.Valid()).To(BeTrue())

		strict := mustValidator(validators.WithStrict(true))
		res = strict.Validate(doc)
		Expect(res.Violations).To(ConsistOf(HaveField("Severity", validators.Error)))
		Expect(res.Valid()).To(BeFalse())
	})

	It("does not call the fields of an expanded object undocumented", func() {
		Expect(mustValidator(validators.WithStrict(true)).Validate(encode(expanded))).To(BeClean())
	})
})
