package report

import (
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// BenchmarkFormat formats, as JSON lines, a clean invoice_payment line's
// outcome and an invalid one's, with the violations the benchmark data's
// invalid lines get (messages quoting values and conditions).
func BenchmarkFormat(b *testing.B) {
	f, err := New("json", nil, Options{})
	if err != nil {
		b.Fatal(err)
	}
	doc := pipeline.Document{Source: "/work/main/validators/bench/data/payments-200000.ndjson", Line: 10}
	const summary = "; exactly one of charge, payment_intent, payment_record is set: the one payment.type names"
	invalid := validators.Result{Kind: validators.KindInvoicePayment, APIVersion: "2026-08-26.dahlia", Violations: []validators.Violation{
		{Rule: "invoice_payment.payment.reference-matches-type", Pointer: "/payment/charge", Message: `is missing but payment.type is "charge"` + summary, Severity: validators.Error},
		{Rule: "invoice_payment.payment.reference-matches-type", Pointer: "/payment/payment_intent", Message: `is "pi_Ll3gVND0r149TCNKl3L6AUe5" but payment.type is "charge"` + summary, Severity: validators.Error},
	}}
	for _, c := range []struct {
		name string
		res  validators.Result
	}{{"valid", validators.Result{Kind: validators.KindInvoicePayment, APIVersion: "2026-08-26.dahlia"}}, {"invalid", invalid}} {
		b.Run(c.name, func(b *testing.B) {
			o := &pipeline.Outcome{Doc: doc, Result: c.res}
			var dst []byte
			for range b.N {
				dst = f.Format(dst[:0], o)
			}
		})
	}
}
