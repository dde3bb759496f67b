package generator_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe/stripe-mock/embedded"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
	"github.com/stripe-contract/stripe-contract/validators"
)

// lostRule expects err to be the one-line failure naming rule at source.
func lostRule(err error, rule, source string) {
	GinkgoHelper()
	var pe *generator.ProseError
	Expect(errors.As(err, &pe)).To(BeTrue(), "want a *generator.ProseError, got %v", err)
	Expect(pe.Rule).To(Equal(rule))
	Expect(pe.Source).To(Equal(source))
	Expect(err.Error()).To(And(ContainSubstring(rule), ContainSubstring(source)))
	Expect(err.Error()).NotTo(ContainSubstring("\n"))
	Expect(len(err.Error())).To(BeNumerically("<", 300), "one short line: %s", err)
}

// reword replaces old with new in the description of a property, which
// must contain it.
func reword(p map[string]any, old, new string) {
	GinkgoHelper()
	desc := p["description"].(string)
	Expect(desc).To(ContainSubstring(old))
	p["description"] = strings.ReplaceAll(desc, old, new)
}

const (
	associatedPayment = "invoices_payments_invoice_payment_associated_payment"
	statusTransitions = "invoices_payments_invoice_payment_status_transitions"
)

// The damages of issue 11 that used to generate a weaker contract with exit
// status 0: each now fails generation, naming the rule and where the
// committed expectation (expected/prose-<version>.json) found it.
var _ = Describe("Generate: a prose rule the expectation lists is never lost silently", func() {
	It("(a) fails when payment.type loses its enum: the reference rule would check nothing", func() {
		_, err := generate(mutate(func(s map[string]any) {
			delete(property(s, associatedPayment, "type"), "enum")
		}))
		lostRule(err, "invoice_payment.payment.reference-matches-type", "#/components/schemas/"+associatedPayment+"/properties")
		Expect(err).To(MatchError(ContainSubstring("has no enum of payment.type")))
	})

	It("(b) fails when the currency sentence is reworded", func() {
		_, err := generate(mutate(func(s map[string]any) {
			reword(property(s, "invoice_payment", "currency"),
				"Three-letter [ISO currency code](https://www.iso.org/iso-4217-currency-codes.html), in lowercase.",
				"The currency, as its three-letter ISO code in lower case.")
		}))
		lostRule(err, "invoice_payment.currency.iso-4217-lowercase", "#/components/schemas/invoice_payment/properties/currency/description")
		Expect(err).To(MatchError(ContainSubstring("is no longer found")))
	})

	It("(c) fails when only the null-until-paid sentence is reworded", func() {
		_, err := generate(mutate(func(s map[string]any) {
			reword(property(s, "invoice_payment", "amount_paid"),
				"This field is null until the payment is `paid`.",
				"It stays null until the payment has been paid.")
		}))
		lostRule(err, "invoice_payment.amount_paid.null-unless-paid", "#/components/schemas/invoice_payment/properties/amount_paid/description")
	})

	It("(d) fails when every \"when `type` is\" sentence is reworded", func() {
		_, err := generate(mutate(func(s map[string]any) {
			for _, p := range []string{"charge", "payment_intent", "payment_record"} {
				reword(property(s, associatedPayment, p), "when `type` is", "if the type is")
			}
		}))
		lostRule(err, "invoice_payment.payment.reference-matches-type", "#/components/schemas/"+associatedPayment+"/properties")
	})

	It("(e) fails when the cursor descriptions are reworded", func() {
		_, err := requestDoc(mutate(func(s map[string]any) {
			for _, p := range []string{"starting_after", "ending_before"} {
				reword(listParam(s, "/v1/invoice_payments", p), "A cursor for use in pagination.", "A pagination cursor.")
			}
		}))
		lostRule(err, "request.invoice_payments.list.cursors.exclusive", "#/paths/~1v1~1invoice_payments/get/parameters/6/description")
	})

	It("(f) fails when status_transitions.paid_at is removed", func() {
		_, err := generate(mutate(func(s map[string]any) {
			delete(component(s, statusTransitions)["properties"].(map[string]any), "paid_at")
		}))
		lostRule(err, "invoice_payment.status_transitions.paid_at.iff-paid", "#/components/schemas/"+statusTransitions+"/properties/paid_at/description")
	})

	It("(g) uses a real enum of status, and says so, rather than claiming the description lost its values", func() {
		spec := mutate(func(s map[string]any) {
			property(s, "invoice_payment", "status")["enum"] = []any{"canceled", "open", "paid"}
		})
		res, err := generator.Derive(spec, "test")
		Expect(err).NotTo(HaveOccurred())
		var doc map[string]any
		Expect(json.Unmarshal(res.Files[generator.InvoicePaymentFile], &doc)).To(Succeed())
		Expect(doc["properties"].(map[string]any)["status"]).To(HaveKeyWithValue("enum", []any{"canceled", "open", "paid"}))
		Expect(doc["x-rule-definitions"]).To(HaveKeyWithValue("invoice_payment.status.enum",
			HaveKeyWithValue("source", "#/components/schemas/invoice_payment/properties/status")))
		// The rules that need the status values still have them.
		Expect(ruleIDs(doc)).To(ContainElements("invoice_payment.amount_paid.null-unless-paid", "invoice_payment.status_transitions.paid_at.iff-paid"))
		Expect(res.Notices).To(ContainElement(And(
			ContainSubstring("invoice_payment.status.enum is now stated by the spec's keyword at #/components/schemas/invoice_payment/properties/status"),
			ContainSubstring("the keyword is used"))))
	})

	It("fails when a real enum of status says other values than the description did", func() {
		_, err := generate(mutate(func(s map[string]any) {
			property(s, "invoice_payment", "status")["enum"] = []any{"open", "paid"}
			listParam(s, "/v1/invoice_payments", "status")["schema"].(map[string]any)["enum"] = []any{"open", "paid"}
		}))
		lostRule(err, "invoice_payment.status.enum", "#/components/schemas/invoice_payment/properties/status")
	})

	It("names the rule when the status description no longer lists its values", func() {
		_, err := generate(mutate(func(s map[string]any) {
			property(s, "invoice_payment", "status")["description"] = "The status of the payment."
		}))
		lostRule(err, "invoice_payment.status.enum", "#/components/schemas/invoice_payment/properties/status/description")
	})

	It("counts the other lost rules in the one line", func() {
		_, err := generate(mutate(func(s map[string]any) {
			reword(property(s, "invoice_payment", "currency"), "in lowercase", "lower case")
			reword(property(s, "invoice_payment", "amount_paid"), "This field is null until", "It is null until")
		}))
		Expect(err).To(MatchError(HaveSuffix("(and 1 more)")))
	})

	It("commits the expectation the pinned spec yields", func() {
		raw, _ := generator.PinnedSpec()
		res, err := generator.Derive(raw, "test")
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Checked).To(BeTrue())
		Expect(res.Notices).To(BeEmpty())
		committed, err := generator.CommittedExpectation(res.APIVersion)
		Expect(err).NotTo(HaveOccurred())
		Expect(committed).To(Equal(res.Expectation()), "run go run ./schemas/generate -out schemas -update and review the diff")
		var ids []string
		requests := map[string]int{} // the request rules, by what they say
		for _, p := range res.Prose {
			if rest, ok := strings.CutPrefix(p.ID, p.Resource+"."); ok && strings.HasPrefix(p.Resource, "request.") {
				kind := rest
				if strings.HasSuffix(rest, ".iso-4217-lowercase") {
					kind = "iso-4217-lowercase"
				}
				requests[kind]++
				if p.Resource != "request.invoice_payments.list" {
					continue
				}
			}
			ids = append(ids, p.ID)
		}
		Expect(ids).To(ContainElements(
			"invoice_payment.status.enum",
			"invoice_payment.currency.iso-4217-lowercase",
			"invoice_payment.amount_paid.null-unless-paid",
			"invoice_payment.amount_paid.at-most-requested",
			"invoice_payment.status_transitions.paid_at.iff-paid",
			"invoice_payment.status_transitions.canceled_at.iff-canceled",
			"invoice_payment.payment.reference-matches-type",
			"request.invoice_payments.list.limit.range",
			"request.invoice_payments.list.cursors.exclusive",
			// The sentences that recur across the API.
			"charge.currency.iso-4217-lowercase",
			"payment_intent.currency.iso-4217-lowercase",
		))
		// Outside invoice_payment, only the recurring sentences make rules:
		// currency codes and "one of" enums.
		for _, p := range res.Prose {
			if p.Resource != "invoice_payment" && !strings.HasPrefix(p.Resource, "request.") {
				Expect(p.ID).To(MatchRegexp(`\.(iso-4217-lowercase|enum)(@\S+)?$`), p.ID)
			}
		}
		// Every list's limit range and cursors, every currency parameter
		// stated in lowercase ISO codes: nothing else is read from a
		// request parameter's prose.
		Expect(requests).To(Equal(map[string]int{"limit.range": 128, "cursors.exclusive": 118, "iso-4217-lowercase": 31}))
	})

	It("generates a spec of a version with no expectation, and says its rules are unchecked", func() {
		res, err := generator.Derive(mutate(func(s map[string]any) {
			s["info"].(map[string]any)["version"] = "2099-01-01.future"
		}), "test")
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Checked).To(BeFalse())
		committed, err := generator.CommittedExpectation("2026-08-26.dahlia")
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Prose).To(HaveLen(len(committed.Rules)))
	})
})

