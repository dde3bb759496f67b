package explain_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/validators/explain"
)

const schema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "status": {"enum": ["open", "paid"]},
    "a b": {"type": "integer"},
    "ref": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
    "list": {"items": {"maxLength": 2}}
  },
  "required": ["id"],
  "allOf": [{
    "if": {"properties": {"status": {"const": "paid"}}},
    "then": {"required": ["paid_at"]}
  }],
  "unevaluatedProperties": false
}`

func failures(t *testing.T, doc any, w explain.Walker) []string {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource("mem://s.json", strings.NewReader(schema)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mem://s.json")
	if err != nil {
		t.Fatal(err)
	}
	var ve *jsonschema.ValidationError
	if !errors.As(s.Validate(doc), &ve) {
		t.Fatalf("%v validates", doc)
	}
	var out []string
	w.Walk(ve, nil, func(f explain.Failure) {
		if f.Location() != strings.TrimPrefix(f.Schema, "mem://s.json#") {
			t.Errorf("Location %q is not the fragment of Schema %q", f.Location(), f.Schema)
		}
		line := fmt.Sprintf("%s %s at %s", f.Keyword, f.Location(), f.Instance)
		for _, c := range f.Conditions {
			line += fmt.Sprintf(" if %s at %q", strings.TrimPrefix(c.Schema, "mem://s.json#"), c.Instance)
		}
		out = append(out, line)
	})
	slices.Sort(out)
	return out
}

func TestWalk(t *testing.T) {
	doc := map[string]any{
		"status": "paid", "a b": "x", "ref": true, "list": []any{"abc"}, "": 1,
	}
	got := failures(t, doc, explain.Walker{})
	want := []string{
		// anyOf fails as a whole, where it stands
		"anyOf /properties/ref at /ref",
		// an items failure at the item's pointer
		"maxLength /properties/list/items at /list/0",
		// the object's own required
		"required  at ",
		// under the if/then, with the condition
		`required /allOf/0/then at  if /allOf/0 at ""`,
		// v5's percent-encoded "a%20b" (in both locations) read back as RFC 6901
		"type /properties/a b at /a b",
		// the member named "", at its own pointer, not the object's
		"unevaluatedProperties  at /",
	}
	if !slices.Equal(got, want) {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWalkAtAndFollow(t *testing.T) {
	doc := map[string]any{"id": "x", "ref": true}
	// Follow: an anyOf explained by its branches; At: the value stands at /data/0.
	got := failures(t, doc, explain.Walker{At: "/data/0", Follow: func(f explain.Failure) []*jsonschema.ValidationError {
		return f.Error.Causes
	}})
	want := []string{
		`required /allOf/0/then at /data/0 if /allOf/0 at "/data/0"`,
		"type /properties/ref/anyOf/0 at /data/0/ref",
		"type /properties/ref/anyOf/1 at /data/0/ref",
		"unevaluatedProperties  at /data/0/id",
	}
	if !slices.Equal(got, want) {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
