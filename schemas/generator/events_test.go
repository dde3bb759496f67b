package generator_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

// carries is what an event type carries, as component names.
func carries(m *generator.EventMap, eventType string) []string {
	GinkgoHelper()
	e, ok := m.Lookup(eventType)
	if !ok {
		return nil
	}
	var names []string
	for _, r := range e.Carries {
		names = append(names, r.Component)
	}
	return names
}

var _ = DescribeTable("MapEventTypes: the resource each GA event type carries, from the preview spec",
	func(apiVersion string, listed, unmapped int, invoicePaymentPaid, renamed string) {
		vs := specsOf(apiVersion)
		m, err := generator.MapEventTypes(vs.GA, vs.Preview)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("%s: %d GA event types, %d mapped, %d unmapped %v\n", apiVersion, len(m.Listed), len(m.Mapped), len(m.Unmapped), m.Unmapped)
		Expect(m.APIVersion).To(Equal(apiVersion))
		Expect(m.Listed).To(HaveLen(listed))
		Expect(m.Listed).NotTo(ContainElement("*"))
		Expect(len(m.Mapped) + len(m.Unmapped)).To(Equal(listed))
		Expect(m.Unmapped).To(HaveLen(unmapped))
		// Every type the GA spec lists has its component in the preview spec;
		// the ones left out carry a resource the GA spec does not define.
		for _, u := range m.Unmapped {
			Expect(u.Reason).To(HaveSuffix(", a resource that only the preview spec defines"), "%s", u.Type)
		}
		Expect(m.Unmapped).To(ContainElement(generator.UnmappedEventType{
			Type:   "billing.alert.triggered",
			Reason: "#/components/schemas/billing.alert.triggered/properties/object refers to billing.alert_triggered, a resource that only the preview spec defines",
		}))
		Expect(len(m.Mapped)*10).To(BeNumerically(">=", listed*9), "fewer than 90%% mapped: %v", m.Unmapped)

		Expect(carries(m, "charge.succeeded")).To(Equal([]string{"charge"}))
		Expect(carries(m, "customer.created")).To(Equal([]string{"customer"}))
		Expect(carries(m, "invoice.paid")).To(Equal([]string{"invoice"}))
		Expect(carries(m, "payment_intent.succeeded")).To(Equal([]string{"payment_intent"}))
		Expect(carries(m, "financial_connections.account.created")).To(Equal([]string{"financial_connections.account"}))
		// A union: an external account is a bank account or a card (or a source).
		Expect(carries(m, "account.external_account.created")).To(Equal([]string{"bank_account", "card", "source"}))
		// customer.deleted carries the customer as it was, not deleted_customer.
		Expect(carries(m, "customer.deleted")).To(Equal([]string{"customer"}))

		// The invoice payment event, under the name this version gives it.
		Expect(carries(m, invoicePaymentPaid)).To(Equal([]string{"invoice_payment"}))
		Expect(m.Listed).NotTo(ContainElement(renamed))
		_, ok := m.Lookup(renamed)
		Expect(ok).To(BeFalse())
		e, _ := m.Lookup(invoicePaymentPaid)
		Expect(e.Source).To(Equal("#/components/schemas/" + invoicePaymentPaid + "/properties/object"))
		Expect(e.Carries[0].Object).To(Equal("invoice_payment"))
	},
	Entry("2025-05-28.basil names it invoice.payment.paid", "2025-05-28.basil", 241, 2, "invoice.payment.paid", "invoice_payment.paid"),
	Entry("2025-09-30.clover renamed it invoice_payment.paid", "2025-09-30.clover", 242, 2, "invoice_payment.paid", "invoice.payment.paid"),
	Entry("2026-08-26.dahlia", "2026-08-26.dahlia", 265, 11, "invoice_payment.paid", "invoice.payment.paid"),
)

