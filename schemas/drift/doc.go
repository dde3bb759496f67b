// Package drift compares the contracts of two Stripe API versions: what a
// consumer of responses and a client sending requests gain and lose when an
// account moves from one version to the other.
//
// A contract is what the generator derives from a version's spec: the
// generated schema files, the prose rules found in the docs, and the
// resource each event type carries. Comparing the generated files rather
// than the raw specs compares what validation enforces (the enums found in
// prose, the currency codes, the contract's scope), with the one walker the
// generator already has, instead of a second reading of the spec that would
// drift from the first.
//
// Everything is keyed by names: a resource by its name (the rule namespace
// and validators' kind: invoice_payment, list, event, request.<operation>),
// a field by the JSON pointer of its property names ("/payment/type"; "*"
// stands for an array's items), an event type by its name, a prose rule by
// its ID. Array positions in the spec or the files never take part, so a
// field moved within the spec is not a change.
//
// Usage:
//
//	from, err := drift.Load(ctx, "2025-09-30.clover")
//	to, err := drift.Load(ctx, "2026-08-26.dahlia")
//	r := drift.Compare(from, to)
//	r.WriteText(os.Stdout)
//
// Each Change says which side it concerns and whether it breaks that side's
// consumers, classified as oasdiff classifies the same change of an OpenAPI
// document (checker/rules.go of github.com/oasdiff/oasdiff): a change at
// level ERR or WARN is breaking, as `oasdiff breaking` reports both; the
// check each change follows is its Oasdiff field (see Kind).
package drift
