package generator_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe/stripe-mock/embedded"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

// fileOf decodes one generated file.
func fileOf(files map[string][]byte, name string) map[string]any {
	GinkgoHelper()
	var doc map[string]any
	Expect(json.Unmarshal(files[name], &doc)).To(Succeed(), "%s", name)
	return doc
}

// at descends a decoded file by property names.
func at(doc map[string]any, keys ...string) map[string]any {
	GinkgoHelper()
	for _, k := range keys {
		next, ok := doc[k].(map[string]any)
		Expect(ok).To(BeTrue(), "no object at %v (stopped at %q)", keys, k)
		doc = next
	}
	return doc
}

// paymentTypes is the enum of an invoice_payment's payment.type.
func paymentTypes(files map[string][]byte) []any {
	GinkgoHelper()
	return at(fileOf(files, generator.InvoicePaymentFile), "properties", "payment", "properties", "type")["enum"].([]any)
}

// eventTypes is the enum of the event file's type.
func eventTypes(files map[string][]byte) []any {
	GinkgoHelper()
	return at(fileOf(files, generator.EventFile), "properties", "type")["enum"].([]any)
}

// carried is what the index says an event type carries.
func carried(files map[string][]byte, eventType string) []any {
	GinkgoHelper()
	types := fileOf(files, generator.IndexFile)["event_types"].(map[string]any)
	c, ok := types[eventType].([]any)
	Expect(ok).To(BeTrue(), "the index does not list %s", eventType)
	return c
}

var _ = Describe("Derive: the event types and what each carries", func() {
	It("reads the pinned release's preview spec compiled in, without the go command", func() {
		setenv("PATH", "")
		spec, origin := generator.PinnedSpec()
		res, err := generator.Derive(spec, origin)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Notices).To(BeEmpty())
		Expect(eventTypes(res.Files)).To(ContainElements("invoice_payment.paid", "charge.succeeded", "customer.created"))
		Expect(carried(res.Files, "invoice_payment.paid")).To(Equal([]any{"invoice_payment"}))
		Expect(carried(res.Files, "charge.succeeded")).To(Equal([]any{"charge"}))
		Expect(carried(res.Files, "customer.deleted")).To(Equal([]any{"customer"}))
	})

	It("checks data.object by its own object for another release without its preview spec, and says so", func() {
		vs := specsOf("2025-09-30.clover")
		res, err := generator.Derive(vs.GA, vs.GAOrigin)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Notices).To(ConsistOf("no preview spec of 2025-09-30.clover was given, so an event's data.object is checked against the resource its object member names rather than the one its type carries (give the preview spec: -preview-spec)"))
		Expect(eventTypes(res.Files)).To(ContainElement("invoice_payment.paid"))
		Expect(carried(res.Files, "invoice_payment.paid")).To(BeEmpty())
	})

	It("generates basil without its preview spec too, its types unmapped", func() {
		vs := specsOf("2025-05-28.basil")
		res, err := generator.Derive(vs.GA, vs.GAOrigin)
		Expect(err).NotTo(HaveOccurred())
		Expect(eventTypes(res.Files)).To(ContainElement("invoice.payment.paid"))
		Expect(carried(res.Files, "invoice.payment.paid")).To(BeEmpty())
	})

	It("refuses the preview spec of another release", func() {
		spec, origin := generator.PinnedSpec()
		_, err := generator.Derive(spec, origin, generator.WithPreviewSpec(specsOf("2025-09-30.clover").Preview))
		Expect(err).To(MatchError("the GA spec is of 2026-08-26.dahlia, the preview spec of 2025-09-30.preview: they come from different releases"))
	})

	It("follows the preview spec: an event type it maps to another resource carries that one", func() {
		var preview map[string]any
		Expect(json.Unmarshal(embedded.BetaOpenAPISpec, &preview)).To(Succeed())
		property(preview, "invoice_payment.paid", "object")["$ref"] = "#/components/schemas/charge"
		raw, err := json.Marshal(preview)
		Expect(err).NotTo(HaveOccurred())
		spec, origin := generator.PinnedSpec()
		res, err := generator.Derive(spec, origin, generator.WithPreviewSpec(raw))
		Expect(err).NotTo(HaveOccurred())
		Expect(carried(res.Files, "invoice_payment.paid")).To(Equal([]any{"charge"}))
	})

	It("lists a type the preview spec does not map, carrying nothing: its data.object is checked by its own object", func() {
		var preview map[string]any
		Expect(json.Unmarshal(embedded.BetaOpenAPISpec, &preview)).To(Succeed())
		delete(component(preview, "invoice_payment.paid"), "x-stripeEvent")
		raw, err := json.Marshal(preview)
		Expect(err).NotTo(HaveOccurred())
		spec, origin := generator.PinnedSpec()
		res, err := generator.Derive(spec, origin, generator.WithPreviewSpec(raw))
		Expect(err).NotTo(HaveOccurred())
		Expect(carried(res.Files, "invoice_payment.paid")).To(BeEmpty())
		Expect(eventTypes(res.Files)).To(ContainElement("invoice_payment.paid"))
	})
})
