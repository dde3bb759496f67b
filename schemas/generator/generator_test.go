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

func generate(spec []byte) (map[string]any, error) {
	files, err := generator.Generate(spec, "test")
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

	It("takes the status values from the description, whatever they are", func() {
		doc, err := generate(mutate(func(s map[string]any) {
			property(s, "invoice_payment", "status")["description"] = "The status of the payment, one of `open`, `paid`, `canceled`, or `refunded`."
			// The list filter states the same values; keep the two in step.
			for _, p := range s["paths"].(map[string]any)["/v1/invoice_payments"].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
				if pm := p.(map[string]any); pm["name"] == "status" {
					pm["schema"].(map[string]any)["enum"] = []any{"canceled", "open", "paid", "refunded"}
				}
			}
		}))
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
		Expect(err).To(MatchError(ContainSubstring("in prose but the list endpoint filters on")))
	})

	It("drops the amount_paid rule when its sentence is gone, so the drift test fails", func() {
		doc, err := generate(mutate(func(s map[string]any) {
			p := property(s, "invoice_payment", "amount_paid")
			p["description"] = strings.Replace(p["description"].(string), "This field is null until the payment is `paid`. ", "", 1)
		}))
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

	It("turns expandable fields into an ID or a shallow check of the expanded resource", func() {
		raw, _ := generator.PinnedSpec()
		doc, err := generate(raw)
		Expect(err).NotTo(HaveOccurred())
		invoice := doc["properties"].(map[string]any)["invoice"].(map[string]any)
		Expect(invoice["anyOf"]).To(ConsistOf(
			HaveKeyWithValue("type", "string"),
			HaveKeyWithValue("$ref", "#/$defs/invoice"),
			HaveKeyWithValue("$ref", "#/$defs/deleted_invoice"),
		))
		def := doc["$defs"].(map[string]any)["invoice"].(map[string]any)
		Expect(def["required"]).To(ConsistOf("id", "object"))
		Expect(def["properties"].(map[string]any)["object"]).To(HaveKeyWithValue("enum", []any{"invoice"}))
	})

	It("rejects what is not an OpenAPI 3 spec", func() {
		_, err := generator.Generate([]byte(`{"swagger":"2.0"}`), "test")
		Expect(err).To(MatchError(ContainSubstring("openapi version")))
		_, err = generator.Generate([]byte(`{"openapi":`), "test")
		Expect(err).To(MatchError(ContainSubstring("parse OpenAPI spec")))
	})
})
