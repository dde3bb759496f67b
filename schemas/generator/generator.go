// Package generator derives the contract's JSON Schema files from a Stripe
// OpenAPI 3.0 spec: the invoice_payment resource, its list envelope, the
// envelope of the events whose data.object is an invoice_payment (which the
// preview spec of the same release says, WithPreviewSpec), an invoice carrying
// an expanded payments list, the error envelope, and the request contract:
// the query parameters of every GET and the form parameters of every POST
// operation (request.go).
//
// Structural rules (required fields, JSON types, enums, lengths, expandable
// fields) come from the spec's keywords; rules the API reference states only
// in prose (the status values, lowercase ISO currency codes, amount_paid being
// null until paid, the status_transitions timestamps, the one payment
// reference payment.type names) are found by the sentences that state them,
// and checked against the expectation committed for the spec's API version
// (expectation.go), so that a reworded sentence fails generation instead of
// weakening the contract.
// Every constraint is annotated with a stable rule ID, and each file carries
// the catalogue of its rules with the doc text they come from, so that
// validators in any language can report a failing keyword as a named rule.
//
// One walker (walker.go) translates the spec's schemas for the response files
// and the request file alike; what differs between the two, how rules and
// fields are named and how an object is closed, is a dialect each
// (response.go, request.go).
//
// Only this package reads the full spec; the CLI embeds the generated files.
package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// The files Generate writes, named in package schemas.
const (
	InvoicePaymentFile = schemas.InvoicePaymentFile
	ListFile           = schemas.ListFile
	EventFile          = schemas.EventFile
	InvoiceFile        = schemas.InvoiceFile
	ErrorFile          = schemas.ErrorFile
)

// BaseURI is the prefix of every file's $id; files refer to each other by
// relative references resolved against it.
const BaseURI = "https://stripe-contract.github.io/schemas/"

// eventPrefix is how the event types this contract covers are named since
// 2025-09-30.clover: the names are a fallback only, for a GA spec whose
// preview spec is not at hand (basil names its event invoice.payment.paid).
const eventPrefix = "invoice_payment."

// Generate converts spec (an OpenAPI 3.0 document in JSON) into the schema
// files, keyed by file name. origin says where the spec came from and is
// recorded in every file. It is Derive without the report.
func Generate(specJSON []byte, origin string, opts ...Option) (map[string][]byte, error) {
	r, err := Derive(specJSON, origin, opts...)
	if err != nil {
		return nil, err
	}
	return r.Files, nil
}

// Result is what a generation produced: the files and what was found in
// the docs' prose.
type Result struct {
	// APIVersion is the spec's API version.
	APIVersion string
	// Files are the schema files, keyed by file name.
	Files map[string][]byte
	// Prose lists the rules found in sentences of the docs, in the order
	// found.
	Prose []ProseRule
	// Checked says whether Prose was checked against an expectation.
	Checked bool
	// Notices are what the generator has to say without failing: a prose
	// rule the spec now states as a keyword, a new one, event types chosen
	// by name for want of the preview spec.
	Notices []string
}

// Expectation returns the prose rules found as an expectation to commit.
func (r *Result) Expectation() *Expectation {
	return &Expectation{APIVersion: r.APIVersion, Rules: slices.Clone(r.Prose)}
}

// Option configures Derive and Generate.
type Option func(*options)

type options struct {
	expect    *Expectation
	expectSet bool
	preview   []byte
}

// WithPreviewSpec gives the preview spec (spec3.beta.sdk.json) of the same
// release as the GA spec, which says what each event type carries: the event
// file covers the event types whose data.object is an invoice_payment.
// Without it, a spec of the pinned release reads the preview spec compiled
// in with the pinned stripe-mock; a spec of another release falls back to the
// event types named invoice_payment.*, and the Result says so in a notice.
func WithPreviewSpec(preview []byte) Option {
	return func(o *options) { o.preview = preview }
}

// WithExpectation checks the prose rules found against e rather than
// against the expectation committed for the spec's API version; nil checks
// nothing (what recording a new expectation needs).
func WithExpectation(e *Expectation) Option {
	return func(o *options) { o.expect, o.expectSet = e, true }
}

