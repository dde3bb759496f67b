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
	sources    []RuleSource // rule sets read on demand, after rules
}

// RuleSource is a rule set read on demand: the request contract's, tens of
// thousands of rules that a command citing a few need not read whole.
type RuleSource interface {
	// Rule returns the rule with the given ID, if the set has it.
	Rule(id string) (Rule, bool)
	// Catalogue returns every rule of the set, or why it cannot be read.
	Catalogue() ([]Rule, error)
}

// Include adds a rule set read on demand: Rule looks a rule up in it, Rules
// and Complete read it whole.
func (c *Catalogue) Include(src RuleSource) { c.sources = append(c.sources, src) }

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
	if i, ok := c.byID[id]; ok {
		return c.rules[i], true
	}
	for _, src := range c.sources {
		if r, ok := src.Rule(id); ok {
			return r, true
		}
	}
	return Rule{}, false
}

// Rules returns every rule, ordered by ID, in a fresh slice; a rule set
// included that cannot be read is left out (Complete says why).
func (c *Catalogue) Rules() []Rule {
	all, _ := c.Complete()
	return all
}

// Complete returns every rule, ordered by ID, reading the rule sets
// included whole, and checks them as NewCatalogue checks its sets: an ID
// given twice, or a rule without a summary, doc text or source, is an error
// naming it.
func (c *Catalogue) Complete() ([]Rule, error) {
	if len(c.sources) == 0 {
		return slices.Clone(c.rules), nil
	}
	sets := [][]Rule{c.rules}
	var problems []error
	for _, src := range c.sources {
		rules, err := src.Catalogue()
		if err != nil {
			problems = append(problems, err)
			continue
		}
		sets = append(sets, rules)
	}
	all, err := NewCatalogue(c.apiVersion, sets...)
	if err != nil {
		problems = append(problems, err)
		return slices.Clone(c.rules), errors.Join(problems...)
	}
	return all.rules, errors.Join(problems...)
}

// APIVersion is the Stripe API version the derived rules come from.
func (c *Catalogue) APIVersion() string { return c.apiVersion }
