package generator

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// RequestFile is the file of request rules Generate writes.
const RequestFile = schemas.RequestFile

// requestMethods are the methods whose parameters the request contract
// checks: a GET's query parameters and a POST's form parameters. DELETE
// requests take no parameters worth a contract beyond expand.
var requestMethods = []string{"get", "post"}

// formContent is the media type of the form bodies the contract checks.
const formContent = "application/x-www-form-urlencoded"

// expandDepth is how many expansions deep an expand[] path may reach: a field
// of the resource (invoice), then a field of what that expands to
// (invoice.customer). Stripe allows four levels; two keep the lists short
// and cover what SDKs send.
const expandDepth = 2

var (
	// "Limit can range between 1 and 100, and the default is 10."; "A
	// limit ranging from 1 to 100 (defaults to 10)."
	rangePattern = regexp.MustCompile(`can range between (\d+) and (\d+)|ranging from (\d+) to (\d+)`)
	// "Limit can range between 1 and total number of supported payout
	// currencies": a range stated without a number for its bound.
	wordyRangePattern = regexp.MustCompile(`can range between \d+ and [a-z]`)
	// "A cursor for use in pagination. `starting_after` is an object ID ..."
	cursorPattern = regexp.MustCompile("^A cursor for use in pagination\\. `(\\w+)` is an object ID that defines your place in the list\\.")
)

// requests builds the request file: one subschema per operation under $defs,
// for an instance {"query": {...}, "body": {...}} holding the decoded query
// and form body in the spec's deepObject shape, and x-operations saying
// which request each subschema is for. Every GET and POST operation of the
// spec is covered, in the order of their paths.
func (g *generation) requests() (string, *object, error) {
	rs := g.ruleSet()
	rs.alike = true
	defs := newObject()
	var ops []any
	names := map[string]string{} // operation name -> the request it names
	if err := g.checkTemplates(); err != nil {
		return "", nil, err
	}
	for _, path := range slices.Sorted(maps.Keys(g.spec.paths)) {
		item, _ := g.spec.paths[path].(map[string]any)
		for _, method := range requestMethods {
			if item[method] == nil {
				continue
			}
			request := strings.ToUpper(method) + " " + path
			name, err := g.operationName(method, path)
			if err != nil {
				return "", nil, fmt.Errorf("%s: %w", request, err)
			}
			if other, dup := names[name]; dup {
				return "", nil, fmt.Errorf("%s and %s are both named %s: operation names must be unique", other, request, name)
			}
			names[name] = request
			def, content, err := g.requestOperation(name, method, path, rs)
			if err != nil {
				return "", nil, fmt.Errorf("%s: %w", request, err)
			}
			defs.set(name, def)
			entry := newObject().
				set("operation", name).
				set("method", strings.ToUpper(method)).
				set("path", path).
				set("schema", "#/$defs/"+name)
			if content != "" {
				entry.set("body", content)
			}
			if shadowed := g.shadowingPaths(method, path); len(shadowed) > 0 {
				entry.set("not-paths", shadowed)
			}
			ops = append(ops, entry)
		}
	}
	doc := newObject().
		set("$schema", "https://json-schema.org/draft/2020-12/schema").
		set("$id", BaseURI+g.spec.idVersion()+"/"+RequestFile).
		set("title", "Request parameters").
		set("description", "The query parameters of every GET request and the form parameters of every POST request of the API, from the spec's parameters and request bodies (style deepObject, explode). The instance is {\"query\": {...}, \"body\": {...}}: the decoded query and form body, payment[type]=x as {\"payment\": {\"type\": \"x\"}}, expand[]=a as {\"expand\": [\"a\"]}, integers, numbers and booleans as JSON values. x-operations maps each request to its subschema; \"body\" names the media type of the operation's body, whose parameters the subschema's body holds.").
		set("x-stripe-api-version", g.spec.version).
		set("x-generated-from", g.origin).
		set("x-operations", ops).
		set("$defs", defs).
		set("x-rule-definitions", rs.object()).
		renderByLine("x-operations", "$defs", "x-rule-definitions")
	return RequestFile, doc, nil
}

