package validators

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
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

// The files say they are JSON Schema 2020-12, and the contract compiles
// them as 2019-09 (compilerDraft), whose meaning is the same for every
// keyword they use: jsonschema/v5 resolves 2020-12's dynamic anchors at
// each subschema it compiles by listing all of the file's subschemas,
// which made compiling a resource's file quadratic in its size (a third
// of the compile time of the mixed benchmark's first 500 lines). A file
// with a keyword whose meaning differs (draft2020Only) is refused.
var (
	compilerDraft       = jsonschema.Draft2019
	compilerDraftURL    = "https://json-schema.org/draft/2019-09/schema"
	draft2020Only       = []string{"prefixItems", "$dynamicRef", "$dynamicAnchor"}
	errDraft2020Keyword = errors.New("uses a keyword of JSON Schema 2020-12 that 2019-09 reads otherwise")
)

// The embedded files are checked against the meta-schema by a test
// (TestEmbeddedFilesMeetTheMetaSchema), on every commit, and a test fails
// when they differ from what the generator writes: a run that compiles
// them need not check them again. That check, which jsonschema/v5 makes of
// every file it reads and offers no option to skip, was half the cost of
// compiling a resource's file (validate of the invoice benchmark's first
// 500 lines: 80 ms with it, 40 ms without). So the contracts of the embedded versions compile
// with trustedDraft, compilerDraft without its meta-schema, and their
// files name no $schema (the draft is then the compiler's, and every
// vocabulary applies: 2019-09's assert the same keywords, but for format,
// which the files do not use, as the test checks). Files read with
// WithSchemas, from anywhere, are checked.
var trustedDraft = withoutMetaSchema(compilerDraft)

// withoutMetaSchema returns a copy of d whose compiles do not validate
// documents against its meta-schema, or d itself should jsonschema/v5 no
// longer hold it where this expects (the test of trustedDraft then fails).
func withoutMetaSchema(d *jsonschema.Draft) *jsonschema.Draft {
	trusted := *d
	meta := reflect.ValueOf(&trusted).Elem().FieldByName("meta")
	if !meta.IsValid() || meta.Type() != reflect.TypeFor[*jsonschema.Schema]() {
		return d
	}
	// meta is unexported: written through its address, in the copy only.
	reflect.NewAt(meta.Type(), unsafe.Pointer(meta.UnsafeAddr())).Elem().SetZero()
	return &trusted
}

// itemsOf is the schema every item of an array must match, if one.
func itemsOf(s *jsonschema.Schema) *jsonschema.Schema {
	if s.Items2020 != nil {
		return s.Items2020
	}
	items, _ := s.Items.(*jsonschema.Schema)
	return items
}

// forCompiler makes a schema file's document into the copy the compiler
// keeps: every $ref to another file becomes a lazyRefKeyword with its
// absolute URL (base: the files' $id prefix), and what only people and
// the contract's own index read (descriptions, rule catalogues and rule
// names) is dropped, since the compiler holds its copy of every file it
// has read for as long as the process runs; a subschema that names the
// rule for fields it does not list (x-undocumented) gets
// unevaluatedProperties: false. Locations, and so the notes indexed by
// them, are unchanged. A trusted file's copy names no $schema
// (trustedDraft).
func forCompiler(doc map[string]any, base string, trusted bool) error {
	if _, ok := doc["$schema"]; ok {
		doc["$schema"] = compilerDraftURL
	}
	if trusted {
		delete(doc, "$schema")
	}
	return stripForCompiler(doc, base, "")
}

func stripForCompiler(node map[string]any, base, at string) error {
	if _, ok := node["x-undocumented"].(string); ok { // fields it does not list are reported
		node["unevaluatedProperties"] = false
	}
	for _, k := range annotationKeywords {
		delete(node, k)
	}
	for _, k := range draft2020Only {
		if _, ok := node[k]; ok {
			return fmt.Errorf("%s/%s %w", at, k, errDraft2020Keyword)
		}
	}
	for k, v := range node {
		var err error
		switch k {
		case "$ref":
			if ref, ok := v.(string); ok && !strings.HasPrefix(ref, "#") {
				delete(node, "$ref")
				node[lazyRefKeyword] = base + ref
			}
		case "properties", "$defs", "definitions", "patternProperties", "dependentSchemas":
			members, _ := v.(map[string]any)
			for name, m := range members {
				if sm, ok := m.(map[string]any); ok && err == nil {
					err = stripForCompiler(sm, base, at+"/"+k+"/"+pointer.Escape(name))
				}
			}
		case "allOf", "anyOf", "oneOf":
			for i, m := range asList(v) {
				if sm, ok := m.(map[string]any); ok && err == nil {
					err = stripForCompiler(sm, base, at+"/"+k+"/"+strconv.Itoa(i))
				}
			}
		case "items", "not", "if", "then", "else", "additionalProperties", "unevaluatedProperties",
			"unevaluatedItems", "additionalItems", "contains", "propertyNames":
			if sm, ok := v.(map[string]any); ok {
				err = stripForCompiler(sm, base, at+"/"+k)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
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
	c   *contract
	url string
}

// target is the referenced schema, compiled by the contract on first use
// and kept by it, not here: the contract may drop a file it has not used
// for long (v5Budget).
func (r *lazyRef) target() (*jsonschema.Schema, error) { return r.c.compile(r.url) }

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
