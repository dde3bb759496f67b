package bench_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// The mixed data is what it claims: every line's validity is the one the
// generator promised, about a tenth are invalid, and the mix holds the
// kinds it claims, with events of many types.
func TestMixedLinesKeepTheirPromise(t *testing.T) {
	v, err := validators.New()
	if err != nil {
		t.Fatal(err)
	}
	g, err := bench.NewMixed(1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4000
	kinds := map[validators.Kind]int{}
	types := map[string]int{}
	invalid, expandedCharge, expandedCustomer, size := 0, 0, 0, 0
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
		kinds[res.Kind]++
		var head struct {
			Type string `json:"type"`
		}
		if res.Kind == validators.KindEvent && json.Unmarshal(line, &head) == nil {
			types[head.Type]++
		}
		if bytes.Contains(line, []byte(`"latest_charge":{`)) {
			expandedCharge++
		}
		if bytes.Contains(line, []byte(`"customer":{`)) {
			expandedCustomer++
		}
	}
	if share := float64(invalid) / n; share < 0.08 || share > 0.12 {
		t.Errorf("invalid share %.3f, want about %.2f", share, bench.MixedInvalidShare)
	}
	for _, k := range []validators.Kind{"customer", "charge", "payment_intent", "subscription", validators.KindInvoice,
		validators.KindInvoicePayment, validators.KindList, validators.KindSearchResult, validators.KindEvent} {
		if kinds[k] < n/50 {
			t.Errorf("%d lines of kind %s, want at least %d", kinds[k], k, n/50)
		}
	}
	if len(types) < 20 {
		t.Errorf("events of %d types, want at least 20", len(types))
	}
	if expandedCharge < n/100 || expandedCustomer < n/100 {
		t.Errorf("%d lines with latest_charge expanded, %d with customer expanded, want at least %d each", expandedCharge, expandedCustomer, n/100)
	}
	t.Logf("%d lines, %.1f%% invalid, %d bytes on average; kinds %v; events of %d types", n, 100*float64(invalid)/n, size/n, kinds, len(types))
}

// The same seed writes the same lines.
func TestMixedIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if _, err := bench.WriteMixed(&a, 300, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := bench.WriteMixed(&b, 300, 7); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with seed 7 wrote different lines")
	}
	var c bytes.Buffer
	if _, err := bench.WriteMixed(&c, 300, 8); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("seeds 7 and 8 wrote the same lines")
	}
}
