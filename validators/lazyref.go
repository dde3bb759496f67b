package validators

import (
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// A resource's file refers to the files of the resources it holds ($ref
// "charge.schema.json"), and through them reaches most of the API: compiled
// eagerly, the first invoice would compile every resource. So the contract
// hands the compiler each file with those references rewritten into the
// lazyRefKeyword extension, which compiles its target the first time a
// document reaches it, and validates there exactly as the $ref would.

// lazyRefKeyword replaces a $ref to another file in the files as compiled.
const lazyRefKeyword = "x-lazy-ref"

var lazyRefMeta = jsonschema.MustCompileString("lazy-ref-meta.json",
	`{"properties": {"`+lazyRefKeyword+`": {"type": "string"}}}`)

// forCompiler makes a schema file's document into the copy the compiler
// keeps: every $ref to another file becomes a lazyRefKeyword with its
// absolute URL (base: the files' $id prefix), and what only people and
// the contract's own index read (descriptions, rule catalogues and rule
// names) is dropped, since the compiler holds its copy of every file it
// has read for as long as the process runs. Locations, and so the notes
// indexed by them, are unchanged.
func forCompiler(node map[string]any, base string) {
	for _, k := range annotationKeywords {
		delete(node, k)
	}
	for k, v := range node {
		switch k {
		case "$ref":
			if ref, ok := v.(string); ok && !strings.HasPrefix(ref, "#") {
				delete(node, "$ref")
				node[lazyRefKeyword] = base + ref
			}
		case "properties", "$defs", "definitions", "patternProperties", "dependentSchemas":
			members, _ := v.(map[string]any)
			for _, m := range members {
				if sm, ok := m.(map[string]any); ok {
					forCompiler(sm, base)
				}
			}
		case "allOf", "anyOf", "oneOf", "prefixItems":
			for _, m := range asList(v) {
				if sm, ok := m.(map[string]any); ok {
					forCompiler(sm, base)
				}
			}
		case "items", "not", "if", "then", "else", "additionalProperties", "unevaluatedProperties",
			"unevaluatedItems", "additionalItems", "contains", "propertyNames":
			if sm, ok := v.(map[string]any); ok {
				forCompiler(sm, base)
			}
		}
	}
}

// annotationKeywords are the members of a subschema that validate nothing.
var annotationKeywords = []string{"title", "description", "$comment", "examples",
	"x-rules", "x-rule", "x-undocumented", "x-rule-definitions", "x-generated-from", "x-stripe-api-version"}

type lazyRefCompiler struct{ c *contract }

// Compile reads the keyword; the target is compiled when first needed.
func (l lazyRefCompiler) Compile(_ jsonschema.CompilerContext, m map[string]any) (jsonschema.ExtSchema, error) {
	url, ok := m[lazyRefKeyword].(string)
	if !ok {
		return nil, nil
	}
	return &lazyRef{c: l.c, url: url}, nil
}

// lazyRef is a reference to a schema of another file, compiled on first
// use.
type lazyRef struct {
	c    *contract
	url  string
	once sync.Once
	s    *jsonschema.Schema
	err  error
}

// target compiles the referenced schema once.
func (r *lazyRef) target() (*jsonschema.Schema, error) {
	r.once.Do(func() { r.s, r.err = r.c.compile(r.url) })
	return r.s, r.err
}

// Validate applies the target in place, as $ref does: its failures are
// the causes of this keyword's.
func (r *lazyRef) Validate(ctx jsonschema.ValidationContext, v any) error {
	s, err := r.target()
	if err != nil {
		return ctx.Error(lazyRefKeyword, "the contract could not be loaded: %v", err)
	}
	if err := ctx.Validate(s, lazyRefKeyword, v, ""); err != nil {
		parent := ctx.Error(lazyRefKeyword, "doesn't validate with %s", r.url)
		return parent.Group(parent, err)
	}
	return nil
}
