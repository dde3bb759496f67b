package replay_test

import (
	"encoding/json"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
	"github.com/stripe-contract/stripe-contract/suites/replay"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

var _ = Describe("the engine's rules", func() {
	It("quote the spec where they cite it: each doc text is the text at its source", func() {
		raw, _ := generator.PinnedSpec()
		var spec any
		Expect(json.Unmarshal(raw, &spec)).To(Succeed())
		cited := 0
		for _, r := range replay.Rules() {
			if !strings.HasPrefix(r.Source, "#/") {
				continue
			}
			cited++
			at := spec
			for _, tok := range pointer.Split(strings.TrimPrefix(r.Source, "#")) {
				switch n := at.(type) {
				case map[string]any:
					at = n[tok]
				case []any:
					var i int
					Expect(json.Unmarshal([]byte(tok), &i)).To(Succeed(), "%s: %s", r.ID, r.Source)
					Expect(i).To(BeNumerically("<", len(n)), "%s: %s", r.ID, r.Source)
					at = n[i]
				default:
					Fail(r.ID + ": " + r.Source + " does not resolve in the pinned spec")
				}
			}
			text, ok := at.(string)
			Expect(ok).To(BeTrue(), "%s: %s is not a text of the spec", r.ID, r.Source)
			Expect(text).To(ContainSubstring(r.Doc), "%s: its doc is not the spec's text at %s", r.ID, r.Source)
		}
		Expect(cited).To(BeNumerically(">", 0))
	})

	It("are unique, documented, and name their aspect", func() {
		seen := map[string]bool{}
		for _, r := range replay.Rules() {
			Expect(seen[r.ID]).To(BeFalse(), "%s twice", r.ID)
			seen[r.ID] = true
			Expect(r.Aspect).NotTo(BeEmpty(), r.ID)
			Expect([]string{r.Summary, r.Doc, r.Source}).NotTo(ContainElement(""), r.ID)
		}
	})
})
