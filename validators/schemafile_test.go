package validators_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
)

func TestReadSchemaFile(t *testing.T) {
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		t.Fatal(err)
	}
	names, err := schemas.Files(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 100 {
		t.Fatalf("the newest version has %d schema files", len(names))
	}
	for _, name := range append(names, schemas.RequestFile) {
		f, err := validators.ReadSchemaFile(files, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.ID == "" || f.APIVersion == "" || len(f.Rules) == 0 || f.Doc == nil {
			t.Errorf("%s: read as %+v", name, f)
		}
		for i, r := range f.Rules {
			if r.File != name || r.Aspect == "" || r.Summary == "" {
				t.Errorf("%s: rule %d is %+v", name, i, r)
			}
			if i > 0 && f.Rules[i-1].ID >= r.ID {
				t.Errorf("%s: rules out of ID order at %s", name, r.ID)
			}
		}
	}
	rules := `"x-rule-definitions":{"a.b.enum":{"severity":"error","aspect":"enum","check":"schema","summary":"s","doc":"d","source":"x"}}`
	for _, tc := range []struct{ name, file, want string }{
		{"not JSON", `{`, "parse schema bad.json"},
		{"no $id", `{"x-stripe-api-version":"v",` + rules + `}`, "bad.json has no $id"},
		{"no version", `{"$id":"x",` + rules + `}`, "names no API version"},
		{"no catalogue", `{"$id":"x","x-stripe-api-version":"v"}`, "bad.json has no x-rule-definitions"},
		{"bad severity", `{"$id":"x","x-stripe-api-version":"v","x-rule-definitions":{"a":{"severity":"fatal"}}}`, "bad.json: x-rule-definitions"},
		{"missing", "", "read schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := fstest.MapFS{}
			if tc.file != "" {
				files["bad.json"] = &fstest.MapFile{Data: []byte(tc.file)}
			}
			_, err := validators.ReadSchemaFile(files, "bad.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
