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

// requestOperations are the requests the contract checks: the invoice
// payment endpoints, and the other GETs the bundled cassettes make.
var requestOperations = []struct{ method, path string }{
	{"get", "/v1/invoice_payments"},
	{"get", "/v1/invoice_payments/{invoice_payment}"},
	{"get", "/v1/invoices/{invoice}"},
	{"get", "/v1/events/{id}"},
}

// expandDepth is how many expansions deep an expand[] path may reach: a field
// of the resource (invoice), then a field of what that expands to
// (invoice.customer). Stripe allows four levels; two keep the lists short
// and cover what SDKs send.
const expandDepth = 2

var (
	// "Limit can range between 1 and 100, and the default is 10."
	rangePattern = regexp.MustCompile(`can range between (\d+) and (\d+)`)
	// "A cursor for use in pagination. `starting_after` is an object ID ..."
	cursorPattern = regexp.MustCompile("^A cursor for use in pagination\\. `(\\w+)` is an object ID that defines your place in the list\\.")
)

// requests builds the request file: one subschema per operation under $defs,
// for an instance {"query": {...}} holding the decoded query parameters in
// the spec's deepObject shape, and x-operations saying which request each
// subschema is for.
func (g *generation) requests() (string, *object, error) {
	rs := g.ruleSet()
	defs := newObject()
	var ops []any
	for _, op := range requestOperations {
		name, def, shadowed, err := g.requestOperation(op.method, op.path, rs)
		if err != nil {
			return "", nil, fmt.Errorf("%s %s: %w", strings.ToUpper(op.method), op.path, err)
		}
		defs.set(name, def)
		entry := newObject().
			set("operation", name).
			set("method", strings.ToUpper(op.method)).
			set("path", op.path).
			set("schema", "#/$defs/"+name)
		if len(shadowed) > 0 {
			entry.set("not-paths", shadowed)
		}
		ops = append(ops, entry)
	}
	doc := newObject().
		set("$schema", "https://json-schema.org/draft/2020-12/schema").
		set("$id", BaseURI+g.spec.idVersion()+"/"+RequestFile).
		set("title", "Request parameters").
		set("description", "The query parameters of the GET requests of the invoice payment API, from the spec's parameters (style deepObject, explode). The instance is {\"query\": {...}}: the decoded query, payment[type]=x as {\"payment\": {\"type\": \"x\"}}, expand[]=a as {\"expand\": [\"a\"]}, integers as numbers. x-operations maps each request to its subschema.").
		set("x-stripe-api-version", g.spec.version).
		set("x-generated-from", g.origin).
		set("x-operations", ops).
		set("$defs", defs).
		set("x-rule-definitions", rs.object())
	return RequestFile, doc, nil
}

// operationName names an operation for rule IDs: invoice_payments.list,
// invoice_payments.retrieve.
func operationName(path string) (string, error) {
	parts := strings.Split(strings.TrimPrefix(path, "/v1/"), "/")
	switch {
	case len(parts) == 1 && !strings.HasPrefix(parts[0], "{"):
		return parts[0] + ".list", nil
	case len(parts) == 2 && strings.HasPrefix(parts[1], "{"):
		return parts[0] + ".retrieve", nil
	}
	return "", fmt.Errorf("no operation name for path %s", path)
}

