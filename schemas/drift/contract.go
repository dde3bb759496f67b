package drift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// Contract is one API version's contract, as Compare reads it.
type Contract struct {
	// APIVersion is the Stripe API version: "2026-08-26.dahlia".
	APIVersion string
	// Files are the generated schema files, keyed by file name
	// (generator.Result's Files).
	Files map[string][]byte
	// Prose lists the rules found in the docs' sentences.
	Prose []generator.ProseRule
	// Events maps the version's event types to the resources they carry;
	// nil when unknown, and then no event type is found renamed.
	Events *generator.EventMap
}

// FromResult is the contract a generation produced, with the event map of
// the same version (nil if not known).
func FromResult(r *generator.Result, events *generator.EventMap) *Contract {
	return &Contract{APIVersion: r.APIVersion, Files: r.Files, Prose: r.Prose, Events: events}
}

// LoadError says that the contract of an embedded API version could not be
// obtained: its specs could not be loaded (Stage "load", for instance when
// the Go module proxy is unreachable) or the generator refused them (Stage
// "generate").
type LoadError struct {
	APIVersion string
	Stage      string // "load", "generate" or "map event types"
	Err        error
}

// Error names the version, the stage and the cause.
func (e *LoadError) Error() string {
	switch e.Stage {
	case "load":
		return fmt.Sprintf("load the specs of %s: %v", e.APIVersion, e.Err)
	case "generate":
		return fmt.Sprintf("the generator cannot derive the contract of %s from its spec: %v", e.APIVersion, e.Err)
	}
	return fmt.Sprintf("%s of %s: %v", e.Stage, e.APIVersion, e.Err)
}

// Unwrap returns the cause: a *generator.DownloadError when the module
// could not be downloaded, an error wrapping generator.ErrVersionNotEmbedded
// for a version that is not embedded.
func (e *LoadError) Unwrap() error { return e.Err }

// Load derives the contract of apiVersion, one of
// generator.EmbeddedVersions: its specs, the generated files and prose
// rules (generator.Derive), and its event map (generator.MapEventTypes).
// The specs of every version, the pinned one too, are read from the module
// cache through go mod download (generator.DownloadSpecs), so that a
// binary calling Load carries no spec of its own (the CLI's 15 MB would
// be 38 MB with the pinned specs linked in).
//
// Each version is derived once per process (for the same module cache and
// proxy settings); the Contract returned is shared, and must not be
// changed.
func Load(ctx context.Context, apiVersion string) (*Contract, error) {
	// Deriving a version's contract takes seconds; a process that compares
	// several pairs (the drift tests, a script over every version) derives
	// each once. The module cache and proxy settings are part of the key:
	// with other ones the specs may not be there.
	key := strings.Join([]string{apiVersion, os.Getenv("GOMODCACHE"), os.Getenv("GOPROXY"), os.Getenv("GOFLAGS")}, "\x00")
	loadedMu.Lock()
	c, ok := loaded[key]
	loadedMu.Unlock()
	if ok {
		return c, nil
	}
	c, err := load(ctx, apiVersion)
	if err != nil {
		return nil, err
	}
	loadedMu.Lock()
	loaded[key] = c
	loadedMu.Unlock()
	return c, nil
}

var (
	loadedMu sync.Mutex
	loaded   = map[string]*Contract{}
)

// load is Load without the memo.
func load(ctx context.Context, apiVersion string) (*Contract, error) {
	specs, err := generator.DownloadSpecs(ctx, apiVersion)
	if err != nil {
		return nil, &LoadError{APIVersion: apiVersion, Stage: "load", Err: err}
	}
	res, err := generator.DeriveVersion(specs)
	if err != nil {
		return nil, &LoadError{APIVersion: apiVersion, Stage: "generate", Err: err}
	}
	events, err := generator.MapEventTypes(specs.GA, specs.Preview)
	if err != nil {
		return nil, &LoadError{APIVersion: apiVersion, Stage: "map event types", Err: err}
	}
	return FromResult(res, events), nil
}

// resource is one resource's contract, flattened: its fields by path.
type resource struct {
	name   string
	side   Side
	fields map[string]*field
}

// field is what the contract says of one field.
type field struct {
	types     []string // sorted JSON types without null, and "$ref:<resource>" for a referenced object
	nullable  bool
	required  bool
	enum      []string // sorted; nil when there is no enum
	maxLength string   // "" when there is none
	nested    bool     // a property inside a request parameter (/query/payment/type), not a parameter or its items (/query/expand/*)
}

// flat is a contract flattened: its resources by name, and the path each
// rule ID is stated at (x-rules and x-rule), for the prose rules.
type flat struct {
	resources map[string]*resource
	rulePaths map[string]string
}

