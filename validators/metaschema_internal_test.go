package validators

import (
	"fmt"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// The embedded contracts compile without jsonschema/v5's meta-schema check
// (trustedDraft), on the strength of this test: every embedded file, as
// the compiler receives it, is valid against the meta-schema and the lazy
// reference's, and uses no format keyword (which a file without $schema
// would assert).
func TestEmbeddedFilesMeetTheMetaSchema(t *testing.T) {
	if RaceDetector {
		t.Skip("a single-threaded check of every file of every version: run without -race (go test ./validators; CI does)")
	}
	meta, err := jsonschema.Compile(compilerDraftURL)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]any{"properties": map[string]any{"a": map[string]any{"anyOf": []any{map[string]any{"type": "text"}}}}}
	if meta.Validate(bad) == nil {
		t.Fatal("the meta-schema accepts a subschema whose type is not a JSON type")
	}
	eachEmbeddedFile(t, func(version, name string, raw []byte) {
		doc, _, err := parseSchemaFile(raw)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := doc["$id"].(string)
		if err := forCompiler(doc, strings.TrimSuffix(id, name), false); err != nil {
			t.Fatalf("%s/%s: %v", version, name, err)
		}
		for _, m := range []*jsonschema.Schema{meta, lazyRefMeta} {
			if err := m.Validate(doc); err != nil {
				t.Errorf("%s/%s does not meet the meta-schema: %v", version, name, err)
			}
		}
		if at := formatKeyword(doc, ""); at != "" {
			t.Errorf("%s/%s uses format at %s", version, name, at)
		}
	})
}

// formatKeyword is where node, or a subschema of it, has a format
// keyword (a string-valued format member), or "".
func formatKeyword(node any, at string) string {
	switch node := node.(type) {
	case map[string]any:
		if _, ok := node["format"].(string); ok {
			return at + "/format"
		}
		for k, v := range node {
			if found := formatKeyword(v, at+"/"+k); found != "" {
				return found
			}
		}
	case []any:
		for i, v := range node {
			if found := formatKeyword(v, fmt.Sprintf("%s/%d", at, i)); found != "" {
				return found
			}
		}
	}
	return ""
}

// trustedDraft skips the meta-schema check, and only that: a document the
// meta-schema refuses ("title" must be a string) compiles with it, and not
// with compilerDraft.
func TestTrustedDraftSkipsTheMetaSchemaCheck(t *testing.T) {
	if trustedDraft == compilerDraft {
		t.Fatal("trustedDraft is compilerDraft: jsonschema/v5 no longer keeps its meta-schema where withoutMetaSchema looks")
	}
	compile := func(d *jsonschema.Draft) (*jsonschema.Schema, error) {
		c := jsonschema.NewCompiler()
		c.Draft = d
		if err := c.AddResource("x.json", strings.NewReader(`{"title": 5, "type": "object", "required": ["id"]}`)); err != nil {
			t.Fatal(err)
		}
		return c.Compile("x.json")
	}
	if _, err := compile(compilerDraft); err == nil {
		t.Error("compilerDraft compiled a schema the meta-schema refuses")
	}
	s, err := compile(trustedDraft)
	if err != nil {
		t.Fatalf("trustedDraft: %v", err)
	}
	if s.Validate(map[string]any{}) == nil || s.Validate(map[string]any{"id": "x"}) != nil || s.Validate("x") == nil {
		t.Error("the schema compiled with trustedDraft does not validate as its keywords say")
	}
}
