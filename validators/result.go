package validators

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// Severity says how much a violation matters. Only errors make a document
// invalid.
type Severity int

// Severities, most severe first.
const (
	Error Severity = iota
	Warning
	Notice
)

var severityNames = [...]string{Error: "error", Warning: "warning", Notice: "notice"}

// String returns "error", "warning" or "notice".
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "Severity(" + strconv.Itoa(int(s)) + ")"
	}
	return severityNames[s]
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	sev, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = sev
	return nil
}

// ParseSeverity reads "error", "warning" or "notice".
func ParseSeverity(name string) (Severity, error) {
	i := slices.Index(severityNames[:], name)
	if i < 0 {
		return 0, fmt.Errorf("unknown severity %q (want error, warning or notice)", name)
	}
	return Severity(i), nil
}

// Kind is what a document is, recognised from its "object" field.
type Kind string

// Kinds this package names; every other resource's kind is its name.
const (
	KindInvoicePayment Kind = "invoice_payment" // an invoice_payment
	KindInvoice        Kind = "invoice"         // an invoice
	KindList           Kind = "list"            // a list of any resource
	KindSearchResult   Kind = "search_result"   // a page of search results
	KindEvent          Kind = "event"           // an event of any type
	KindError          Kind = "error"           // a Stripe error envelope
	KindUnknown        Kind = "unknown"         // not JSON, or no resource the version has
)

// Violation is one broken rule at one place in a document.
type Violation struct {
	Rule     string   // stable rule ID, e.g. "invoice_payment.amount_paid.null-unless-paid"
	Pointer  string   // RFC 6901 JSON pointer to the offending value ("" is the whole document)
	Message  string   // what was found and what the rule expects, for a person
	Severity Severity // error, warning or notice
	Doc      string   // the documentation text the rule comes from
}

// String formats the violation as "pointer: message [rule]".
func (v Violation) String() string {
	return fmt.Sprintf("%s: %s [%s]", DisplayPointer(v.Pointer), v.Message, v.Rule)
}

// DisplayPointer shows a pointer for people: the empty pointer, which means
// the whole document, is shown as "(document)".
func DisplayPointer(p string) string {
	if p == "" {
		return "(document)"
	}
	return p
}

// Result is the outcome of validating one document.
type Result struct {
	Kind Kind
	// APIVersion is the Stripe API version whose contract judged the
	// document (see Validator.Validate for how it is chosen).
	APIVersion string
	Violations []Violation
}

// Valid reports whether the document has no error-severity violation.
func (r Result) Valid() bool {
	for _, v := range r.Violations {
		if v.Severity == Error {
			return false
		}
	}
	return true
}

// sortViolations orders violations by where they are, then by rule, and
// drops exact repeats (one rule can fail at one place through two branches).
func sortViolations(vs []Violation) []Violation {
	slices.SortFunc(vs, func(a, b Violation) int {
		if c := pointer.Compare(a.Pointer, b.Pointer); c != 0 {
			return c
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return slices.CompactFunc(vs, func(a, b Violation) bool {
		return a.Pointer == b.Pointer && a.Rule == b.Rule
	})
}
