// Package suites holds the contract suites: Ginkgo specs that replay every
// interaction of the bundled cassettes against a target and check its
// answers, one spec per interaction, with the engine of package
// suites/replay (the stripe-contract replay command is its other front
// door).
//
// Targets, each a container labelled with its name:
//
//   - replay: the cassettes served in process by recorder.NewServer;
//   - stripe-mock: the real stripe-mock pinned in go.mod, with its own
//     fixtures, started once per run on a free loopback port;
//   - live: Stripe's API in test mode, with STRIPE_API_KEY (sk_test_ or
//     rk_test_; live-mode keys are refused) and optionally STRIPE_API_BASE;
//     skipped without a key.
//
// go test ./suites runs them all; -ginkgo.label-filter=replay (or ginkgo
// --label-filter) or STRIPE_CONTRACT_TARGETS=replay,stripe-mock choose;
// an http(s) URL in STRIPE_CONTRACT_TARGETS adds a target at that URL.
//
// Known deviations of a target are in baselines/TARGET.json: reported (as
// report entries and on GinkgoWriter), not failing. A deviation not in the
// baseline fails its spec; a baseline entry that no longer occurs fails the
// target's baseline spec. Rewrite a baseline with
//
//	go run ./cmd/stripe-contract replay --target stripe-mock --cassettes cassettes/ --update-baseline suites/baselines/stripe-mock.json
package suites