var _ = Describe("Generate: a preview spec", func() {
	It("generates files that compile and check what the GA files check", func() {
		res, err := generator.Derive(embedded.BetaOpenAPISpec, "spec3.beta.sdk.json")
		Expect(err).NotTo(HaveOccurred())
		Expect(res.APIVersion).To(HavePrefix("2026-08-26.preview; "))
		Expect(res.Checked).To(BeFalse(), "no expectation is committed for a preview version")
		fsys := fstest.MapFS{}
		for name, b := range res.Files {
			fsys[name] = &fstest.MapFile{Data: b}
		}
		v, err := validators.New(validators.WithSchemas(fsys))
		Expect(err).NotTo(HaveOccurred())
		got := v.Validate([]byte(`{"object":"invoice_payment","id":"inpay_1","currency":"abc"}`))
		Expect(got.Violations).To(ContainElement(And(
			HaveField("Rule", "invoice_payment.currency.iso-4217-lowercase"),
			HaveField("Pointer", "/currency"))))
	})

	It("fails with one short line naming the cause when its event types lack one the contract covers", func() {
		var spec map[string]any
		Expect(json.Unmarshal(embedded.BetaOpenAPISpec, &spec)).To(Succeed())
		typ := property(spec, "event", "type")
		var kept []any
		for _, t := range typ["enum"].([]any) {
			if !strings.HasPrefix(t.(string), "invoice_payment.") {
				kept = append(kept, t)
			}
		}
		typ["enum"] = kept
		raw, err := json.Marshal(spec)
		Expect(err).NotTo(HaveOccurred())
		_, err = generator.Derive(raw, "test")
		Expect(err).To(MatchError("#/components/schemas/event/properties/type/enum lists the event types, but not invoice_payment.paid, which webhook endpoints can enable"))
	})
})
