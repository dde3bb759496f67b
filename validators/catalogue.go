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
		return Rule{}, false
	}
	return c.rules[i], true
}

// Rules returns every rule, ordered by ID, in a fresh slice.
func (c *Catalogue) Rules() []Rule { return slices.Clone(c.rules) }

// APIVersion is the Stripe API version the derived rules come from.
func (c *Catalogue) APIVersion() string { return c.apiVersion }
