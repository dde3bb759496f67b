// Package generator derives the contract's JSON Schema files from a Stripe
// OpenAPI 3.0 spec: every resource (api.go: each component whose object is
// a one-value enum, deleted forms too), the list and search result
// envelopes, the event envelope with data.object checked against the
// resource each event type carries (which the preview spec of the same
// release says, WithPreviewSpec), the error envelope, the index of them, and
// the request contract:
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

// The files Generate writes besides the resources' and the envelopes'
// (api.go), named in package schemas.
const (
	InvoicePaymentFile = schemas.InvoicePaymentFile
	InvoiceFile        = schemas.InvoiceFile
	ErrorFile          = schemas.ErrorFile
)

// BaseURI is the prefix of every file's $id; files refer to each other by
// relative references resolved against it.
const BaseURI = "https://stripe-contract.github.io/schemas/"

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
	resources := s.resources()
	g := &generation{spec: s, origin: origin, resources: resources, files: resourceFiles(resources),
		expected: func(string) bool { return false }}
	if o.expect != nil {
		listed := map[string]bool{}
		for _, r := range o.expect.Rules {
			listed[r.ID] = true
		}
		g.expected = func(id string) bool { return listed[id] }
	}
	if err := g.readEvents(o.preview, pinned); err != nil {
		return nil, err
	}
	builds := make([]func() (string, *object, error), 0, len(resources)+5)
	for _, r := range resources {
		if r.Component == "event" {
			continue // the event envelope (g.event) is the event resource's file
		}
		builds = append(builds, func() (string, *object, error) { return g.resourceFile(r) })
	}
	builds = append(builds, g.list, g.searchResult, g.event, g.errorEnvelope, g.requests, g.index)
	out := map[string][]byte{}
	for _, build := range builds {
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
	spec      *spec
	origin    string
	resources []Resource
	files     map[string]string // resource component -> its file
	expected  func(id string) bool
	statuses  []string
	sets      []*ruleSet // every file's rules, for the prose check
	events    *EventMap  // nil: no preview spec of the release, event types chosen by name
	notices   []string
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
		g.notices = append(g.notices, fmt.Sprintf("no preview spec of %s was given, so an event's data.object is checked against the resource its object member names rather than the one its type carries (give the preview spec: -preview-spec)", g.spec.version))
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
	w.expected = g.expected
	w.notice = func(n string) { g.notices = append(g.notices, n) }
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

// eventGroup is the event types that carry one set of resources.
type eventGroup struct {
	carries []string // components, sorted
	types   []string
	sources []string
}

// eventGroups groups the listed event types by the resources they carry,
// as the preview spec says; the types it does not map are returned apart.
func (g *generation) eventGroups(listed []string) ([]*eventGroup, []string) {
	if g.events == nil {
		return nil, listed
	}
	byKey := map[string]*eventGroup{}
	var groups []*eventGroup
	var unmapped []string
	for _, t := range listed {
		e, ok := g.events.Lookup(t)
		if !ok {
			unmapped = append(unmapped, t)
			continue
		}
		carries := componentsOf(e.Carries)
		key := strings.Join(carries, ",")
		grp := byKey[key]
		if grp == nil {
			grp = &eventGroup{carries: carries}
			byKey[key] = grp
			groups = append(groups, grp)
		}
		grp.types = append(grp.types, t)
		grp.sources = append(grp.sources, e.Source)
	}
	slices.SortFunc(groups, func(a, b *eventGroup) int {
		return strings.Compare(strings.Join(a.carries, ","), strings.Join(b.carries, ","))
	})
	return groups, unmapped
}

// event builds the event envelope: the event component, its type one of the
// event types the version lists (a warning otherwise: Stripe adds event
// types), and data.object checked against the resource the event type
// carries (the preview spec's x-stripeEvent components say which), or,
// for a type the version does not map, against the resource its object
// names; data.previous_attributes is a partial object of that resource.
func (g *generation) event() (string, *object, error) {
	src := []string{"components", "schemas", "event"}
	comp, err := g.spec.component("event")
	if err != nil {
		return "", nil, err
	}
	listed, typesSrc, err := g.spec.listedEventTypes()
	if err != nil {
		return "", nil, err
	}
	if comp, err = withoutTypeEnum(comp, listed); err != nil {
		return "", nil, err
	}
	c := g.walker("event", "event", src)
	// data.object holds the resource; in the spec it is any object.
	objectSrc := []string{"components", "schemas", "notification_event_data", "properties", "object"}
	data, err := g.spec.component("notification_event_data")
	if err != nil {
		return "", nil, err
	}
	objectDesc := str(properties(data)["object"], "description")
	if objectDesc == "" {
		objectDesc = "data.object is the object the event is about."
	}
	objectTypeRule := rule{
		id:      "event.data.object.json-type",
		aspect:  "json-type",
		summary: "data.object is an object",
		doc:     objectDesc,
		source:  pointer(objectSrc...),
	}
	objectRule, err := c.rules.add(objectTypeRule)
	if err != nil {
		return "", nil, err
	}
	c.overrides["data.object"] = func() *object {
		return newObject().
			set("description", "The resource the event is about: the one its type carries.").
			set("type", "object").
			set("x-rules", newObject().set("type", objectRule))
	}
	root, err := c.convert(comp, field{src: src})
	if err != nil {
		return "", nil, fmt.Errorf("event: %w", err)
	}
	// The event types: the list of the API version, a warning when another.
	typeSchema := root.vals["properties"].(*object).vals["type"].(*object)
	enum := make([]any, len(listed))
	for i, t := range listed {
		enum[i] = t
	}
	typeSchema.set("enum", enum)
	typeSchema.moveLast("x-rules")
	id, err := c.rules.add(rule{
		id:       "event.type.enum",
		aspect:   "enum",
		severity: severityWarning,
		summary:  fmt.Sprintf("type is one of the %d event types of API version %s", len(listed), g.spec.version),
		doc:      fmt.Sprintf("The event types of API version %s, as listed in the event types a webhook endpoint can enable (%d types).", g.spec.version, len(listed)),
		source:   typesSrc,
	})
	if err != nil {
		return "", nil, err
	}
	xr, _ := typeSchema.get("x-rules")
	xr.(*object).set("enum", id)

	groups, unmapped := g.eventGroups(listed)
	dataSrc := pointer(append(slices.Clip(src), "properties", "data")...)
	var allOf []any
	var mapped []any
	for _, grp := range groups {
		d, err := g.dispatch(c, grp.carries, rule{
			id:      "event.data.object.carries",
			aspect:  "carries",
			summary: "data.object is the resource its event type carries",
			doc:     fmt.Sprintf("Each event type of API version %s carries one resource in data.object, as the preview spec's event components (x-stripeEvent) state it.", g.spec.version),
			source:  dataSrc,
		}, objectTypeRule)
		if err != nil {
			return "", nil, err
		}
		data := newObject().set("properties", newObject().set("object", d))
		if len(grp.carries) == 1 {
			data.vals["properties"].(*object).set("previous_attributes",
				newObject().set("$ref", g.files[grp.carries[0]]+"#/$defs/"+partialDef))
		}
		typeEnum := make([]any, len(grp.types))
		for i, t := range grp.types {
			typeEnum[i] = t
			mapped = append(mapped, t)
		}
		allOf = append(allOf, newObject().
			set("x-rule", "event.data.object.carries").
			set("x-dispatch", true).
			set("if", newObject().
				set("required", []any{"type"}).
				set("properties", newObject().set("type", newObject().set("enum", typeEnum)))).
			set("then", newObject().set("properties", newObject().set("data", data))))
	}
	// A type the version lists without saying what it carries, or one it
	// does not list: data.object is checked as the resource it names.
	anyResource, err := g.dispatch(c, componentsOf(g.resources), rule{
		id:     "event.data.object.object.enum",
		aspect: "enum",
		doc:    fmt.Sprintf("data.object is an object of the API, which its object member names: for an event type API version %s does not map to a resource (%d types), it is checked against that resource.", g.spec.version, len(unmapped)),
		source: dataSrc,
	}, objectTypeRule)
	if err != nil {
		return "", nil, err
	}
	fallback := newObject().set("properties", newObject().set("data", newObject().set("properties", newObject().set("object", anyResource))))
	if len(mapped) == 0 {
		allOf = append(allOf, fallback)
	} else {
		allOf = append(allOf, newObject().
			set("x-rule", "event.data.object.object.enum").
			set("x-dispatch", true).
			set("if", newObject().
				set("required", []any{"type"}).
				set("properties", newObject().set("type", newObject().set("enum", mapped)))).
			set("else", fallback))
	}
	root.set("allOf", allOf)
	return EventFile, g.document(EventFile, "Event",
		fmt.Sprintf("An event of API version %s, as GET /v1/events/{id} returns it and as a webhook delivers it: data.object is checked against the resource its type carries.", g.spec.version), c, root), nil
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
