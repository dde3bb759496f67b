package generator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// The files that describe the whole API: one per resource
// (schemas.ResourceFile), and the envelopes that carry resources.
const (
	ListFile         = schemas.ListFile
	SearchResultFile = schemas.SearchResultFile
	EventFile        = schemas.EventFile
	IndexFile        = schemas.IndexFile
)

// partialDef is the $defs member of each resource file that checks a
// partial object of the resource: the fields present, each against the
// resource's own schema of it, none required (an event's
// data.previous_attributes).
const partialDef = "partial"

// resourceFiles names the file of every resource of the spec.
func resourceFiles(resources []Resource) map[string]string {
	files := map[string]string{}
	for _, r := range resources {
		files[r.Component] = schemas.ResourceFile(r.Component)
	}
	return files
}

// resourceFile builds the file of resource r: its component converted, with
// every other resource it holds (an expandable field, a list, a nested
// resource) referred to by its own file.
func (g *generation) resourceFile(r Resource) (string, *object, error) {
	src := []string{"components", "schemas", r.Component}
	comp, err := g.spec.component(r.Component)
	if err != nil {
		return "", nil, err
	}
	c := g.walker(r.Component, r.Component, src)
	root, err := c.convert(comp, field{src: src})
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", r.Component, err)
	}
	if r.Component == "invoice_payment" {
		if err := g.invoicePaymentRules(c, src); err != nil {
			return "", nil, err
		}
	}
	if r.Component == "invoice" {
		if err := g.invoiceRules(c); err != nil {
			return "", nil, err
		}
	}
	c.defs.set(partialDef, partial(root))
	file := schemas.ResourceFile(r.Component)
	desc := fmt.Sprintf("A %s object (components.schemas.%s) of API version %s.", r.Object, r.Component, g.spec.version)
	if r.Component == "invoice_payment" {
		desc = "An invoice_payment object, as GET /v1/invoice_payments/{invoice_payment} returns it."
	}
	if r.Deleted {
		desc = fmt.Sprintf("A deleted %s (components.schemas.%s), as a DELETE answers and a *.deleted event carries it, at API version %s.", r.Object, r.Component, g.spec.version)
	}
	return file, g.document(file, cmpOr(str(comp, "title"), r.Component), desc, c, root), nil
}

