package request

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

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
//
// New reads only the list of operations; an operation's subschema is
// compiled on the first request to it, and a rule read when a violation
// cites it (file.go).
type Checker struct {
	file       *contractFile
	id         string // the file's $id
	apiVersion string
	ops        []*operation
	byShape    map[opShape][]*operation

	indexOnce sync.Once
	ix        *fileIndex
	ixErr     error

	mu    sync.Mutex
	rules map[string]validators.Rule // rules read so far, by ID
	codes map[string]string          // rule ID -> Stripe error code, for the operations compiled

	catalogueOnce sync.Once
	catalogue     []validators.Rule
	catalogueErr  error
}

// opShape groups the operations a request may be to: its method and how
// many segments its path has.
type opShape struct {
	method   string
	segments int
}

// operation is one request the contract covers: GET /v1/invoice_payments.
type operation struct {
	name     string // invoice_payments.list
	method   string
	path     string   // the spec's template: /v1/invoice_payments/{invoice_payment}
	segments []string // the template split on "/"
	notPaths []string // literal paths the template would match that are other operations
	body     string   // the media type of its body's parameters; "" for a GET
	loc      string   // the subschema's pointer in the file: /$defs/invoice_payments.list

	once   sync.Once
	err    error              // why it could not be compiled
	schema *jsonschema.Schema // compiled on first use
	def    map[string]any     // the subschema, parsed
	params []string           // documented parameters (the query's, or the body's)
	expand []string           // expandable paths, shortest forms first
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

// New reads the request contract of the newest embedded API version, or of
// the one WithAPIVersion names, or the one WithSchemas gives: the list of
// its operations. Each operation is compiled on the first request to it.
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

// load reads the header of schemas.RequestFile from files: its operations.
func load(files fs.FS) (*Checker, error) {
	cf, err := openFile(files)
	if err != nil {
		return nil, err
	}
	h, err := cf.readHeader()
	if err != nil {
		return nil, err
	}
	c := &Checker{file: cf, id: h.id, apiVersion: h.apiVersion, byShape: map[opShape][]*operation{},
		rules: map[string]validators.Rule{}, codes: map[string]string{}}
	names := map[string]bool{}
	for i, e := range h.operations {
		op := &operation{name: e.Operation, method: e.Method, path: e.Path, body: e.Body, notPaths: e.NotPaths, loc: strings.TrimPrefix(e.Schema, "#")}
		if op.name == "" || op.method == "" || op.path == "" || op.loc == "" {
			return nil, fmt.Errorf("%s: x-operations/%d lacks operation, method, path or schema", schemas.RequestFile, i)
		}
		if names[op.name] {
			return nil, fmt.Errorf("%s: x-operations/%d: operation %s is listed twice", schemas.RequestFile, i, op.name)
		}
		names[op.name] = true
		if _, ok := strings.CutPrefix(op.loc, "/$defs/"); !ok {
			return nil, fmt.Errorf("%s: operation %s: its schema %s is not under $defs", schemas.RequestFile, op.name, e.Schema)
		}
		op.segments = strings.Split(op.path, "/")
		k := opShape{op.method, len(op.segments)}
		c.byShape[k] = append(c.byShape[k], op)
		c.ops = append(c.ops, op)
	}
	return c, nil
}

// index finds, once, where each subschema and rule stands in the file.
func (c *Checker) index() (*fileIndex, error) {
	c.indexOnce.Do(func() { c.ix, c.ixErr = c.file.index() })
	return c.ix, c.ixErr
}

// compile reads and compiles op's subschema, once: as a schema of its own
// (it refers to nothing else in the file), so that no other operation's is
// parsed.
func (c *Checker) compile(op *operation) error {
	op.once.Do(func() { op.err = c.compileOnce(op) })
	return op.err
}

func (c *Checker) compileOnce(op *operation) error {
	ix, err := c.index()
	if err != nil {
		return err
	}
	name := pointer.Unescape(strings.TrimPrefix(op.loc, "/$defs/"))
	at, ok := ix.defs[name]
	if !ok {
		return fmt.Errorf("%s: operation %s: no subschema at %s", schemas.RequestFile, op.name, op.loc)
	}
	raw, err := c.file.read(at)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&op.def); err != nil {
		return fmt.Errorf("parse schema %s#%s: %w", schemas.RequestFile, op.loc, err)
	}
	compiler := jsonschema.NewCompiler()
	compiler.Draft = jsonschema.Draft2020
	url := c.id + "/" + strings.TrimPrefix(op.loc, "/")
	if err := compiler.AddResource(url, bytes.NewReader(raw)); err != nil {
		return fmt.Errorf("load %s#%s: %w", schemas.RequestFile, op.loc, err)
	}
	if op.schema, err = compiler.Compile(url); err != nil {
		return fmt.Errorf("compile %s#%s: %w", schemas.RequestFile, op.loc, err)
	}
	params := child(op.def, "query")
	if op.method == http.MethodPost {
		params = child(op.def, "body")
	}
	for name := range props(params) {
		op.params = append(op.params, name)
	}
	slices.Sort(op.params)
	op.expand = shortest(itemsEnum(child(params, "expand")))
	codes := map[string]string{}
	indexCodes(op.def, codes)
	c.mu.Lock()
	maps.Copy(c.codes, codes)
	c.mu.Unlock()
	return nil
}

