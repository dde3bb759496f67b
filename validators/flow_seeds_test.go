package validators_test

import (
	"testing"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder/cassette"
)

// flowBodies are the JSON payloads of the bundled cassettes: the whole-API
// flow's customers (a deleted one too), PaymentIntents with an expanded
// charge, invoices with an expanded customer, a subscription, lists, a
// search result and events of several types, beside the invoice payments.
// They seed the fuzz targets with every kind the contract checks.
func flowBodies(tb testing.TB) [][]byte {
	tb.Helper()
	names, err := cassette.Files(cassettes.FS)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, name := range names {
		c, err := cassette.Load(cassettes.FS, name, 64<<20)
		if err != nil {
			tb.Fatal(err)
		}
		for _, i := range c.Interactions {
			if p := cassette.PayloadOf(i.Interaction); p.IsJSON() {
				out = append(out, []byte(p.Body))
			}
		}
	}
	if len(out) < 30 {
		tb.Fatalf("only %d payloads in the bundled cassettes", len(out))
	}
	return out
}
