// Package request checks HTTP requests to the invoice payment API against
// the request contract in package schemas (schemas.RequestFile): the query
// parameters the OpenAPI spec documents for GET /v1/invoice_payments,
// GET /v1/invoice_payments/{invoice_payment}, GET /v1/invoices/{invoice} and
// GET /v1/events/{id}, with the rules the reference states in prose (limit
// between 1 and 100, the two pagination cursors not both given) and expand[]
// restricted to the fields the response can expand.
//
// A Checker decodes the form-encoded query into the spec's deepObject shape
// (payment[type]=x is {"payment":{"type":"x"}}, expand[]=a and expand[0]=a
// are {"expand":["a"]}, created[gte]=1 is {"created":{"gte":1}}), validates
// it with the compiled schema, and reports each broken rule as a
// validators.Violation with its rule ID and a pointer such as /query/limit:
//
//	c, err := request.New()
//	if err != nil { ... }
//	for _, v := range c.Check(r) {
//		fmt.Println(v.Pointer, v.Rule, v.Message)
//	}
//	status, body := c.ErrorResponse(violations) // the 400 the API would send
//
// Requests to other endpoints are not its business: Check returns nil.
package request
