package contractmatch_test

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	stripe "github.com/stripe/stripe-go/v85"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

// TestStripeGoKeepsTheContract is the README's "In your Go tests" example,
// as a user writes it: recorder.ForTest replays a bundled cassette (it
// would record it with STRIPE_API_KEY=sk_test_... were it missing, and
// fails in CI instead), stripe-go runs with retries off, and every
// response it decodes is asserted to keep the contract.
func TestStripeGoKeepsTheContract(t *testing.T) {
	g := NewWithT(t)
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		HTTPClient:        recorder.ForTest(t, "../../cassettes/stripe-mock/flow_customer_retrieve.yaml"),
		MaxNetworkRetries: stripe.Int64(0), // a miss fails at once, not after three tries
	})
	sc := stripe.NewClient(recorder.TestKey(), stripe.WithBackends(&stripe.Backends{API: backend}))

	customer, err := sc.V1Customers.Retrieve(context.Background(), "cus_QFlowCustomer001", nil)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(customer.LastResponse).To(contractmatch.KeepTheContract(contractmatch.Strict()))
}