// Derive converts spec into the schema files as Generate does, and checks
// the prose rules found against the expectation committed for the spec's
// API version (expectation.go): a rule lost fails it with a *ProseError.
func Derive(specJSON []byte, origin string, opts ...Option) (*Result, error) {
	return derive(specJSON, origin, pinnedPreview, opts)
}

// DeriveVersion is Derive for the specs of an embedded version, its GA spec
// with its preview spec. Unlike Derive it never reads the preview spec
// compiled in with the pinned stripe-mock, so a program that derives only
// through it (the drift command, which downloads every version's specs)
// does not carry that spec's 14 MB.
func DeriveVersion(specs *VersionSpecs, opts ...Option) (*Result, error) {
	return derive(specs.GA, specs.GAOrigin, nil, append(opts, WithPreviewSpec(specs.Preview)))
}

// derive is Derive, reading the pinned release's events from pinned when
// no preview spec is given (nil: none is read).
func derive(specJSON []byte, origin string, pinned func() (*previewEvents, error), opts []Option) (*Result, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s, err := parseSpec(specJSON)
	if err != nil {
		return nil, err
	}
	if !o.expectSet {
		if o.expect, err = CommittedExpectation(s.version); err != nil {
			return nil, err
		}
	}
	g := &generation{spec: s, origin: origin, files: map[string]string{"invoice_payment": InvoicePaymentFile}}
	if err := g.readEvents(o.preview, pinned); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, build := range []func() (string, *object, error){
		g.invoicePayment, g.list, g.event, g.invoice, g.errorEnvelope, g.requests,
	} {
		name, doc, err := build()
		if err != nil {
			return nil, err
		}
		b, err := render(doc)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		out[name] = b
	}
	found, all := proseRules(g.sets)
	res := &Result{APIVersion: s.version, Files: out, Prose: found, Checked: o.expect != nil, Notices: g.notices}
	if o.expect != nil {
		notices, err := o.expect.check(all, found)
		if err != nil {
			return nil, err
		}
		res.Notices = append(res.Notices, notices...)
	}
	return res, nil
}

type generation struct {
	spec     *spec
	origin   string
	files    map[string]string
	statuses []string
	sets     []*ruleSet // every file's rules, for the prose check
	events   *EventMap  // nil: no preview spec of the release, event types chosen by name
	notices  []string
}

// readEvents maps the spec's event types to what they carry, from preview
// or, for the pinned release, from pinned (the preview spec compiled in).
func (g *generation) readEvents(preview []byte, pinned func() (*previewEvents, error)) error {
	var p *previewEvents
	var err error
	switch {
	case preview != nil:
		p, err = readPreview(preview)
	case pinned != nil && release(g.spec.version) == pinnedRelease():
		p, err = pinned()
	default:
		g.notices = append(g.notices, fmt.Sprintf("no preview spec of %s was given, so the event file covers the event types named %s* rather than those whose data.object is an invoice_payment (give the preview spec: -preview-spec)", g.spec.version, eventPrefix))
		return nil
	}
	if err != nil {
		return err
	}
	g.events, err = mapEventTypes(g.spec, p)
	return err
}

// ruleSet starts the rule catalogue of a file.
func (g *generation) ruleSet() *ruleSet {
	rs := newRuleSet()
	g.sets = append(g.sets, rs)
	return rs
}

// walker returns a walker for the response file describing resource (the
// component self, if it is one), rooted at rootSrc in the spec.
func (g *generation) walker(resource, self string, rootSrc []string) *walker {
	w := newWalker(g.spec, responses{resource: resource, version: g.spec.version, rootSrc: rootSrc}, g.ruleSet())
	w.self, w.files = self, g.files
	return w
}

// document wraps a converted root schema with the file's identity, origin,
// $defs and rule catalogue.
func (g *generation) document(file, title, description string, c *walker, root *object) *object {
	doc := newObject().
		set("$schema", "https://json-schema.org/draft/2020-12/schema").
		set("$id", BaseURI+g.spec.idVersion()+"/"+file).
		set("title", title).
		set("description", description).
		set("x-stripe-api-version", g.spec.version).
		set("x-generated-from", g.origin)
	for _, k := range root.keys {
		if k == "description" {
			continue
		}
		doc.set(k, root.vals[k])
	}
	if len(c.defs.keys) > 0 {
		doc.set("$defs", c.defs)
	}
	doc.set("x-rule-definitions", c.rules.object())
	return doc
}