// flatten reads the contract's schema files. A file with x-operations is
// the request contract, one resource per operation; every other file is one
// resource, named by the namespace of its rules (its root's type rule is
// "<resource>.<aspect>").
func flatten(c *Contract) (*flat, error) {
	out := &flat{resources: map[string]*resource{}, rulePaths: map[string]string{}}
	docs := map[string]map[string]any{}
	fileResource := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(c.Files)) {
		if name == generator.IndexFile {
			continue // the index of the files, not a schema
		}
		dec := json.NewDecoder(bytes.NewReader(c.Files[name]))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s of %s: %w", name, c.APIVersion, err)
		}
		docs[name] = doc
		if _, ok := doc["x-operations"]; ok {
			continue
		}
		r, err := resourceName(doc)
		if err != nil {
			return nil, fmt.Errorf("%s of %s: %w", name, c.APIVersion, err)
		}
		fileResource[name] = r
	}
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		doc := docs[name]
		w := walk{out: out, fileResource: fileResource}
		if ops, ok := doc["x-operations"].([]any); ok {
			defs, _ := doc["$defs"].(map[string]any)
			for i, op := range ops {
				om, _ := op.(map[string]any)
				opName, _ := om["operation"].(string)
				ref, _ := om["schema"].(string)
				schema, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
				if opName == "" || !ok {
					return nil, fmt.Errorf("%s of %s: x-operations/%d names no operation or no schema under $defs", name, c.APIVersion, i)
				}
				if err := w.resource("request."+opName, Request, schema); err != nil {
					return nil, fmt.Errorf("%s of %s: %w", name, c.APIVersion, err)
				}
			}
			continue
		}
		if err := w.resource(fileResource[name], Response, doc); err != nil {
			return nil, fmt.Errorf("%s of %s: %w", name, c.APIVersion, err)
		}
	}
	return out, nil
}

// resourceName is the namespace of a response file's rules, read from its
// root's type rule and that rule's aspect in the file's catalogue.
func resourceName(doc map[string]any) (string, error) {
	xr, _ := doc["x-rules"].(map[string]any)
	id, _ := xr["type"].(string)
	defs, _ := doc["x-rule-definitions"].(map[string]any)
	def, _ := defs[id].(map[string]any)
	aspect, _ := def["aspect"].(string)
	name, ok := strings.CutSuffix(id, "."+aspect)
	if id == "" || aspect == "" || !ok || name == "" {
		return "", errors.New("its root states no type rule in x-rules whose catalogue entry names its resource")
	}
	return name, nil
}

type walk struct {
	out          *flat
	fileResource map[string]string
	res          *resource
}

func (w *walk) resource(name string, side Side, root map[string]any) error {
	if _, dup := w.out.resources[name]; dup {
		return fmt.Errorf("resource %s is described twice", name)
	}
	w.res = &resource{name: name, side: side, fields: map[string]*field{}}
	w.out.resources[name] = w.res
	w.node(nil, root, true)
	return nil
}

// node records the schema s of the field at path and walks its members:
// properties, array items ("*"), and the properties of anyOf branches
// (a request's created[gt] beside created as an integer).
func (w *walk) node(path []string, s map[string]any, required bool) {
	p := pointer.Join(path...)
	w.rules(p, s)
	f := w.facts(s)
	f.required = required
	f.nested = w.res.side == Request && len(slices.DeleteFunc(slices.Clone(path), func(t string) bool { return t == "*" })) > 2
	if len(path) > 0 {
		w.res.fields[p] = f
	}
	w.members(path, s)
	if branches, ok := s["anyOf"].([]any); ok {
		for _, b := range branches {
			if bm, ok := b.(map[string]any); ok {
				w.rules(p, bm)
				w.members(path, bm)
			}
		}
	}
}

func (w *walk) members(path []string, s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	req := stringList(s["required"])
	for _, name := range slices.Sorted(maps.Keys(props)) {
		if sub, ok := props[name].(map[string]any); ok {
			w.node(append(slices.Clone(path), name), sub, slices.Contains(req, name))
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		w.node(append(slices.Clone(path), "*"), items, true)
	}
}

// rules records where the rules s names are stated: its x-rules, and the
// x-rule of its allOf entries (a rule across fields, such as which payment
// reference payment.type names).
func (w *walk) rules(p string, s map[string]any) {
	record := func(id any) {
		if id, ok := id.(string); ok {
			if _, seen := w.out.rulePaths[id]; !seen {
				w.out.rulePaths[id] = p
			}
		}
	}
	if xr, ok := s["x-rules"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(xr)) {
			record(xr[k])
		}
	}
	record(s["x-rule"])
	if all, ok := s["allOf"].([]any); ok {
		for _, a := range all {
			if am, ok := a.(map[string]any); ok {
				record(am["x-rule"])
			}
		}
	}
}

// facts reads a field's types, nullability, enum and length limit from its
// schema: its type keyword, or the branches of its anyOf.
func (w *walk) facts(s map[string]any) *field {
	f := &field{}
	types := map[string]bool{}
	addTypes := func(s map[string]any) {
		switch t := s["type"].(type) {
		case string:
			types[t] = true
		case []any:
			for _, v := range t {
				if v, ok := v.(string); ok {
					types[v] = true
				}
			}
		}
		if ref, ok := s["$ref"].(string); ok {
			types["$ref:"+w.refName(ref)] = true
		}
	}
	addTypes(s)
	if branches, ok := s["anyOf"].([]any); ok {
		for _, b := range branches {
			if bm, ok := b.(map[string]any); ok {
				addTypes(bm)
			}
		}
	}
	if types["null"] {
		f.nullable = true
		delete(types, "null")
	}
	f.types = slices.Sorted(maps.Keys(types))
	if enum, ok := s["enum"].([]any); ok {
		f.enum = []string{}
		for _, v := range enum {
			if v == nil {
				f.nullable = true
				continue
			}
			f.enum = append(f.enum, fmt.Sprint(v))
		}
		slices.Sort(f.enum)
		f.enum = slices.Compact(f.enum)
	}
	if n, ok := s["maxLength"].(json.Number); ok {
		f.maxLength = n.String()
	}
	return f
}

// refName names what a $ref refers to: the resource of another file, or
// the name of a definition of the same file ("#/$defs/charge": charge).
func (w *walk) refName(ref string) string {
	if r, ok := w.fileResource[ref]; ok {
		return r
	}
	if name, ok := strings.CutPrefix(ref, "#/$defs/"); ok {
		return name
	}
	return ref
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
