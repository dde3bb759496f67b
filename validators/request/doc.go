// Package request checks HTTP requests to the Stripe API against the
// request contract in package schemas (schemas.RequestFile): the query
// parameters of every GET operation and the form parameters of every POST
// operation the OpenAPI spec documents, with the rules the reference states
// in prose (limit between 1 and 100, the two pagination cursors not both
// given, lowercase ISO currency codes) and expand[] restricted to the fields
// the response can expand.
//
// A Checker decodes the form-encoded query and body into the spec's
// deepObject shape (payment[type]=x is {"payment":{"type":"x"}}, expand[]=a
// and expand[0]=a are {"expand":["a"]}, created[gte]=1 is
// {"created":{"gte":1}}, metadata[k]=v is {"metadata":{"k":"v"}}), validates
// it with the operation's compiled schema, and reports each broken rule as a
// validators.Violation with its rule ID and a pointer such as /query/limit
// or /body/amount:
//
//	c, err := request.New()
//	if err != nil { ... }
//	for _, v := range c.Check(r) {
//		fmt.Println(v.Pointer, v.Rule, v.Message)
//	}
//	status, body := c.ErrorResponse(violations) // the 400 the API would send
//
// The contract covers hundreds of operations: New reads only their list,
// and an operation's subschema is compiled on the first request to it
// (CompileAll compiles them all). Requests to other endpoints, and DELETE
// requests, are not its business: Check returns nil.
package request
