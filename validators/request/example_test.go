package request_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/stripe-contract/stripe-contract/validators/request"
)

func Example() {
	c, err := request.New()
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("GET", "/v1/invoice_payments?limit=0&payment[payment_intent]=pi_123", nil)
	violations := c.Check(r)
	for _, v := range violations {
		fmt.Println(v.Pointer, v.Rule)
	}
	status, body := c.ErrorResponse(violations)
	fmt.Println(status, string(body))
	// Output:
	// /query/limit request.invoice_payments.list.limit.range
	// /query/payment/type request.invoice_payments.list.payment.type.required
	// 400 {"error":{"message":"limit is 0; limit is between 1 and 100","param":"limit","type":"invalid_request_error"}}
}
