package validators_test

import (
	"fmt"

	"github.com/stripe-contract/stripe-contract/validators"
)

func Example() {
	v, err := validators.New()
	if err != nil {
		panic(err)
	}
	payload := []byte(`{
	  "id": "inpay_1QExampleOpen00001", "object": "invoice_payment",
	  "amount_paid": 2000, "amount_requested": 2000, "created": 1760000000, "currency": "usd",
	  "invoice": "in_1QExampleInvoice0004", "is_default": true, "livemode": false,
	  "payment": {"type": "payment_intent", "payment_intent": "pi_3QExample"},
	  "status": "open", "status_transitions": {"canceled_at": null, "paid_at": null}
	}`)
	res := v.Validate(payload)
	fmt.Println(res.Kind, "valid:", res.Valid())
	for _, viol := range res.Violations {
		fmt.Println(viol.Severity, viol.Rule)
		fmt.Println(" ", viol.Pointer+":", viol.Message)
	}
	// Output:
	// invoice_payment valid: false
	// error invoice_payment.amount_paid.null-unless-paid
	//   /amount_paid: is 2000 but status is "open"; amount_paid is null until the payment is paid, and set once it is
}

func ExampleWithStrict() {
	strict, err := validators.New(validators.WithStrict(true))
	if err != nil {
		panic(err)
	}
	res := strict.Validate([]byte(`{"error": {"type": "invalid_request_error", "message": "No such invoice payment", "new_field": 1}}`))
	fmt.Println(res.Kind, "valid:", res.Valid())
	fmt.Println(res.Violations[0])
	// Output:
	// error valid: false
	// /error/new_field: is not a documented field; error carries only documented fields (Stripe may add fields without notice: a notice by default, an error in strict mode) [error.undocumented-field]
}

func ExampleValidator_Rule() {
	v, _ := validators.New()
	r, _ := v.Rule("invoice_payment.status.enum")
	fmt.Println(r.Summary)
	fmt.Println(r.Doc)
	// Output:
	// status is one of "open", "paid", "canceled"
	// The status of the payment, one of `open`, `paid`, or `canceled`.
}

// An event is judged at its own api_version; WithAPIVersion judges every
// document at one version instead. Payment records as a payment type are
// new in 2026-08-26.dahlia.
func ExampleWithAPIVersion() {
	event := []byte(`{
	  "id": "evt_1QExample", "object": "event", "api_version": "2025-09-30.clover", "created": 1760003700,
	  "livemode": false, "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
	  "type": "invoice_payment.paid",
	  "data": {"object": {
	    "id": "inpay_1QExample", "object": "invoice_payment",
	    "amount_paid": 2000, "amount_requested": 2000, "created": 1760000000, "currency": "usd",
	    "invoice": "in_1QExample", "is_default": true, "livemode": false,
	    "payment": {"type": "payment_record", "payment_record": "pr_1QExample"},
	    "status": "paid", "status_transitions": {"canceled_at": null, "paid_at": 1760003600}
	  }}
	}`)
	byEvent, err := validators.New()
	if err != nil {
		panic(err)
	}
	res := byEvent.Validate(event)
	fmt.Println(res.APIVersion, "valid:", res.Valid())

	atDahlia, err := validators.New(validators.WithAPIVersion("2026-08-26.dahlia"))
	if err != nil {
		panic(err)
	}
	res = atDahlia.Validate(event)
	fmt.Println(res.APIVersion, "valid:", res.Valid())
	// Output:
	// 2025-09-30.clover valid: false
	// 2026-08-26.dahlia valid: true
}
