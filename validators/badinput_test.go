package validators_test

import (
	"bytes"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/validators"
	. "github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

var paidBytes = encode(paidPI)

// rawFails is a raw-bytes case: the document must be reported invalid,
// under rule, at pointer, with a message that contains fragment.
func rawFails(rule, description string, doc []byte, pointer, fragment string) TableEntry {
	cover(rule, "fail")
	return Entry(rule+": "+description, doc, rule, pointer, fragment)
}

var _ = DescribeTable("bad input is an invalid document, never a crash or a pass",
	func(doc []byte, rule, pointer, fragment string) {
		res := validator.Validate(doc)
		Expect(res.Valid()).To(BeFalse())
		Expect(res).To(HaveViolation(rule, pointer), "%s", res.Violations)
		if fragment != "" {
			Expect(res.Violations[0].Message).To(ContainSubstring(fragment))
		}
	},
	rawFails("json.syntax", "malformed", []byte(`{"id": }`), "/id", "missing value after object name"),
	rawFails("json.syntax", "truncated at the root", paidBytes[:len(paidBytes)/2], "", "truncated"),
	rawFails("json.syntax", "truncated inside payment", paidBytes[:bytes.Index(paidBytes, []byte(`"type":"payment_intent"`))+3], "/payment", "truncated"),
	rawFails("json.syntax", "NaN", []byte(`{"object":"invoice_payment","amount_paid":NaN}`), "/amount_paid", "invalid character 'N'"),
	rawFails("json.syntax", "Infinity", []byte(`{"object":"invoice_payment","amount_paid":Infinity}`), "/amount_paid", "invalid character 'I'"),
	rawFails("json.syntax", "-Infinity", []byte(`{"object":"invoice_payment","amount_paid":-Infinity}`), "/amount_paid", ""),
	rawFails("json.syntax", "empty", []byte(""), "", "is empty"),
	rawFails("json.syntax", "only white space", []byte(" \n\t "), "", "is empty"),
	rawFails("json.syntax", "two documents on one line", []byte(`{"object":"invoice_payment"} {}`), "", "more than one JSON value"),
	rawFails("json.syntax", "a byte order mark", append([]byte("\xef\xbb\xbf"), paidBytes...), "", ""),
	rawFails("json.syntax", "single quotes", []byte(`{'object':'invoice_payment'}`), "", ""),
	rawFails("json.syntax", "a trailing comma", []byte(`{"object":"invoice_payment",}`), "", ""),
	rawFails("json.syntax", "a raw control character in a string", []byte("{\"id\":\"in\x01pay\"}"), "/id", ""),
	rawFails("json.syntax", "a lone surrogate escape", []byte(`{"id":"\ud800"}`), "/id", ""),
	rawFails("json.invalid-utf8", "invalid UTF-8 in a value",
		bytes.Replace(paidBytes, []byte(`"inpay_1QExamplePaidPI0001"`), []byte("\"inpay_\xff\xfe\""), 1), "/id", "not UTF-8"),
	rawFails("json.invalid-utf8", "an overlong encoding", []byte("{\"object\":\"invoice_payment\",\"currency\":\"\xc0\xafsd\"}"), "/currency", ""),
	rawFails("json.duplicate-key", "a duplicate status",
		bytes.Replace(paidBytes, []byte(`"status":"paid"`), []byte(`"status":"open","status":"paid"`), 1), "/status", "duplicate key"),
	rawFails("json.duplicate-key", "a duplicate nested key",
		bytes.Replace(paidBytes, []byte(`"type":"payment_intent"`), []byte(`"type":"payment_intent","type":"charge"`), 1), "/payment/type", ""),
	rawFails("json.too-deep", "deep nesting",
		[]byte(`{"object":"invoice_payment","id":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`}`), "/id"+strings.Repeat("/0", validators.DefaultMaxDepth-1), "deeper than 512"),
	rawFails("json.number-range", "beyond a 64-bit float", []byte(`{"object":"invoice_payment","amount_requested":1e400}`), "/amount_requested", "beyond the range of a 64-bit floating-point number"),
	rawFails("json.number-range", "a huge exponent", []byte(`{"object":"invoice_payment","amount_requested":0e1000001}`), "/amount_requested", "exponent beyond"),
	rawFails("json.number-range", "a vast exponent", []byte(`{"object":"invoice_payment","amount_requested":1e-99999999999999999999}`), "/amount_requested", "exponent"),
	rawFails("json.number-range", "a very long number", []byte(`{"object":"invoice_payment","created":1`+strings.Repeat("0", 2000)+`}`), "/created", "2001 characters long"),
	rawFails("json.too-large", "a document over the size limit", bytes.Repeat([]byte(" "), validators.DefaultMaxSize+1), "", "over the"),

	// Values of the wrong form are schema violations, with the rule that says so.
	Entry("a number given as a string", bytes.Replace(paidBytes, []byte(`"amount_requested":2000`), []byte(`"amount_requested":"2000"`), 1),
		"invoice_payment.amount_requested.json-type", "/amount_requested", `is "2000", a string; amount_requested is an integer`),
	Entry("a float where an integer is required", bytes.Replace(paidBytes, []byte(`"amount_requested":2000`), []byte(`"amount_requested":2000.5`), 1),
		"invoice_payment.amount_requested.json-type", "/amount_requested", "is 2000.5, a number; amount_requested is an integer"),
	Entry("a boolean given as a string", bytes.Replace(paidBytes, []byte(`"livemode":false`), []byte(`"livemode":"false"`), 1),
		"invoice_payment.livemode.json-type", "/livemode", ""),
	Entry("an array at the root", []byte(`[{"object":"invoice_payment"}]`), "kind.unknown", "", `is [{"object":"invoice_payment"}], not an object`),
	Entry("a string at the root", []byte(`"invoice_payment"`), "kind.unknown", "", ""),
	Entry("null at the root", []byte(`null`), "kind.unknown", "", ""),
)

var _ = Describe("documents that parse", func() {
	for _, rule := range []string{"json.syntax", "json.invalid-utf8", "json.duplicate-key", "json.too-deep", "json.too-large", "json.number-range"} {
		cover(rule, "pass")
	}
	It("pass the JSON rules when they are well-formed", func() {
		res := validator.Validate(paidBytes)
		Expect(res).To(BeClean())
		Expect(res.Kind).To(Equal(validators.KindInvoicePayment))
	})

	It("accept UTF-8 beyond ASCII and escaped characters", func() {
		doc := bytes.Replace(paidBytes, []byte(`"inpay_1QExamplePaidPI0001"`), []byte(`"inpay_é€😀\u00e9\n"`), 1)
		Expect(validator.Validate(doc)).To(BeClean())
	})

	It("nest up to the depth limit", func() {
		// The root object and seven arrays: eight levels.
		limited := mustValidator(validators.WithMaxDepth(8))
		ok := []byte(`{"object":"list","data":[],"has_more":false,"url":"x","extra":[[[[[[[1]]]]]]]}`)
		Expect(limited.Validate(ok)).NotTo(HaveViolationOf("json.too-deep"))
		deeper := []byte(`{"object":"list","data":[],"has_more":false,"url":"x","extra":[[[[[[[[1]]]]]]]]}`)
		Expect(limited.Validate(deeper)).To(HaveViolationOf("json.too-deep"))
	})

	It("nest up to the JSON decoder's own limit when asked, and refuse a limit beyond it", func() {
		nested := func(levels int) []byte { // the root object, then arrays
			return []byte(`{"object":"list","data":[],"has_more":false,"url":"x","extra":` + strings.Repeat("[", levels-1) + strings.Repeat("]", levels-1) + `}`)
		}
		limited := mustValidator(validators.WithMaxDepth(validators.MaxDepthLimit))
		Expect(limited.Validate(nested(validators.MaxDepthLimit))).To(KeepTheContract())
		Expect(limited.Validate(nested(validators.MaxDepthLimit + 1))).To(HaveViolation("json.too-deep", "/extra"+strings.Repeat("/0", validators.MaxDepthLimit-1)))
		// The same pointer as below the decoder's limit: the first value too deep.
		Expect(mustValidator(validators.WithMaxDepth(8)).Validate(nested(9))).To(HaveViolation("json.too-deep", "/extra"+strings.Repeat("/0", 7)))

		_, err := validators.New(validators.WithMaxDepth(validators.MaxDepthLimit + 1))
		Expect(err).To(MatchError("validators: a depth limit of 10001 is over 10000, the JSON decoder's own"))
	})

	It("take no time over numbers that would cost exact arithmetic dearly", func() {
		doc := []byte(`{"object":"list","has_more":false,"url":"x","data":[` + strings.TrimSuffix(strings.Repeat(`1e300,`, 5000), ",") + `]}`)
		res := validator.Validate(doc)
		Expect(res.Violations).To(HaveLen(5000))
		Expect(res).To(HaveViolation("list.data.items.json-type", "/data/4999"))
		Expect(validator.Validate([]byte(`{"object":"invoice_payment","amount_requested":1e-400}`))).NotTo(HaveViolationOf("json.number-range"))
	})

	It("treat a size at the limit as acceptable", func() {
		limited := mustValidator(validators.WithMaxSize(len(paidBytes)))
		Expect(limited.Validate(paidBytes)).To(BeClean())
		Expect(limited.Validate(append(paidBytes, ' '))).To(HaveViolationOf("json.too-large"))
	})

	It("report an undocumented key with an escaped pointer", func() {
		doc := encode(with(paidPI, setTo("/a~1b", 1)))
		Expect(doc).To(ContainSubstring(`"a/b":1`))
		Expect(validator.Validate(doc)).To(HaveViolation("invoice_payment.undocumented-field", "/a~1b"))
		doc = encode(with(paidPI, setTo("/x y%", 1)))
		Expect(validator.Validate(doc)).To(HaveViolation("invoice_payment.undocumented-field", "/x y%"))
	})

	It("report a member named with the empty string at its own pointer", func() {
		// Found by the differential test: jsonschema/v5 reports such a member
		// at its object's location; RFC 6901 gives it "/error/".
		doc := []byte(`{"error":{"type":"api_error","":1}}`)
		for _, v := range []*validators.Validator{validator, mustValidator(validators.WithFastPath(false))} {
			Expect(v.Validate(doc).Violations).To(ConsistOf(SatisfyAll(
				HaveField("Rule", "error.undocumented-field"), HaveField("Pointer", "/error/"))))
		}
		Expect(validator.Validate([]byte(`{"error":{"type":"api_error"},"":{"":1}}`))).To(HaveViolation("error.undocumented-field", "/"))
	})

	It("give the same result every time", func() {
		doc := encode(with(openPayment, setTo("/amount_paid", 5), setTo("/currency", "EUR"), setTo("/x", 1), remove("/id")))
		first := validator.Validate(doc)
		for range 20 {
			Expect(validator.Validate(doc)).To(Equal(first))
		}
		Expect(first.Violations).To(HaveLen(4))
	})
})
