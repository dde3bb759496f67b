package validators

import (
	"io/fs"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// eachEmbeddedFile calls check with every schema file of every embedded
// version (schemas.Files: the resources' and the envelopes'), read.
func eachEmbeddedFile(t *testing.T, check func(version, name string, raw []byte)) {
	t.Helper()
	for _, version := range schemas.Versions() {
		files, err := schemas.Version(version)
		if err != nil {
			t.Fatal(err)
		}
		names, err := schemas.Files(files)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) < 100 {
			t.Fatalf("%s has %d schema files", version, len(names))
		}
		for _, name := range names {
			raw, err := fs.ReadFile(files, name)
			if err != nil {
				t.Fatal(err)
			}
			check(version, name, raw)
		}
	}
}
