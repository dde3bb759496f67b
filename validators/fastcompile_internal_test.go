package validators

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stripe/stripe-mock/embedded"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// checkedValidator is a Validator of the embedded files of version with a
// contract of its own (not the process's shared one), loaded, read with
// every check --schemas makes.
func checkedValidator(t *testing.T, version string, opts ...Option) (*Validator, *apiVersion) {
	t.Helper()
	files, err := schemas.Version(version)
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(append([]Option{WithSchemas(files)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	a := v.versions[v.dflt]
	if _, err := a.load(v); err != nil {
		t.Fatal(err)
	}
	return v, a
}

// trustedValidator is checkedValidator trusted as the embedded contracts
// are: its files are read as validate reads them.
func trustedValidator(t *testing.T, version string, opts ...Option) (*Validator, *apiVersion) {
	t.Helper()
	v, a := checkedValidator(t, version, opts...)
	a.c.trusted = true
	return v, a
}

// v5Unsupported is what the fast path left to the full path when it was
// compiled from jsonschema/v5's graph: the keywords it does not implement.
func v5Unsupported(s *jsonschema.Schema) bool {
	exts := len(s.Extensions)
	if _, ok := s.Extensions[lazyRefKeyword]; ok {
		exts--
	}
	if s.Always != nil || s.RecursiveRef != nil || s.DynamicRef != nil || len(s.OneOf) > 0 ||
		s.MinProperties != -1 || s.MaxProperties != -1 || s.PropertyNames != nil || len(s.PatternProperties) > 0 ||
		s.AdditionalProperties != nil || len(s.Dependencies) > 0 || len(s.DependentRequired) > 0 || len(s.DependentSchemas) > 0 ||
		s.MinItems != -1 || s.MaxItems != -1 || s.UniqueItems || s.Items != nil && itemsOf(s) == nil || s.AdditionalItems != nil || len(s.PrefixItems) > 0 ||
		s.Contains != nil || s.UnevaluatedItems != nil || s.MinLength != -1 || s.Format != "" || s.ContentEncoding != "" ||
		s.ContentMediaType != "" || s.Minimum != nil || s.Maximum != nil || s.ExclusiveMinimum != nil || s.ExclusiveMaximum != nil ||
		s.MultipleOf != nil || exts > 0 || len(s.Enum) > 0 && len(s.Constant) > 0 {
		return true
	}
	if u := s.UnevaluatedProperties; u != nil && (u.Always == nil || *u.Always) {
		return true
	}
	for _, v := range append(slices.Clone(s.Enum), s.Constant...) {
		switch v.(type) {
		case string, bool, nil:
		default:
			return true
		}
	}
	return false
}

// compareWithV5 walks the fast nodes from n (following lazy references)
// and reports, through fail, each that differs from v5's subschema at its
// location (lookup): keyword for keyword, and in what it leaves to the
// full path, which must be what the compile from v5's graph left. It
// returns how many nodes it walked that were not in seen before.
func compareWithV5(n *fnode, seen map[*fnode]bool, lookup func(loc string) (*jsonschema.Schema, error), fail func(n *fnode, format string, args ...any)) int {
	before := len(seen)
	same := func(n, m *fnode, s *jsonschema.Schema, what string) {
		switch {
		case (m == nil) != (s == nil):
			fail(n, "%s: fast %v, v5 %v", what, m != nil, s != nil)
		case m != nil && m.loc != s.Location:
			fail(n, "%s at %s, v5's at %s", what, m.loc, s.Location)
		}
	}
	var walk func(n *fnode)
	walk = func(n *fnode) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		s, err := lookup(n.loc)
		if err != nil {
			fail(n, "no v5 subschema: %v", err)
			return
		}
		if n.unsupported != v5Unsupported(s) {
			fail(n, "unsupported %v, v5's graph says %v", n.unsupported, v5Unsupported(s))
			return
		}
		if n.unsupported {
			return
		}
		var types typeMask
		for _, name := range s.Types {
			types |= typeBits[name]
		}
		values := s.Enum
		if len(s.Constant) > 0 {
			values = s.Constant
		}
		var lits []literal
		for _, v := range values {
			if l, ok := literalOf(v); ok {
				lits = append(lits, l)
			}
		}
		var required []string
		for _, r := range n.required {
			required = append(required, r.name)
		}
		switch {
		case types != n.types:
			fail(n, "types %b, v5 %v", n.types, s.Types)
		case !slices.Equal(lits, n.enum) || n.isConst != (len(s.Constant) > 0):
			fail(n, "enum %v (const %v), v5 %v %v", n.enum, n.isConst, s.Enum, s.Constant)
		case n.maxLength != s.MaxLength:
			fail(n, "maxLength %d, v5 %d", n.maxLength, s.MaxLength)
		case (n.pattern == nil) != (s.Pattern == nil) || n.pattern != nil && n.pattern.String() != s.Pattern.String():
			fail(n, "pattern %v, v5 %v", n.pattern, s.Pattern)
		case !slices.Equal(required, s.Required):
			fail(n, "required %v, v5 %v", required, s.Required)
		case n.closed != (s.UnevaluatedProperties != nil):
			fail(n, "closed %v, v5 unevaluatedProperties %v", n.closed, s.UnevaluatedProperties != nil)
		case len(n.allOf) != len(s.AllOf) || len(n.anyOf) != len(s.AnyOf):
			fail(n, "%d allOf and %d anyOf, v5 %d and %d", len(n.allOf), len(n.anyOf), len(s.AllOf), len(s.AnyOf))
		}
		lazy, _ := s.Extensions[lazyRefKeyword].(*lazyRef)
		if lazy == nil && n.lazyURL != "" || lazy != nil && lazy.url != n.lazyURL {
			fail(n, "lazy reference %q, v5 %v", n.lazyURL, lazy)
		}
		named := 0
		for _, slot := range n.props.slots {
			if slot.used && slot.node != nil {
				named++
				same(n, slot.node, s.Properties[slot.name], "property "+slot.name)
			}
		}
		if named != len(s.Properties) {
			fail(n, "%d properties, v5 %d", named, len(s.Properties))
		}
		same(n, n.items, itemsOf(s), "items")
		same(n, n.not, s.Not, "not")
		same(n, n.ifn, s.If, "if")
		same(n, n.then, s.Then, "then")
		same(n, n.els, s.Else, "else")
		same(n, n.ref, s.Ref, "$ref")
		for i := range min(len(n.allOf), len(s.AllOf)) {
			same(n, n.allOf[i], s.AllOf[i], "allOf")
		}
		for i := range min(len(n.anyOf), len(s.AnyOf)) {
			same(n, n.anyOf[i], s.AnyOf[i], "anyOf")
		}
		for _, slot := range n.props.slots {
			walk(slot.node)
		}
		for _, l := range [][]*fnode{n.allOf, n.anyOf, {n.items, n.not, n.ifn, n.then, n.els, n.ref}} {
			for _, sub := range l {
				walk(sub)
			}
		}
		if n.lazyURL != "" {
			walk(n.lazyTarget())
		}
	}
	walk(n)
	return len(seen) - before
}

// The fast path compiles the files itself, not from jsonschema/v5's graph
// (fileCompile): every node it compiles, of every resource of every
// embedded version, is v5's subschema at the same location, keyword for
// keyword, and leaves to the full path exactly what the graph-based
// compile left.
func TestFastNodesAreV5sSubschemas(t *testing.T) {
	if RaceDetector {
		t.Skip("compiles every file of every version twice, single-threaded: run without -race (go test ./validators; CI does)")
	}
	for _, version := range schemas.Versions() {
		_, a := trustedValidator(t, version)
		c, fp := a.c, a.fast
		problems := 0
		fail := func(n *fnode, format string, args ...any) {
			if problems++; problems <= 20 {
				t.Errorf("%s: %s: "+format, append([]any{version, n.loc}, args...)...)
			}
		}
		walked, seen := 0, map[*fnode]bool{}
		for kind, file := range c.index.fileOf {
			r := fp.root(kind)
			if r == nil {
				t.Errorf("%s: %s does not compile for the fast path", version, kind)
				continue
			}
			walked += compareWithV5(r, seen, c.subschema, fail)
			if p := fp.entry(c.base + file + partialDef); p != nil {
				walked += compareWithV5(p, seen, c.subschema, fail)
			}
		}
		// Each subschema is compiled once, however many references reach it.
		locs := map[string]bool{}
		for n := range seen {
			if locs[n.loc] {
				t.Errorf("%s: %s is compiled twice", version, n.loc)
			}
			locs[n.loc] = true
		}
		if walked < 10000 {
			t.Errorf("%s: walked only %d nodes", version, walked)
		}
		t.Logf("%s: %d fast nodes compared with v5's subschemas", version, walked)
	}
}

// The keywords and forms the embedded files do not use (pattern, numbers
// in an enum, tuple items, open unevaluatedProperties, boolean
// subschemas, member names that need escaping in a location) compile as
// v5 reads them too.
func TestFastNodesOfOtherFormsAreV5s(t *testing.T) {
	const url = "https://example.test/v/x.schema.json"
	doc := `{"$id": "` + url + `", "type": "object", "required": ["p"], "properties": {
		"p": {"type": "string", "pattern": "^a+$", "maxLength": 5},
		"c": {"const": "x"}, "cn": {"const": 1}, "e": {"enum": ["a", true, null]}, "en": {"enum": [1, "a"]},
		"arr": {"type": "array", "items": {"type": "integer"}}, "tuple": {"items": [{"type": "string"}]},
		"open": {"type": "object", "unevaluatedProperties": true},
		"closed": {"properties": {"a": {}}, "unevaluatedProperties": false},
		"r": {"$ref": "#/$defs/d"}, "r2": {"$ref": "#/$defs/d"},
		"cond": {"if": {"properties": {"k": {"const": "v"}}, "required": ["k"]}, "then": {"required": ["w"]}, "else": {"required": ["u"]}},
		"b": true, "ap": {"additionalProperties": {"type": "string"}},
		"any": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "all": {"allOf": [{"minLength": 1}, {"type": ["string", "null"]}]},
		"sp ace/x~y%": {"type": "string", "description": "a name a location escapes"},
		"min": {"type": "integer", "minimum": 0}, "one": {"oneOf": [{"type": "string"}]}
	}, "$defs": {"d": {"type": "number", "not": {"const": "z"}}}}`
	jc := jsonschema.NewCompiler()
	jc.Draft = compilerDraft
	if err := jc.AddResource(url, strings.NewReader(doc)); err != nil {
		t.Fatal(err)
	}
	root, err := jc.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	locs := map[string]*jsonschema.Schema{}
	var index func(*jsonschema.Schema)
	index = func(s *jsonschema.Schema) {
		if s != nil && locs[s.Location] == nil {
			locs[s.Location] = s
			eachSubschema(s, index)
		}
	}
	index(root)
	parsed, _, err := parseSchemaFile([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	fc := fileCompile{fp: newFastPath(&contract{}, 64), url: url, doc: parsed, memo: map[string]*fnode{}}
	n := fc.at("")
	walked := compareWithV5(n, map[*fnode]bool{}, func(loc string) (*jsonschema.Schema, error) {
		if s := locs[loc]; s != nil {
			return s, nil
		}
		return nil, fmt.Errorf("v5 compiled nothing at %s", loc)
	}, func(n *fnode, format string, args ...any) { t.Errorf("%s: "+format, append([]any{n.loc}, args...)...) })
	if walked < 25 {
		t.Errorf("walked only %d nodes", walked)
	}
	if n.props.lookup([]byte("r"), hashName("r")).node.ref != n.props.lookup([]byte("r2"), hashName("r2")).node.ref {
		t.Error("two references to one subschema compiled it twice")
	}
}

// A clean document is decided by the fast path alone: no file is compiled
// by jsonschema/v5 for it.
func TestCleanDocumentsCompileNoV5Schema(t *testing.T) {
	for _, example := range []string{"invoice_payment_open.json", "invoice_payment_expanded.json", "event_invoice_payment_paid.json"} {
		doc, err := os.ReadFile("../schemas/examples/" + example)
		if err != nil {
			t.Fatal(err)
		}
		v, a := trustedValidator(t, schemas.Newest())
		if res := v.Validate(doc); !res.Valid() {
			t.Fatalf("%s: %v", example, res.Violations)
		}
		a.c.v5.Range(func(file, _ any) bool {
			t.Errorf("%s: %s was compiled by jsonschema/v5", example, file)
			return true
		})
		// An invalid one is explained where the fast path could not
		// decide, by v5's subschema there.
		if res := v.Validate([]byte(`{"object":"invoice_payment","id":"inpay_1","amount_paid":"x"}`)); res.Valid() {
			t.Fatalf("%s: an invalid document passes", example)
		}
	}
}

// What jsonschema/v5 compiled is kept within the contract's budget, the
// files least recently used dropped and compiled again when needed, with
// the same verdicts: here every resource of stripe-mock's fixtures, twice,
// by the whole-document path, under a budget of a sixth of the API.
func TestTheFullPathKeepsItsBudget(t *testing.T) {
	if RaceDetector {
		t.Skip("compiles the whole API several times, single-threaded: run without -race (go test ./validators; CI does)")
	}
	var fixtures struct {
		Resources map[string]json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(embedded.OpenAPIFixtures, &fixtures); err != nil {
		t.Fatal(err)
	}
	bounded, a := trustedValidator(t, schemas.Newest(), WithFastPath(false))
	c := a.c
	c.v5Budget = 3000
	reference, err := New(WithFastPath(false))
	if err != nil {
		t.Fatal(err)
	}
	ever := map[string]bool{}
	for round := range 2 {
		for _, name := range slices.Sorted(maps.Keys(fixtures.Resources)) {
			doc := fixtures.Resources[name]
			if got, want := bounded.Validate(doc), reference.Validate(doc); !reflect.DeepEqual(got, want) {
				t.Errorf("round %d, %s: %+v under the budget, %+v without", round, name, got, want)
			}
			total, largest := 0, 0
			c.v5.Range(func(file, f any) bool {
				ever[file.(string)] = true
				n := len(f.(*v5File).locs)
				total, largest = total+n, max(largest, n)
				return true
			})
			if int64(total) != c.v5Nodes.Load() {
				t.Fatalf("%s: the contract counts %d subschemas, and keeps %d", name, c.v5Nodes.Load(), total)
			}
			if total-largest > c.v5Budget {
				t.Fatalf("%s: %d subschemas kept, over the budget of %d but for the largest file's %d", name, total, c.v5Budget, largest)
			}
		}
	}
	kept := 0
	c.v5.Range(func(_, _ any) bool { kept++; return true })
	if len(ever) < 100 || kept >= len(ever) {
		t.Errorf("%d files compiled, %d kept: the budget dropped none", len(ever), kept)
	}
}
