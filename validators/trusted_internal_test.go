package validators

import (
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
