package generator

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Rules the API reference states in prose rather than in schema keywords.
// Each is found by the sentence that states it; when Stripe rewords the
// sentence, the rule is no longer found and generation fails against the
// committed expectation (expectation.go), so a person re-reads the docs
// rather than the generator guessing or the contract quietly weakening.

var (
	// "The status of the payment, one of `open`, `paid`, or `canceled`."
	oneOfPattern = regexp.MustCompile("one of ((?:`[^`]+`(?:,\\s*or\\s+|,\\s*|\\s+or\\s+)?)+)")
	backticked   = regexp.MustCompile("`([^`]+)`")
	// "... one of `customer`, `subscription`, or `schedule` must be set."
	parametersNamed = regexp.MustCompile(`^\s*(?:must|should|is required|are required)\b`)
	// "Three-letter [ISO currency code](https://www.iso.org/iso-4217-currency-codes.html), in lowercase.",
	// also without the link (a tax rate's flat_amount.currency).
	currencyPattern = regexp.MustCompile(`Three-letter (?:\[ISO currency code\]\([^)]*\)|ISO currency code), in lowercase`)
	// "This field is null until the payment is `paid`."
	nullUntilPattern = regexp.MustCompile("This field is null until the (\\w+) is `(\\w+)`")
	// "ID of the successful charge for this payment when `type` is `charge`."
	whenTypePattern = regexp.MustCompile("when `type` is `(\\w+)`")
	// "This amount can be less than the `amount_requested` if ..."
	lessThanPattern = regexp.MustCompile("can be less than the `(\\w+)`")
)

// noStatusValues: the rules about status need its values, which the docs
// give only in the status description of the object at f.
func (w *walker) noStatusValues(f field) error {
	return &ProseError{
		Rule:    w.ruleID(f.child("status"), "enum"),
		Source:  pointer(append(slices.Clip(f.src), "properties", "status", "description")...),
		Problem: "is no longer found: the status description no longer lists its values (\"one of `open`, `paid`, or `canceled`\") and status has no enum",
	}
}

// unmatched decides what becomes of a prose rule whose sentences were
// found but do not add up to a rule (err, a *ProseError, or nil): for a rule
// the expectation lists, generation fails with err; elsewhere the sentences
// recur in a form the rule does not fit (an object documented "when `type`
// is X" for some of its types only), so no rule is made and a notice says
// so. Any other error fails.
func (w *walker) unmatched(err error, id string) error {
	var pe *ProseError
	if err == nil || !errors.As(err, &pe) || w.expected == nil || w.expected(id) {
		return err
	}
	w.notice("no rule: " + pe.Error())
	return nil
}

// sentence returns the sentence of text that contains the byte range
// [start, end). A sentence ends at a period followed by white space, an
// upper-case letter (the spec sometimes omits the space: "`charge`.Note:")
// or the end of the text.
func sentence(text string, start, end int) string {
	from := strings.LastIndex(text[:start], ". ")
	if from < 0 {
		from = 0
	} else {
		from += 2
	}
	to := len(text)
	for i := end; i < len(text); i++ {
		if text[i] != '.' {
			continue
		}
		if i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n' || (text[i+1] >= 'A' && text[i+1] <= 'Z') {
			to = i + 1
			break
		}
	}
	return strings.TrimSpace(text[from:to])
}

// proseEnum finds "one of `a`, `b`, or `c`" in a description.
func proseEnum(desc string) (values []string, sent string, ok bool) {
	loc := oneOfPattern.FindStringSubmatchIndex(desc)
	if loc == nil {
		return nil, "", false
	}
	if parametersNamed.MatchString(desc[loc[1]:]) {
		// "one of `customer`, `subscription` ... must be set": a sentence
		// about which parameters to give, not the values of this one.
		return nil, "", false
	}
	for _, m := range backticked.FindAllStringSubmatch(desc[loc[2]:loc[3]], -1) {
		values = append(values, m[1])
	}
	if len(values) < 2 {
		return nil, "", false
	}
	return values, sentence(desc, loc[0], loc[1]), true
}

// proseCurrency finds the ISO currency sentence; the values it implies are
// the lowercase ISO 4217 codes (currency.go).
func proseCurrency(desc string) (sent string, ok bool) {
	loc := currencyPattern.FindStringIndex(desc)
	if loc == nil {
		return "", false
	}
	return sentence(desc, loc[0], loc[1]), true
}

// crossFieldResources are the resources whose API reference states rules
// that relate one field to another (null until paid, the one reference the
// type names, the status timestamps): the invoice payment's page says them
// in its sentences. Elsewhere the same shapes (a status and
// status_transitions, a type and references) do not come with those
// sentences, and a returned treasury payment keeps its posted_at: the rules
// are not made there.
var crossFieldResources = []string{"invoice_payment"}

