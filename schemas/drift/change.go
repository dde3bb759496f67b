package drift

import (
	"cmp"
	"slices"
	"strings"
)

// Kind is what changed.
type Kind string

// The kinds of change, in the order a resource's changes are listed at one
// path. The oasdiff check each follows is classify's.
const (
	ResourceAdded     Kind = "resource-added"   // a resource (or request operation) the contract did not have
	ResourceRemoved   Kind = "resource-removed" // a resource (or request operation) the contract no longer has
	FieldAdded        Kind = "field-added"      // a field (a request parameter) that was not there
	FieldRemoved      Kind = "field-removed"    // a field (a request parameter) no longer there
	BecameRequired    Kind = "became-required"
	BecameOptional    Kind = "became-optional"
	BecameNullable    Kind = "became-nullable"
	BecameNonNullable Kind = "became-non-nullable"
	TypeChanged       Kind = "type-changed"       // Previous and Value list the types, "$ref:<resource>" for an expandable object
	EnumAdded         Kind = "enum-added"         // a field without an enum now has one: Value lists it
	EnumRemoved       Kind = "enum-removed"       // a field with an enum has none now: Previous lists it
	EnumValueAdded    Kind = "enum-value-added"   // Value is the value
	EnumValueRemoved  Kind = "enum-value-removed" // Value is the value
	MaxLengthChanged  Kind = "max-length-changed" // Previous and Value are the limits, "" for none
	EventAdded        Kind = "event-type-added"   // Value is the type; Carries what its data.object is
	EventRemoved      Kind = "event-type-removed"
	EventRenamed      Kind = "event-type-renamed" // Previous is the old name, Value the new
	ProseFound        Kind = "prose-rule-found"   // Rule is the rule's ID, Value its form
	ProseLost         Kind = "prose-rule-lost"
	ProseChanged      Kind = "prose-rule-changed" // Previous and Value are the forms
)

// kinds is the order of the kinds in a report.
var kinds = []Kind{
	ResourceAdded, ResourceRemoved, FieldAdded, FieldRemoved, BecameRequired, BecameOptional,
	BecameNullable, BecameNonNullable, TypeChanged, EnumAdded, EnumRemoved, EnumValueAdded, EnumValueRemoved,
	MaxLengthChanged, EventAdded, EventRemoved, EventRenamed, ProseFound, ProseLost, ProseChanged,
}

// Kinds lists every kind of change, in report order. Each call returns a
// new slice.
func Kinds() []Kind { return slices.Clone(kinds) }

// Side says whose code a change concerns.
type Side string

// The sides: code that reads what Stripe sends (responses, webhook events),
// code that sends requests, or both (a renamed event type: handlers keyed by
// the old name stop matching, and webhook endpoints enabling it are refused).
const (
	Response Side = "response"
	Request  Side = "request"
	Both     Side = "both"
)

// Change is one difference between two versions' contracts.
type Change struct {
	// Resource names what changed: a resource as validators name its kind
	// (invoice_payment, list, event, invoice, error) or a request operation
	// (request.invoice_payments.list).
	Resource string `json:"resource"`
	// Path is the JSON pointer of the field in the resource's documents
	// ("/payment/type", "*" for an array's items; for a request operation
	// "/query/status"), "" for the resource itself.
	Path string `json:"path"`
	// Kind is what changed.
	Kind Kind `json:"change"`
	// Value is what the newer version has: the value added or removed, the
	// new type, limit or form, the event type's new name.
	Value string `json:"value,omitempty"`
	// Previous is what the older version had, for a change of one thing
	// into another.
	Previous string `json:"previous,omitempty"`
	// Breaking says whether code written against the older version can
	// stop working under the newer one, on Side.
	Breaking bool `json:"breaking"`
	Side     Side `json:"side"`
	// Oasdiff is the oasdiff check (checker/rules.go) the classification
	// follows: that check's own ID where oasdiff has one for this change of
	// an OpenAPI document, otherwise the check whose reasoning applies (see
	// classify); "" where oasdiff reports nothing because nothing can break.
	Oasdiff string `json:"oasdiff,omitempty"`
	// Rule is the ID of the prose rule found, lost or changed.
	Rule string `json:"rule,omitempty"`
	// Carries lists the resources an event type's data.object is.
	Carries []string `json:"carries,omitempty"`
	// From and To are the API versions compared.
	From string `json:"from"`
	To   string `json:"to"`
}

// compareChanges orders changes by resource, path, kind (in the order of
// kinds), value and previous value: the same report for the same contracts.
func compareChanges(a, b Change) int {
	return cmp.Or(
		strings.Compare(a.Resource, b.Resource),
		strings.Compare(a.Path, b.Path),
		cmp.Compare(slices.Index(kinds, a.Kind), slices.Index(kinds, b.Kind)),
		strings.Compare(a.Rule, b.Rule),
		strings.Compare(a.Value, b.Value),
		strings.Compare(a.Previous, b.Previous),
	)
}

// level is oasdiff's: ERR (definitely breaking), WARN (potentially
// breaking: `oasdiff breaking` reports it too), INFO (not breaking).
type level int

const (
	info level = iota
	warn
	errLevel
)

// facts are what a change's classification depends on beyond its kind.
type facts struct {
	side     Side
	required bool // the field is required (in the version that has it, the older if both)
	nested   bool // a property inside a request parameter (payment[type]), not a parameter
	widened  bool // type-changed: the newer types include the older ones
	narrowed bool // type-changed: the older types include the newer ones
	raised   bool // max-length-changed: the limit is higher, or gone
	unset    bool // max-length-changed: the limit is gone
	set      bool // max-length-changed: a limit appears
}

