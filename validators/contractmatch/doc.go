// Package contractmatch holds Gomega matchers that judge Stripe payloads by
// the contract: KeepTheContract passes when a payload has no error-severity
// violation, HaveViolation when it breaks one rule at one JSON pointer.
//
//	resp, err := client.Do(req)
//	Expect(err).NotTo(HaveOccurred())
//	Expect(resp).To(contractmatch.KeepTheContract())
//
//	customer, err := sc.V1Customers.Retrieve(ctx, "cus_1", nil)
//	Expect(customer.LastResponse).To(contractmatch.KeepTheContract(contractmatch.Strict()))
//
//	Expect(payload).To(contractmatch.HaveViolation("invoice_payment.amount_paid.null-unless-paid", "/amount_paid"))
//
// Both take what a test has at hand: the payload as []byte, string or
// json.RawMessage; an *http.Response, whose body is read and put back so
// that the test can read it after; stripe-go's *stripe.APIResponse (an
// object's LastResponse, whose RawJSON is the body), or any stripe-go
// object that carries one; or a validators.Result already computed, which
// is judged as it is. A response is judged at the API version its
// Stripe-Version header names, unless the payload names its own (events)
// or AtAPIVersion pins one.
//
// A failure lists every violation with its pointer, message, rule ID and
// the sentence of Stripe's documentation the rule comes from, secrets in
// quoted values redacted as the recorder redacts them.
package contractmatch
