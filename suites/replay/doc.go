// Package replay is the engine of the contract suites: it sends every
// request recorded in a set of go-vcr cassettes to a target (the in-process
// replay server, the real stripe-mock, Stripe's test mode, or any URL) and
// checks each answer against the recording and the contract.
//
// For each interaction it checks that the target answers:
//
//   - with the recorded HTTP status (replay.status);
//   - with a body valid under the schemas and invariants of package
//     validators (their own rule IDs);
//   - with a body structurally equal to the recorded one: the same fields,
//     JSON types, nullness and values (replay.body.*), except the values of
//     the fields listed in volatile.go, which differ by nature between
//     systems (IDs, timestamps, URLs);
//
// and, for lists walked with starting_after or ending_before, that the
// pagination contract holds on the recorded pages and on the target's
// (pagination.*): has_more consistent with the next page, no item
// repeated, cursors equal to the previous page's last (or first) id, order
// kept.
//
// Each finding is a Deviation naming the cassette, the interaction, a JSON
// pointer into it (/response/body/amount_paid, /response/code,
// /request/query/starting_after), the rule and a message. A Baseline holds
// the known deviations of a target; a Report judged against it says which
// deviations are new (they fail), which are known (reported), and which
// baseline entries no longer occur (stale: they fail too, so that the
// baseline keeps up with the target).
//
//	e, err := replay.New(cassettes.FS)
//	t, err := replay.Open(ctx, "stripe-mock", cassettes.FS, os.Getenv)
//	defer t.Close()
//	rep, err := e.Run(ctx, t)
//	base, err := replay.ReadBaseline("suites/baselines/stripe-mock.json")
//	verdict := rep.Judge(base)
//	if verdict.Failed() { ... verdict.New, verdict.Stale ... }
//
// The Ginkgo suites in package suites and the stripe-contract replay command
// are the two front doors to this one engine.
package replay