// shadowingPaths lists the spec's paths that a template with a parameter
// segment would also match (/v1/invoices/search for /v1/invoices/{invoice}):
// requests to them are other operations.
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
			if strings.HasPrefix(tparts[i], "{") {
				if strings.HasPrefix(parts[i], "{") {
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
func (d *requests) object(w *walker, out, xrules *object, n map[string]any, f field, doc string) error {
	if len(properties(n)) == 0 {
		return nil
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

func (g *generation) requestOperation(method, path string, rs *ruleSet) (string, *object, []any, error) {
	name, err := operationName(path)
	if err != nil {
		return "", nil, nil, err
	}
	opSrc := []string{"paths", path, method}
	params, err := lookup(g.spec.paths, path, method, "parameters")
	if err != nil {
		return "", nil, nil, err
	}
	list, _ := params.([]any)
	d := &requests{op: "request." + name}
	w := newWalker(g.spec, d, rs)
	var names []string
	for _, p := range list {
		pm, _ := p.(map[string]any)
		if str(pm, "in") == "query" {
			names = append(names, str(pm, "name"))
		}
	}
	d.unknown, err = rs.add(rule{
		id:      d.op + ".unknown-parameter",
		aspect:  aspectUnknownParameter,
		summary: fmt.Sprintf("%s %s takes only the query parameters the API reference documents (%s), and of each only its documented members", strings.ToUpper(method), path, strings.Join(names, ", ")),
		doc:     fmt.Sprintf("The API reference documents the parameters of %s %s; a parameter it does not list is rejected as unknown.", strings.ToUpper(method), path),
		source:  pointer(append(opSrc, "parameters")...),
	})
	if err != nil {
		return "", nil, nil, err
	}
	props := newObject()
	descs := map[string]string{}
	srcs := map[string][]string{}
	for i, p := range list {
		pm, _ := p.(map[string]any)
		if str(pm, "in") != "query" {
			continue
		}
		pname := str(pm, "name")
		schema, _ := pm["schema"].(map[string]any)
		if pname == "" || schema == nil {
			return "", nil, nil, fmt.Errorf("%s: a query parameter without a name or schema", pointer(append(opSrc, "parameters", strconv.Itoa(i))...))
		}
		src := append(slices.Clip(opSrc), "parameters", strconv.Itoa(i))
		desc := str(pm, "description")
		descs[pname], srcs[pname] = desc, src
		converted, err := w.convert(schema, field{path: []string{pname}, src: append(slices.Clip(src), "schema"), desc: desc, descSrc: src})
		if err != nil {
			return "", nil, nil, err
		}
		switch pname {
		case "limit":
			if err := w.limitRange(converted, desc, src); err != nil {
				return "", nil, nil, err
			}
		case "expand":
			if err := g.expandable(w, converted, path, method, desc, src); err != nil {
				return "", nil, nil, err
			}
		}
		props.set(pname, converted)
	}
	query := newObject().
		set("type", "object").
		set("properties", props).
		set("additionalProperties", false)
	exclusive, err := w.cursors(descs, srcs)
	if err != nil {
		return "", nil, nil, err
	}
	if exclusive != nil {
		query.set("allOf", []any{exclusive})
	}
	query.set("x-rules", newObject().set("additionalProperties", d.unknown))
	summary, _ := lookup(g.spec.paths, path, method, "summary")
	def := newObject().
		set("description", fmt.Sprintf("%s %s (%v): its query parameters.", strings.ToUpper(method), path, summary)).
		set("type", "object").
		set("properties", newObject().set("query", query)).
		set("additionalProperties", false).
		set("x-rules", newObject().set("additionalProperties", d.unknown))
	return name, def, g.shadowingPaths(method, path), nil
}

// limitRange adds the range of limit, which the docs state only in prose:
// "Limit can range between 1 and 100, and the default is 10."
func (w *walker) limitRange(limit *object, desc string, src []string) error {
	id, source := w.ruleID(field{path: []string{"limit"}}, "range"), pointer(append(slices.Clip(src), "description")...)
	m := rangePattern.FindStringSubmatchIndex(desc)
	if m == nil {
		// The range of limit is stated only in its description.
		return &ProseError{Rule: id, Source: source, Problem: "is no longer found: the limit description no longer states its range (\"Limit can range between 1 and 100\")"}
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
	resp, err := lookupObject(g.spec.paths, respSrc[1:]...)
	if err != nil {
		return err
	}
	ew := &expansionWalk{spec: g.spec, onStack: map[string]bool{}}
	ew.walk(resp, "", 0, true)
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
