package generator

import (
	"fmt"
	"strings"

	jsonpointer "github.com/stripe-contract/stripe-contract/validators/pointer"
)

// Severity levels a rule can carry, as written in the files.
const (
	severityError   = "error"
	severityWarning = "warning"
	severityNotice  = "notice"
)

// Where a rule is checked: by the JSON Schema keywords of the file, or by the
// Go validator because JSON Schema cannot express it (comparing two numbers,
// comparing a value with an enclosing document's).
const (
	checkSchema = "schema"
	checkGo     = "go"
)

// Aspects that readers of the catalogues branch on (the request checker
// maps them to Stripe's error codes, strict mode raises undocumented fields
// to errors): the aspect is a field of each rule, so that no reader parses it
// back out of the rule's ID.
const (
	aspectUndocumented     = "undocumented-field"
	aspectUnknownParameter = "unknown-parameter"
	aspectExclusive        = "exclusive"
)

// rule is one entry of a file's x-rule-definitions catalogue.
type rule struct {
	id       string
	aspect   string // what of its subject the rule checks: enum, required, undocumented-field, ...
	severity string
	check    string
	summary  string // the rule in a sentence, as the validator's messages end
	doc      string // the documentation text the rule comes from
	source   string // JSON pointer into the OpenAPI spec where doc stands
	// prose marks a rule found in a sentence of the docs (prose.go): the
	// committed expectation requires it to be found again (expectation.go).
	prose    bool
	resource string // the namespace it was found in: invoice_payment, request.invoice_payments.list
	form     string // what was found, compared with the expectation; "" is the summary
}

// ruleSet collects the rules of one generated file in the order they are
// first met, and refuses two different definitions under one ID.
type ruleSet struct {
	order []string
	byID  map[string]rule
	// alike lets a rule be derived again from another source when it says
	// the same: the request file's anyOf of two object forms of one
	// parameter (mandate_data as a secret-key or a client-key form) whose
	// members of one name state the same rule. The first source is cited.
	alike bool
}

func newRuleSet() *ruleSet { return &ruleSet{byID: map[string]rule{}} }

func (rs *ruleSet) add(r rule) (string, error) {
	if r.severity == "" {
		r.severity = severityError
	}
	if r.check == "" {
		r.check = checkSchema
	}
	if r.aspect == "" {
		return "", fmt.Errorf("rule %s has no aspect", r.id)
	}
	if old, ok := rs.byID[r.id]; ok {
		if rs.alike && old.source != r.source {
			r.source = old.source
		}
		if old == r {
			return r.id, nil
		}
		if old.source == r.source || r.prose || old.prose {
			// Never a dump of the two rules: an event type enum alone can
			// list hundreds of values.
			if old.source == r.source {
				return "", fmt.Errorf("rule %s is derived twice from %s, differently", r.id, r.source)
			}
			return "", fmt.Errorf("rule %s is derived twice, from %s and from %s", r.id, old.source, r.source)
		}
		// One field path reached through two branches of an anyOf whose
		// structures differ (payment_method_options.acss_debit: the
		// options of a payment intent, or of a setup): the rule of the
		// other structure is named for its component too.
		r.id += "@" + sourceComponent(r.source)
		if other, ok := rs.byID[r.id]; ok {
			if other == r {
				return r.id, nil
			}
			return "", fmt.Errorf("rule %s is derived twice, from %s and from %s", r.id, other.source, r.source)
		}
	}
	rs.order = append(rs.order, r.id)
	rs.byID[r.id] = r
	return r.id, nil
}

func (rs *ruleSet) object() *object {
	out := newObject()
	for _, id := range rs.order {
		r := rs.byID[id]
		out.set(id, newObject().
			set("severity", r.severity).
			set("aspect", r.aspect).
			set("check", r.check).
			set("summary", r.summary).
			set("doc", r.doc).
			set("source", r.source))
	}
	return out
}

// pointer builds a JSON pointer (RFC 6901) into the spec from literal keys.
func pointer(keys ...string) string { return "#" + jsonpointer.Join(keys...) }

// sourceComponent names the component a spec pointer is in
// (#/components/schemas/X/...: X), or the pointer's last segment.
func sourceComponent(source string) string {
	segs := jsonpointer.Split(strings.TrimPrefix(source, "#"))
	for i := 0; i+2 < len(segs); i++ {
		if segs[i] == "components" && segs[i+1] == "schemas" {
			return segs[i+2]
		}
	}
	if len(segs) == 0 {
		return "root"
	}
	return segs[len(segs)-1]
}
