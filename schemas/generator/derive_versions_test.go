package generator_test

import (
	"bytes"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
	"github.com/stripe-contract/stripe-contract/validators"
)

// compileRequests compiles the request file with jsonschema/v5 itself:
// package request reads only the embedded files (request.New takes no
// files of another version yet).
func compileRequests(files map[string][]byte) {
	GinkgoHelper()
	id := fileOf(files, schemas.RequestFile)["$id"].(string)
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	Expect(c.AddResource(id, bytes.NewReader(files[schemas.RequestFile]))).To(Succeed())
	_, err := c.Compile(id)
	Expect(err).NotTo(HaveOccurred())
}

var _ = DescribeTable("Derive at every embedded API version",
	func(apiVersion string, facts func(files map[string][]byte, v *validators.Validator)) {
		vs := specsOf(apiVersion)
		res, err := generator.Derive(vs.GA, vs.GAOrigin, generator.WithPreviewSpec(vs.Preview))
		Expect(err).NotTo(HaveOccurred())
		Expect(res.APIVersion).To(Equal(apiVersion))

		// Checked against the committed expectation, which lists exactly
		// what was found: nothing new unrecorded, nothing lost.
		Expect(res.Checked).To(BeTrue(), "no expectation committed for %s", apiVersion)
		Expect(res.Notices).To(BeEmpty())
		want, err := generator.CommittedExpectation(apiVersion)
		Expect(err).NotTo(HaveOccurred())
		Expect(want).NotTo(BeNil())
		Expect(res.Prose).To(Equal(want.Rules))

		names := make([]string, 0, len(res.Files))
		for name := range res.Files {
			names = append(names, name)
		}
		Expect(names).To(ContainElements(append(schemas.EnvelopeFiles(), schemas.InvoicePaymentFile, schemas.IndexFile, schemas.RequestFile)))
		fsys := fstest.MapFS{}
		for name, b := range res.Files {
			Expect(fileOf(res.Files, name)["x-stripe-api-version"]).To(Equal(apiVersion), "%s", name)
			fsys[name] = &fstest.MapFile{Data: b}
		}
		// The response files compile as package validators loads them.
		v, err := validators.New(validators.WithSchemas(fsys))
		Expect(err).NotTo(HaveOccurred())
		Expect(v.APIVersion()).To(Equal(apiVersion))
		compileRequests(res.Files)

		facts(res.Files, v)
	},
	Entry("2025-05-28.basil: its invoice payment event is invoice.payment.paid", "2025-05-28.basil", func(files map[string][]byte, _ *validators.Validator) {
		Expect(eventTypes(files)).To(ContainElement("invoice.payment.paid"))
		Expect(eventTypes(files)).NotTo(ContainElement("invoice_payment.paid"))
		Expect(carried(files, "invoice.payment.paid")).To(Equal([]any{"invoice_payment"}))
		rule := at(fileOf(files, generator.EventFile), "x-rule-definitions", "event.type.enum")
		Expect(rule["doc"]).To(ContainSubstring("The event types of API version 2025-05-28.basil"))
		Expect(rule["severity"]).To(Equal("warning"))
		Expect(paymentTypes(files)).To(Equal([]any{"charge", "payment_intent"}))
	}),
	Entry("2025-09-30.clover: payment.type has no payment_record", "2025-09-30.clover", func(files map[string][]byte, v *validators.Validator) {
		Expect(paymentTypes(files)).To(Equal([]any{"charge", "payment_intent"}))
		Expect(eventTypes(files)).To(ContainElement("invoice_payment.paid"))
		Expect(carried(files, "invoice_payment.paid")).To(Equal([]any{"invoice_payment"}))
		got := v.Validate([]byte(`{"object":"invoice_payment","id":"inpay_1","payment":{"type":"payment_record","payment_record":"pr_1"}}`))
		Expect(got.Violations).To(ContainElement(And(
			HaveField("Rule", "invoice_payment.payment.type.enum"),
			HaveField("Pointer", "/payment/type"))))
	}),
	Entry("2026-08-26.dahlia: payment_record is a payment type", "2026-08-26.dahlia", func(files map[string][]byte, v *validators.Validator) {
		Expect(paymentTypes(files)).To(ContainElement("payment_record"))
		Expect(eventTypes(files)).To(ContainElement("invoice_payment.paid"))
		got := v.Validate([]byte(`{"object":"invoice_payment","id":"inpay_1","payment":{"type":"payment_record","payment_record":"pr_1"}}`))
		Expect(got.Violations).NotTo(ContainElement(HaveField("Rule", "invoice_payment.payment.type.enum")))
	}),
)