// eventSpecs are the smallest GA and preview specs of one release that
// MapEventTypes reads: an event type list and the components it refers to.
const (
	gaEvents = `{"openapi":"3.0.0","info":{"version":"2026-08-26.dahlia"},
	"paths":{"/v1/webhook_endpoints":{"post":{"requestBody":{"content":{"application/x-www-form-urlencoded":{"schema":{"properties":{
		"enabled_events":{"items":{"enum":["*","charge.succeeded","charge.refunded","coupon.created","payout.paid","thing.happened"]}}}}}}}}}},
	"components":{"schemas":{
		"charge":{"properties":{"object":{"enum":["charge"]}}},
		"coupon":{"properties":{"object":{"enum":["coupon"]}}}}}}`
	previewEvents = `{"openapi":"3.0.0","info":{"version":"2026-08-26.preview; some_beta=v1"},
	"components":{"schemas":{
		"charge.succeeded":{"x-stripeEvent":{"type":"charge.succeeded"},"properties":{"object":{"$ref":"#/components/schemas/charge"}}},
		"charge.refunded":{"x-stripeEvent":{"type":"charge.refunded"},"properties":{"object":{"type":"object"}}},
		"coupon.created":{"x-stripeEvent":{"type":"coupon.created"},"properties":{"object":{"anyOf":[{"$ref":"#/components/schemas/coupon"},{"$ref":"#/components/schemas/promo"}]}}},
		"payout.paid":{"x-stripeEvent":{"type":"payout.paid"},"properties":{"object":{"$ref":"#/components/schemas/payout"}}},
		"payout":{"properties":{"object":{"enum":["payout"]}}}}}}`
)

var _ = Describe("MapEventTypes on specs it cannot map fully", func() {
	It("says why each unmapped type is unmapped", func() {
		m, err := generator.MapEventTypes([]byte(gaEvents), []byte(previewEvents))
		Expect(err).NotTo(HaveOccurred())
		Expect(m.Listed).To(Equal([]string{"charge.succeeded", "charge.refunded", "coupon.created", "payout.paid", "thing.happened"}))
		Expect(m.Mapped).To(Equal([]generator.EventType{{
			Type:    "charge.succeeded",
			Carries: []generator.Resource{{Component: "charge", Object: "charge"}},
			Source:  "#/components/schemas/charge.succeeded/properties/object",
		}}))
		Expect(m.Unmapped).To(Equal([]generator.UnmappedEventType{
			{Type: "charge.refunded", Reason: "#/components/schemas/charge.refunded/properties/object is neither a $ref nor an anyOf of $refs"},
			{Type: "coupon.created", Reason: "#/components/schemas/coupon.created/properties/object refers to promo, not a resource of the GA spec"},
			{Type: "payout.paid", Reason: "#/components/schemas/payout.paid/properties/object refers to payout, a resource that only the preview spec defines"},
			{Type: "thing.happened", Reason: "the preview spec has no component with x-stripeEvent.type thing.happened"},
		}))
	})

	It("refuses specs of two releases", func() {
		_, err := generator.MapEventTypes([]byte(gaEvents), specsOf("2025-09-30.clover").Preview)
		Expect(err).To(MatchError("the GA spec is of 2026-08-26.dahlia, the preview spec of 2025-09-30.preview: they come from different releases"))
	})

	It("refuses a GA spec given as the preview spec", func() {
		ga, _ := generator.PinnedSpec()
		_, err := generator.MapEventTypes(ga, ga)
		Expect(err).To(MatchError("preview spec: no component is marked x-stripeEvent (is it the preview spec, spec3.beta.sdk.json?)"))
	})

	It("refuses a GA spec without the event type list", func() {
		_, err := generator.MapEventTypes([]byte(`{"openapi":"3.0.0","info":{"version":"2026-08-26.dahlia"},"paths":{},"components":{"schemas":{"charge":{}}}}`), []byte(previewEvents))
		Expect(err).To(MatchError("GA spec: spec: no /v1/webhook_endpoints"))
	})
})
