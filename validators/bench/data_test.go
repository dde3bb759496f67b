package bench_test

import (
	"bytes"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// The generated data is what it claims: lines meant valid are valid, lines
// meant invalid are invalid, in the advertised shares and size.
func TestGeneratedLinesKeepTheirPromise(t *testing.T) {
	v, err := validators.New()
	if err != nil {
		t.Fatal(err)
	}
	g := bench.New(1)
	const n = 20000
	invalid, expanded, size := 0, 0, 0
	for i := range n {
		line, valid := g.Line()
		size += len(line)
		res := v.Validate(line)
		if res.Valid() != valid {
			t.Fatalf("line %d generated valid=%v, validator says %v: %s\n%v", i, valid, res.Valid(), line, res.Violations)
		}
		if !valid {
			invalid++
		}
		if res.Kind != validators.KindInvoicePayment {
			t.Fatalf("line %d is a %s", i, res.Kind)
		}
		if bytes.Contains(line, []byte(`"invoice":{`)) {
			expanded++
		}
	}
	if share := float64(invalid) / n; share < 0.08 || share > 0.12 {
		t.Errorf("invalid share %.3f, want about %.2f", share, bench.InvalidShare)
	}
	if share := float64(expanded) / n; share < 0.035 || share > 0.065 {
		t.Errorf("expanded share %.3f, want about %.2f", share, bench.ExpandedShare)
	}
	if avg := size / n; avg < 450 || avg > 700 {
		t.Errorf("average line %d bytes, want about 570", avg)
	}
	t.Logf("%d lines: %.1f%% invalid, %.1f%% expanded, %d bytes on average", n, 100*float64(invalid)/n, 100*float64(expanded)/n, size/n)
}
