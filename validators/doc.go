// Package validators checks Stripe invoice_payment payloads against the
// contract in package schemas: the JSON Schema files generated from the
// Stripe OpenAPI spec and the API reference's prose, plus the few rules JSON
// Schema cannot state.
//
// A Validator recognises what it is given from its "object" field (an
// invoice_payment, a list of them, an event carrying one, an invoice with
// expanded payments, or an error envelope) and returns every violation
// with its rule ID, the RFC 6901 pointer of the offending value, a message,
// a severity and the documentation text the rule comes from:
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
// (RuleVersionNotEmbedded). Each version's schemas compile on first use.
//
// Parsing is strict where parsers disagree: duplicate object keys, invalid
// UTF-8, NaN and trailing data are violations (json.* rules), never a crash
// or a silent pass. Undocumented fields are notices by default (Stripe adds
// fields without notice) and errors with WithStrict(true).
package validators
