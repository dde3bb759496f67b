package validators

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/validators/explain"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// RuleSchemaKeyword names a schema failure that no annotation explains. The
// contract's own check (checkAnnotations) keeps it from happening with the
// generated files; it exists so that a hand-edited schema never produces an
// unnamed or silently dropped failure.
const RuleSchemaKeyword = "schema.keyword"

// explainer turns a jsonschema/v5 error tree into violations: each failing
// keyword becomes the rule its schema file names for it, at the pointer of
// the value that broke it.
type explainer struct {
	c      *contract
	doc    values // the document, to read the values messages show
	strict bool
	prefix string // where the validated instance stands in doc
	out    []Violation
	// scratch is where add writes a message before it becomes a string.
	scratch []byte
}

// values reads a document's values by pointer, in decoded form.
type values interface {
	lookup(pointer string) (any, bool)
	// has says whether the object at pointer has a member name.
	has(pointer, name string) bool
}

// tree is a decoded document.
type tree struct{ doc any }

func (t tree) lookup(pointer string) (any, bool) { return valueAt(t.doc, pointer) }

func (t tree) has(pointer, name string) bool {
	obj, _ := valueAt(t.doc, pointer)
	m, _ := obj.(map[string]any)
	_, ok := m[name]
	return ok
}

// condition is an if/then/else the failure happened under: the object at
// Instance was tested by the if of the subschema at Schema.
type condition = explain.Condition

// walk explains the failures of a jsonschema/v5 error tree.
func (e *explainer) walk(ve *jsonschema.ValidationError, conds []condition) {
	explain.Walker{At: e.prefix, Follow: e.follow}.Walk(ve, conds, e.failure)
}

// follow reports an anyOf, oneOf or not where it stands, and a $ref too
// when its subschema names a rule for it (an expanded resource's shape).
func (e *explainer) follow(f explain.Failure) []*jsonschema.ValidationError {
	if a := e.c.note(f.Schema); f.Keyword == "$ref" && a != nil && a.Rules.Of("$ref") != "" {
		return nil
	}
	if f.Keyword == "anyOf" {
		if b := typedBranch(f.Error); b != nil {
			return []*jsonschema.ValidationError{b}
		}
	}
	return explain.Causes(f)
}

// typedBranch is the one branch of a failed anyOf whose type the value
// has, if only one has it: an expanded object under an expandable field
// (an ID string or the resource) failed the resource's own rules, which
// say more than "is neither". nil when several branches, or none, fit.
func typedBranch(ve *jsonschema.ValidationError) *jsonschema.ValidationError {
	var fit *jsonschema.ValidationError
	for _, c := range ve.Causes {
		if wrongType(c, ve.InstanceLocation) {
			continue
		}
		if fit != nil {
			return nil
		}
		fit = c
	}
	return fit
}

// wrongType says whether the branch failure c says the value at inst is of
// a type the branch does not take: its type keyword failed there, or that
// of the schema a reference leads to.
func wrongType(c *jsonschema.ValidationError, inst string) bool {
	for depth := 0; depth < 8; depth++ {
		if c.InstanceLocation != inst {
			return false
		}
		if strings.HasSuffix(c.AbsoluteKeywordLocation, "/type") {
			return true
		}
		ref := strings.HasSuffix(c.AbsoluteKeywordLocation, "/"+lazyRefKeyword) || strings.HasSuffix(c.AbsoluteKeywordLocation, "/$ref") || strings.HasSuffix(c.AbsoluteKeywordLocation, "#")
		if !ref {
			return false
		}
		// A reference, or a whole file's group: its type failure is among
		// its causes.
		next := (*jsonschema.ValidationError)(nil)
		for _, cc := range c.Causes {
			if cc.InstanceLocation == inst && strings.HasSuffix(cc.AbsoluteKeywordLocation, "/type") {
				return true
			}
			if next == nil {
				next = cc
			}
		}
		if next == nil {
			return false
		}
		c = next
	}
	return false
}

