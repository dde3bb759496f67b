package validators

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
)

func TestTheCompilersCopyOfAFile(t *testing.T) {
	doc := map[string]any{
		"$schema":            "https://json-schema.org/draft/2020-12/schema",
		"description":        "a resource",
		"x-rule-definitions": map[string]any{"r.x": map[string]any{"doc": "..."}},
		"properties": map[string]any{
			// A member named like an annotation keyword is a property, kept.
			"description": map[string]any{"type": "string", "x-rule": "r.description", "description": "its doc"},
			"charge":      map[string]any{"$ref": "charge.schema.json"},
		},
	}
	if err := forCompiler(doc, "https://example.test/v/", false); err != nil {
		t.Fatal(err)
	}
	props := doc["properties"].(map[string]any)
	if doc["$schema"] != compilerDraftURL || doc["description"] != nil || doc["x-rule-definitions"] != nil {
		t.Errorf("root not made the compiler's copy: %v", doc)
	}
	if d, ok := props["description"].(map[string]any); !ok || d["type"] != "string" || d["x-rule"] != nil || d["description"] != nil {
		t.Errorf("property named description: %v", props["description"])
	}
	if c := props["charge"].(map[string]any); c[lazyRefKeyword] != "https://example.test/v/charge.schema.json" || c["$ref"] != nil {
		t.Errorf("reference to another file not made lazy: %v", c)
	}

	for _, kw := range draft2020Only {
		doc := map[string]any{"properties": map[string]any{"lines": map[string]any{kw: []any{}}}}
		err := forCompiler(doc, "", false)
		if !errors.Is(err, errDraft2020Keyword) || err.Error() != "/properties/lines/"+kw+" "+errDraft2020Keyword.Error() {
			t.Errorf("%s: got %v, want a refusal naming where it stands", kw, err)
		}
	}
}

// An expandable field holding an ID or null is decided without the
// expanded resource's file: the invoice's on_behalf_of (an account) and
// default_payment_method (a payment method) are null or IDs here, so
// neither file is read, clean document or not.
func TestAReferenceToAnObjectIsNotCompiledForOtherValues(t *testing.T) {
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{
		`{"object":"invoice","id":"in_1","on_behalf_of":null,"default_payment_method":"pm_1"}`,
		`{"object":"invoice","id":"in_1","on_behalf_of":7,"default_payment_method":null}`,
	} {
		v, err := New(WithSchemas(files)) // a contract of its own: nothing read yet
		if err != nil {
			t.Fatal(err)
		}
		if res := v.Validate([]byte(doc)); res.Valid() {
			t.Fatalf("%s: valid, but the invoice misses required fields", doc)
		}
		c := v.versions[v.dflt].c
		if _, read := c.loaded["invoice.schema.json"]; !read {
			t.Fatalf("%s: the invoice's own file was not read; loaded %v", doc, c.loaded)
		}
		for _, file := range []string{"account.schema.json", "payment_method.schema.json"} {
			if _, read := c.loaded[file]; read {
				t.Errorf("%s: %s was read for a value that is not an object", doc, file)
			}
		}
	}
}

func TestAFileWhoseEntriesAreNotObjectsIsRefused(t *testing.T) {
	for _, tc := range []struct {
		doc  map[string]any
		want string
	}{
		{map[string]any{"type": "object"}, ""},
		{map[string]any{"type": []any{"object", "null"}}, "schema x.schema.json: its root is not of type object"},
		{map[string]any{}, "schema x.schema.json: its root is not of type object"},
		{map[string]any{"type": "object", "$defs": map[string]any{"partial": map[string]any{"type": "string"}}},
			"schema x.schema.json: its " + partialDef + " is not of type object"},
	} {
		err := objectSchemas("x.schema.json", tc.doc)
		if got := fmt.Sprint(err); tc.want == "" && err != nil || tc.want != "" && got != tc.want {
			t.Errorf("%v: got %v, want %q", tc.doc, err, tc.want)
		}
	}
}
