// Package cassettes holds the bundled go-vcr v4 cassettes of the invoice
// payment API and of a whole-API flow (the flow_* files: customers,
// PaymentIntents, charges, invoices, a subscription, events of several
// types), as bytes and nothing else.
//
// Each cassette says where it came from in the comments at its top, and
// its folder says it too:
//
//   - stripe-mock/ holds interactions recorded through this project's
//     recorder (recorder.NewProxy) from the real stripe-mock, pinned in
//     go.mod and run with go tool stripe-mock, started with fixtures
//     written from the API reference;
//   - docs/ holds interactions written from the API reference where
//     stripe-mock cannot produce them (a second page of a list, a 404 for
//     a missing object, a webhook delivery).
//
// None was recorded from the live Stripe API; no Stripe account was used.
// Every JSON body keeps the contract, the flow's customers, charges, events
// and lists as much as the invoice payments (the generator checks each
// payload as it records it). The cassette that deliberately breaks the
// contract, recorded from stripe-mock's own placeholder fixtures, is
// recorder/testdata/violations/stripe-mock-builtin-fixtures.violations.yaml.
//
// The cassettes are generated: go generate ./cassettes (see generate/),
// and a test fails when they drift from what the generator produces.
package cassettes

import "embed"

//go:generate go run ./generate -out . -violations ../recorder/testdata/violations

// FS holds the bundled cassettes: stripe-mock/*.yaml and docs/*.yaml.
//
//go:embed stripe-mock/*.yaml docs/*.yaml
var FS embed.FS
