package cassette_test

import (
	"fmt"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder/cassette"
)

// Every webhook delivery among the bundled cassettes, with the line of the
// payload Stripe sent.
func Example() {
	files, err := cassette.Files(cassettes.FS)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		c, err := cassette.Load(cassettes.FS, f, cassette.DefaultMaxSize)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, i := range c.Interactions {
			if p := cassette.PayloadOf(i.Interaction); cassette.IsWebhookDelivery(i.Interaction) && p.IsJSON() {
				fmt.Printf("%s:%d (%s) %s\n", f, i.PayloadLine(), i.Label(), p.Pointer)
			}
		}
	}
	// Output:
	// docs/flow_webhook_charge_succeeded.yaml:21 (interaction 0: POST /webhooks/stripe) /request/body
	// docs/flow_webhook_customer_created.yaml:21 (interaction 0: POST /webhooks/stripe) /request/body
	// docs/webhook_invoice_payment_paid.yaml:21 (interaction 0: POST /webhooks/stripe) /request/body
}
