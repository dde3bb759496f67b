// Package validators checks Stripe payloads against the contract in package
// schemas: the JSON Schema files generated, for every resource and event
// type, from the Stripe OpenAPI spec and the API reference's prose, plus the
// few rules JSON Schema cannot state.
//
// A Validator recognises what it is given from its "object" field (any
// resource of the API version, its deleted form, a list or search result,
// an event, whose data.object is checked against the resource its type
// carries, or an error envelope; Result.Kind names it) and returns every
// violation with its rule ID, the RFC 6901 pointer of the offending value, a
// message, a severity and the documentation text the rule comes from:
//
//	v, err := validators.New()
//	if err != nil { ... }
//	res := v.Validate(payload)
//	for _, viol := range res.Violations {
//		fmt.Println(viol.Pointer, viol.Rule, viol.Message)
//	}
//
// Each document is judged at one embedded Stripe API version
// (Result.APIVersion): the one WithAPIVersion names; else an event's own
// api_version when embedded; else the Stripe-Version of the request it
// answers (ValidateRequested) when embedded; else the newest. A version
// named but not embedded is judged at the newest with a notice
// (RuleVersionNotEmbedded). Each resource's schema compiles the first time
// a document reaches it (a reference to another resource's file is followed
// lazily, lazyref.go), so a run pays for the resources it meets.
//
// Parsing is strict where parsers disagree: duplicate object keys, invalid
// UTF-8, NaN and trailing data are violations (json.* rules), never a crash
// or a silent pass. Undocumented fields are notices by default (Stripe adds
// fields without notice) and errors with WithStrict(true).
package validators
