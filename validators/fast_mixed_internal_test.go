package validators

import (
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// The fast path clears the clean lines of the mixed benchmark data too
// (resources, expanded objects, lists, search results, events of many
// types), not only invoice_payments: a line it cannot clear goes through
// the full path, many times slower.
func TestFastPathAcceptsCleanMixedLines(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	g, err := bench.NewMixed(9)
	if err != nil {
		t.Fatal(err)
	}
	clean, accepted := 0, 0
	declined := map[Kind]int{}
	for range 4000 {
		line, valid := g.Line()
		if !valid {
			continue
		}
		clean++
		tp := &tape{}
		if !tp.scan(line, v.maxDepth) {
			t.Fatalf("the scanner declined a clean line: %s", line)
		}
		kind := kindOf(tapeFacts(tp), v.base())
		if v.versions[v.dflt].fast.root(kind).eval(tp, 0) == pass && len(goFindings(kind, tapeView{tp})) == 0 && !tp.inexact {
			accepted++
		} else {
			declined[kind]++
		}
	}
	t.Logf("the fast path accepted %d of %d clean mixed lines (%.2f%%); declined by kind: %v", accepted, clean, 100*float64(accepted)/float64(clean), declined)
	if accepted < clean*99/100 {
		t.Fatalf("the fast path accepted %d of %d clean lines", accepted, clean)
	}
}