// operationName names an operation for rule IDs, from its path and method:
// the literal segments of the path, dotted, then what the request does.
//
//   - GET of a path ending in a parameter: .retrieve (invoices.retrieve);
//   - GET answering a list: .list (invoice_payments.list, customers.sources.list);
//   - GET answering a search result: the path's name (customers.search);
//   - another GET: .retrieve (balance.retrieve, customers.cash_balance.retrieve);
//   - POST to a path ending in a parameter: .update (customers.update);
//   - POST to a collection (one listed by a GET, or whose members have
//     paths of their own): .create (customers.create, customers.sources.create);
//   - POST to a path a GET answers with one object: .update (account.update);
//   - POST to a verb after a resource or collection: the path's name
//     (payment_intents.confirm, invoices.create_preview);
//   - another POST: .create (billing_portal.sessions.create).
func (g *generation) operationName(method, path string) (string, error) {
	segs := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	var literal []string
	for _, s := range segs {
		if !isTemplateParam(s) {
			literal = append(literal, s)
		}
	}
	if !strings.HasPrefix(path, "/v1/") || len(literal) == 0 {
		return "", fmt.Errorf("no operation name for path %s: it has no literal segment under /v1/", path)
	}
	chain := strings.Join(literal, ".")
	last := isTemplateParam(segs[len(segs)-1])
	switch method {
	case "get":
		switch kind := g.answerKind(path); {
		case last:
			return chain + ".retrieve", nil
		case kind == "list":
			return chain + ".list", nil
		case kind == "search_result":
			return chain, nil
		}
		return chain + ".retrieve", nil
	case "post":
		if last {
			return chain + ".update", nil
		}
		switch g.answerKind(path) {
		case "list":
			return chain + ".create", nil
		case "":
		default:
			return chain + ".update", nil
		}
		if g.hasMembers(path) {
			return chain + ".create", nil
		}
		if len(segs) > 1 {
			parent := "/v1/" + strings.Join(segs[:len(segs)-1], "/")
			if isTemplateParam(segs[len(segs)-2]) || g.answerKind(parent) == "list" {
				return chain, nil
			}
		}
		return chain + ".create", nil
	}
	return "", fmt.Errorf("no operation name for method %s", method)
}

func isTemplateParam(seg string) bool { return strings.HasPrefix(seg, "{") }

// answerKind says what a GET of path answers with: "list" for a list
// envelope, "search_result", another object's kind ("object"), or "" when
// the spec has no GET of path.
func (g *generation) answerKind(path string) string {
	schema, err := lookupObject(g.spec.paths, path, "get", "responses", "200", "content", "application/json", "schema")
	if err != nil {
		return ""
	}
	if v := stringList(properties(schema)["object"]["enum"]); len(v) == 1 && (v[0] == "list" || v[0] == "search_result") {
		return v[0]
	}
	return "object"
}

// hasMembers says whether the spec has a path below path that names one of
// its members by a parameter: /v1/tokens/{token} for /v1/tokens.
func (g *generation) hasMembers(path string) bool {
	for p := range g.spec.paths {
		if rest, ok := strings.CutPrefix(p, path+"/"); ok && isTemplateParam(rest) {
			return true
		}
	}
	return false
}

// checkTemplates makes sure that a request matches at most one operation of
// a method once literal segments take priority over parameters: two
// templates that could match one path must differ by one being literal
// wherever the other is, as /v1/invoices/search and /v1/invoices/{invoice}.
func (g *generation) checkTemplates() error {
	for _, method := range requestMethods {
		var paths []string
		for p, item := range g.spec.paths {
			if m, _ := item.(map[string]any); m != nil && m[method] != nil {
				paths = append(paths, p)
			}
		}
		slices.Sort(paths)
		for i, a := range paths {
			as := strings.Split(a, "/")
			for _, b := range paths[i+1:] {
				bs := strings.Split(b, "/")
				if len(as) != len(bs) {
					continue
				}
				overlap, aFirst, bFirst := true, true, true
				for k := range as {
					pa, pb := isTemplateParam(as[k]), isTemplateParam(bs[k])
					switch {
					case !pa && !pb && as[k] != bs[k]:
						overlap = false
					case pa && !pb:
						aFirst = false
					case pb && !pa:
						bFirst = false
					}
				}
				if overlap && aFirst == bFirst {
					return fmt.Errorf("%s %s and %s %s can match the same request and neither is the more literal (literal where the other has a parameter): the request contract cannot tell them apart", strings.ToUpper(method), a, strings.ToUpper(method), b)
				}
			}
		}
	}
	return nil
}

