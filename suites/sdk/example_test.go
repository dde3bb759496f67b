package sdk_test

import (
	"encoding/json"
	"fmt"

	"github.com/stripe-contract/stripe-contract/suites/sdk"
)

func ExampleCompare() {
	// An SDK type as stripe-go writes it: a nullable amount as an int64.
	type InvoicePayment struct {
		ID         string `json:"id"`
		AmountPaid int64  `json:"amount_paid"`
	}
	recorded := []byte(`{"id":"inpay_1","amount_paid":null,"status":"open"}`)
	var decoded InvoicePayment
	if err := json.Unmarshal(recorded, &decoded); err != nil {
		panic(err)
	}
	losses, err := sdk.Compare(recorded, &decoded)
	if err != nil {
		panic(err)
	}
	for _, l := range losses {
		fmt.Println(l)
	}
	// Output:
	// sdk.null-as-zero: InvoicePayment.AmountPaid at /amount_paid: recorded null, decoded 0
	// sdk.no-field: InvoicePayment["status"] at /status: recorded "open", no field to hold it
}