// partial is a resource's partial object: each top-level field present is
// checked against the resource's schema of it, by reference, and none is
// required; fields the resource does not document stay its notices.
func partial(root *object) *object {
	out := newObject().
		set("description", "A partial object of this resource: the fields present are checked as the resource's own, none is required (an event's data.previous_attributes).").
		set("type", "object")
	if props, ok := root.get("properties"); ok {
		refs := newObject()
		for _, k := range props.(*object).keys {
			refs.set(k, newObject().set("$ref", "#/properties/"+escapePointer(k)))
		}
		out.set("properties", refs)
	}
	if u, ok := root.get("x-undocumented"); ok {
		out.set("x-undocumented", u)
	}
	return out
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// invoicePaymentRules checks what the rules about an invoice payment's
// status need: its values, found in prose, agree with the list endpoint's
// status filter.
func (g *generation) invoicePaymentRules(c *walker, src []string) error {
	if len(c.statuses) == 0 {
		return c.noStatusValues(field{src: src})
	}
	g.statuses = c.statuses
	return g.checkStatusFilter()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// invoiceRules adds the invoice's rules the Go validator checks: the
// payments an invoice lists are its own.
func (g *generation) invoiceRules(c *walker) error {
	inv, err := g.spec.component("invoice")
	if err != nil {
		return err
	}
	payments, ok := properties(inv)["payments"]
	if !ok {
		return nil // a version without invoice payments
	}
	_, err = c.rules.add(rule{
		id:       "invoice.payments.invoice-matches",
		aspect:   "invoice-matches",
		severity: severityWarning,
		check:    checkGo,
		summary:  "every payment in an invoice's payments list names that invoice in its invoice field",
		doc:      str(payments, "description"),
		source:   pointer("components", "schemas", "invoice", "properties", "payments", "description"),
	})
	return err
}

// dispatch checks an object against the resource its object member names,
// among the resources given (component names): the object value must be
// one of theirs (the rule objectRule), and the object is then checked
// against that resource's file; a resource with a deleted form is checked
// against it when the object says "deleted": true.
func (g *generation) dispatch(c *walker, components []string, objectRule, typeRule rule) (*object, error) {
	var rs []Resource
	for _, r := range g.resources {
		if slices.Contains(components, r.Component) {
			rs = append(rs, r)
		}
	}
	if objectRule.summary == "" {
		objectRule.summary = objectSummary(rs, g.spec.version)
	}
	id, err := c.rules.add(objectRule)
	if err != nil {
		return nil, err
	}
	typeID, err := c.rules.add(typeRule)
	if err != nil {
		return nil, err
	}
	d := dispatchObject(rs, g.files, id)
	d.set("x-rules", newObject().set("type", typeID))
	return d, nil
}

// objectSummary says which object values a dispatch over rs accepts.
func objectSummary(rs []Resource, version string) string {
	enum := objectEnum(rs)
	if len(enum) > 8 {
		return fmt.Sprintf("object names one of the %d resources of API version %s", len(enum), version)
	}
	return enumSummary("object", enum)
}

// objectEnum lists the object values of rs, sorted, once each.
func objectEnum(rs []Resource) []any {
	var objects []string
	for _, r := range rs {
		if !slices.Contains(objects, r.Object) {
			objects = append(objects, r.Object)
		}
	}
	slices.Sort(objects)
	enum := make([]any, len(objects))
	for i, o := range objects {
		enum[i] = o
	}
	return enum
}

// dispatchObject is the schema of an object checked against the resource
// among rs its object member names (see dispatch); id is the rule of the
// object value, which also speaks for the tests that pick the resource.
func dispatchObject(rs []Resource, files map[string]string, id string) *object {
	enum := objectEnum(rs)
	out := newObject().
		set("x-rule", id).
		set("type", "object").
		set("properties", newObject().set("object", newObject().
			set("enum", enum).
			set("x-rules", newObject().set("enum", id))))
	var allOf []any
	for _, ov := range enum {
		o := ov.(string)
		var plain, deleted *Resource
		for i := range rs {
			if rs[i].Object != o {
				continue
			}
			if rs[i].Deleted {
				deleted = &rs[i]
			} else {
				plain = &rs[i]
			}
		}
		var then *object
		switch {
		case plain != nil && deleted != nil:
			then = newObject().
				set("x-dispatch", true).
				set("if", isDeleted()).
				set("then", newObject().set("$ref", files[deleted.Component])).
				set("else", newObject().set("$ref", files[plain.Component]))
		case plain != nil:
			then = newObject().set("$ref", files[plain.Component])
		default:
			then = newObject().set("$ref", files[deleted.Component])
		}
		allOf = append(allOf, newObject().
			set("x-rule", id).
			set("x-dispatch", true).
			set("if", newObject().
				set("required", []any{"object"}).
				set("properties", newObject().set("object", newObject().set("const", o)))).
			set("then", then))
	}
	if len(allOf) > 0 {
		out.set("allOf", allOf)
	}
	return out
}

func isDeleted() *object {
	return newObject().
		set("required", []any{"deleted"}).
		set("properties", newObject().set("deleted", newObject().set("const", true)))
}

// componentsOf lists the components of resources.
func componentsOf(resources []Resource) []string {
	out := make([]string, len(resources))
	for i, r := range resources {
		out[i] = r.Component
	}
	return out
}

// pageEnvelope describes one of the envelopes that hold a page of
// resources: where the spec states its shape, and how its items are named.
type pageEnvelope struct {
	namespace, file, title, description string
	path                                string // the GET whose 200 response is the envelope
	items                               string // "a list's", "a search result's"
}

// list builds the list envelope (object "list"): the shape of the list
// responses, from GET /v1/invoice_payments', with each item checked against
// the resource its object names.
func (g *generation) list() (string, *object, error) {
	return g.page(pageEnvelope{
		namespace: "list", file: ListFile, title: "List", path: "/v1/invoice_payments", items: "a list's",
		description: "A page of objects (object list), as every list endpoint returns it and as a resource's list fields hold it; each item is checked against the resource its object names.",
	})
}

// searchResult builds the search result envelope (object
// "search_result"), from GET /v1/customers/search's response.
func (g *generation) searchResult() (string, *object, error) {
	return g.page(pageEnvelope{
		namespace: "search_result", file: SearchResultFile, title: "Search result", path: "/v1/customers/search", items: "a search result's",
		description: "A page of search results (object search_result), as every search endpoint returns it; each item is checked against the resource its object names.",
	})
}

// page builds a page envelope e: the spec's shape of it, with each item of
// data checked against the resource its object names.
func (g *generation) page(e pageEnvelope) (string, *object, error) {
	src := []string{"paths", e.path, "get", "responses", "200", "content", "application/json", "schema"}
	schema, err := lookupObject(g.spec.paths, src[1:]...)
	if err != nil {
		return "", nil, err
	}
	c := g.walker(e.namespace, "", src)
	var itemsErr error
	c.overrides["data.items"] = func() *object {
		itemsSrc := pointer(append(slices.Clip(src), "properties", "data", "items")...)
		d, err := g.dispatch(c, componentsOf(g.resources), rule{
			id:     e.namespace + ".data.items.object.enum",
			aspect: "enum",
			doc:    "Each item of " + e.items + " data is an object of the API, which its object member names; it is checked against that resource.",
			source: itemsSrc,
		}, rule{id: e.namespace + ".data.items.json-type", aspect: "json-type", summary: "each item of data is an object",
			doc: "Each item of " + e.items + " data is an object of the API.", source: itemsSrc})
		itemsErr = err
		return d
	}
	root, err := c.convert(schema, field{src: src})
	if err == nil {
		err = itemsErr
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", e.namespace, err)
	}
	return e.file, g.document(e.file, e.title, e.description, c, root), nil
}

// index builds the version's index: every resource with its object value
// and file, the envelopes, and every event type the version lists with the
// resources it carries (none where the preview spec does not say).
func (g *generation) index() (string, *object, error) {
	var resources []any
	for _, r := range g.resources {
		resources = append(resources, newObject().
			set("component", r.Component).
			set("object", r.Object).
			set("deleted", r.Deleted).
			set("file", cmpOr(g.files[r.Component], EventFile)))
	}
	listed, _, err := g.spec.listedEventTypes()
	if err != nil {
		return "", nil, err
	}
	events := newObject()
	for _, t := range listed {
		carries := []any{}
		if g.events != nil {
			if e, ok := g.events.Lookup(t); ok {
				for _, c := range componentsOf(e.Carries) {
					carries = append(carries, c)
				}
			}
		}
		events.set(t, carries)
	}
	doc := newObject().
		set("$id", BaseURI+g.spec.idVersion()+"/"+IndexFile).
		set("description", "The index of the contract of one API version: each resource's component, the value of its object member and its file; the envelopes; and the event types the version lists, each with the resources its data.object carries (empty where the preview spec does not say).").
		set("x-stripe-api-version", g.spec.version).
		set("x-generated-from", g.origin).
		set("resources", resources).
		set("envelopes", newObject().
			set("list", ListFile).
			set("search_result", SearchResultFile).
			set("event", EventFile).
			set("error", schemas.ErrorFile)).
		set("event_types", events)
	return IndexFile, doc, nil
}
