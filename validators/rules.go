package validators

import (
	"fmt"
	"slices"
	"strings"
)

// Rule is one documented rule of the contract.
type Rule struct {
	ID       string
	Severity Severity // the default severity; strict mode raises undocumented fields to errors
	// Aspect is what of its subject the rule checks (AspectEnum,
	// AspectRequired, AspectUndocumentedField, ...), written by the
	// generator beside each derived rule: callers branch on it, never on
	// the ID's suffix.
	Aspect  string
	Check   string // "schema": a JSON Schema keyword checks it; "go": this package does
	Summary string // the rule in a sentence
	Doc     string // the documentation text the rule comes from
	Source  string // where Doc stands: a JSON pointer into the OpenAPI spec, or a reference
	File    string // the schema file that defines it; "" for rules about JSON itself
}

// Aspects of rules that callers branch on.
const (
	AspectEnum              = "enum"
	AspectRequired          = "required"
	AspectUndocumentedField = "undocumented-field"
	AspectUnknownParameter  = "unknown-parameter"
	AspectExclusive         = "exclusive"
	AspectExpandable        = "expandable"
)

// Rules checked by this package on every document, before or beside the schemas.
const (
	RuleSyntax       = "json.syntax"
	RuleInvalidUTF8  = "json.invalid-utf8"
	RuleDuplicateKey = "json.duplicate-key"
	RuleTooDeep      = "json.too-deep"
	RuleTooLarge     = "json.too-large"
	RuleIntegerForm  = "json.integer-form"
	RuleNumberRange  = "json.number-range"
	RuleUnknownKind  = "kind.unknown"
)

// Rules from the schema files' catalogues that JSON Schema cannot express and
// this package checks in Go (checks.go). New fails if the catalogues and
// this list disagree.
const (
	ruleAtMostRequested = "invoice_payment.amount_paid.at-most-requested"
	ruleInvoiceMatches  = "invoice.payments.invoice-matches"
)

var goRules = []string{ruleAtMostRequested, ruleInvoiceMatches}

// jsonRules are about the document as JSON text; their doc is the JSON RFC
// or, for the kinds, the API reference's own account of the resource.
var jsonRules = []Rule{
	{ID: RuleSyntax, Severity: Error, Check: "go", Aspect: "syntax",
		Summary: "a document is exactly one JSON value",
		Doc:     "A JSON text is a serialized value. NaN and Infinity are not JSON numbers; a truncated value is not a value.",
		Source:  "RFC 8259 section 2"},
	{ID: RuleInvalidUTF8, Severity: Error, Check: "go", Aspect: "invalid-utf8",
		Summary: "JSON text is UTF-8",
		Doc:     "JSON text exchanged between systems that are not part of a closed ecosystem MUST be encoded using UTF-8.",
		Source:  "RFC 8259 section 8.1"},
	{ID: RuleDuplicateKey, Severity: Error, Check: "go", Aspect: "duplicate-key",
		Summary: "the names within an object are unique",
		Doc:     "When the names within an object are not unique, the behavior of software that receives such an object is unpredictable. Many implementations report the last name/value pair only. Other implementations report an error or fail to parse the object, and some implementations report all of the name/value pairs, including duplicates.",
		Source:  "RFC 8259 section 4"},
	{ID: RuleTooDeep, Severity: Error, Check: "go", Aspect: "too-deep",
		Summary: "a document nests no deeper than the validator's limit",
		Doc:     "An implementation may set limits on the maximum depth of nesting.",
		Source:  "RFC 8259 section 9"},
	{ID: RuleTooLarge, Severity: Error, Check: "go", Aspect: "too-large",
		Summary: "a document is no larger than the validator's limit",
		Doc:     "An implementation may set limits on the size of texts that it accepts.",
		Source:  "RFC 8259 section 9"},
	{ID: RuleNumberRange, Severity: Error, Check: "go", Aspect: "number-range",
		Summary: "a number is within the range of a 64-bit float, with an exponent of at most 1000 and at most 1000 characters",
		Doc:     "This specification allows implementations to set limits on the range and precision of numbers accepted. A JSON number such as 1E400 or 3.141592653589793238462643383279 may indicate potential interoperability problems.",
		Source:  "RFC 8259 section 6"},
	{ID: RuleIntegerForm, Severity: Warning, Check: "go", Aspect: "integer-form",
		Summary: "an integer field is written as plain digits within the signed 64-bit range",
		Doc:     "Stripe's integer fields (amounts in the smallest currency unit, Unix timestamps) are 64-bit integers. JSON Schema counts 2000.0 and 2e3 as integers, but typed SDKs such as stripe-go decode these fields into int64 and reject such forms.",
		Source:  "RFC 8259 section 6 (\"This specification allows implementations to set limits on the range and precision of numbers accepted.\")"},
	{ID: RuleUnknownKind, Severity: Error, Check: "go", Aspect: "unknown",
		Summary: "a document is a resource of its API version, recognised by its object member (its deleted form when it says \"deleted\": true), a list, a search result, an event, or a Stripe error envelope",
		Doc:     "String representing the object's type. Objects of the same type share the same value.",
		Source:  "#/components/schemas/customer/properties/object/description"},
	versionRule,
	// The two rules below name failures of this package, not of a document:
	// they are listed so that a report that shows one can be looked up.
	{ID: RuleSchemaKeyword, Severity: Error, Check: "go", Aspect: "keyword",
		Summary: "every schema keyword a document fails names the rule it checks",
		Doc:     "Each keyword of the generated schemas carries the ID of its rule in x-rules; a failure of a keyword that names none comes from a hand-edited schema file, and is reported rather than dropped.",
		Source:  "schemas/<api-version>/*.schema.json, x-rules"},
	{ID: RuleInternal, Severity: Error, Check: "go", Aspect: "internal",
		Summary: "the validator applies the contract to every document without failing itself",
		Doc:     "A validator failure is a bug in stripe-contract, never a verdict on the document; fuzzing checks that it does not occur. Please report it with the document.",
		Source:  "stripe-contract (validators)"},
}

// checkGoRules makes one schema file's catalogue (rules, of file) and the
// Go checks agree: a rule it says Go checks must be checked here, and a
// rule checked here in the namespace of the file's resource must be in it
// (ruleAtMostRequested in invoice_payment's, ruleInvoiceMatches in
// invoice's).
func checkGoRules(file string, rules []Rule) error {
	var problems []string
	defined := map[string]Rule{} // of the rules goRules names: a catalogue holds thousands
	for _, r := range rules {
		if slices.Contains(goRules, r.ID) {
			defined[r.ID] = r
		}
		if r.Check == "go" && !slices.Contains(goRules, r.ID) {
			problems = append(problems, fmt.Sprintf("rule %s (%s) is for Go to check, and nothing here checks it", r.ID, file))
		}
	}
	for _, id := range goRules {
		if !strings.HasPrefix(id, strings.TrimSuffix(file, ".schema.json")+".") {
			continue
		}
		r, ok := defined[id]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("rule %s is checked in Go but %s does not define it", id, file))
		case r.Check != "go":
			problems = append(problems, fmt.Sprintf("rule %s is checked in Go but %s says %q", id, file, r.Check))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("schemas and validators disagree: %s", strings.Join(problems, "; "))
	}
	return nil
}
