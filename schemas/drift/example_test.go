package drift_test

import (
	"fmt"
	"os"

	"github.com/stripe-contract/stripe-contract/schemas/drift"
)

// Two versions of a one-field contract: the newer adds a value to the
// enum of payment.type, which code reading responses may not expect.
func ExampleCompare() {
	file := func(types string) []byte {
		return []byte(`{"type":"object","x-rules":{"type":"invoice_payment.json-type"},
			"x-rule-definitions":{"invoice_payment.json-type":{"aspect":"json-type"}},
			"properties":{"payment":{"type":"object","required":["type"],
				"properties":{"type":{"type":"string","enum":[` + types + `]}}}}}`)
	}
	from := &drift.Contract{APIVersion: "2025-09-30.clover", Files: map[string][]byte{"invoice_payment.schema.json": file(`"charge","payment_intent"`)}}
	to := &drift.Contract{APIVersion: "2026-08-26.dahlia", Files: map[string][]byte{"invoice_payment.schema.json": file(`"charge","payment_intent","payment_record"`)}}
	r, err := drift.Compare(from, to)
	if err != nil {
		fmt.Println(err)
		return
	}
	r.WriteJSON(os.Stdout)
	fmt.Println(r.Breaking(), "breaking")
	// Output:
	// {"resource":"invoice_payment","path":"/payment/type","change":"enum-value-added","value":"payment_record","breaking":true,"side":"response","oasdiff":"response-property-enum-value-added","from":"2025-09-30.clover","to":"2026-08-26.dahlia"}
	// 1 breaking
}
