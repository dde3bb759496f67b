package validators

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"

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
}

// values reads a document's values by pointer, in decoded form.
type values interface {
	lookup(pointer string) (any, bool)
}

// tree is a decoded document.
type tree struct{ doc any }

func (t tree) lookup(pointer string) (any, bool) { return valueAt(t.doc, pointer) }

// condition is an if/then/else the failure happened under: the object at
// instance was tested by the if of the subschema at owner.
type condition struct {
	owner    string
	instance string
}

func (e *explainer) walk(ve *jsonschema.ValidationError, conds []condition) {
	loc := ve.AbsoluteKeywordLocation
	frag := loc[strings.IndexByte(loc, '#')+1:]
	if frag == "" || ve.Message == "" {
		// The root of the tree, or a node that only groups several failures.
		for _, cause := range ve.Causes {
			e.walk(cause, conds)
		}
		return
	}
	cut := strings.LastIndexByte(loc, '/')
	parent, kw := loc[:cut], loc[cut+1:]
	a := e.c.notes[parent]
	instance := e.prefix + fromV5Pointer(ve.InstanceLocation)

	switch {
	case kw == "then" || kw == "else":
		conds = append(conds[:len(conds):len(conds)], condition{owner: parent, instance: instance})
		e.descend(ve, conds)
	case isIndex(kw), kw == "$ref" && (a == nil || a.rules["$ref"] == ""):
		e.descend(ve, conds)
	case kw == "unevaluatedProperties":
		rule := ""
		if a != nil {
			rule = a.undocumented
		}
		// jsonschema/v5 appends no segment for a member named "" (its
		// location is the object's); the keyword path says how deep the
		// object stands, so a location that deep is the object's.
		if rel := fromV5Pointer(ve.InstanceLocation); strings.Count(rel, "/") == descents(ve.KeywordLocation) {
			instance += "/"
		}
		e.add(rule, instance, "is not a documented field", conds, kw, parent)
	case kw == "required":
		e.missing(a, parent, instance, conds)
	case len(ve.Causes) > 0 && !leafKeyword(kw):
		e.descend(ve, conds)
	default:
		e.leaf(a, parent, kw, instance, conds)
	}
}

// leaf reports the failure of keyword kw of the subschema at parent (whose
// annotation is a) on the value at instance.
func (e *explainer) leaf(a *annotation, parent, kw, instance string, conds []condition) {
	rule, typed := "", false
	if a != nil {
		if rule = a.rules[kw]; rule == "" {
			rule = a.rule
		} else {
			typed = kw == "type"
		}
	}
	e.add(rule, instance, e.found(kw, instance, typed), conds, kw, parent)
}

// descents counts the steps into the instance a dynamic keyword path took
// (properties/NAME and items), not counting its last keyword.
func descents(keywordLocation string) int {
	segs := strings.Split(strings.TrimPrefix(keywordLocation, "/"), "/")
	n := 0
	for i := 0; i < len(segs)-1; i++ {
		switch segs[i] {
		case "properties":
			n++
			i++
		case "items":
			n++
		}
	}
	return n
}

func (e *explainer) descend(ve *jsonschema.ValidationError, conds []condition) {
	for _, cause := range ve.Causes {
		e.walk(cause, conds)
	}
}

// leafKeyword: keywords whose failure is reported where they stand, however
// deep their causes go (an anyOf fails as a whole: which branch did the
// author mean?).
func leafKeyword(kw string) bool {
	switch kw {
	case "anyOf", "oneOf", "not", "$ref":
		return true
	}
	return false
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
	obj, _ := e.doc.lookup(instance)
	m, _ := obj.(map[string]any)
	for _, p := range a.required {
		if _, ok := m[p]; ok {
			continue
		}
		rule := a.rule
		if child := e.c.notes[parent+"/properties/"+pointer.Escape(p)]; child != nil && child.rules["required"] != "" && a.rule == "" {
			rule = child.rules["required"]
		}
		e.add(rule, instance+"/"+pointer.Escape(p), "is missing", conds, "required", parent)
	}
}

func (e *explainer) add(ruleID, pointer, found string, conds []condition, kw, schemaLoc string) {
	r, ok := e.c.rules[ruleID]
	if !ok {
		e.out = append(e.out, Violation{
			Rule: RuleSchemaKeyword, Pointer: pointer, Severity: Error,
			Message: fmt.Sprintf("%s; fails schema keyword %s at %s, which no rule names", found, kw, schemaLoc),
		})
		return
	}
	msg := found + e.because(conds) + "; " + r.Summary
	e.out = append(e.out, Violation{Rule: r.ID, Pointer: pointer, Message: msg, Severity: e.severity(r), Doc: r.Doc})
}

func (e *explainer) severity(r Rule) Severity {
	if e.strict && r.Aspect == AspectUndocumentedField {
		return Error
	}
	return r.Severity
}

// because says what the innermost if/then/else tested: `but status is "open"`.
func (e *explainer) because(conds []condition) string {
	if len(conds) == 0 {
		return ""
	}
	cond := conds[len(conds)-1]
	a := e.c.notes[cond.owner]
	if a == nil || len(a.conditions) == 0 {
		return ""
	}
	var parts []string
	for _, p := range a.conditions {
		name := strings.Join(append(append([]string(nil), a.path...), p), ".")
		v, ok := e.doc.lookup(cond.instance + "/" + pointer.Escape(p))
		if !ok {
			parts = append(parts, name+" is missing")
			continue
		}
		parts = append(parts, name+" is "+describe(v))
	}
	return " but " + strings.Join(parts, " and ")
}

// found describes the offending value for the keyword that failed; typed
// adds its JSON type, for rules about types.
func (e *explainer) found(kw, pointer string, typed bool) string {
	v, ok := e.doc.lookup(pointer)
	if !ok {
		return "is missing"
	}
	switch kw {
	case "type":
		if typed {
			return "is " + describeTyped(v)
		}
	case "maxLength", "minLength":
		if s, ok := v.(string); ok {
			return fmt.Sprintf("is %d characters long", utf8.RuneCountInString(s))
		}
	}
	return "is " + describe(v)
}

// describe renders a value briefly: strings quoted and cut at 60 runes,
// objects by the "object" they say they are.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return abbreviate(string(v))
	case string:
		return strconv.Quote(abbreviate(v))
	case map[string]any:
		if o, ok := v["object"].(string); ok {
			return fmt.Sprintf("an object with object %s", strconv.Quote(abbreviate(o)))
		}
		return "an object"
	case []any:
		return fmt.Sprintf("an array of %d items", len(v))
	}
	return fmt.Sprint(v)
}

// describeTyped adds the JSON type where the value alone would not show it
// ("2000" is a string, not a number).
func describeTyped(v any) string {
	switch v.(type) {
	case string:
		return describe(v) + ", a string"
	case json.Number:
		return describe(v) + ", a number"
	case bool:
		return describe(v) + ", a boolean"
	}
	return describe(v)
}

func abbreviate(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fromV5Pointer converts jsonschema/v5's instance locations, whose segments
// are also percent-encoded, to RFC 6901 pointers.
func fromV5Pointer(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	return strings.Join(segs, "/")
}
