package generator

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
)

// The prose rules are found by sentences, and a reworded sentence would
// otherwise drop its rule without a sound: the contract would just get
// weaker. So every API version has a committed expectation, the prose rules
// found in its spec and where, and a generation that no longer finds one
// where it was found, or finds it in another form, fails with a line naming
// the rule and the spec pointer. go run ./schemas/generate -update records
// the expectation again after a person has read the new sentences.

// expected holds the committed expectations, expected/prose-<version>.json.
//
//go:embed expected/*.json
var expected embed.FS

// ProseRule is one rule found in a sentence of the docs.
type ProseRule struct {
	// Resource is the namespace of the rule: invoice_payment,
	// request.invoice_payments.list.
	Resource string `json:"resource"`
	// ID is the rule's ID: invoice_payment.amount_paid.null-unless-paid.
	ID string `json:"id"`
	// Source is the JSON pointer into the spec of the text it was found in.
	Source string `json:"source"`
	// Form is what was found, in words: the values of an enum, the range of
	// a limit, the rule's summary.
	Form string `json:"form"`
}

// Expectation lists the prose rules a spec of an API version is expected
// to state, as committed in expected/prose-<version>.json.
type Expectation struct {
	APIVersion string      `json:"api_version"`
	Rules      []ProseRule `json:"rules"`
}

// versionName is the form of a GA API version, the only kind with a file
// name of its own: 2026-08-26.dahlia.
var versionName = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.[a-z]+$`)

// ExpectationFile is the name of the expectation file of an API version,
// in the generator package's expected directory.
func ExpectationFile(version string) (string, error) {
	if !versionName.MatchString(version) {
		return "", fmt.Errorf("API version %.60q is not a GA version (YYYY-MM-DD.name): no expectation file can be named for it", version)
	}
	return "prose-" + version + ".json", nil
}

// CommittedExpectation returns the expectation committed for version, or
// nil when there is none (a preview spec, a version not yet recorded).
func CommittedExpectation(version string) (*Expectation, error) {
	name, err := ExpectationFile(version)
	if err != nil {
		return nil, nil
	}
	raw, err := expected.ReadFile("expected/" + name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var e Expectation
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("expected/%s: %w", name, err)
	}
	if e.APIVersion != version {
		return nil, fmt.Errorf("expected/%s is for API version %q", name, e.APIVersion)
	}
	return &e, nil
}

// Render writes the expectation as committed: indented JSON, a final newline.
func (e *Expectation) Render() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ProseError says that a prose rule the expectation lists is lost: no
// longer found, found elsewhere, or found in another form. Its message is
// one line.
type ProseError struct {
	Rule    string // the rule's ID
	Source  string // where the expectation (or the generator) looks for it in the spec
	Problem string // what is wrong, in words
	More    int    // how many other prose rules are lost too
}

// Error is the one line that names the rule, the spec pointer and what became of it.
func (e *ProseError) Error() string {
	msg := fmt.Sprintf("prose rule %s (%s) %s", e.Rule, e.Source, e.Problem)
	if e.More > 0 {
		msg += fmt.Sprintf(" (and %d more)", e.More)
	}
	return msg
}

// short keeps a form readable in a one-line message.
func short(s string) string {
	if len(s) <= 80 {
		return s
	}
	return s[:77] + "..."
}

// formOf is what a rule's form is compared by.
func formOf(r rule) string {
	if r.form != "" {
		return r.form
	}
	return r.summary
}

// check compares the rules found with the expectation. It returns the
// notices worth a line (a rule the spec now states as a keyword, a prose
// rule the expectation does not list yet) and the first lost rule.
func (e *Expectation) check(all map[string]rule, found []ProseRule) ([]string, error) {
	var notices []string
	var lost []*ProseError
	listed := map[string]bool{}
	for _, x := range e.Rules {
		listed[x.ID] = true
		r, ok := all[x.ID]
		switch {
		case !ok:
			lost = append(lost, &ProseError{Rule: x.ID, Source: x.Source, Problem: "is no longer found there"})
		case !r.prose && formOf(r) == x.Form:
			// The spec now says in a keyword what it said in a sentence:
			// nothing is lost, and the keyword is the better source.
			notices = append(notices, fmt.Sprintf("%s is now stated by the spec's keyword at %s, not only in prose at %s: the keyword is used (record with -update)", x.ID, r.source, x.Source))
		case !r.prose:
			lost = append(lost, &ProseError{Rule: x.ID, Source: r.source, Problem: fmt.Sprintf("is now a keyword of the spec, in another form: now %q, was %q", short(formOf(r)), short(x.Form))})
		case r.source != x.Source:
			lost = append(lost, &ProseError{Rule: x.ID, Source: x.Source, Problem: "is found elsewhere, at " + r.source})
		case formOf(r) != x.Form:
			lost = append(lost, &ProseError{Rule: x.ID, Source: x.Source, Problem: fmt.Sprintf("is found in a new form: now %q, was %q", short(formOf(r)), short(x.Form))})
		}
	}
	for _, p := range found {
		if !listed[p.ID] {
			notices = append(notices, fmt.Sprintf("%s (%s) is a prose rule the expectation does not list yet (record with -update)", p.ID, p.Source))
		}
	}
	if len(lost) > 0 {
		first := lost[0]
		first.More = len(lost) - 1
		return notices, first
	}
	return notices, nil
}

// proseRules lists the prose rules among rules, in the order found.
func proseRules(sets []*ruleSet) (found []ProseRule, all map[string]rule) {
	all = map[string]rule{}
	for _, rs := range sets {
		for _, id := range rs.order {
			r := rs.byID[id]
			all[id] = r
			if r.prose {
				found = append(found, ProseRule{Resource: r.resource, ID: r.id, Source: r.source, Form: formOf(r)})
			}
		}
	}
	return found, all
}

// enumForm is the form of an enum rule: its values, sorted, so that an
// enum keyword listing the prose's values in another order is the same.
func enumForm(values []any) string {
	var out []string
	for _, v := range values {
		if v != nil {
			out = append(out, fmt.Sprint(v))
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
