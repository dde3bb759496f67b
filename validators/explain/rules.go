package explain

import (
	"slices"
	"strings"
)

// Note is what a schema file says about the rules of one subschema: the
// rule each of its keywords states (x-rules), and the rule that speaks for
// the subschema as a whole (x-rule, here or on the nearest subschema
// enclosing it).
type Note struct {
	Rule  string
	Rules KeywordRules
}

// KeywordRules are the rules a subschema's keywords state (x-rules): a
// few pairs, kept as a slice, since a contract holds a note for every
// subschema it has read.
type KeywordRules []KeywordRule

// KeywordRule is the rule one keyword states.
type KeywordRule struct {
	Keyword, Rule string
}

// Of is the rule keyword states, or "".
func (k KeywordRules) Of(keyword string) string {
	for _, r := range k {
		if r.Keyword == keyword {
			return r.Rule
		}
	}
	return ""
}

// ReadNote reads the note of the subschema node, which stands inside a
// subschema whose rule is enclosing ("" for none).
func ReadNote(node map[string]any, enclosing string) Note {
	n := Note{Rule: enclosing}
	if r, ok := node["x-rule"].(string); ok {
		n.Rule = r
	}
	if xr, ok := node["x-rules"].(map[string]any); ok {
		n.Rules = make(KeywordRules, 0, len(xr))
		for k, v := range xr {
			r, _ := v.(string)
			n.Rules = append(n.Rules, KeywordRule{k, r})
		}
		slices.SortFunc(n.Rules, func(a, b KeywordRule) int { return strings.Compare(a.Keyword, b.Keyword) })
	}
	return n
}

// RuleOf is the rule a failure of keyword names: the keyword's own
// (x-rules), else the rule that speaks for the subschema.
func (n Note) RuleOf(keyword string) string {
	if r := n.Rules.Of(keyword); r != "" {
		return r
	}
	return n.Rule
}

// RuleOfMissing is the rule a missing required member names, given the
// note of the object's subschema and of the member's (nil if it has none):
// the rule that speaks for the object where one does (a member required
// under a condition is that condition's rule), else the member's own
// required rule.
func RuleOfMissing(object Note, member *Note) string {
	if object.Rule != "" || member == nil {
		return object.Rule
	}
	return member.Rules.Of("required")
}
