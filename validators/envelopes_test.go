package validators_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/validators"
	. "github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

var _ = DescribeTable("every envelope is recognised and checked, with pointers into it",
	func(doc map[string]any, kind validators.Kind, broken map[string]any, rule, pointer string) {
		res := validator.Validate(encode(doc))
		Expect(res.Kind).To(Equal(kind))
		Expect(res).To(BeClean())

		res = validator.Validate(encode(broken))
		Expect(res.Kind).To(Equal(kind))
		Expect(res.Valid()).To(BeFalse())
		Expect(res).To(HaveViolation(rule, pointer))
	},
	Entry("a bare invoice_payment", paidPI, validators.KindInvoicePayment,
		set(paidPI, "/amount_paid", nil), "invoice_payment.amount_paid.null-unless-paid", "/amount_paid"),
	Entry("a list of invoice_payments", list, validators.KindList,
		set(list, "/data/1/amount_paid", 1000), "invoice_payment.amount_paid.null-unless-paid", "/data/1/amount_paid"),
	Entry("a list without has_more", list, validators.KindList,
		without(list, "/has_more"), "list.has_more.required", "/has_more"),
	Entry("an invoice_payment.paid event", paidEvent, validators.KindEvent,
		set(paidEvent, "/data/object/amount_paid", nil), "invoice_payment.amount_paid.null-unless-paid", "/data/object/amount_paid"),
	Entry("an event whose data.object is another resource", paidEvent, validators.KindEvent,
		set(paidEvent, "/data/object/object", "charge"), "event.data.object.carries", "/data/object/object"),
	Entry("an event without pending_webhooks", paidEvent, validators.KindEvent,
		without(paidEvent, "/pending_webhooks"), "event.pending_webhooks.required", "/pending_webhooks"),
	Entry("an invoice carrying its payments", invoice, validators.KindInvoice,
		set(invoice, "/payments/data/0/payment/type", "card"), "invoice_payment.payment.type.enum", "/payments/data/0/payment/type"),
	Entry("an invoice whose payments is not a list", invoice, validators.KindInvoice,
		set(invoice, "/payments/object", "invoice_payment"), "invoice.payments.object.enum", "/payments/object"),
	Entry("a Stripe error envelope", notFound, validators.KindError,
		set(notFound, "/error/type", "not_found"), "error.error.type.enum", "/error/type"),
	Entry("an error envelope without its type", notFound, validators.KindError,
		without(notFound, "/error/type"), "error.error.type.required", "/error/type"),
)

var _ = Describe("an event without a usable type", func() {
	It("is still an invoice_payment event when its data.object says so", func() {
		res := validator.Validate(encode(without(paidEvent, "/type")))
		Expect(res.Kind).To(Equal(validators.KindEvent))
		Expect(res).To(HaveViolation("event.type.required", "/type"))
	})
	It("is checked against the resource its data.object names otherwise", func() {
		res := validator.Validate(encode(with(paidEvent, remove("/type"), setTo("/data/object", map[string]any{"object": "charge"}))))
		Expect(res.Kind).To(Equal(validators.KindEvent))
		Expect(res).To(HaveViolation("event.type.required", "/type"))
		Expect(res).To(HaveViolation("charge.id.required", "/data/object/id"))
	})
})

var _ = Describe("LineOf", func() {
	doc := []byte("{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [\n      1,\n      {\"d\": 2}\n    ]\n  }\n}\n")
	DescribeTable("finds the line where a value starts",
		func(pointer string, line int) { Expect(validators.LineOf(doc, pointer)).To(Equal(line)) },
		Entry("the document", "", 1),
		Entry("a member", "/a", 2),
		Entry("an object member", "/b", 3),
		Entry("an array", "/b/c", 4),
		Entry("an array item", "/b/c/0", 5),
		Entry("a nested member", "/b/c/1/d", 6),
		Entry("a missing member: its object's line", "/b/x", 3),
		Entry("a missing root member: the document's line", "/zz", 1),
	)
	It("survives malformed input", func() {
		Expect(validators.LineOf([]byte("{\n\"a\":\n"), "/a")).To(Equal(2))
		Expect(validators.LineOf(nil, "/a")).To(Equal(1))
	})
})