// failure turns one failing keyword into violations.
func (e *explainer) failure(f explain.Failure) {
	a := e.c.note(f.Schema)
	switch f.Keyword {
	case "unevaluatedProperties":
		rule := ""
		if a != nil {
			rule = a.undocumented
		}
		e.add(rule, f.Instance, "is not a documented field", f.Conditions, f.Keyword, f.Schema)
	case "required":
		e.missing(a, f.Schema, f.Instance, f.Conditions)
	default:
		e.leaf(a, f.Schema, f.Keyword, f.Instance, f.Conditions)
	}
}

// leaf reports the failure of keyword kw of the subschema at parent (whose
// annotation is a) on the value at instance.
func (e *explainer) leaf(a *annotation, parent, kw, instance string, conds []condition) {
	rule, typed := "", false
	if a != nil {
		rule, typed = a.RuleOf(kw), kw == "type" && a.Rules.Of(kw) != ""
	}
	e.add(rule, instance, e.found(kw, instance, typed), conds, kw, parent)
}

// missing reports each required property absent from the object at
// instance, at the property's own pointer, under the property's rule.
// jsonschema/v5 names missing properties only in its message; the list comes
// from the schema instead.
func (e *explainer) missing(a *annotation, parent, instance string, conds []condition) {
	if a == nil {
		e.add("", instance, "is missing required properties", conds, "required", parent)
		return
	}
	for _, p := range a.required {
		if e.doc.has(instance, p) {
			continue
		}
		var member *explain.Note
		if child := e.c.note(parent + "/properties/" + pointer.Escape(p)); child != nil {
			member = &child.Note
		}
		rule := explain.RuleOfMissing(a.Note, member)
		e.add(rule, instance+"/"+pointer.Escape(p), "is missing", conds, "required", parent)
	}
}

func (e *explainer) add(ruleID, pointer, found string, conds []condition, kw, schemaLoc string) {
	r, ok := e.c.rule(ruleID)
	if !ok {
		e.out = append(e.out, Violation{
			Rule: RuleSchemaKeyword, Pointer: pointer, Severity: Error,
			Message: fmt.Sprintf("%s; fails schema keyword %s at %s, which no rule names", found, kw, schemaLoc),
		})
		return
	}
	// found, the condition and the rule's summary, written in one buffer
	// and made a string once: the message of each of a log's invalid lines.
	msg := append(e.scratch[:0], found...)
	msg = e.appendBecause(msg, conds)
	msg = append(append(msg, "; "...), r.Summary...)
	e.scratch = msg
	e.out = append(e.out, Violation{Rule: r.ID, Pointer: pointer, Message: string(msg), Severity: e.severity(r), Doc: r.Doc})
}

func (e *explainer) severity(r Rule) Severity {
	if e.strict && r.Aspect == AspectUndocumentedField {
		return Error
	}
	return r.Severity
}

// appendBecause appends to msg what the innermost if/then/else tested:
// ` but status is "open"`.
func (e *explainer) appendBecause(msg []byte, conds []condition) []byte {
	if len(conds) == 0 {
		return msg
	}
	cond := conds[len(conds)-1]
	a := e.c.note(cond.Schema)
	if a == nil || len(a.conditions) == 0 {
		return msg
	}
	for i, p := range a.conditions {
		if i == 0 {
			msg = append(msg, " but "...)
		} else {
			msg = append(msg, " and "...)
		}
		for _, seg := range a.path {
			msg = append(append(msg, seg...), '.')
		}
		msg = append(msg, p...)
		v, ok := e.doc.lookup(cond.Instance + "/" + pointer.Escape(p))
		if !ok {
			msg = append(msg, " is missing"...)
			continue
		}
		msg = append(append(msg, " is "...), pointer.Describe(v)...)
	}
	return msg
}

// found describes the offending value for the keyword that failed; typed
// adds its JSON type, for rules about types.
func (e *explainer) found(kw, at string, typed bool) string {
	v, ok := e.doc.lookup(at)
	if !ok {
		return "is missing"
	}
	switch kw {
	case "type":
		if typed {
			return "is " + pointer.DescribeTyped(v)
		}
	case "maxLength", "minLength":
		if s, ok := v.(string); ok {
			return fmt.Sprintf("is %d characters long", utf8.RuneCountInString(s))
		}
	}
	return "is " + pointer.Describe(v)
}
