package validators

import (
	"errors"
	"testing"
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
	if err := forCompiler(doc, "https://example.test/v/"); err != nil {
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
		err := forCompiler(doc, "")
		if !errors.Is(err, errDraft2020Keyword) || err.Error() != "/properties/lines/"+kw+" "+errDraft2020Keyword.Error() {
			t.Errorf("%s: got %v, want a refusal naming where it stands", kw, err)
		}
	}
}