func (g *generation) invoicePayment() (string, *object, error) {
	src := []string{"components", "schemas", "invoice_payment"}
	comp, err := g.spec.component("invoice_payment")
	if err != nil {
		return "", nil, err
	}
	c := g.walker("invoice_payment", "invoice_payment", src)
	root, err := c.convert(comp, field{src: src})
	if err != nil {
		return "", nil, fmt.Errorf("invoice_payment: %w", err)
	}
	if len(c.statuses) == 0 {
		return "", nil, c.noStatusValues(field{src: src})
	}
	g.statuses = c.statuses
	if err := g.checkStatusFilter(); err != nil {
		return "", nil, err
	}
	return InvoicePaymentFile, g.document(InvoicePaymentFile, str(comp, "title"),
		"An invoice_payment object, as GET /v1/invoice_payments/{invoice_payment} returns it.", c, root), nil
}

// checkStatusFilter compares the status values found in prose with the enum
// of the list endpoint's status filter: two statements of one fact in the
// docs, which must agree.
func (g *generation) checkStatusFilter() error {
	params, err := lookup(g.spec.paths, "/v1/invoice_payments", "get", "parameters")
	if err != nil {
		return err
	}
	list, _ := params.([]any)
	for _, p := range list {
		pm, _ := p.(map[string]any)
		if str(pm, "name") != "status" {
			continue
		}
		schema, _ := pm["schema"].(map[string]any)
		filter := stringList(schema["enum"])
		if len(filter) == 0 {
			// The spec may state the filter's values in prose only.
			filter, _, _ = proseEnum(str(pm, "description"))
		}
		a, b := slices.Sorted(slices.Values(filter)), slices.Sorted(slices.Values(g.statuses))
		if !slices.Equal(a, b) {
			return fmt.Errorf("invoice_payment.status takes the values %v but the list endpoint filters on %v", g.statuses, filter)
		}
		return nil
	}
	return fmt.Errorf("GET /v1/invoice_payments has no status parameter")
}

func (g *generation) listSchema() (map[string]any, []string, error) {
	src := []string{"paths", "/v1/invoice_payments", "get", "responses", "200", "content", "application/json", "schema"}
	m, err := lookupObject(g.spec.paths, src[1:]...)
	return m, src, err
}

func (g *generation) list() (string, *object, error) {
	schema, src, err := g.listSchema()
	if err != nil {
		return "", nil, err
	}
	// The invoice's payments field is the same list; check the spec agrees.
	inv, err := g.spec.component("invoice")
	if err != nil {
		return "", nil, err
	}
	payments, ok := properties(inv)["payments"]
	if !ok {
		return "", nil, fmt.Errorf("components.schemas.invoice has no payments property")
	}
	if !sameShape(schema, payments) {
		return "", nil, fmt.Errorf("invoice.payments and the GET /v1/invoice_payments response differ in fields; one list schema no longer fits both")
	}
	c := g.walker("list", "", src)
	root, err := c.convert(schema, field{src: src})
	if err != nil {
		return "", nil, fmt.Errorf("list: %w", err)
	}
	return ListFile, g.document(ListFile, "Invoice payment list",
		"A page of invoice_payments, as GET /v1/invoice_payments returns it and as an invoice's expanded payments field holds it.", c, root), nil
}

func sameShape(a, b map[string]any) bool {
	return slices.Equal(slices.Sorted(maps.Keys(properties(a))), slices.Sorted(maps.Keys(properties(b)))) &&
		slices.Equal(slices.Sorted(slices.Values(stringList(a["required"]))), slices.Sorted(slices.Values(stringList(b["required"]))))
}