// Rule returns the rule with the given ID from the request contract's
// catalogue, read on first use (not with the whole catalogue); false when
// the catalogue does not define it.
func (c *Checker) Rule(id string) (validators.Rule, bool) { return c.rule(id) }

// rule is Rule.
func (c *Checker) rule(id string) (validators.Rule, bool) {
	c.mu.Lock()
	r, ok := c.rules[id]
	c.mu.Unlock()
	if ok {
		return r, true
	}
	ix, err := c.index()
	if err != nil {
		return validators.Rule{}, false
	}
	at, ok := ix.rules[id]
	if !ok {
		return validators.Rule{}, false
	}
	raw, err := c.file.read(at)
	if err != nil {
		return validators.Rule{}, false
	}
	if r, err = validators.ReadRule(schemas.RequestFile, id, raw); err != nil {
		return validators.Rule{}, false
	}
	c.mu.Lock()
	c.rules[id] = r
	c.mu.Unlock()
	return r, true
}

// code is Stripe's error code for a violation of rule id, where one fits.
func (c *Checker) code(id string) string {
	c.mu.Lock()
	code := c.codes[id]
	c.mu.Unlock()
	if code != "" {
		return code
	}
	r, _ := c.rule(id)
	switch r.Aspect {
	case validators.AspectUnknownParameter:
		return "parameter_unknown"
	case validators.AspectRequired:
		return "parameter_missing"
	case validators.AspectExclusive:
		return "parameters_exclusive"
	}
	return ""
}

// indexCodes finds the rules that a parameter breaks when it is given
// something else than the integer it is: Stripe answers those
// parameter_invalid_integer.
func indexCodes(n any, codes map[string]string) {
	m, ok := n.(map[string]any)
	if !ok {
		return
	}
	xr, _ := m["x-rules"].(map[string]any)
	if str(m, "type") == "integer" {
		if id, ok := xr["type"].(string); ok {
			codes[id] = "parameter_invalid_integer"
		}
	}
	for _, b := range asList(m["anyOf"]) {
		if bm, _ := b.(map[string]any); str(bm, "type") == "integer" {
			if id, ok := xr["anyOf"].(string); ok {
				codes[id] = "parameter_invalid_integer"
			}
		}
		indexCodes(b, codes)
	}
	for _, p := range props(m) {
		indexCodes(p, codes)
	}
	indexCodes(m["items"], codes)
	indexCodes(m["additionalProperties"], codes)
}

// Rules lists the request contract's rules, by ID: the whole catalogue,
// read on the first call. A catalogue that cannot be read lists none (New
// does not read it; Catalogue says why).
func (c *Checker) Rules() []validators.Rule {
	rules, _ := c.Catalogue()
	return rules
}

// Catalogue lists the request contract's rules, by ID, or says why the
// catalogue cannot be read.
func (c *Checker) Catalogue() ([]validators.Rule, error) {
	c.catalogueOnce.Do(func() {
		ix, err := c.index()
		if err != nil {
			c.catalogueErr = err
			return
		}
		raw, err := c.file.read(ix.catalogue)
		if err != nil {
			c.catalogueErr = err
			return
		}
		c.catalogue, c.catalogueErr = validators.ReadCatalogue(schemas.RequestFile, raw)
	})
	return slices.Clone(c.catalogue), c.catalogueErr
}

