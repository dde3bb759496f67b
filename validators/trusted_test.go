package validators_test

import (
	"reflect"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
)

// The embedded contracts are trusted: compiled without the meta-schema
// check, their files' annotations not checked against their catalogues. The same files read as any
// others (WithSchemas), with every check, give the same rules and the
// same verdicts.

func TestTrustedContractsReadTheSameRules(t *testing.T) {
	if validators.RaceDetector {
		t.Skip("a single-threaded read of every file of every version: run without -race (go test ./validators; CI does)")
	}
	for _, version := range schemas.Versions() {
		files, err := schemas.Version(version)
		if err != nil {
			t.Fatal(err)
		}
		checked, err := validators.New(validators.WithSchemas(files))
		if err != nil {
			t.Fatal(err)
		}
		want, err := checked.Catalogue()
		if err != nil {
			t.Fatalf("%s, every check: %v", version, err)
		}
		got, err := mustValidator(validators.WithAPIVersion(version)).Catalogue()
		if err != nil {
			t.Fatalf("%s, trusted: %v", version, err)
		}
		if len(got) < 10000 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the trusted contract has %d rules, the checked one %d, and they differ", version, len(got), len(want))
		}
	}
}
