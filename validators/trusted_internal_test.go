package validators

import (
	"os"
	"reflect"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// A trusted contract (the embedded versions') compiles without the
// meta-schema check and does not check its files' annotations against
// their catalogues; its verdicts, rules and messages are those of the same
// files read with every check.
func TestTrustedContractsGiveTheSameVerdicts(t *testing.T) {
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		t.Fatal(err)
	}
	m, err := bench.NewMixed(7)
	if err != nil {
		t.Fatal(err)
	}
	lines := bench.Lines(300, 7)
	for range 1500 {
		line, _ := m.Line()
		lines = append(lines, line)
	}
	// Two contracts of their own, nothing read yet, one made trusted as
	// the embedded ones are.
	trusted, err := New(WithSchemas(files))
	if err != nil {
		t.Fatal(err)
	}
	trusted.versions[trusted.dflt].c.trusted = true
	checked, err := New(WithSchemas(files))
	if err != nil {
		t.Fatal(err)
	}
	invalid := 0
	for i, line := range lines {
		got, want := trusted.Validate(line), checked.Validate(line)
		if !want.Valid() {
			invalid++
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("line %d: trusted %+v, checked %+v", i+1, got, want)
		}
	}
	if invalid < 100 {
		t.Fatalf("%d of %d lines invalid: the comparison says little", invalid, len(lines))
	}
}

// BenchmarkFirstUse is the start-up cost a run pays for the resources its
// documents touch: a new contract, then one invoice payment whose invoice
// (with its line items) and payment intent are expanded, each resource's
// file read, indexed and compiled on first use; as the embedded contracts
// are (trusted), and with every check --schemas makes (checked), in the
// same run.
func BenchmarkFirstUse(b *testing.B) {
	doc, err := os.ReadFile("../schemas/examples/invoice_payment_expanded.json")
	if err != nil {
		b.Fatal(err)
	}
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		b.Fatal(err)
	}
	for _, trusted := range []bool{true, false} {
		b.Run(map[bool]string{true: "trusted", false: "checked"}[trusted], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				// A contract of its own, not the process's shared one, so
				// that each iteration compiles.
				v, err := New(WithSchemas(files))
				if err != nil {
					b.Fatal(err)
				}
				v.versions[v.dflt].c.trusted = trusted
				if res := v.Validate(doc); !res.Valid() {
					b.Fatalf("the example is invalid: %v", res.Violations)
				}
			}
		})
	}
}