// crossField returns the allOf members that relate fields of one object, and
// records the cross-field rules only Go can check.
func (w *walker) crossField(n map[string]any, f field, props map[string]map[string]any) ([]any, error) {
	if !slices.Contains(crossFieldResources, w.dialect.namespace()) {
		return nil, nil
	}
	var allOf []any
	src := func(keys ...string) string { return pointer(append(slices.Clip(f.src), keys...)...) }

	refs, err := w.referenceRule(f, props)
	if err := w.unmatched(err, w.ruleID(f, "reference-matches-type")); err != nil {
		return nil, err
	}
	allOf = append(allOf, refs...)

	for _, p := range slices.Sorted(maps.Keys(props)) {
		desc := str(props[p], "description")
		if m := nullUntilPattern.FindStringSubmatchIndex(desc); m != nil {
			value := desc[m[4]:m[5]]
			ruleID := w.ruleID(f.child(p), "null-unless-"+value)
			if len(w.statuses) == 0 {
				if err := w.unmatched(w.noStatusValues(f), ruleID); err != nil {
					return nil, err
				}
				continue
			}
			if !slices.Contains(w.statuses, value) {
				err := &ProseError{Rule: ruleID, Source: src("properties", p, "description"), Problem: fmt.Sprintf("says %s is null until status %q, which is not one of the status values %v", p, value, w.statuses)}
				if err := w.unmatched(err, ruleID); err != nil {
					return nil, err
				}
				continue
			}
			id, err := w.rules.add(w.prose(rule{
				id:      w.ruleID(f.child(p), "null-unless-"+value),
				aspect:  "null-unless-" + value,
				summary: fmt.Sprintf("%s is null until the %s is %s, and set once it is", p, desc[m[2]:m[3]], value),
				doc:     sentence(desc, m[0], m[1]),
				source:  src("properties", p, "description"),
			}))
			if err != nil {
				return nil, err
			}
			allOf = append(allOf, newObject().
				set("x-rule", id).
				set("if", statusIs(value)).
				set("then", newObject().
					set("required", []any{p}).
					set("properties", newObject().set(p, notNull()))).
				set("else", newObject().
					set("properties", newObject().set(p, isNull()))))
		}
		if m := lessThanPattern.FindStringSubmatchIndex(desc); m != nil {
			other := desc[m[2]:m[3]]
			if _, ok := props[other]; !ok {
				ruleID := w.ruleID(f.child(p), "at-most-"+strings.TrimPrefix(other, "amount_"))
				err := &ProseError{Rule: ruleID, Source: src("properties", p, "description"), Problem: fmt.Sprintf("compares %s with %s, which is not a property", p, other)}
				if err := w.unmatched(err, ruleID); err != nil {
					return nil, err
				}
				continue
			}
			// A comparison of two numbers: JSON Schema cannot say it; the
			// Go validator checks it, as a warning because the sentence
			// describes what happens, not a promise about every payload.
			if _, err := w.rules.add(w.prose(rule{
				id:       w.ruleID(f.child(p), "at-most-"+strings.TrimPrefix(other, "amount_")),
				aspect:   "at-most-" + strings.TrimPrefix(other, "amount_"),
				severity: severityWarning,
				check:    checkGo,
				summary:  fmt.Sprintf("%s is at most %s", p, other),
				doc:      sentence(desc, m[0], m[1]),
				source:   src("properties", p, "description"),
			})); err != nil {
				return nil, err
			}
		}
	}

	transitions, err := w.transitionRules(f, props)
	if err != nil {
		return nil, err
	}
	return append(allOf, transitions...), nil
}

