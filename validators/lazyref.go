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

// lazyRefs rewrites, in a schema file's document, every $ref to another
// file into a lazyRefKeyword with its absolute URL (base: the files' $id
// prefix).
func lazyRefs(node any, base string) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if k == "$ref" {
				if ref, ok := v.(string); ok && !strings.HasPrefix(ref, "#") {
					delete(n, "$ref")
					n[lazyRefKeyword] = base + ref
				}
				continue
			}
			if k == "enum" || k == "const" || k == "x-rule-definitions" {
				continue // values, not schemas
			}
			lazyRefs(v, base)
		}
	case []any:
		for _, v := range n {
			lazyRefs(v, base)
		}
	}
}

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
