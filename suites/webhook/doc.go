// Package webhook replays recorded Stripe webhook deliveries to a user's
// endpoint and checks that it accepts them.
//
// A delivery is an interaction of a go-vcr cassette whose request is a POST
// carrying a Stripe-Signature header: the request Stripe sent to an endpoint
// (cassettes/docs/webhook_invoice_payment_paid.yaml). Load finds them; a
// Replayer POSTs each recorded body, with its recorded Content-Type, to the
// target URL (the whole URL: the recorded path is ignored), and checks the
// answer is 2xx. Each payload is validated with package validators too.
//
//	deliveries, err := webhook.Load(os.DirFS("cassettes"))
//	r, err := webhook.New("http://127.0.0.1:4242/webhook", webhook.WithSecret("whsec_..."))
//	for _, d := range deliveries {
//		out := r.Deliver(ctx, d)
//		if !out.OK() { fmt.Println(out.Err) }
//	}
//
// With a secret (WithSecret, which must start with whsec_, as the endpoint
// secrets Stripe issues do) each delivery is re-signed with a fresh
// Stripe-Signature, t=<now>,v1=<hex HMAC-SHA256 of "<t>.<payload>">, Stripe's
// scheme, so handlers that verify signatures (stripe-go's
// webhook.ConstructEvent, stripe-node's constructEvent, ...) accept it.
// Without one the recorded header is dropped, since recordings hold a
// redacted or foreign signature that no handler would accept, and the
// deliveries go unsigned.
package webhook