// eventTypes returns the event types the event file covers, in the order
// the spec lists them, the pointer to the list, and the rule's doc: the
// types whose data.object is an invoice_payment, as the preview spec says
// (basil's invoice.payment.paid, later renamed invoice_payment.paid), or
// without it the types named invoice_payment.*.
func (g *generation) eventTypes() ([]string, string, string, error) {
	listed, src, err := g.spec.listedEventTypes()
	if err != nil {
		return nil, "", "", err
	}
	var types []string
	if g.events == nil {
		for _, t := range listed {
			if strings.HasPrefix(t, eventPrefix) {
				types = append(types, t)
			}
		}
		if len(types) == 0 {
			return nil, "", "", fmt.Errorf("%s lists no %s* event types (chosen by name: no preview spec of %s was given to say which carry an invoice_payment)", src, eventPrefix, g.spec.version)
		}
		return types, src, g.prefixDoc(types), nil
	}
	unmapped := map[string]string{}
	for _, u := range g.events.Unmapped {
		unmapped[u.Type] = u.Reason
	}
	var sources []string
	for _, t := range listed {
		e, ok := g.events.Lookup(t)
		carries := slices.ContainsFunc(e.Carries, func(r Resource) bool { return r.Component == "invoice_payment" })
		switch {
		case carries && len(e.Carries) > 1:
			// data.object is then one of several resources, which the event
			// file, referring to the invoice_payment file, cannot say.
			return nil, "", "", fmt.Errorf("event type %s carries %v (%s), not an invoice_payment only", t, e.Carries, e.Source)
		case carries:
			types = append(types, t)
			sources = append(sources, e.Source)
		case strings.HasPrefix(t, eventPrefix) && !ok:
			// Named for an invoice payment, yet not known to carry one: the
			// event file would lose it without a sound.
			return nil, "", "", fmt.Errorf("event type %s is not mapped to the resource it carries: %s", t, unmapped[t])
		case strings.HasPrefix(t, eventPrefix):
			return nil, "", "", fmt.Errorf("event type %s carries %v (%s), not an invoice_payment", t, e.Carries, e.Source)
		}
	}
	if len(types) == 0 {
		return nil, "", "", fmt.Errorf("%s lists no event type whose data.object is an invoice_payment", src)
	}
	if !slices.ContainsFunc(types, func(t string) bool { return !strings.HasPrefix(t, eventPrefix) }) {
		return types, src, g.prefixDoc(types), nil
	}
	return types, src, fmt.Sprintf("The event types of API version %s whose data.object is an invoice_payment (the preview spec's %s), as listed in the event types a webhook endpoint can enable: %s.",
		g.spec.version, strings.Join(sources, ", "), strings.Join(types, ", ")), nil
}

// prefixDoc is the doc of the event type rule when every type the event
// file covers is named invoice_payment.*.
func (g *generation) prefixDoc(types []string) string {
	return fmt.Sprintf("The %s* event types of API version %s, as listed in the event types a webhook endpoint can enable: %s.", eventPrefix, g.spec.version, strings.Join(types, ", "))
}

func (g *generation) event() (string, *object, error) {
	src := []string{"components", "schemas", "event"}
	comp, err := g.spec.component("event")
	if err != nil {
		return "", nil, err
	}
	types, typesSrc, typesDoc, err := g.eventTypes()
	if err != nil {
		return "", nil, err
	}
	if comp, err = withoutTypeEnum(comp, types); err != nil {
		return "", nil, err
	}
	c := g.walker("event", "event", src)
	// data.object holds the invoice_payment; in the spec it is any object.
	c.overrides["data.object"] = func() *object {
		return newObject().
			set("description", "The invoice_payment the event is about.").
			set("$ref", InvoicePaymentFile)
	}
	root, err := c.convert(comp, field{src: src})
	if err != nil {
		return "", nil, fmt.Errorf("event: %w", err)
	}
	// The event types: a closed list per API version.
	typeSchema := root.vals["properties"].(*object).vals["type"].(*object)
	enum := make([]any, len(types))
	for i, t := range types {
		enum[i] = t
	}
	typeSchema.set("enum", enum)
	typeSchema.moveLast("x-rules")
	id, err := c.rules.add(rule{
		id:      "event.type.enum",
		aspect:  "enum",
		summary: enumSummary("type", enum),
		doc:     typesDoc,
		source:  typesSrc,
	})
	if err != nil {
		return "", nil, err
	}
	xr, _ := typeSchema.get("x-rules")
	xr.(*object).set("enum", id)
	return EventFile, g.document(EventFile, "Invoice payment event",
		fmt.Sprintf("An event about an invoice_payment (%s), as GET /v1/events/{id} returns it and as a webhook delivers it.", strings.Join(types, ", ")), c, root), nil
}