// shadowingPaths lists the spec's paths that a template with a parameter
// segment would also match (/v1/invoices/search for /v1/invoices/{invoice}):
// requests to them are other operations. checkTemplates makes sure these
// are the only overlaps.
func (g *generation) shadowingPaths(method, template string) []any {
	tparts := strings.Split(template, "/")
	var out []string
	for p, item := range g.spec.paths {
		if p == template {
			continue
		}
		if m, _ := item.(map[string]any); m == nil || m[method] == nil {
			continue
		}
		parts := strings.Split(p, "/")
		if len(parts) != len(tparts) {
			continue
		}
		match := true
		for i := range parts {
			if isTemplateParam(tparts[i]) {
				if isTemplateParam(parts[i]) {
					match = false
				}
				continue
			}
			if parts[i] != tparts[i] {
				match = false
			}
		}
		if match {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	res := make([]any, len(out))
	for i, p := range out {
		res[i] = p
	}
	return res
}

// requests is the dialect of the request file: rules are named after the
// operation and the parameter path (request.invoice_payments.list.payment.type.enum),
// fields as a form-encoded request writes them (payment[type], expand[]),
// descriptions stay in the rule catalogue, and every object is closed: a
// member the spec does not list is the operation's unknown parameter.
type requests struct {
	op      string // rule namespace: request.invoice_payments.list
	unknown string // the operation's unknown-parameter rule
}

func (d *requests) namespace() string { return d.op }

// display writes a parameter path as a request does: payment[type],
// expand[] for the items of expand.
func (d *requests) display(path []string) string {
	var b strings.Builder
	b.WriteString(path[0])
	for _, p := range path[1:] {
		if isFormName(p) {
			continue // which object form of an anyOf: not written in a request
		}
		if p == "items" {
			p = ""
		}
		b.WriteString("[" + p + "]")
	}
	return b.String()
}

func (d *requests) undescribed(name string) string {
	return fmt.Sprintf("%s is documented without a description; its type comes from the spec.", name)
}

func (d *requests) describes() bool { return false }

// object converts a parameter's members and closes it: the API rejects a
// member it does not document, and requires the spec's required members
// whenever the parameter is given.
//
// A map (metadata: "type": "object" with "additionalProperties" a schema)
// takes members of any name, each checked by that schema under the member
// path "*": request.customers.create.metadata.*.json-type, shown as
// metadata[*].
func (d *requests) object(w *walker, out, xrules *object, n map[string]any, f field, doc string) error {
	values, _ := n["additionalProperties"].(map[string]any)
	if len(properties(n)) == 0 {
		if values == nil {
			return nil // an object the spec leaves open
		}
		converted, err := w.convert(values, field{
			path: append(slices.Clip(f.path), "*"), src: append(slices.Clip(f.src), "additionalProperties"),
			desc: f.desc, descSrc: f.descSrc,
		})
		if err != nil {
			return err
		}
		out.set("additionalProperties", converted)
		return nil
	}
	if values != nil {
		return fmt.Errorf("%s: an object with both properties and a schema for other members", pointer(f.src...))
	}
	name := d.display(f.path)
	converted, err := w.members(n, f, nil, func(p string) rule {
		return rule{
			id:      w.ruleID(f.child(p), "required"),
			aspect:  "required",
			summary: fmt.Sprintf("%s is required when any %s[...] parameter is given", d.display(append(slices.Clip(f.path), p)), name),
			doc:     fmt.Sprintf("%s The spec marks %s required in %s.", doc, p, name),
			source:  pointer(append(slices.Clip(f.src), "required")...),
		}
	})
	if err != nil {
		return err
	}
	out.set("properties", converted)
	out.set("additionalProperties", false)
	xrules.set("additionalProperties", d.unknown)
	if required := stringList(n["required"]); len(required) > 0 {
		out.set("required", required)
	}
	return nil
}

// requestOperation builds the subschema of one operation: its query
// parameters, and for a POST its form parameters. It returns the media type
// of the body the subschema describes ("" for a GET).
func (g *generation) requestOperation(name, method, path string, rs *ruleSet) (*object, string, error) {
	opSrc := []string{"paths", path, method}
	request := strings.ToUpper(method) + " " + path
	d := &requests{op: "request." + name}
	w := newWalker(g.spec, d, rs)

	// The query parameters.
	var list []any
	if params, err := lookup(g.spec.paths, path, method, "parameters"); err == nil {
		list, _ = params.([]any)
	}
	var query []param
	for i, p := range list {
		pm, _ := p.(map[string]any)
		if str(pm, "in") != "query" {
			continue
		}
		src := append(slices.Clip(opSrc), "parameters", strconv.Itoa(i))
		schema, _ := pm["schema"].(map[string]any)
		if str(pm, "name") == "" || schema == nil {
			return nil, "", fmt.Errorf("%s: a query parameter without a name or schema", pointer(src...))
		}
		if style := str(pm, "style"); style != "" && style != "deepObject" && style != "form" {
			return nil, "", fmt.Errorf("%s: query parameter %s has style %s; the request contract decodes form and deepObject parameters only", pointer(src...), str(pm, "name"), style)
		}
		query = append(query, param{name: str(pm, "name"), schema: schema, src: append(slices.Clip(src), "schema"), desc: str(pm, "description"), descSrc: src, required: pm["required"] == true, requiredSrc: append(slices.Clip(src), "required")})
	}

	// The form parameters of a POST.
	var body []param
	var content string
	var bodySrc []string
	if method == "post" {
		var err error
		if body, content, bodySrc, err = g.formParameters(path, method); err != nil {
			return nil, "", err
		}
	}

	where, takes := "query", query
	unknownSrc := append(slices.Clip(opSrc), "parameters")
	if method == "post" {
		where, takes, unknownSrc = "form", body, append(slices.Clip(bodySrc), "properties")
	}
	var names []string
	for _, p := range takes {
		names = append(names, p.name)
	}
	listed := strings.Join(names, ", ")
	if listed == "" {
		listed = "none"
	}
	var err error
	d.unknown, err = rs.add(rule{
		id:      d.op + ".unknown-parameter",
		aspect:  aspectUnknownParameter,
		summary: fmt.Sprintf("%s takes only the %s parameters the API reference documents (%s), and of each only its documented members", request, where, listed),
		doc:     fmt.Sprintf("The API reference documents the parameters of %s; a parameter it does not list is rejected as unknown.", request),
		source:  pointer(unknownSrc...),
	})
	if err != nil {
		return nil, "", err
	}

	queryObj, err := g.parameters(w, d, method, path, query)
	if err != nil {
		return nil, "", err
	}
	summary, _ := lookup(g.spec.paths, path, method, "summary")
	props := newObject().set("query", queryObj)
	what := "its query parameters"
	if method == "post" {
		bodyObj, err := g.parameters(w, d, method, path, body)
		if err != nil {
			return nil, "", err
		}
		props.set("body", bodyObj)
		what = "its form parameters (body), and no query parameters"
		if content != formContent {
			what = fmt.Sprintf("its parameters (body, sent as %s), and no query parameters", content)
		}
	}
	def := newObject().
		set("description", fmt.Sprintf("%s (%v): %s.", request, summary, what)).
		set("type", "object").
		set("properties", props).
		set("additionalProperties", false).
		set("x-rules", newObject().set("type", d.unknown).set("additionalProperties", d.unknown))
	return def, content, nil
}

// param is one parameter of an operation, in the query or in the body.
type param struct {
	name        string
	schema      map[string]any
	src         []string // where schema stands in the spec
	desc        string
	descSrc     []string // where desc stands
	required    bool
	requiredSrc []string // where the spec says it is required
}

// formParameters reads the form parameters of a POST from its request body:
// the properties of the application/x-www-form-urlencoded schema (or, for a
// file upload, of the multipart/form-data one), each encoded deepObject. It
// returns them, the media type and where the schema stands.
func (g *generation) formParameters(path, method string) ([]param, string, []string, error) {
	contents, err := lookupObject(g.spec.paths, path, method, "requestBody", "content")
	if err != nil {
		return nil, "", nil, nil // a POST without parameters
	}
	content := formContent
	if contents[content] == nil {
		if contents["multipart/form-data"] == nil {
			return nil, "", nil, fmt.Errorf("%s: a request body that is neither %s nor multipart/form-data", pointer("paths", path, method, "requestBody", "content"), formContent)
		}
		content = "multipart/form-data"
	}
	mediaSrc := []string{"paths", path, method, "requestBody", "content", content}
	media, _ := contents[content].(map[string]any)
	encoding, _ := media["encoding"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(encoding)) {
		e, _ := encoding[name].(map[string]any)
		if style := str(e, "style"); style != "" && style != "deepObject" {
			return nil, "", nil, fmt.Errorf("%s: parameter %s is encoded with style %s; the request contract decodes deepObject parameters only", pointer(append(slices.Clip(mediaSrc), "encoding", name)...), name, style)
		}
	}
	schema, _ := media["schema"].(map[string]any)
	schemaSrc := append(slices.Clip(mediaSrc), "schema")
	if schema == nil {
		return nil, "", nil, fmt.Errorf("%s: no schema", pointer(mediaSrc...))
	}
	props := properties(schema)
	required := stringList(schema["required"])
	for _, r := range required {
		if _, ok := props[r]; !ok {
			return nil, "", nil, fmt.Errorf("%s: required %q is not among its properties", pointer(schemaSrc...), r)
		}
	}
	var out []param
	for _, name := range slices.Sorted(maps.Keys(props)) {
		src := append(slices.Clip(schemaSrc), "properties", name)
		out = append(out, param{name: name, schema: props[name], src: src, desc: str(props[name], "description"), descSrc: src,
			required: slices.Contains(required, name), requiredSrc: append(slices.Clip(schemaSrc), "required")})
	}
	return out, content, schemaSrc, nil
}

// parameters converts an operation's query or form parameters into the
// closed object that holds them, with the rules the reference states in
// prose for some (limit's range, the exclusive cursors, expand[]).
func (g *generation) parameters(w *walker, d *requests, method, path string, params []param) (*object, error) {
	props := newObject()
	descs := map[string]string{}
	srcs := map[string][]string{}
	var required []any
	for _, p := range params {
		descs[p.name], srcs[p.name] = p.desc, p.descSrc
		converted, err := w.convert(p.schema, field{path: []string{p.name}, src: p.src, desc: p.desc, descSrc: p.descSrc})
		if err != nil {
			return nil, err
		}
		switch p.name {
		case "limit":
			if method == "get" {
				if err := w.limitRange(converted, p.desc, p.descSrc); err != nil {
					return nil, err
				}
			}
		case "expand":
			if err := g.expandable(w, converted, path, method, p.desc, p.descSrc); err != nil {
				return nil, err
			}
		}
		if p.required {
			doc := p.desc
			if doc == "" {
				doc = d.undescribed(p.name)
			}
			id, err := w.rules.add(rule{
				id:      w.ruleID(field{path: []string{p.name}}, "required"),
				aspect:  "required",
				summary: fmt.Sprintf("%s is required", p.name),
				doc:     fmt.Sprintf("%s The spec marks %s required in %s %s.", doc, p.name, strings.ToUpper(method), path),
				source:  pointer(p.requiredSrc...),
			})
			if err != nil {
				return nil, err
			}
			xr, ok := converted.get("x-rules")
			if !ok {
				xr = newObject()
				converted.set("x-rules", xr)
			}
			xr.(*object).set("required", id)
			converted.moveLast("x-rules")
			required = append(required, p.name)
		}
		props.set(p.name, converted)
	}
	out := newObject().
		set("type", "object").
		set("properties", props).
		set("additionalProperties", false)
	if len(required) > 0 {
		out.set("required", required)
	}
	exclusive, err := w.cursors(descs, srcs)
	if err != nil {
		return nil, err
	}
	if exclusive != nil {
		out.set("allOf", []any{exclusive})
	}
	// Form parameters are an object of them: a query or body that is not
	// form-encoded is the operation's unknown-parameter, as the checker
	// reports it.
	out.set("x-rules", newObject().set("type", d.unknown).set("additionalProperties", d.unknown))
	return out, nil
}

// limitRange adds the range of limit, which the docs state only in prose:
// "Limit can range between 1 and 100, and the default is 10."
func (w *walker) limitRange(limit *object, desc string, src []string) error {
	id, source := w.ruleID(field{path: []string{"limit"}}, "range"), pointer(append(slices.Clip(src), "description")...)
	m := rangePattern.FindStringSubmatchIndex(desc)
	if m == nil {
		if wordyRangePattern.MatchString(desc) {
			// No number to check against: no range rule. Were one recorded
			// for this limit, the expectation would say it is lost.
			return nil
		}
		// The range of limit is stated only in its description.
		return &ProseError{Rule: id, Source: source, Problem: "is no longer found: the limit description no longer states its range (\"Limit can range between 1 and 100\")"}
	}
	if m[2] < 0 {
		m = append(m[:2], m[6:]...) // the second form
	}
	lo, _ := strconv.Atoi(desc[m[2]:m[3]])
	hi, _ := strconv.Atoi(desc[m[4]:m[5]])
	if lo > hi {
		return fmt.Errorf("limit: the description's range %d to %d is empty", lo, hi)
	}
	limit.set("minimum", lo)
	limit.set("maximum", hi)
	id, err := w.rules.add(w.prose(rule{
		id:      id,
		aspect:  "range",
		summary: fmt.Sprintf("limit is between %d and %d", lo, hi),
		doc:     sentence(desc, m[0], m[1]),
		source:  source,
	}))
	if err != nil {
		return err
	}
	xr, _ := limit.get("x-rules")
	xr.(*object).set("minimum", id).set("maximum", id)
	limit.moveLast("x-rules")
	return nil
}

// cursors: the two pagination cursors, each "a cursor for use in
// pagination" that "defines your place in the list", one to page forward,
// one back. The reference never says in words that they cannot be combined;
// the rule is read from the two descriptions, and the citation says so.
func (w *walker) cursors(descs map[string]string, srcs map[string][]string) (*object, error) {
	var found []string
	for _, p := range slices.Sorted(maps.Keys(descs)) {
		if m := cursorPattern.FindStringSubmatch(descs[p]); m != nil && m[1] == p {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	if len(found) == 1 {
		if _, both := descs[map[string]string{"starting_after": "ending_before", "ending_before": "starting_after"}[found[0]]]; !both {
			return nil, nil // a list that pages one way only: nothing to combine
		}
	}
	if !slices.Equal(found, []string{"ending_before", "starting_after"}) {
		return nil, &ProseError{
			Rule:    w.ruleID(field{path: []string{"cursors"}}, "exclusive"),
			Source:  pointer(append(slices.Clip(srcs["starting_after"]), "description")...),
			Problem: fmt.Sprintf("is found in a new form: pagination cursors %v, want ending_before and starting_after", found),
		}
	}
	var sentences []string
	for _, p := range []string{"starting_after", "ending_before"} {
		sentences = append(sentences, p+": "+descs[p])
	}
	id, err := w.rules.add(w.prose(rule{
		id:      w.ruleID(field{path: []string{"cursors"}}, "exclusive"),
		aspect:  aspectExclusive,
		summary: "starting_after and ending_before are not both given: one pages forward, the other back",
		doc: "Neither the spec nor the reference pages (schemas/testdata/seeds) state in words that the two cannot be combined; the rule is read from the two cursors' descriptions, each defining \"your place in the list\", one for the next page and one for the previous: " +
			strings.Join(sentences, " "),
		source: pointer(append(slices.Clip(srcs["starting_after"]), "description")...),
	}))
	if err != nil {
		return nil, err
	}
	return newObject().
		set("x-rule", id).
		set("not", newObject().set("required", []any{"starting_after", "ending_before"})), nil
}

// expandable restricts expand[] to the fields of the response that can be
// expanded, found in the 200 response's schema.
func (g *generation) expandable(w *walker, expand *object, path, method, desc string, src []string) error {
	respSrc := []string{"paths", path, method, "responses", "200", "content", "application/json", "schema"}
	ew := &expansionWalk{spec: g.spec, onStack: map[string]bool{}}
	if resp, err := lookupObject(g.spec.paths, respSrc[1:]...); err == nil {
		ew.walk(resp, "", 0, true)
	} else if _, other := lookupObject(g.spec.paths, respSrc[1:6]...); other == nil {
		// Not JSON (a quote's PDF): nothing in it can be expanded.
		respSrc = respSrc[:6]
	} else {
		return err
	}
	slices.Sort(ew.paths)
	ew.paths = slices.Compact(ew.paths)
	itemsV, ok := expand.get("items")
	if !ok {
		return fmt.Errorf("expand is not an array of strings")
	}
	items := itemsV.(*object)
	summary := "expand[] names only fields of the response that can be expanded"
	if len(ew.paths) == 0 {
		summary = "expand[] names nothing: the response has no expandable field"
	}
	id, err := w.rules.add(rule{
		id:      w.ruleID(field{path: []string{"expand"}}, "expandable"),
		aspect:  "expandable",
		summary: summary,
		doc: desc + " Expandable fields are those the response documents as an ID or the object it names (anyOf with x-expansionResources), and lists returned only on request (a list property the resource does not require); a list's are prefixed data., and an expanded object's own expandable fields follow a dot, " +
			strconv.Itoa(expandDepth) + " levels deep.",
		source: pointer(respSrc...),
	})
	if err != nil {
		return err
	}
	if len(ew.paths) == 0 {
		expand.set("maxItems", 0)
		xr, _ := expand.get("x-rules")
		xr.(*object).set("maxItems", id)
		expand.moveLast("x-rules")
		return nil
	}
	enum := make([]any, len(ew.paths))
	for i, p := range ew.paths {
		enum[i] = p
	}
	items.set("enum", enum)
	xr, ok := items.get("x-rules")
	if !ok {
		xr = newObject()
		items.set("x-rules", xr)
	}
	xr.(*object).set("enum", id)
	items.moveLast("x-rules")
	return nil
}

// expansionWalk collects the expandable paths of a response schema.
type expansionWalk struct {
	spec    *spec
	onStack map[string]bool
	paths   []string
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// walk visits schema n at path prefix, depth expansions deep. A resource
// is entered only where it is the response itself, an expansion or a list's
// item (resource true): another resource embedded in a field (an error's
// payment_intent) is that resource's contract, not this response's.
func (w *expansionWalk) walk(n map[string]any, prefix string, depth int, resource bool) {
	if name, ok := refName(n); ok {
		if w.onStack[name] {
			return
		}
		comp, err := w.spec.component(name)
		if err != nil {
			return
		}
		if _, isResource := comp["x-resourceId"]; isResource && !resource {
			return
		}
		w.onStack[name] = true
		defer delete(w.onStack, name)
		w.walk(comp, prefix, depth, false)
		return
	}
	if branches, ok := n["anyOf"].([]any); ok {
		_, expandable := n["x-expansionResources"]
		if expandable {
			w.paths = append(w.paths, prefix)
			if depth+1 >= expandDepth {
				return
			}
			depth++
		}
		for _, b := range branches {
			if bm, ok := b.(map[string]any); ok {
				w.walk(bm, prefix, depth, expandable || resource)
			}
		}
		return
	}
	if items, ok := n["items"].(map[string]any); ok {
		w.walk(items, prefix, depth, resource)
		return
	}
	props := properties(n)
	required := stringList(n["required"])
	list := isList(n)
	for _, p := range slices.Sorted(maps.Keys(props)) {
		child := props[p]
		d := depth
		if isList(child) && !slices.Contains(required, p) {
			// A list the resource does not always carry is included on
			// request: expand[]=payments.
			w.paths = append(w.paths, join(prefix, p))
			if d+1 >= expandDepth {
				continue
			}
			d++
		}
		// A list's data holds its resources: data.invoice.
		w.walk(child, join(prefix, p), d, list && p == "data")
	}
}

// isList says whether a schema is a Stripe list envelope (object "list").
func isList(n map[string]any) bool {
	obj, ok := properties(n)["object"]
	return ok && slices.Equal(stringList(obj["enum"]), []string{"list"})
}
