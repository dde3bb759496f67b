package webhook

import "github.com/stripe-contract/stripe-contract/validators"

// RuleDelivery names, in reports, a delivery the endpoint did not accept:
// no answer, an answer that is not 2xx, or no answer within the timeout.
const RuleDelivery = "webhook.delivery"

// Rules are the rules a webhook replay checks itself, for the rule
// catalogue; a delivery's payload breaks the validators' rules.
func Rules() []validators.Rule {
	return []validators.Rule{{
		ID: RuleDelivery, Severity: validators.Error, Aspect: "delivery", Check: "go",
		Summary: "the endpoint answers each replayed delivery with a 2xx status within the timeout, without a redirect",
		Doc:     "Your endpoint must quickly return a successful status code (2xx) prior to any complex logic that could cause a timeout.",
		Source:  "https://docs.stripe.com/webhooks#acknowledge-events-immediately",
	}}
}
