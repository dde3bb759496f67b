package sdk

import "github.com/stripe-contract/stripe-contract/validators"

// Rules are the kinds of loss, as rules for the rule catalogue: each Kind
// is the ID of the rule its findings break. A loss that findings.yaml lists,
// with what it costs, is known; any other fails the SDK suite, so they are
// errors.
func Rules() []validators.Rule {
	const source = "github.com/stripe/stripe-go/v85: the types the recorded JSON decodes into"
	rule := func(k Kind, aspect, summary, doc string) validators.Rule {
		return validators.Rule{ID: string(k), Severity: validators.Error, Aspect: aspect, Check: "go", Summary: summary, Doc: doc, Source: source}
	}
	return []validators.Rule{
		rule(NullAsZero, "null-as-zero", "a JSON null decodes into a field that can hold nil",
			"A nullable field says something by being null (amount_paid is null until the payment is paid); decoded into an int64, a string, a bool or a struct value it reads as 0, \"\" or false, the same as a real zero."),
		rule(AbsentAsZero, "absent-as-zero", "a member the SDK's type declares as always present is present",
			"A member whose json tag has no omitempty is declared always present; when the API leaves it out, the field reads as its zero value, the same as null or 0."),
		rule(NoField, "no-field", "the SDK's type has a field for every JSON member",
			"A JSON member the SDK's type has no field for is dropped by decoding: the caller cannot read it."),
		rule(ValueChanged, "value-changed", "the decoded value is the recorded one",
			"The decoded value differs from the recorded one: a number rounded, an expanded object reduced to its ID, a list cut short, a string where an object was."),
	}
}
