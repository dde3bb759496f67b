package validators

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Catalogue is the one list of rules that every command can emit: the
// payload rules derived from the schemas, the rules about JSON and cassette
// files, the request rules, and the rules of the replay engine, the
// pagination walk, webhook delivery and the SDK comparison, each
// registered by the package that checks it. The rules command lists it and
// the reports cite it; a report's rule ID that is not in it is a bug (a test
// enumerates the emitters).
type Catalogue struct {
	rules      []Rule
	byID       map[string]int
	apiVersion string
	source     RuleSource // nil: the catalogue holds every rule
}

// RuleSource is where a catalogue looks up the rules it does not hold
// itself: a *Validator, whose contract of every resource would cost a run
// that meets a few of them too much to gather up front.
type RuleSource interface {
	Rule(id string) (Rule, bool)
	Rules() []Rule
}

// NewCatalogueOf is NewCatalogue over the rule sets given and, for the
// rules they do not hold, source (a *Validator's derived rules), looked up
// one at a time as reports cite them. Rules lists them all.
func NewCatalogueOf(apiVersion string, source RuleSource, sets ...[]Rule) (*Catalogue, error) {
	c, err := NewCatalogue(apiVersion, sets...)
	if err != nil {
		return nil, err
	}
	c.source = source
	return c, nil
}

// NewCatalogue gathers rule sets into a catalogue for the Stripe API
// version the contract was derived from. An ID given twice, or a rule
// without a summary, doc text or source, is an error naming it.
func NewCatalogue(apiVersion string, sets ...[]Rule) (*Catalogue, error) {
	c := &Catalogue{byID: map[string]int{}, apiVersion: apiVersion}
	var problems []error
	for _, set := range sets {
		for _, r := range set {
			switch {
			case r.ID == "":
				problems = append(problems, fmt.Errorf("a rule without an ID: %+v", r))
				continue
			case r.Summary == "" || r.Doc == "" || r.Source == "":
				problems = append(problems, fmt.Errorf("rule %s: summary, doc and source are all required", r.ID))
			}
			if _, dup := c.byID[r.ID]; dup {
				problems = append(problems, fmt.Errorf("rule %s is registered twice", r.ID))
				continue
			}
			c.byID[r.ID] = len(c.rules)
			c.rules = append(c.rules, r)
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("rule catalogue: %w", err)
	}
	slices.SortStableFunc(c.rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	for i, r := range c.rules {
		c.byID[r.ID] = i
	}
	return c, nil
}

// Rule returns the rule with the given ID.
func (c *Catalogue) Rule(id string) (Rule, bool) {
	i, ok := c.byID[id]
	if !ok {
		if c.source != nil {
			return c.source.Rule(id)
		}
		return Rule{}, false
	}
	return c.rules[i], true
}

// Rules returns every rule, ordered by ID, in a fresh slice.
func (c *Catalogue) Rules() []Rule {
	if c.source == nil {
		return slices.Clone(c.rules)
	}
	out := slices.Clone(c.rules)
	for _, r := range c.source.Rules() {
		if _, held := c.byID[r.ID]; !held {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// APIVersion is the Stripe API version the derived rules come from.
func (c *Catalogue) APIVersion() string { return c.apiVersion }
