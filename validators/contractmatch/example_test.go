package contractmatch_test

import (
	"fmt"

	"github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

// A Gomega assertion on a payload that breaks the contract: the failure
// names the pointer, the message, the rule and the doc sentence. In a
// Ginkgo spec this is Expect(payload).To(contractmatch.KeepTheContract()).
func ExampleKeepTheContract() {
	g := gomega.NewGomega(func(message string, _ ...int) { fmt.Print(message) })
	payload := `{
	  "id": "inpay_1QExampleOpen00001", "object": "invoice_payment",
	  "amount_paid": 2000, "amount_requested": 2000, "created": 1760000000, "currency": "usd",
	  "invoice": "in_1QExampleInvoice0004", "is_default": true, "livemode": false,
	  "payment": {"type": "payment_intent", "payment_intent": "pi_3QExample"},
	  "status": "open", "status_transitions": {"canceled_at": null, "paid_at": null}
	}`
	g.Expect(payload).To(contractmatch.KeepTheContract())
	g.Expect(payload).To(contractmatch.HaveViolation("invoice_payment.amount_paid.null-unless-paid", "/amount_paid"))
	// Output:
	// Expected the payload (invoice_payment, judged at 2026-08-26.dahlia) to keep the contract, but it breaks 1 rule:
	//   error /amount_paid: is 2000 but status is "open"; amount_paid is null until the payment is paid, and set once it is [invoice_payment.amount_paid.null-unless-paid]
	//       doc: "This field is null until the payment is `paid`."
}