// Operations names the operations the contract covers, in the file's order.
func (c *Checker) Operations() []string {
	out := make([]string, len(c.ops))
	for i, op := range c.ops {
		out[i] = op.name
	}
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

// match finds the operation r is a request to. Of two templates that fit
// its path, the one with a literal segment where the other has a parameter
// wins, at the first segment where they differ: /v1/invoices/search, not
// /v1/invoices/{invoice}.
func (c *Checker) match(r *http.Request) *operation {
	if r == nil || r.URL == nil {
		return nil
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	segs := strings.Split(r.URL.Path, "/")
	var best *operation
	for _, op := range c.byShape[opShape{method, len(segs)}] {
		if slices.Contains(op.notPaths, r.URL.Path) || !op.fits(segs) {
			continue
		}
		if best == nil || op.moreLiteral(best) {
			best = op
		}
	}
	return best
}

// fits says whether the template matches the path's segments.
func (op *operation) fits(segs []string) bool {
	for i, s := range op.segments {
		if isParam(s) {
			if segs[i] == "" {
				return false
			}
		} else if s != segs[i] {
			return false
		}
	}
	return true
}

// moreLiteral says whether op's template is literal at the first segment
// where it and other's differ in kind.
func (op *operation) moreLiteral(other *operation) bool {
	for i, s := range op.segments {
		if p, q := isParam(s), isParam(other.segments[i]); p != q {
			return !p
		}
	}
	return false
}

func isParam(segment string) bool { return strings.HasPrefix(segment, "{") }

// CompileAll compiles every operation's subschema now rather than on its
// first request, and says which cannot be: for a caller that wants a broken
// contract file to fail at start.
func (c *Checker) CompileAll() error {
	var errs []error
	for _, op := range c.ops {
		if err := c.compile(op); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := c.Catalogue(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Check returns the violations of the request contract in r, ordered by
// pointer; none for a conforming request or one to an endpoint the
// contract does not cover. A form body is read (up to MaxBody) and put
// back, so r can still be sent or answered. The first request to an
// operation compiles its subschema; a contract file that cannot be read is
// reported as a violation of validators.RuleInternal.
func (c *Checker) Check(r *http.Request) []validators.Violation {
	op := c.match(r)
	if op == nil {
		return nil
	}
	if err := c.compile(op); err != nil {
		return []validators.Violation{{Rule: validators.RuleInternal, Pointer: "", Severity: validators.Error,
			Message: fmt.Sprintf("%s cannot be checked: %v", op.request(), err)}}
	}
	ck := &check{c: c, op: op}
	instance := map[string]any{"query": ck.decode(r.URL.RawQuery, "query")}
	body := formBody(r)
	switch {
	case body != "":
		instance["body"] = ck.decode(body, "body")
	case op.body == formContent:
		// No body: every parameter is missing, the required ones reported.
		instance["body"] = map[string]any{}
	}
	for _, where := range []string{"query", "body"} {
		if v, ok := instance[where].(map[string]any); ok {
			instance[where] = ck.coerce(v, child(op.def, where), []string{where})
		}
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

// formContent is the media type of the form bodies Check reads.
const formContent = "application/x-www-form-urlencoded"

// formBody reads a form-encoded body and puts it back.
func formBody(r *http.Request) string {
	if r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != formContent {
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
	// dropped holds the pointers of values reported and dropped before the
	// schema sees them (amount=abc): not missing, but wrong.
	dropped map[string]bool
}

func (ck *check) add(rule, keyword, pointer, message string) {
	r, ok := ck.c.rule(rule)
	if !ok {
		r, _ = ck.c.rule(ck.op.unknownRule())
	}
	ck.out = append(ck.out, validators.Violation{Rule: r.ID, Pointer: pointer, Message: message, Severity: r.Severity, Doc: r.Doc})
}

// summary is the summary of rule id, as messages end.
func (ck *check) summary(id string) string {
	r, _ := ck.c.rule(id)
	return r.Summary
}

func (op *operation) unknownRule() string { return "request." + op.name + ".unknown-parameter" }

func (op *operation) request() string { return op.method + " " + op.path }

// takes lists the operation's parameters for a message.
func (op *operation) takes() string {
	if len(op.params) == 0 {
		return "none"
	}
	return strings.Join(op.params, ", ")
}

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
// pointer (/query/payment/type), following properties, items and the
// values of a map (metadata[k]).
func (ck *check) ruleAt(instancePtr, keyword string) string {
	node := ck.op.def
	for _, tok := range strings.Split(strings.TrimPrefix(instancePtr, "/"), "/") {
		if next := objectBranch(node); next != nil && child(node, pointer.Unescape(tok)) == nil {
			node = next // created[gte]: a member of the anyOf's object form
		}
		if next := child(node, pointer.Unescape(tok)); next != nil {
			node = next
		} else if values, ok := node["additionalProperties"].(map[string]any); ok {
			node = values
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

// coerce turns the strings of a form into the integers, numbers and
// booleans the schema wants, and reports (and drops) those that are not.
func (ck *check) coerce(v any, s map[string]any, at []string) any {
	if s == nil {
		return v
	}
	name := paramName(pointerOf(at))
	if branches := asList(s["anyOf"]); len(branches) > 0 {
		switch v := v.(type) {
		case string:
			for _, b := range branches {
				bm, _ := b.(map[string]any)
				if n, ok := scalar(v, str(bm, "type")); ok {
					return n
				}
			}
		case map[string]any:
			for _, b := range branches {
				if bm, _ := b.(map[string]any); str(bm, "type") == "object" {
					return ck.coerce(v, bm, at)
				}
			}
		case []any:
			for _, b := range branches {
				if bm, _ := b.(map[string]any); str(bm, "type") == "array" {
					return ck.coerce(v, bm, at)
				}
			}
		}
		return v
	}
	switch typ := str(s, "type"); typ {
	case "integer", "number", "boolean":
		if sv, ok := v.(string); ok {
			if n, ok := scalar(sv, typ); ok {
				return n
			}
			rule := ck.ruleAt(pointerOf(at), "type")
			ck.add(rule, "type", pointerOf(at), fmt.Sprintf("%s is %q, not %s; %s", name, sv, article[typ], ck.summary(rule)))
			if ck.dropped == nil {
				ck.dropped = map[string]bool{}
			}
			ck.dropped[pointerOf(at)] = true
			return nil
		}
	case "object":
		if m, ok := v.(map[string]any); ok {
			values, _ := s["additionalProperties"].(map[string]any)
			for k, cv := range m {
				cs := child(s, k)
				if cs == nil {
					cs = values
				}
				if cs != nil {
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

var article = map[string]string{"integer": "an integer", "number": "a number", "boolean": "a boolean"}

// scalar reads a form value as the JSON type typ: integers as stripe-go
// writes them (strconv.FormatInt), numbers as decimals, booleans as
// "true" and "false".
func scalar(s, typ string) (any, bool) {
	switch typ {
	case "integer":
		return integer(s)
	case "number":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || strings.ContainsAny(s, "xXpP_") {
			return nil, false
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
	case "boolean":
		switch s {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return nil, false
}

func integer(s string) (any, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, false
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
				if branch, _ := resolve(ck.op.def, cl).(map[string]any); str(branch, "type") == "object" {
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
	node, _ := resolve(ck.op.def, loc).(map[string]any)
	value := resolve(instance, f.Instance)
	ptr := f.Instance
	name := paramName(ptr)
	note := noteAt(ck.op.def, loc)
	rule := note.RuleOf(kw)
	summary := ck.summary(rule)
	switch kw {
	case "required":
		obj, _ := value.(map[string]any)
		for _, req := range asList(node["required"]) {
			r, _ := req.(string)
			if _, ok := obj[r]; ok {
				continue
			}
			childPtr := ptr + "/" + pointer.Escape(r)
			if ck.dropped[childPtr] {
				continue // given, and reported as not of its type
			}
			member := noteAt(ck.op.def, loc+"/properties/"+pointer.Escape(r))
			id := explain.RuleOfMissing(note, &member)
			ck.add(id, kw, childPtr, fmt.Sprintf("%s is missing; %s", paramName(childPtr), ck.summary(id)))
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
			case ptr == "/query" && ck.op.body != "":
				ck.add(rule, kw, childPtr, fmt.Sprintf("%s is not a query parameter of %s, which takes its parameters in the form body", paramName(childPtr), ck.op.request()))
			case ptr == "/query" || ptr == "/body":
				ck.add(rule, kw, childPtr, fmt.Sprintf("%s is not a parameter of %s, which takes %s", paramName(childPtr), ck.op.request(), ck.op.takes()))
			default:
				ck.add(rule, kw, childPtr, fmt.Sprintf("%s is not a parameter of %s: %s takes %s", paramName(childPtr), ck.op.request(), name, strings.Join(bracketed(name, slices.Sorted(maps.Keys(known))), ", ")))
			}
		}
	case "not":
		ck.add(rule, kw, ptr, "starting_after and ending_before are both given; a list request gives at most one cursor: starting_after for the next page, ending_before for the previous")
	case "enum":
		if r, _ := ck.c.rule(rule); r.Aspect == validators.AspectExpandable {
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
