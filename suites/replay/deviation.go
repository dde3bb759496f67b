package replay

import (
	"fmt"

	"github.com/stripe-contract/stripe-contract/validators"
)

// Rule IDs of the engine's own checks. Deviations found by the validators
// carry the validators' rule IDs (invoice_payment.status.enum, ...).
const (
	// RuleStatus: the target answered with another HTTP status than the
	// recorded one. Pointer /response/code.
	RuleStatus = "replay.status"
	// RuleNoAnswer: the target did not answer (connection refused, timeout).
	RuleNoAnswer = "replay.no-answer"
	// RuleMissingField: a field of the recorded body is absent.
	RuleMissingField = "replay.body.missing-field"
	// RuleExtraField: the target's body has a field the recording lacks.
	// A warning: Stripe adds fields without notice.
	RuleExtraField = "replay.body.extra-field"
	// RuleType: a value has another JSON type (string, number, boolean,
	// object, array) than the recorded one.
	RuleType = "replay.body.type"
	// RuleNullness: a value is null where the recorded one is not, or the
	// other way round.
	RuleNullness = "replay.body.nullness"
	// RuleValue: a value differs from the recorded one, in a field that is
	// not listed as volatile.
	RuleValue = "replay.body.value"
	// RuleLength: an array has another length than the recorded one.
	RuleLength = "replay.body.length"
	// RuleNotJSON: the recorded body is JSON and the target's is not (the
	// validators report why: json.syntax, ...), so nothing could be compared.
	RuleNotJSON = "replay.body.not-json"
	// RulePaginationHasMore: has_more disagrees with the next page: false
	// though the walk went on to a page with items, or true though the next
	// page is empty.
	RulePaginationHasMore = "pagination.has-more"
	// RulePaginationRepeated: an item already seen on an earlier page.
	RulePaginationRepeated = "pagination.repeated-item"
	// RulePaginationCursor: the page's starting_after (ending_before) is not
	// the last (first) id of the previous page.
	RulePaginationCursor = "pagination.cursor"
	// RulePaginationOrder: an item is newer than the one before it in the
	// walk (lists run from newest to oldest).
	RulePaginationOrder = "pagination.order"

	// The same checks over the recorded pages rather than the target's: a
	// cassette that breaks them was recorded wrong, or edited.
	RuleRecordedHasMore  = "pagination.recorded.has-more"
	RuleRecordedRepeated = "pagination.recorded.repeated-item"
	RuleRecordedCursor   = "pagination.recorded.cursor"
	RuleRecordedOrder    = "pagination.recorded.order"
	// RuleRecordedPageInvalid: a recorded page breaks the contract.
	RuleRecordedPageInvalid = "pagination.recorded.page-invalid"
)

// Deviation is one way a target's answer to one recorded interaction breaks
// the recording or the contract.
type Deviation struct {
	Cassette    string // the cassette, relative to the set's root: docs/list_two_pages.yaml
	Interaction int    // its index in the cassette: /interactions/N
	Method      string // the recorded request's method
	Path        string // its path and query
	// Pointer is an RFC 6901 pointer into the interaction:
	// /response/body/amount_paid, /response/code, /request/query/limit.
	Pointer  string
	Rule     string // stable rule ID: replay.status, pagination.cursor, invoice_payment.status.enum, ...
	Message  string // what was expected and what was found, for a person
	Severity validators.Severity
}

// Entry is the deviation as a baseline holds it: without its message, whose
// values may change from run to run.
func (d Deviation) Entry() Entry {
	return Entry{Cassette: d.Cassette, Interaction: d.Interaction, Rule: d.Rule, Pointer: d.Pointer}
}

// Source names the interaction: "docs/list_two_pages.yaml#1".
func (d Deviation) Source() string { return fmt.Sprintf("%s#%d", d.Cassette, d.Interaction) }

// String is "cassette#N (METHOD path): pointer: message [rule]".
func (d Deviation) String() string {
	return fmt.Sprintf("%s (%s %s): %s: %s [%s]", d.Source(), d.Method, d.Path, displayPointer(d.Pointer), d.Message, d.Rule)
}
