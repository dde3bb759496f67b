package request

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/explain"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// MaxBody is the most of a form body Check reads; a larger body is left
// unread (and the request restored) rather than held in memory.
const MaxBody = 1 << 20

// Checker checks requests against the request contract. It is immutable
// after New and safe for concurrent use; create one and share it.
type Checker struct {
	ops        []*operation
	rules      map[string]validators.Rule
	codes      map[string]string // rule ID -> Stripe error code, where one fits
	doc        map[string]any    // the schema file, parsed
	apiVersion string
}

// operation is one request the contract covers: GET /v1/invoice_payments.
type operation struct {
	name     string // invoice_payments.list
	method   string
	path     string   // the spec's template: /v1/invoice_payments/{invoice_payment}
	segments []string // the template split on "/"
	notPaths []string // literal paths the template would match that are other operations
	schema   *jsonschema.Schema
	loc      string         // the subschema's pointer in the file: /$defs/invoice_payments.list
	def      map[string]any // the subschema, parsed
	params   []string       // documented query parameters
	expand   []string       // expandable paths, shortest forms first
}

// Option configures a Checker.
type Option func(*options)

type options struct {
	apiVersion string
	files      fs.FS
}

// WithAPIVersion checks requests against the request contract of the
// embedded API version apiVersion instead of the newest. New fails for a
// version that is not embedded, naming the ones that are.
func WithAPIVersion(apiVersion string) Option { return func(o *options) { o.apiVersion = apiVersion } }

// WithSchemas reads the request contract (schemas.RequestFile) from fsys,
// the files of one API version generated from any spec, instead of the
// embedded ones.
func WithSchemas(fsys fs.FS) Option { return func(o *options) { o.files = fsys } }

// New compiles the request contract of the newest embedded API version, or
// of the one WithAPIVersion names, or the one WithSchemas gives.
func New(opts ...Option) (*Checker, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	files := o.files
	if files == nil {
		var err error
		if files, err = schemas.Version(cmp.Or(o.apiVersion, schemas.Newest())); err != nil {
			return nil, fmt.Errorf("request: %w", err)
		}
	}
	c, err := load(files)
	if err != nil {
		return nil, err
	}
	if o.apiVersion != "" && c.apiVersion != o.apiVersion {
		return nil, fmt.Errorf("request: the request contract given is for API version %s, not %s", c.apiVersion, o.apiVersion)
	}
	return c, nil
}

// load reads schemas.RequestFile from files and compiles each operation.
func load(files fs.FS) (*Checker, error) {
	f, err := validators.ReadSchemaFile(files, schemas.RequestFile)
	if err != nil {
		return nil, err
	}
	id, doc := f.ID, f.Doc
	c := &Checker{rules: map[string]validators.Rule{}, codes: map[string]string{}, doc: doc, apiVersion: f.APIVersion}
	for _, r := range f.Rules {
		c.rules[r.ID] = r
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", schemas.RequestFile, err)
	}
	compiler := jsonschema.NewCompiler()
	compiler.Draft = jsonschema.Draft2020
	if err := compiler.AddResource(id, bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("load %s: %w", schemas.RequestFile, err)
	}
	ops, _ := doc["x-operations"].([]any)
	if len(ops) == 0 {
		return nil, fmt.Errorf("%s lists no operations (x-operations)", schemas.RequestFile)
	}
	for i, o := range ops {
		om, _ := o.(map[string]any)
		op := &operation{name: str(om, "operation"), method: str(om, "method"), path: str(om, "path"), loc: strings.TrimPrefix(str(om, "schema"), "#")}
		if op.name == "" || op.method == "" || op.path == "" || op.loc == "" {
			return nil, fmt.Errorf("%s: x-operations/%d lacks operation, method, path or schema", schemas.RequestFile, i)
		}
		for _, p := range asList(om["not-paths"]) {
			s, _ := p.(string)
			op.notPaths = append(op.notPaths, s)
		}
		op.segments = strings.Split(op.path, "/")
		op.def, _ = resolve(doc, op.loc).(map[string]any)
		if op.def == nil {
			return nil, fmt.Errorf("%s: operation %s: no subschema at %s", schemas.RequestFile, op.name, op.loc)
		}
		if op.schema, err = compiler.Compile(id + "#" + op.loc); err != nil {
			return nil, fmt.Errorf("compile %s#%s: %w", schemas.RequestFile, op.loc, err)
		}
		query := child(op.def, "query")
		for name := range props(query) {
			op.params = append(op.params, name)
		}
		slices.Sort(op.params)
		op.expand = shortest(itemsEnum(child(query, "expand")))
		c.indexCodes(query)
		c.ops = append(c.ops, op)
	}
	for id, r := range c.rules {
		switch r.Aspect {
		case validators.AspectUnknownParameter:
			c.codes[id] = "parameter_unknown"
		case validators.AspectRequired:
			c.codes[id] = "parameter_missing"
		case validators.AspectExclusive:
			c.codes[id] = "parameters_exclusive"
		}
	}
	return c, nil
}

