package explain_test

import (
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/explain"
)

func TestNotes(t *testing.T) {
	enclosed := explain.ReadNote(map[string]any{"x-rules": map[string]any{"type": "a.json-type"}}, "a.cross-field")
	if got := enclosed.RuleOf("type"); got != "a.json-type" {
		t.Errorf("a keyword's own rule: %q", got)
	}
	if got := enclosed.RuleOf("enum"); got != "a.cross-field" {
		t.Errorf("a keyword without one names the enclosing x-rule: %q", got)
	}
	own := explain.ReadNote(map[string]any{"x-rule": "b.rule"}, "a.cross-field")
	if own.Rule != "b.rule" {
		t.Errorf("a subschema's own x-rule replaces the enclosing one: %q", own.Rule)
	}

	member := explain.ReadNote(map[string]any{"x-rules": map[string]any{"required": "p.id.required"}}, "")
	if got := explain.RuleOfMissing(explain.Note{}, &member); got != "p.id.required" {
		t.Errorf("a missing member names its required rule: %q", got)
	}
	if got := explain.RuleOfMissing(explain.Note{Rule: "p.paid_at.iff-paid"}, &member); got != "p.paid_at.iff-paid" {
		t.Errorf("under a condition, the condition's rule speaks: %q", got)
	}
	if got := explain.RuleOfMissing(explain.Note{}, nil); got != "" {
		t.Errorf("no rule at all: %q", got)
	}
}