// withoutTypeEnum returns the event component without the enum of its
// type, if the spec gives one (the preview spec lists every event type
// there): this contract's enum is the event types carrying an
// invoice_payment that webhook endpoints can enable, which that list must
// hold.
func withoutTypeEnum(comp map[string]any, types []string) (map[string]any, error) {
	typ, ok := properties(comp)["type"]
	if !ok || typ["enum"] == nil {
		return comp, nil
	}
	all := stringList(typ["enum"])
	for _, t := range types {
		if !slices.Contains(all, t) {
			return nil, fmt.Errorf("%s lists the event types, but not %s, which webhook endpoints can enable", pointer("components", "schemas", "event", "properties", "type", "enum"), t)
		}
	}
	typ = maps.Clone(typ)
	delete(typ, "enum")
	props := maps.Clone(comp["properties"].(map[string]any))
	props["type"] = typ
	comp = maps.Clone(comp)
	comp["properties"] = props
	return comp, nil
}

func (g *generation) invoice() (string, *object, error) {
	src := []string{"components", "schemas", "invoice"}
	comp, err := g.spec.component("invoice")
	if err != nil {
		return "", nil, err
	}
	// Only the invoice's identity and its payments belong to this contract;
	// the rest of the invoice is another resource's.
	props := properties(comp)
	keep := map[string]any{}
	for _, k := range []string{"id", "object", "payments"} {
		p, ok := props[k]
		if !ok {
			return "", nil, fmt.Errorf("components.schemas.invoice has no %s property", k)
		}
		keep[k] = p
	}
	var required []any
	for _, r := range stringList(comp["required"]) {
		if _, ok := keep[r]; ok {
			required = append(required, r)
		}
	}
	shallow := map[string]any{
		"type": "object", "properties": keep, "required": required,
		"additionalProperties": true, "description": str(comp, "description"),
	}
	c := g.walker("invoice", "invoice", src)
	c.overrides["payments"] = func() *object {
		return newObject().
			set("description", str(props["payments"], "description")).
			set("$ref", ListFile)
	}
	root, err := c.convert(shallow, field{src: src})
	if err != nil {
		return "", nil, fmt.Errorf("invoice: %w", err)
	}
	paymentsDesc := str(props["payments"], "description")
	listDesc, _ := lookup(g.spec.paths, "/v1/invoice_payments", "get", "description")
	for _, r := range []rule{{
		id:       "invoice.payments.included",
		aspect:   "included",
		severity: severityWarning,
		check:    checkGo,
		summary:  "an invoice checked against this contract carries its payments (retrieve it with expand[]=payments)",
		doc:      strings.TrimSuffix(strings.TrimPrefix(fmt.Sprint(listDesc), "<p>"), "</p>"),
		source:   pointer("paths", "/v1/invoice_payments", "get", "description"),
	}, {
		id:       "invoice.payments.invoice-matches",
		aspect:   "invoice-matches",
		severity: severityWarning,
		check:    checkGo,
		summary:  "every payment in an invoice's payments list names that invoice in its invoice field",
		doc:      paymentsDesc,
		source:   pointer("components", "schemas", "invoice", "properties", "payments", "description"),
	}} {
		if _, err := c.rules.add(r); err != nil {
			return "", nil, err
		}
	}
	return InvoiceFile, g.document(InvoiceFile, "Invoice with payments",
		"An invoice retrieved with expand[]=payments; only its identity and its payments list are checked.", c, root), nil
}

func (g *generation) errorEnvelope() (string, *object, error) {
	src := []string{"components", "schemas", "error"}
	comp, err := g.spec.component("error")
	if err != nil {
		return "", nil, err
	}
	c := g.walker("error", "error", src)
	root, err := c.convert(comp, field{src: src})
	if err != nil {
		return "", nil, fmt.Errorf("error: %w", err)
	}
	return ErrorFile, g.document(ErrorFile, "Error envelope", str(comp, "description")+".", c, root), nil
}