// indexCodes finds the rules that an integer parameter breaks when it is
// given something else: Stripe answers those parameter_invalid_integer.
func (c *Checker) indexCodes(n any) {
	m, ok := n.(map[string]any)
	if !ok {
		return
	}
	xr, _ := m["x-rules"].(map[string]any)
	if str(m, "type") == "integer" {
		if id, ok := xr["type"].(string); ok {
			c.codes[id] = "parameter_invalid_integer"
		}
	}
	for _, b := range asList(m["anyOf"]) {
		if bm, _ := b.(map[string]any); str(bm, "type") == "integer" {
			if id, ok := xr["anyOf"].(string); ok {
				c.codes[id] = "parameter_invalid_integer"
			}
		}
		c.indexCodes(b)
	}
	for _, p := range props(m) {
		c.indexCodes(p)
	}
	c.indexCodes(m["items"])
}

// Rules lists the request contract's rules, by ID.
func (c *Checker) Rules() []validators.Rule {
	out := make([]validators.Rule, 0, len(c.rules))
	for _, r := range c.rules {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b validators.Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// APIVersion is the Stripe API version the contract was generated for.
func (c *Checker) APIVersion() string { return c.apiVersion }

// Operation names the operation of the contract r is a request to
// ("invoice_payments.list"), or "" when the contract does not cover it.
func (c *Checker) Operation(r *http.Request) string {
	if op := c.match(r); op != nil {
		return op.name
	}
	return ""
}

func (c *Checker) match(r *http.Request) *operation {
	if r == nil || r.URL == nil {
		return nil
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	segs := strings.Split(r.URL.Path, "/")
	for _, op := range c.ops {
		if op.method != method || len(op.segments) != len(segs) || slices.Contains(op.notPaths, r.URL.Path) {
			continue
		}
		ok := true
		for i, s := range op.segments {
			if strings.HasPrefix(s, "{") {
				ok = ok && segs[i] != ""
			} else {
				ok = ok && s == segs[i]
			}
		}
		if ok {
			return op
		}
	}
	return nil
}

// Check returns the violations of the request contract in r, ordered by
// pointer; none for a conforming request or one to an endpoint the
// contract does not cover. A form body is read (up to MaxBody) and put
// back, so r can still be sent or answered.
func (c *Checker) Check(r *http.Request) []validators.Violation {
	op := c.match(r)
	if op == nil {
		return nil
	}
	ck := &check{c: c, op: op}
	instance := map[string]any{"query": ck.decode(r.URL.RawQuery, "query")}
	if body := formBody(r); body != "" {
		instance["body"] = ck.decode(body, "body")
	}
	if q, ok := instance["query"].(map[string]any); ok {
		instance["query"] = ck.coerce(q, child(op.def, "query"), []string{"query"})
	}
	if err := op.schema.Validate(instance); err != nil {
		if ve, ok := err.(*jsonschema.ValidationError); ok {
			ck.collect(ve, instance)
		} else {
			ck.add("", "", "/query", fmt.Sprintf("the request could not be checked: %v", err))
		}
	}
	slices.SortStableFunc(ck.out, func(a, b validators.Violation) int {
		return pointer.Compare(a.Pointer, b.Pointer)
	})
	return slices.CompactFunc(ck.out, func(a, b validators.Violation) bool { return a == b })
}

// formBody reads a form-encoded body and puts it back.
func formBody(r *http.Request) string {
	if r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	if err != nil || len(b) >= MaxBody {
		return ""
	}
	return string(b)
}

// check is one call of Check: the operation and the violations found.
type check struct {
	c   *Checker
	op  *operation
	out []validators.Violation
}

func (ck *check) add(rule, keyword, pointer, message string) {
	r, ok := ck.c.rules[rule]
	if !ok {
		r = ck.c.rules[ck.op.unknownRule()]
	}
	ck.out = append(ck.out, validators.Violation{Rule: r.ID, Pointer: pointer, Message: message, Severity: r.Severity, Doc: r.Doc})
}

func (op *operation) unknownRule() string { return "request." + op.name + ".unknown-parameter" }

func (op *operation) request() string { return op.method + " " + op.path }

// decode reads a form-encoded string into the deepObject shape; a string
// that is not form-encoded, or a parameter given in two shapes, is a
// violation and its part is dropped.
func (ck *check) decode(raw, where string) any {
	pairs, err := parseForm(raw)
	if err != nil {
		ck.add(ck.op.unknownRule(), "", "/"+where, fmt.Sprintf("the %s is not form-encoded: %v", where, err))
		return map[string]any{}
	}
	byName := map[string][]pair{}
	var order []string
	for _, p := range pairs {
		name := p.path[0]
		if _, ok := byName[name]; !ok {
			order = append(order, name)
		}
		byName[name] = append(byName[name], pair{path: p.path[1:], value: p.value})
	}
	out := map[string]any{}
	for _, name := range order {
		v, conflict := build(byName[name], []string{where, name})
		if conflict != nil {
			ptr := pointerOf(conflict.path)
			ck.add(ck.ruleAt(ptr, "type"), "type", ptr, fmt.Sprintf("%s is given both as a value and with members (%s=... and %s[...]=...); a parameter has one shape", paramName(ptr), paramName(ptr), paramName(ptr)))
			continue
		}
		out[name] = v
	}
	return out
}

// ruleAt returns the rule the schema names for keyword at an instance
// pointer (/query/payment/type), following properties and items.
func (ck *check) ruleAt(instancePtr, keyword string) string {
	node := ck.op.def
	for _, tok := range strings.Split(strings.TrimPrefix(instancePtr, "/"), "/") {
		if next := objectBranch(node); next != nil && child(node, pointer.Unescape(tok)) == nil {
			node = next // created[gte]: a member of the anyOf's object form
		}
		if next := child(node, pointer.Unescape(tok)); next != nil {
			node = next
		} else if items, ok := node["items"].(map[string]any); ok {
			node = items
		} else {
			return ck.op.unknownRule()
		}
	}
	if xr, ok := node["x-rules"].(map[string]any); ok {
		if id, ok := xr[keyword].(string); ok {
			return id
		}
		if id, ok := xr["anyOf"].(string); ok {
			return id
		}
	}
	return ck.op.unknownRule()
}

// coerce turns strings into integers where the schema wants integers, and
// reports (and drops) those that are not integers.
func (ck *check) coerce(v any, s map[string]any, at []string) any {
	if s == nil {
		return v
	}
	name := paramName(pointerOf(at))
	if branches := asList(s["anyOf"]); len(branches) > 0 {
		switch v := v.(type) {
		case string:
			for _, b := range branches {
				if bm, _ := b.(map[string]any); str(bm, "type") == "integer" {
					if n, ok := integer(v); ok {
						return n
					}
				}
			}
		case map[string]any:
			for _, b := range branches {
				if bm, _ := b.(map[string]any); str(bm, "type") == "object" {
					return ck.coerce(v, bm, at)
				}
			}
		}
		return v
	}
	switch str(s, "type") {
	case "integer":
		if sv, ok := v.(string); ok {
			if n, ok := integer(sv); ok {
				return n
			}
			rule := ck.ruleAt(pointerOf(at), "type")
			ck.add(rule, "type", pointerOf(at), fmt.Sprintf("%s is %q, not an integer; %s", name, sv, ck.c.rules[rule].Summary))
			return nil
		}
	case "object":
		if m, ok := v.(map[string]any); ok {
			for k, cv := range m {
				if cs := child(s, k); cs != nil {
					if nv := ck.coerce(cv, cs, append(slices.Clip(at), k)); nv != nil {
						m[k] = nv
					} else {
						delete(m, k)
					}
				}
			}
		}
	case "array":
		if a, ok := v.([]any); ok {
			items, _ := s["items"].(map[string]any)
			for i, e := range a {
				if nv := ck.coerce(e, items, append(slices.Clip(at), strconv.Itoa(i))); nv != nil {
					a[i] = nv
				}
			}
		}
	}
	return v
}

func integer(s string) (json.Number, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "", false
	}
	return json.Number(strconv.FormatInt(n, 10)), true
}

// collect turns the schema engine's errors into violations: one per broken
// keyword, its rule read from the schema's x-rules (or the enclosing
// x-rule), its pointer the value's own (a missing or unknown parameter's,
// not its parent's).
func (ck *check) collect(ve *jsonschema.ValidationError, instance any) {
	follow := func(f explain.Failure) []*jsonschema.ValidationError { return ck.follow(f, instance) }
	explain.Walker{Follow: follow}.Walk(ve, nil, func(f explain.Failure) { ck.failure(f, instance) })
}

// follow reports an anyOf or a not where it stands, except that a value
// given in an anyOf's object form is explained by that form: created[foo]=1
// is the range with an unknown member, not a value that fits no form.
func (ck *check) follow(f explain.Failure, instance any) []*jsonschema.ValidationError {
	if f.Keyword != "anyOf" {
		return explain.Causes(f)
	}
	if _, isObject := resolve(instance, f.Instance).(map[string]any); isObject {
		for _, cause := range f.Error.Causes {
			if cl, _ := keywordLocation(cause); cl != "" {
				if branch, _ := resolve(ck.c.doc, cl).(map[string]any); str(branch, "type") == "object" {
					return []*jsonschema.ValidationError{cause}
				}
			}
		}
	}
	return nil
}

// failure turns one failing keyword into violations.
func (ck *check) failure(f explain.Failure, instance any) {
	kw, loc := f.Keyword, f.Location()
	node, _ := resolve(ck.c.doc, loc).(map[string]any)
	value := resolve(instance, f.Instance)
	ptr := f.Instance
	name := paramName(ptr)
	note := noteAt(ck.c.doc, loc)
	rule := note.RuleOf(kw)
	summary := ck.c.rules[rule].Summary
	switch kw {
	case "required":
		obj, _ := value.(map[string]any)
		for _, req := range asList(node["required"]) {
			r, _ := req.(string)
			if _, ok := obj[r]; ok {
				continue
			}
			childPtr := ptr + "/" + pointer.Escape(r)
			member := noteAt(ck.c.doc, loc+"/properties/"+pointer.Escape(r))
			id := explain.RuleOfMissing(note, &member)
			ck.add(id, kw, childPtr, fmt.Sprintf("%s is missing; %s", paramName(childPtr), ck.c.rules[id].Summary))
		}
	case "additionalProperties":
		obj, _ := value.(map[string]any)
		known := props(node)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if _, ok := known[k]; ok {
				continue
			}
			childPtr := ptr + "/" + pointer.Escape(k)
			switch {
			case ptr == "":
				ck.add(rule, kw, childPtr, fmt.Sprintf("%s takes its parameters in the query, and the request has a form body", ck.op.request()))
			case ptr == "/query":
				ck.add(rule, kw, childPtr, fmt.Sprintf("%s is not a parameter of %s, which takes %s", paramName(childPtr), ck.op.request(), strings.Join(ck.op.params, ", ")))
			default:
				ck.add(rule, kw, childPtr, fmt.Sprintf("%s is not a parameter of %s: %s takes %s", paramName(childPtr), ck.op.request(), name, strings.Join(bracketed(name, slices.Sorted(maps.Keys(known))), ", ")))
			}
		}
	case "not":
		ck.add(rule, kw, ptr, "starting_after and ending_before are both given; a list request gives at most one cursor: starting_after for the next page, ending_before for the previous")
	case "enum":
		if ck.c.rules[rule].Aspect == validators.AspectExpandable {
			ck.add(rule, kw, ptr, fmt.Sprintf("%s is %s, which %s cannot expand; it expands %s (and what those hold, such as %s)", name, pointer.Describe(value), ck.op.request(), strings.Join(ck.op.topExpand(), ", "), ck.op.nestedExample()))
		} else {
			ck.add(rule, kw, ptr, fmt.Sprintf("%s is %s; %s", name, pointer.Describe(value), summary))
		}
	case "maxItems":
		ck.add(rule, kw, ptr, fmt.Sprintf("%s asks to expand %s, but nothing in the answer of %s can be expanded", name, pointer.Describe(value), ck.op.request()))
	case "maxLength":
		s, _ := value.(string)
		ck.add(rule, kw, ptr, fmt.Sprintf("%s is %d characters long; %s", name, len([]rune(s)), summary))
	case "type":
		ck.add(rule, kw, ptr, fmt.Sprintf("%s is %s; %s", name, shape(name, value), summary))
	default:
		ck.add(rule, kw, ptr, fmt.Sprintf("%s is %s; %s", name, pointer.Describe(value), summary))
	}
}

// keywordLocation returns the subschema a cause failed in: for a branch of
// an anyOf, the branch (/.../anyOf/0).
func keywordLocation(ve *jsonschema.ValidationError) (string, bool) {
	_, frag, _ := strings.Cut(ve.AbsoluteKeywordLocation, "#")
	i := strings.Index(frag, "/anyOf/")
	if i < 0 {
		return "", false
	}
	rest := frag[i+len("/anyOf/"):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		rest = rest[:j]
	}
	return frag[:i] + "/anyOf/" + rest, true
}

// objectBranch returns the object form of an anyOf schema (created's range).
func objectBranch(m map[string]any) map[string]any {
	for _, b := range asList(m["anyOf"]) {
		if bm, _ := b.(map[string]any); str(bm, "type") == "object" {
			return bm
		}
	}
	return nil
}

// noteAt reads what the file says about the rules of the subschema at loc:
// its x-rules, and the x-rule of the nearest subschema that has one.
func noteAt(doc map[string]any, loc string) explain.Note {
	enclosing := ""
	for p := loc; p != ""; {
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
		if node, ok := resolve(doc, p).(map[string]any); ok {
			if id, ok := node["x-rule"].(string); ok {
				enclosing = id
				break
			}
		}
	}
	node, _ := resolve(doc, loc).(map[string]any)
	return explain.ReadNote(node, enclosing)
}

// topExpand lists the expandable fields that are not inside another.
func (op *operation) topExpand() []string {
	var out []string
	for _, p := range op.expand {
		if !slices.ContainsFunc(op.expand, func(q string) bool { return strings.HasPrefix(p, q+".") }) {
			out = append(out, p)
		}
	}
	return out
}

func (op *operation) nestedExample() string {
	for _, p := range op.expand {
		if slices.ContainsFunc(op.expand, func(q string) bool { return strings.HasPrefix(p, q+".") }) {
			return p
		}
	}
	return "none"
}

// shortest orders paths by depth, then name: the top-level ones first.
func shortest(paths []string) []string {
	slices.SortStableFunc(paths, func(a, b string) int {
		if d := strings.Count(a, ".") - strings.Count(b, "."); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return paths
}

// shape says how a parameter was written when its type is wrong.
func shape(name string, v any) string {
	switch v := v.(type) {
	case map[string]any:
		return fmt.Sprintf("given with members (%s)", strings.Join(bracketed(name, slices.Sorted(maps.Keys(v))), ", "))
	case []any:
		return fmt.Sprintf("given as a list (%s[]=...)", name)
	}
	return pointer.Describe(v)
}

func bracketed(name string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = name + "[" + k + "]"
	}
	return out
}
