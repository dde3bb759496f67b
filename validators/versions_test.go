package validators_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/validators"
	. "github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

const (
	basil  = "2025-05-28.basil"
	clover = "2025-09-30.clover"
	dahlia = "2026-08-26.dahlia"
)

// Each case runs on both paths: the fast path and the whole-document one
// must pick the same version and give the same verdict.
var _ = Describe("the API version a document is judged at", func() {
	paths := map[string][]validators.Option{"fast path": nil, "full path": {validators.WithFastPath(false)}}
	for name, opts := range paths {
		newValidator := func(more ...validators.Option) *validators.Validator {
			v, err := validators.New(append(append([]validators.Option(nil), opts...), more...)...)
			Expect(err).NotTo(HaveOccurred())
			return v
		}
		// An event paid through a payment record, a type dahlia added.
		recordEvent := func(apiVersion string) []byte {
			return encode(with(paidEvent, setTo("/api_version", apiVersion),
				setTo("/data/object/payment", map[string]any{"type": "payment_record", "payment_record": "pr_1QExamplePaymentRec01"})))
		}

		Context(name, func() {
			It("is an event's own api_version: clover has no payment_record payment type, dahlia has", func() {
				v := newValidator()
				res := v.Validate(recordEvent(clover))
				Expect(res.APIVersion).To(Equal(clover))
				Expect(res.Kind).To(Equal(validators.KindEvent))
				Expect(res).To(HaveViolation("invoice_payment.payment.type.enum", "/data/object/payment/type"), "%s", res.Violations)
				Expect(res.Valid()).To(BeFalse())

				res = v.Validate(recordEvent(dahlia))
				Expect(res.APIVersion).To(Equal(dahlia))
				Expect(res).To(KeepTheContract(), "%s", res.Violations)
			})

			It("checks basil's invoice.payment.paid as that version's invoice payment event", func() {
				v := newValidator()
				doc := encode(with(paidEvent, setTo("/api_version", basil), setTo("/type", "invoice.payment.paid")))
				res := v.Validate(doc)
				Expect(res.APIVersion).To(Equal(basil))
				Expect(res.Kind).To(Equal(validators.KindEvent))
				Expect(res).To(KeepTheContract(), "%s", res.Violations)
				Expect(res.Violations).To(BeEmpty())

				// At dahlia the type was renamed, and the schema says so.
				res = newValidator(validators.WithAPIVersion(dahlia)).Validate(doc)
				Expect(res.APIVersion).To(Equal(dahlia))
				Expect(res.Kind).To(Equal(validators.KindEvent))
				Expect(res).To(HaveViolation("event.type.enum", "/type"), "%s", res.Violations)
			})

			It("is the version WithAPIVersion names, over the event's own", func() {
				res := newValidator(validators.WithAPIVersion(clover)).Validate(recordEvent(dahlia))
				Expect(res.APIVersion).To(Equal(clover))
				Expect(res).To(HaveViolation("invoice_payment.payment.type.enum", "/data/object/payment/type"), "%s", res.Violations)

				res = newValidator(validators.WithAPIVersion(dahlia)).Validate(recordEvent(clover))
				Expect(res.APIVersion).To(Equal(dahlia))
				Expect(res).To(KeepTheContract(), "%s", res.Violations)
			})

			It("is the request's Stripe-Version when the document names none", func() {
				v := newValidator()
				payment := encode(paidRecord)
				res := v.ValidateRequested(payment, clover)
				Expect(res.APIVersion).To(Equal(clover))
				Expect(res).To(HaveViolation("invoice_payment.payment.type.enum", "/payment/type"), "%s", res.Violations)

				res = v.ValidateRequested(payment, "")
				Expect(res.APIVersion).To(Equal(dahlia))
				Expect(res).To(KeepTheContract(), "%s", res.Violations)

				// An event's own version comes before its request's.
				res = v.ValidateRequested(recordEvent(dahlia), clover)
				Expect(res.APIVersion).To(Equal(dahlia))
				Expect(res).To(KeepTheContract(), "%s", res.Violations)
			})

			It("is the newest, with a notice, when the version named is not embedded", func() {
				v := newValidator()
				res := v.Validate(recordEvent("2024-06-20"))
				Expect(res.APIVersion).To(Equal(dahlia))
				Expect(res).To(KeepTheContract(), "%s", res.Violations)
				Expect(res).To(HaveViolation("api_version.not-embedded", "/api_version"))

				res = v.ValidateRequested(encode(paidRecord), "2020-08-27")
				Expect(res.APIVersion).To(Equal(dahlia))
				Expect(res).To(HaveViolation("api_version.not-embedded", ""))
				for _, viol := range res.Violations {
					if viol.Rule == validators.RuleVersionNotEmbedded {
						Expect(viol.Severity).To(Equal(validators.Notice))
						Expect(viol.Message).To(HavePrefix(`answers a request for API version "2020-08-27" (its Stripe-Version header), whose contract is not embedded (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia), so it was judged at 2026-08-26.dahlia`))
					}
				}

				// The event names an unknown version: its request's comes next.
				res = v.ValidateRequested(recordEvent("2024-06-20"), clover)
				Expect(res.APIVersion).To(Equal(clover))
				Expect(res).To(HaveViolation("api_version.not-embedded", "/api_version"))
				Expect(res).To(HaveViolation("invoice_payment.payment.type.enum", "/data/object/payment/type"))
			})

			It("is given for documents that are not JSON too", func() {
				res := newValidator().ValidateRequested([]byte(`{"object":`), clover)
				Expect(res.APIVersion).To(Equal(clover))
				Expect(res).To(HaveViolationOf("json.syntax"))
			})
		})
	}

	It("refuses a version WithAPIVersion names that is not embedded, naming the embedded ones", func() {
		_, err := validators.New(validators.WithAPIVersion("2024-06-20"))
		Expect(err).To(MatchError(`validators: API version "2024-06-20" is not embedded (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia)`))
	})

	It("lists the embedded versions, and describes the default one's rules", func() {
		v, err := validators.New(validators.WithAPIVersion(clover))
		Expect(err).NotTo(HaveOccurred())
		Expect(v.APIVersions()).To(Equal([]string{basil, clover, dahlia}))
		Expect(v.APIVersion()).To(Equal(clover))
		_, ok := v.Rule("invoice_payment.payment.payment_record.expandable")
		Expect(ok).To(BeFalse(), "clover has no payment_record reference")
		_, ok = validator.Rule("invoice_payment.payment.payment_record.expandable")
		Expect(ok).To(BeTrue())
		_, ok = v.Rule(validators.RuleVersionNotEmbedded)
		Expect(ok).To(BeTrue())
		Expect(v.VersionFor(dahlia)).To(Equal(clover))
		Expect(validator.VersionFor(basil)).To(Equal(basil))
		Expect(validator.VersionFor("2024-06-20")).To(Equal(dahlia))
	})
})
