package sdk_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/suites/sdk"
)

// Types shaped as stripe-go writes them, small enough to read.
type transitions struct {
	PaidAt     int64  `json:"paid_at"`
	CanceledAt *int64 `json:"canceled_at"`
}

type ref struct {
	ID     string `json:"id"`
	Object string `json:"object"`
}

// UnmarshalJSON reads an expandable reference: an ID, or the object.
func (r *ref) UnmarshalJSON(b []byte) error {
	var id string
	if json.Unmarshal(b, &id) == nil {
		r.ID = id
		return nil
	}
	type plain ref
	return json.Unmarshal(b, (*plain)(r))
}

type resource struct {
	Raw string `json:"-"`
}

type payment struct {
	resource
	ID          string            `json:"id"`
	AmountPaid  int64             `json:"amount_paid"`
	Status      string            `json:"status"`
	Invoice     *ref              `json:"invoice"`
	Transitions *transitions      `json:"status_transitions"`
	Tags        []string          `json:"tags,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	Ratio       float64           `json:"ratio,omitempty"`
}

type meta struct {
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}

type paymentList struct {
	meta
	Data []*payment `json:"data"`
}

// decodeAndCompare decodes body into v as an SDK would, lets change alter
// the decoded value, and compares.
func decodeAndCompare(body string, v any, change func()) []sdk.Loss {
	Expect(json.Unmarshal([]byte(body), v)).To(Succeed())
	if change != nil {
		change()
	}
	losses, err := sdk.Compare([]byte(body), v)
	Expect(err).NotTo(HaveOccurred())
	return losses
}

var _ = Describe("Compare", func() {
	const clean = `{"id":"inpay_1","amount_paid":2000,"status":"paid","invoice":"in_1","status_transitions":{"paid_at":1760003600,"canceled_at":null},"tags":["a"],"metadata":{"k":"v"},"ratio":0.5}`

	It("finds nothing when every value is held as sent (a reference as an object with its ID, null in a pointer)", func() {
		Expect(decodeAndCompare(clean, &payment{}, nil)).To(BeEmpty())
	})

	It("reports a null read as zero, naming the field by its Go path and the JSON pointer", func() {
		losses := decodeAndCompare(`{"id":"inpay_1","amount_paid":null,"status":"open","invoice":"in_1","status_transitions":{"paid_at":null,"canceled_at":null}}`, &payment{}, nil)
		Expect(losses).To(ConsistOf(
			sdk.Loss{Kind: sdk.NullAsZero, Where: "payment.AmountPaid", Pointer: "/amount_paid", Recorded: "null", Decoded: "0"},
			sdk.Loss{Kind: sdk.NullAsZero, Where: "payment.Transitions.PaidAt", Pointer: "/status_transitions/paid_at", Recorded: "null", Decoded: "0"},
		))
		Expect(losses[0].String()).To(Equal("sdk.null-as-zero: payment.AmountPaid at /amount_paid: recorded null, decoded 0"))
	})

	It("reports a member without a field, and one the type requires but the JSON lacks", func() {
		losses := decodeAndCompare(`{"id":"inpay_1","amount_paid":1,"invoice":"in_1","status_transitions":{"paid_at":1,"canceled_at":null},"new_field":{"x":1}}`, &payment{}, nil)
		Expect(losses).To(ConsistOf(
			sdk.Loss{Kind: sdk.NoField, Where: `payment["new_field"]`, Pointer: "/new_field", Recorded: `{"x":1}`},
			sdk.Loss{Kind: sdk.AbsentAsZero, Where: "payment.Status", Pointer: "/status", Recorded: "(absent)", Decoded: `""`},
		))
	})

	DescribeTable("reports a value the SDK holds differently",
		func(change func(p *payment), where string) {
			p := &payment{}
			losses := decodeAndCompare(clean, p, func() { change(p) })
			Expect(losses).To(HaveLen(1))
			Expect(losses[0].Kind).To(Equal(sdk.ValueChanged))
			Expect(losses[0].Where).To(Equal(where))
		},
		Entry("an integer", func(p *payment) { p.AmountPaid = 1999 }, "payment.AmountPaid"),
		Entry("a string", func(p *payment) { p.Status = "open" }, "payment.Status"),
		Entry("a float", func(p *payment) { p.Ratio = 0.25 }, "payment.Ratio"),
		Entry("a reference's ID", func(p *payment) { p.Invoice.ID = "in_2" }, "payment.Invoice"),
		Entry("a pointer left nil", func(p *payment) { p.Transitions = nil }, "payment.Transitions"),
		Entry("a list cut short", func(p *payment) { p.Tags = nil }, "payment.Tags"),
		Entry("a map entry", func(p *payment) { p.Metadata["k"] = "w" }, `payment.Metadata["k"]`),
	)

	It("names a list's items from their own type, and walks embedded structs", func() {
		losses := decodeAndCompare(`{"object":"list","has_more":false,"url":"/v1/x","data":[{"id":"a","amount_paid":null,"status":"open","invoice":"in_1","status_transitions":{"paid_at":null,"canceled_at":null}}]}`, &paymentList{}, nil)
		Expect(losses).To(ConsistOf(
			sdk.Loss{Kind: sdk.NoField, Where: `paymentList["object"]`, Pointer: "/object", Recorded: `"list"`},
			sdk.Loss{Kind: sdk.NullAsZero, Where: "payment.AmountPaid", Pointer: "/data/0/amount_paid", Recorded: "null", Decoded: "0"},
			sdk.Loss{Kind: sdk.NullAsZero, Where: "payment.Transitions.PaidAt", Pointer: "/data/0/status_transitions/paid_at", Recorded: "null", Decoded: "0"},
		))
	})

	It("reports an expanded object held as a string", func() {
		var v struct {
			Invoice string `json:"invoice"`
		}
		losses, err := sdk.Compare([]byte(`{"invoice":{"id":"in_1","object":"invoice"}}`), &v)
		Expect(err).NotTo(HaveOccurred())
		Expect(losses).To(ConsistOf(HaveField("Kind", sdk.ValueChanged)))
	})

	It("matches members to fields ignoring case, as encoding/json does", func() {
		var v struct {
			Name string `json:"name"`
		}
		Expect(decodeAndCompare(`{"NAME":"x"}`, &v, nil)).To(BeEmpty())
	})

	It("escapes JSON pointers", func() {
		var v struct{}
		losses, err := sdk.Compare([]byte(`{"a/b~c":1}`), &v)
		Expect(err).NotTo(HaveOccurred())
		Expect(losses[0].Pointer).To(Equal("/a~1b~0c"))
	})

	It("says when the recorded body is not JSON", func() {
		_, err := sdk.Compare([]byte(`{"id":`), &payment{})
		Expect(err).To(MatchError(ContainSubstring("recorded body")))
	})
})

var _ = Describe("findings", func() {
	It("reads a findings file and matches exact places and .* prefixes", func() {
		fs, err := sdk.ParseFindings([]byte("- kind: sdk.null-as-zero\n  where: P.AmountPaid\n  explanation: null is 0\n- kind: sdk.null-as-zero\n  where: P.Invoice.*\n  explanation: >-\n    the expanded\n    invoice\n"))
		Expect(err).NotTo(HaveOccurred())
		Expect(fs).To(HaveLen(2))
		Expect(fs[1].Explanation).To(Equal("the expanded invoice"))
		Expect(fs[1].Line).To(Equal(4))
		Expect(fs[0].Name()).To(Equal("sdk.null-as-zero: P.AmountPaid"))
		Expect(fs[1].Matches(sdk.Loss{Kind: sdk.NullAsZero, Where: "P.Invoice.Number"})).To(BeTrue())
		Expect(fs[1].Matches(sdk.Loss{Kind: sdk.NullAsZero, Where: `P.Invoice["x"]`})).To(BeTrue())
		Expect(fs[1].Matches(sdk.Loss{Kind: sdk.NullAsZero, Where: "P.InvoiceNumber"})).To(BeFalse())
		Expect(fs[1].Matches(sdk.Loss{Kind: sdk.NoField, Where: "P.Invoice.Number"})).To(BeFalse())
	})

	DescribeTable("refuses a malformed file, naming the line",
		func(yaml, message string) {
			_, err := sdk.ParseFindings([]byte(yaml))
			Expect(err).To(MatchError(message))
		},
		Entry("an unknown kind", "- kind: sdk.oops\n  where: A\n  explanation: x\n", "line 1: kind \"sdk.oops\": want one of [sdk.null-as-zero sdk.absent-as-zero sdk.no-field sdk.value-changed]"),
		Entry("no explanation", "- kind: sdk.no-field\n  where: A\n", "line 1: sdk.no-field: A: explanation is missing: say what is lost"),
		Entry("no where", "- kind: sdk.no-field\n  explanation: x\n", "line 1: sdk.no-field: where is missing"),
		Entry("an unknown key", "- kind: sdk.no-field\n  wher: A\n", "line 2: unknown key \"wher\" (want kind, where, explanation)"),
		Entry("a duplicate", "- {kind: sdk.no-field, where: A, explanation: x}\n- {kind: sdk.no-field, where: A, explanation: y}\n", "line 2: sdk.no-field: A is already listed at line 1"),
		Entry("not a list", "kind: sdk.no-field\n", "line 1: want a list of findings (- kind: ..., where: ..., explanation: ...)"),
	)

	It("reconciles: exact places win over .* ones, unlisted losses and findings that no longer occur stand out", func() {
		known := []sdk.Finding{
			{Kind: sdk.NullAsZero, Where: "P.*"},
			{Kind: sdk.NullAsZero, Where: "P.AmountPaid"},
			{Kind: sdk.NoField, Where: `P["gone"]`},
		}
		losses := []sdk.Loss{
			{Kind: sdk.NullAsZero, Where: "P.AmountPaid"},
			{Kind: sdk.NullAsZero, Where: "P.PaidAt"},
			{Kind: sdk.ValueChanged, Where: "P.Status"},
		}
		occ, unlisted := sdk.Reconcile(known, losses)
		Expect(occ).To(Equal([][]int{{1}, {0}, nil}))
		Expect(unlisted).To(Equal([]int{2}))
	})
})
