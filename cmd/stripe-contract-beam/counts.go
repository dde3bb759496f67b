package main

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// Counts is what a run saw, merged across workers: validate's summary
// (pipeline.Summary) with the documents of each resource too.
type Counts struct {
	Documents, Valid, Invalid, Bytes int64
	Errors, Warnings, Notices        int64            // violations by severity
	Rules                            map[string]int64 // violations per rule
	RuleSeverities                   map[string]int   // each rule's severity
	Kinds                            map[string]int64 // documents per resource (kind)
	InvalidKinds                     map[string]int64 // invalid documents per resource
	APIVersions                      map[string]int64 // documents per API version judged at
}

// add counts one verdict as pipeline.Summary.Add counts an outcome (the
// test compares the two on the same files), and per kind.
func (c *Counts) add(v Verdict) {
	c.Documents++
	c.Bytes += v.Bytes
	if v.APIVersion != "" {
		inc(&c.APIVersions, v.APIVersion, 1)
	}
	inc(&c.Kinds, v.Kind, 1)
	if v.Valid {
		c.Valid++
	} else {
		c.Invalid++
		inc(&c.InvalidKinds, v.Kind, 1)
	}
	for _, vi := range v.Violations {
		switch validators.Severity(vi.Severity) {
		case validators.Error:
			c.Errors++
		case validators.Warning:
			c.Warnings++
		case validators.Notice:
			c.Notices++
		}
		inc(&c.Rules, vi.Rule, 1)
		if c.RuleSeverities == nil {
			c.RuleSeverities = map[string]int{}
		}
		if _, ok := c.RuleSeverities[vi.Rule]; !ok {
			c.RuleSeverities[vi.Rule] = vi.Severity
		}
	}
}

// merge adds o's counts to c's.
func (c *Counts) merge(o Counts) {
	c.Documents += o.Documents
	c.Valid += o.Valid
	c.Invalid += o.Invalid
	c.Bytes += o.Bytes
	c.Errors += o.Errors
	c.Warnings += o.Warnings
	c.Notices += o.Notices
	for k, n := range o.Rules {
		inc(&c.Rules, k, n)
	}
	for k, n := range o.Kinds {
		inc(&c.Kinds, k, n)
	}
	for k, n := range o.InvalidKinds {
		inc(&c.InvalidKinds, k, n)
	}
	for k, n := range o.APIVersions {
		inc(&c.APIVersions, k, n)
	}
	if len(o.RuleSeverities) > 0 {
		if c.RuleSeverities == nil {
			c.RuleSeverities = map[string]int{}
		}
		for k, s := range o.RuleSeverities {
			if _, ok := c.RuleSeverities[k]; !ok {
				c.RuleSeverities[k] = s
			}
		}
	}
}

func inc(m *map[string]int64, key string, n int64) {
	if *m == nil {
		*m = map[string]int64{}
	}
	(*m)[key] += n
}

// Summary is the counts as validate's pipeline.Summary, for the main
// module's reports to write its summary sentence and rule counts.
func (c Counts) Summary() pipeline.Summary {
	s := pipeline.Summary{Documents: c.Documents, Valid: c.Valid, Invalid: c.Invalid, Bytes: c.Bytes,
		Violations: [3]int64{c.Errors, c.Warnings, c.Notices}, Rules: map[string]*pipeline.RuleCount{}, APIVersions: maps.Clone(c.APIVersions)}
	for rule, n := range c.Rules {
		s.Rules[rule] = &pipeline.RuleCount{Rule: rule, Severity: validators.Severity(c.RuleSeverities[rule]), Count: n}
	}
	return s
}

// countsFn is the Beam combine that counts verdicts: each worker counts its
// bundles' verdicts (combiner lifting), and the partial counts merge.
type countsFn struct{}

// CreateAccumulator is an empty count.
func (countsFn) CreateAccumulator() Counts { return Counts{} }

// AddInput counts one verdict.
func (countsFn) AddInput(c Counts, v Verdict) Counts {
	c.add(v)
	return c
}

// MergeAccumulators adds two partial counts.
func (countsFn) MergeAccumulators(a, b Counts) Counts {
	a.merge(b)
	return a
}

// sortedKeys are m's keys, most documents first, then by name.
func sortedKeys(m map[string]int64) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return cmp.Compare(m[b], m[a])
		}
		return strings.Compare(a, b)
	})
	return keys
}
