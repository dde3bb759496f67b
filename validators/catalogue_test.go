package validators_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/validators"
)

var _ = Describe("Catalogue", func() {
	rule := func(id string) validators.Rule {
		return validators.Rule{ID: id, Summary: "s", Doc: "d", Source: "src"}
	}

	It("lists every rule of every set, ordered by ID, and finds each", func() {
		c, err := validators.NewCatalogue("2026-08-26.dahlia", []validators.Rule{rule("b.x")}, []validators.Rule{rule("a.y"), rule("c.z")})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Rules()).To(HaveExactElements(HaveField("ID", "a.y"), HaveField("ID", "b.x"), HaveField("ID", "c.z")))
		r, ok := c.Rule("b.x")
		Expect(ok).To(BeTrue())
		Expect(r.ID).To(Equal("b.x"))
		_, ok = c.Rule("d.none")
		Expect(ok).To(BeFalse())
		Expect(c.APIVersion()).To(Equal("2026-08-26.dahlia"))
	})

	It("reads an included rule set on demand: one rule when looked up, all when listed, checked then", func() {
		c, err := validators.NewCatalogue("", []validators.Rule{rule("b.x")})
		Expect(err).NotTo(HaveOccurred())
		src := &source{rules: []validators.Rule{rule("request.a"), rule("request.c")}}
		c.Include(src)
		r, ok := c.Rule("request.c")
		Expect(ok).To(BeTrue())
		Expect(r.ID).To(Equal("request.c"))
		Expect(src.listed).To(BeZero(), "a lookup reads one rule")
		Expect(c.Rules()).To(HaveExactElements(HaveField("ID", "b.x"), HaveField("ID", "request.a"), HaveField("ID", "request.c")))
		Expect(src.listed).To(Equal(1))

		c.Include(&source{rules: []validators.Rule{rule("b.x")}})
		_, err = c.Complete()
		Expect(err).To(MatchError(ContainSubstring("rule b.x is registered twice")))
		c.Include(&source{err: errors.New("the file is cut")})
		_, err = c.Complete()
		Expect(err).To(MatchError(ContainSubstring("the file is cut")))
	})

	It("hands out copies: changing what Rules returned changes nothing", func() {
		c, err := validators.NewCatalogue("", []validators.Rule{rule("a.y")})
		Expect(err).NotTo(HaveOccurred())
		c.Rules()[0].ID = "changed"
		Expect(c.Rules()[0].ID).To(Equal("a.y"))
	})

	It("refuses a rule registered twice, naming it", func() {
		_, err := validators.NewCatalogue("", []validators.Rule{rule("a.y")}, []validators.Rule{rule("a.y")})
		Expect(err).To(MatchError(ContainSubstring("rule a.y is registered twice")))
	})

	It("refuses a rule without its documentation, naming it", func() {
		_, err := validators.NewCatalogue("", []validators.Rule{{ID: "a.y", Summary: "s"}})
		Expect(err).To(MatchError(ContainSubstring("rule a.y: summary, doc and source are all required")))
	})
})

var _ = Describe("the derived rules", func() {
	It("each carry their aspect as a field, from the schema files' x-rule-definitions", func() {
		v, err := validators.New()
		Expect(err).NotTo(HaveOccurred())
		aspects := map[string]int{}
		for _, r := range v.Rules() {
			Expect(r.Aspect).NotTo(BeEmpty(), "rule %s has no aspect", r.ID)
			aspects[r.Aspect]++
		}
		// the aspects callers branch on are there
		Expect(aspects).To(HaveKey(validators.AspectUndocumentedField))
		Expect(aspects).To(HaveKey(validators.AspectRequired))
		Expect(aspects).To(HaveKey(validators.AspectEnum))
	})
})

// source is a rule set read on demand, counting how often it is read whole.
type source struct {
	rules  []validators.Rule
	err    error
	listed int
}

func (s *source) Rule(id string) (validators.Rule, bool) {
	for _, r := range s.rules {
		if r.ID == id {
			return r, true
		}
	}
	return validators.Rule{}, false
}

func (s *source) Catalogue() ([]validators.Rule, error) {
	s.listed++
	return s.rules, s.err
}
