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

var _ = Describe("Derive: the event types the event file covers", func() {
	It("reads the pinned release's preview spec compiled in, without the go command", func() {
		setenv("PATH", "")
		spec, origin := generator.PinnedSpec()
		res, err := generator.Derive(spec, origin)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Notices).To(BeEmpty())
		Expect(eventTypes(res.Files)).To(Equal([]any{"invoice_payment.paid"}))
	})

	It("chooses them by name for another release without its preview spec, and says so", func() {
		vs := specsOf("2025-09-30.clover")
		res, err := generator.Derive(vs.GA, vs.GAOrigin)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Notices).To(ConsistOf("no preview spec of 2025-09-30.clover was given, so the event file covers the event types named invoice_payment.* rather than those whose data.object is an invoice_payment (give the preview spec: -preview-spec)"))
		Expect(eventTypes(res.Files)).To(Equal([]any{"invoice_payment.paid"}))
	})

	It("finds none by name in basil without its preview spec, and says why", func() {
		vs := specsOf("2025-05-28.basil")
		_, err := generator.Derive(vs.GA, vs.GAOrigin)
		Expect(err).To(MatchError("#/paths/~1v1~1webhook_endpoints/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/enabled_events/items/enum lists no invoice_payment.* event types (chosen by name: no preview spec of 2025-05-28.basil was given to say which carry an invoice_payment)"))
	})

	It("refuses the preview spec of another release", func() {
		spec, origin := generator.PinnedSpec()
		_, err := generator.Derive(spec, origin, generator.WithPreviewSpec(specsOf("2025-09-30.clover").Preview))
		Expect(err).To(MatchError("the GA spec is of 2026-08-26.dahlia, the preview spec of 2025-09-30.preview: they come from different releases"))
	})

	It("fails when an event type named invoice_payment.* carries another resource", func() {
		var preview map[string]any
		Expect(json.Unmarshal(embedded.BetaOpenAPISpec, &preview)).To(Succeed())
		property(preview, "invoice_payment.paid", "object")["$ref"] = "#/components/schemas/charge"
		raw, err := json.Marshal(preview)
		Expect(err).NotTo(HaveOccurred())
		spec, origin := generator.PinnedSpec()
		_, err = generator.Derive(spec, origin, generator.WithPreviewSpec(raw))
		Expect(err).To(MatchError("event type invoice_payment.paid carries [charge] (#/components/schemas/invoice_payment.paid/properties/object), not an invoice_payment"))
	})

	It("fails when an event type named invoice_payment.* is not mapped", func() {
		var preview map[string]any
		Expect(json.Unmarshal(embedded.BetaOpenAPISpec, &preview)).To(Succeed())
		delete(component(preview, "invoice_payment.paid"), "x-stripeEvent")
		raw, err := json.Marshal(preview)
		Expect(err).NotTo(HaveOccurred())
		spec, origin := generator.PinnedSpec()
		_, err = generator.Derive(spec, origin, generator.WithPreviewSpec(raw))
		Expect(err).To(MatchError("event type invoice_payment.paid is not mapped to the resource it carries: the preview spec has no component with x-stripeEvent.type invoice_payment.paid"))
	})
})
