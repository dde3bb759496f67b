package replay

import "github.com/stripe-contract/stripe-contract/validators"

// Where the pagination rules' doc text stands in the OpenAPI spec: the list
// endpoint's cursor parameters and its answer's has_more (a test checks that
// each Doc is the spec's text at its Source).
const (
	listOp           = "#/paths/~1v1~1invoice_payments/get"
	startingAfterDoc = "A cursor for use in pagination. `starting_after` is an object ID that defines your place in the list. For instance, if you make a list request and receive 100 objects, ending with `obj_foo`, your subsequent call can include `starting_after=obj_foo` in order to fetch the next page of the list."
	hasMoreDoc       = "True if this list has another page of items after this one that can be fetched."
	dataDoc          = "Details about each object."
	listBody         = listOp + "/responses/200/content/application~1json/schema/properties"
)

// recording is the source of the rules that hold a target to what a cassette
// recorded rather than to a sentence of the docs.
const recording = "the recorded interaction (go-vcr v4 cassette), /interactions/N/response"

// Rules are the rules the engine checks itself, for the rule catalogue:
// replay.* (the target's answer against the recorded one) and pagination.*
// (the walk of a list's pages, the target's and the recorded ones).
// Deviations found by the validators carry the validators' rules.
func Rules() []validators.Rule {
	same := func(id, aspect, summary, doc string) validators.Rule {
		return validators.Rule{ID: id, Severity: validators.Error, Aspect: aspect, Check: "go", Summary: summary, Doc: doc, Source: recording}
	}
	rules := []validators.Rule{
		same(RuleStatus, "status", "the target answers with the recorded HTTP status",
			"A replayed request is answered as the recording shows it was: the same HTTP status code, 2xx for success, 4xx for a request the API rejects."),
		same(RuleNoAnswer, "no-answer", "the target answers every replayed request",
			"Every recorded request was answered; a target that refuses the connection or does not answer within the timeout cannot keep the contract."),
		same(RuleMissingField, "missing-field", "every field of the recorded body is in the target's",
			"A field the recorded answer carries is part of what the API returned for this request; an answer without it loses it."),
		{ID: RuleExtraField, Severity: validators.Warning, Aspect: "extra-field", Check: "go",
			Summary: "the target's body has no field the recording lacks (a warning: Stripe adds fields without notice)",
			Doc:     "A field the recorded answer lacks was not part of what the API returned for this request; Stripe adds fields to answers without notice, so it is reported and never fails.",
			Source:  recording},
		same(RuleType, "json-type", "every value has the recorded JSON type (string, number, boolean, object, array)",
			"A value's JSON type is what clients decode it into; the recorded answer fixes it."),
		same(RuleNullness, "nullness", "a value is null exactly where the recorded one is",
			"Nullable fields say something by being null (amount_paid is null until the payment is paid); the recorded answer fixes which are."),
		same(RuleValue, "value", "every value equals the recorded one, except in fields listed as volatile (IDs, timestamps, URLs)",
			"A replayed request is answered with the values recorded for it; identifiers, timestamps and URLs differ from run to run and are not compared."),
		same(RuleLength, "length", "every array has the recorded length",
			"A list's data array holds the items the recorded answer held; more or fewer is another answer."),
		same(RuleNotJSON, "not-json", "the target answers with JSON where the recording has JSON",
			"The API answers with JSON bodies; a recorded JSON answer replayed as something else cannot be compared."),
	}
	walk := func(target, recorded, aspect, summary, doc, source string) []validators.Rule {
		return []validators.Rule{
			{ID: target, Severity: validators.Error, Aspect: aspect, Check: "go", Summary: "the target's pages: " + summary, Doc: doc, Source: source},
			{ID: recorded, Severity: validators.Error, Aspect: aspect, Check: "go", Summary: "the recorded pages: " + summary, Doc: doc, Source: source},
		}
	}
	rules = append(rules, walk(RulePaginationCursor, RuleRecordedCursor, "cursor",
		"each page's starting_after (ending_before) is the last (first) id of the page before it",
		startingAfterDoc, listOp+"/parameters/6/description")...)
	rules = append(rules, walk(RulePaginationHasMore, RuleRecordedHasMore, "has-more",
		"has_more is true exactly when the next page holds items",
		hasMoreDoc, listBody+"/has_more/description")...)
	rules = append(rules, walk(RulePaginationRepeated, RuleRecordedRepeated, "repeated-item",
		"no item is listed twice in one walk of a list",
		startingAfterDoc, listOp+"/parameters/6/description")...)
	rules = append(rules, walk(RulePaginationOrder, RuleRecordedOrder, "order",
		"a list runs from newest to oldest: no item is newer than the one before it",
		// The invoice_payments list states no order; the invoices list, whose
		// payments these are, states Stripe's.
		"The invoices are returned sorted by creation date, with the most recently created invoices appearing first.",
		"#/paths/~1v1~1invoices/get/description")...)
	rules = append(rules, validators.Rule{ID: RuleRecordedPageInvalid, Severity: validators.Error, Aspect: "page-invalid", Check: "go",
		Summary: "every recorded page keeps the contract (the page's own violations name their rules)",
		Doc:     dataDoc, Source: listBody + "/data/description"})
	return rules
}