// classify says which oasdiff check a change follows and at which level.
// The IDs and levels are those of oasdiff's checker/rules.go (github.com/
// oasdiff/oasdiff at 4553c69, August 2026). Where oasdiff has no check of
// its own, the reasoning of the nearest is followed and named:
//   - an event type is a value of the event envelope's type enum (responses)
//     and of enabled_events, a form property of POST /v1/webhook_endpoints
//     (requests): added, it is a response enum value added; removed, a
//     request property enum value removed; renamed, both;
//   - a prose rule found constrains what it describes, as a pattern added
//     (response-property-pattern-added, INFO; request-parameter-pattern-
//     added, ERR); lost, it is a guarantee withdrawn, as a limit unset
//     (response-property-max-length-unset, ERR; request-parameter-pattern-
//     removed, INFO); changed in form, it cannot be judged from words and
//     is WARN, the level oasdiff gives what "cannot be confirmed
//     programmatically" (docs/BREAKING-CHANGES.md): request-parameter-
//     pattern-changed for a request's; a response's names no check, since
//     oasdiff's response-property-pattern-changed is INFO;
//   - an enum that appears restricts the values as enum values removed
//     would, and one that disappears frees them as values added would.
func classify(k Kind, f facts) (string, level) {
	switch k {
	case EventAdded:
		return "response-property-enum-value-added", warn
	case EventRemoved, EventRenamed:
		return "request-property-enum-value-removed", errLevel
	}
	if f.side == Request {
		return classifyRequest(k, f)
	}
	switch k {
	case ResourceAdded:
		return "endpoint-added", info
	case ResourceRemoved:
		return "api-removed-without-deprecation", errLevel
	case FieldAdded:
		if f.required {
			return "response-required-property-added", info
		}
		return "response-optional-property-added", info
	case FieldRemoved:
		if f.required {
			return "response-required-property-removed", errLevel
		}
		return "response-optional-property-removed", warn
	case BecameRequired:
		return "response-property-became-required", info
	case BecameOptional:
		return "response-property-became-optional", errLevel
	case BecameNullable:
		return "response-property-became-nullable", errLevel
	case BecameNonNullable:
		return "response-property-became-not-nullable", info
	case TypeChanged:
		switch {
		case f.widened:
			return "response-property-type-generalized", errLevel
		case f.narrowed:
			return "response-property-type-specialized", info
		}
		return "response-property-type-changed", errLevel
	case EnumValueAdded, EnumRemoved:
		return "response-property-enum-value-added", warn
	case EnumValueRemoved, EnumAdded:
		return "", info
	case MaxLengthChanged:
		switch {
		case f.unset:
			return "response-property-max-length-unset", errLevel
		case f.raised:
			return "response-property-max-length-increased", errLevel
		}
		return "", info
	case ProseFound:
		return "response-property-pattern-added", info
	case ProseLost:
		return "response-property-max-length-unset", errLevel
	case ProseChanged:
		return "", warn
	}
	return "", info
}

// classifyRequest classifies a change of a request operation's parameters:
// oasdiff's request-parameter-* checks for a parameter, its
// request-parameter-property-* checks (and, where it has none, its
// request-property-* checks for body properties) for a property inside one.
func classifyRequest(k Kind, f facts) (string, level) {
	pick := func(param, property string) string {
		if f.nested {
			return property
		}
		return param
	}
	switch k {
	case ResourceAdded:
		return "endpoint-added", info
	case ResourceRemoved:
		return "api-removed-without-deprecation", errLevel
	case FieldAdded:
		if f.required {
			return pick("new-required-request-parameter", "new-required-request-property"), errLevel
		}
		return pick("new-optional-request-parameter", "new-optional-request-property"), info
	case FieldRemoved:
		return pick("request-parameter-removed", "request-property-removed"), warn
	case BecameRequired:
		return pick("request-parameter-became-required", "request-property-became-required"), errLevel
	case BecameOptional:
		return pick("request-parameter-became-optional", "request-property-became-optional"), info
	case BecameNullable:
		return pick("request-parameter-became-nullable", "request-parameter-property-became-nullable"), info
	case BecameNonNullable:
		return pick("request-parameter-became-not-nullable", "request-parameter-property-became-not-nullable"), errLevel
	case TypeChanged:
		switch {
		case f.widened:
			return pick("request-parameter-type-generalized", "request-parameter-property-type-generalized"), info
		case f.narrowed && f.nested:
			return "request-parameter-property-type-specialized", errLevel
		case f.nested:
			return "request-parameter-property-type-changed", warn
		}
		return "request-parameter-type-changed", errLevel
	case EnumValueAdded, EnumRemoved:
		return pick("request-parameter-enum-value-added", "request-parameter-property-enum-value-added"), info
	case EnumValueRemoved, EnumAdded:
		return pick("request-parameter-enum-value-removed", "request-parameter-property-enum-value-removed"), errLevel
	case MaxLengthChanged:
		switch {
		case f.set:
			return "request-parameter-max-length-set", warn
		case f.raised:
			return "request-parameter-max-length-increased", info
		}
		return "request-parameter-max-length-decreased", errLevel
	case ProseFound:
		return "request-parameter-pattern-added", errLevel
	case ProseLost:
		return "request-parameter-pattern-removed", info
	case ProseChanged:
		return "request-parameter-pattern-changed", warn
	}
	return "", info
}