// referenceRule: in an object with a "type" enum whose sibling properties
// each say "... when `type` is `X`", the one type names is set and the
// others are null or absent.
func (w *walker) referenceRule(f field, props map[string]map[string]any) ([]any, error) {
	typeProp, ok := props["type"]
	if !ok {
		return nil, nil
	}
	types := stringList(typeProp["enum"])
	named := map[string]string{}
	var sentences []string
	for _, p := range slices.Sorted(maps.Keys(props)) {
		desc := str(props[p], "description")
		if m := whenTypePattern.FindStringSubmatchIndex(desc); m != nil {
			t := desc[m[2]:m[3]]
			if prev, dup := named[t]; dup {
				return nil, &ProseError{Rule: w.ruleID(f, "reference-matches-type"), Source: pointer(append(slices.Clip(f.src), "properties")...), Problem: fmt.Sprintf("has both %s and %s set when type is %q", prev, p, t)}
			}
			named[t] = p
			sentences = append(sentences, fmt.Sprintf("%s: %s", p, sentence(desc, m[0], m[1])))
		}
	}
	if len(named) == 0 {
		return nil, nil
	}
	id, source := w.ruleID(f, "reference-matches-type"), pointer(append(slices.Clip(f.src), "properties")...)
	typeName := strings.Join(append(slices.Clip(f.path), "type"), ".")
	if len(types) == 0 {
		// Without the values of type there is nothing to match the
		// references with: the rule would be listed and check nothing.
		return nil, &ProseError{Rule: id, Source: source, Problem: fmt.Sprintf("has no enum of %s to match the references documented \"when `type` is X\" against", typeName)}
	}
	for _, t := range types {
		if _, ok := named[t]; !ok {
			return nil, &ProseError{Rule: id, Source: source, Problem: fmt.Sprintf("is incomplete: no property is documented as set when type is %q", t)}
		}
	}
	for _, t := range slices.Sorted(maps.Keys(named)) {
		if !slices.Contains(types, t) {
			return nil, &ProseError{Rule: id, Source: source, Problem: fmt.Sprintf("names type %q for %s, which is not a value of %s", t, named[t], typeName)}
		}
	}
	refs := slices.Sorted(maps.Keys(invert(named)))
	var pairs []string
	for _, t := range slices.Sorted(maps.Keys(named)) {
		pairs = append(pairs, t+": "+named[t])
	}
	id, err := w.rules.add(w.prose(rule{
		id:      id,
		aspect:  "reference-matches-type",
		summary: fmt.Sprintf("exactly one of %s is set: the one %s names", strings.Join(refs, ", "), typeName),
		doc:     strings.Join(sentences, " "),
		source:  source,
		form:    "type " + strings.Join(pairs, ", "),
	}))
	if err != nil {
		return nil, err
	}
	var out []any
	for _, t := range types {
		thenProps := newObject()
		for _, r := range refs {
			if r == named[t] {
				thenProps.set(r, notNull())
			} else {
				thenProps.set(r, isNull())
			}
		}
		out = append(out, newObject().
			set("x-rule", id).
			set("if", newObject().
				set("required", []any{"type"}).
				set("properties", newObject().set("type", newObject().set("const", t)))).
			set("then", newObject().
				set("required", []any{named[t]}).
				set("properties", thenProps)))
	}
	return out, nil
}

// transitionRules: status_transitions.<s>_at is set if and only if status is s,
// for every status value s that has such a timestamp.
func (w *walker) transitionRules(f field, props map[string]map[string]any) ([]any, error) {
	st, ok := props["status_transitions"]
	if !ok || len(w.statuses) == 0 || len(f.path) != 0 {
		return nil, nil
	}
	stSrc := append(slices.Clip(f.src), "properties", "status_transitions")
	if name, ok := refName(st); ok {
		comp, err := w.spec.component(name)
		if err != nil {
			return nil, err
		}
		st, stSrc = comp, []string{"components", "schemas", name}
	}
	stProps := properties(st)
	statusDesc := str(props["status"], "description")
	_, statusSentence, _ := proseEnum(statusDesc)
	var out []any
	for _, s := range w.statuses {
		at := s + "_at"
		p, ok := stProps[at]
		if !ok {
			continue
		}
		id, err := w.rules.add(w.prose(rule{
			id:      w.ruleID(f.child("status_transitions").child(at), "iff-"+s),
			aspect:  "iff-" + s,
			summary: fmt.Sprintf("status_transitions.%s is set if and only if status is %q", at, s),
			doc:     fmt.Sprintf("status_transitions.%s: %s status: %s", at, str(p, "description"), statusSentence),
			source:  pointer(append(slices.Clip(stSrc), "properties", at, "description")...),
		}))
		if err != nil {
			return nil, err
		}
		out = append(out, newObject().
			set("x-rule", id).
			set("if", statusIs(s)).
			set("then", newObject().set("properties", newObject().set("status_transitions", newObject().
				set("required", []any{at}).
				set("properties", newObject().set(at, notNull()))))).
			set("else", newObject().set("properties", newObject().set("status_transitions", newObject().
				set("properties", newObject().set(at, isNull()))))))
	}
	return out, nil
}

// typeConditional returns the properties documented as set "when `type` is
// X": the spec does not mark them nullable, but the sentence says they are
// unset for every other type, and Stripe renders an unset field as null.
func typeConditional(props map[string]map[string]any) map[string]bool {
	out := map[string]bool{}
	if _, ok := props["type"]; !ok {
		return out
	}
	for p, schema := range props {
		if whenTypePattern.MatchString(str(schema, "description")) {
			out[p] = true
		}
	}
	return out
}

func statusIs(value string) *object {
	return newObject().
		set("required", []any{"status"}).
		set("properties", newObject().set("status", newObject().set("const", value)))
}

func notNull() *object { return newObject().set("not", newObject().set("type", "null")) }
func isNull() *object  { return newObject().set("type", "null") }

func invert(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}
