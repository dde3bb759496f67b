package generator

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/stripe/stripe-mock/embedded"
)

// EventType is an event type the GA spec lists and the resource its
// data.object carries.
type EventType struct {
	// Type is the event type: "invoice.paid".
	Type string
	// Carries lists the resources data.object can be: one for most types,
	// several where the preview spec gives a union (the
	// account.external_account.* events carry a bank_account, a card or a
	// source), sorted by component name.
	Carries []Resource
	// Source is the JSON pointer, into the preview spec, of the data.object
	// schema the mapping is read from.
	Source string
}

// UnmappedEventType is an event type the GA spec lists but whose resource
// could not be derived, and why.
type UnmappedEventType struct {
	Type   string
	Reason string
}

// EventMap maps the event types of one API version to the resources they
// carry.
//
// The GA spec lists the event types (the enum of enabled_events that
// POST /v1/webhook_endpoints accepts) but types every event's data.object as
// any object; the preview spec of the same release has one component per
// event type, marked x-stripeEvent, whose object property refers to the
// resource. The map is read from the preview spec and restricted to the GA
// list, and each resource is the GA spec's component of that name.
type EventMap struct {
	// APIVersion is the GA spec's info.version.
	APIVersion string
	// Listed is every event type the GA spec lists, in its order, without
	// the wildcard "*" (which enables every type).
	Listed []string
	// Mapped holds the listed types whose resource is known, sorted by type;
	// Unmapped the others, in the same order.
	Mapped   []EventType
	Unmapped []UnmappedEventType
}

// Lookup returns what eventType carries, if the map knows it.
func (m *EventMap) Lookup(eventType string) (EventType, bool) {
	i, ok := slices.BinarySearchFunc(m.Mapped, eventType, func(e EventType, t string) int { return strings.Compare(e.Type, t) })
	if !ok {
		return EventType{}, false
	}
	return m.Mapped[i], true
}

// enabledEventsSrc is where the GA spec lists the event types.
var enabledEventsSrc = []string{"paths", "/v1/webhook_endpoints", "post", "requestBody", "content", "application/x-www-form-urlencoded", "schema", "properties", "enabled_events", "items", "enum"}

// listedEventTypes returns the event types the spec lists, without the
// wildcard, and the pointer to the list.
func (s *spec) listedEventTypes() ([]string, string, error) {
	items, err := lookupObject(s.paths, enabledEventsSrc[1:len(enabledEventsSrc)-1]...)
	if err != nil {
		return nil, "", err
	}
	src := pointer(enabledEventsSrc...)
	var types []string
	for _, t := range stringList(items["enum"]) {
		if t != "*" {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return nil, "", fmt.Errorf("%s lists no event types", src)
	}
	return types, src, nil
}

// MapEventTypes derives the EventMap of an API version from its GA spec
// (spec3.json) and its preview spec (spec3.beta.sdk.json).
func MapEventTypes(gaJSON, previewJSON []byte) (*EventMap, error) {
	ga, err := parseSpec(gaJSON)
	if err != nil {
		return nil, fmt.Errorf("GA spec: %w", err)
	}
	preview, err := readPreview(previewJSON)
	if err != nil {
		return nil, err
	}
	return mapEventTypes(ga, preview)
}

// previewEvents is what the event map reads from a preview spec: the
// components marked x-stripeEvent, what their object property refers to,
// and which components are resources. It is small, so the pinned preview's
// can be kept (pinnedPreview) where the 14 MB spec could not.
type previewEvents struct {
	version string
	// declared maps an event type to the component that declares it;
	// declaredErr says why it could not be read, reported by mapEventTypes
	// after the checks that come first.
	declared    map[string]string
	declaredErr error
	// objects holds each declaring component's object property.
	objects map[string]map[string]any
	// resources holds the components of the preview spec that are
	// resources.
	resources map[string]bool
}

// readPreview parses a preview spec and reads its events.
func readPreview(previewJSON []byte) (*previewEvents, error) {
	preview, err := parseSpec(previewJSON)
	if err != nil {
		return nil, fmt.Errorf("preview spec: %w", err)
	}
	return preview.previewEvents(), nil
}

func (s *spec) previewEvents() *previewEvents {
	p := &previewEvents{version: s.version, objects: map[string]map[string]any{}, resources: map[string]bool{}}
	p.declared, p.declaredErr = s.eventComponents()
	for _, name := range p.declared {
		p.objects[name] = properties(s.components[name])["object"]
	}
	for _, r := range s.resources() {
		p.resources[r.Component] = true
	}
	return p
}

// pinned holds the events of the preview spec compiled in with the pinned
// stripe-mock, read once on first use and never changed after.
var pinned struct {
	once   sync.Once
	events *previewEvents
	err    error
}

// pinnedPreview returns the events of the preview spec compiled in with
// the pinned stripe-mock. It is a function, not a sync.OnceValues variable,
// so that the spec is linked only into programs that call it: a variable's
// initializer runs, and keeps what it refers to, in every program.
func pinnedPreview() (*previewEvents, error) {
	pinned.once.Do(func() { pinned.events, pinned.err = readPreview(embedded.BetaOpenAPISpec) })
	return pinned.events, pinned.err
}

// pinnedRelease is the release date of the pinned API version, which its
// preview spec's info.version begins with.
func pinnedRelease() string {
	for _, v := range EmbeddedVersions() {
		if v.Pinned {
			date, _, _ := strings.Cut(v.APIVersion, ".")
			return date
		}
	}
	return ""
}

// release is the date an API version begins with, which a GA spec and the
// preview spec of the same release share.
func release(version string) string {
	date, _, _ := strings.Cut(version, ".")
	return date
}

func mapEventTypes(ga *spec, preview *previewEvents) (*EventMap, error) {
	// A preview spec of another release would map the types of its own
	// version; releases name both specs by the same date.
	// A preview's info.version goes on with the list of its betas.
	previewVersion, _, _ := strings.Cut(preview.version, ";")
	if release(ga.version) != release(previewVersion) {
		return nil, fmt.Errorf("the GA spec is of %s, the preview spec of %s: they come from different releases", ga.version, previewVersion)
	}
	listed, _, err := ga.listedEventTypes()
	if err != nil {
		return nil, fmt.Errorf("GA spec: %w", err)
	}
	if preview.declaredErr != nil {
		return nil, fmt.Errorf("preview spec: %w", preview.declaredErr)
	}
	resources := map[string]Resource{}
	for _, r := range ga.resources() {
		resources[r.Component] = r
	}
	m := &EventMap{APIVersion: ga.version, Listed: listed}
	for _, t := range slices.Sorted(slices.Values(listed)) {
		name, ok := preview.declared[t]
		if !ok {
			m.Unmapped = append(m.Unmapped, UnmappedEventType{Type: t, Reason: "the preview spec has no component with x-stripeEvent.type " + t})
			continue
		}
		src := []string{"components", "schemas", name, "properties", "object"}
		carried, err := refNames(preview.objects[name])
		if err != nil {
			m.Unmapped = append(m.Unmapped, UnmappedEventType{Type: t, Reason: pointer(src...) + " " + err.Error()})
			continue
		}
		e := EventType{Type: t, Source: pointer(src...)}
		var missing []string
		for _, c := range carried {
			if r, ok := resources[c]; ok {
				e.Carries = append(e.Carries, r)
			} else {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			// Some GA event types carry a resource that only the preview
			// spec defines (dahlia's reserve.* events carry reserve.plan,
			// reserve.hold and reserve.release).
			where := "not a resource of the GA spec"
			if !slices.ContainsFunc(missing, func(c string) bool { return !preview.resources[c] }) {
				where = "a resource that only the preview spec defines"
			}
			m.Unmapped = append(m.Unmapped, UnmappedEventType{Type: t, Reason: fmt.Sprintf("%s refers to %s, %s", pointer(src...), strings.Join(missing, ", "), where)})
			continue
		}
		m.Mapped = append(m.Mapped, e)
	}
	return m, nil
}

// eventComponents indexes the components marked x-stripeEvent by the event
// type they declare.
func (s *spec) eventComponents() (map[string]string, error) {
	byType := map[string]string{}
	names := make([]string, 0, len(s.components))
	for name := range s.components {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		mark, ok := s.components[name]["x-stripeEvent"].(map[string]any)
		if !ok {
			continue
		}
		t := str(mark, "type")
		if t == "" {
			return nil, fmt.Errorf("%s has no type", pointer("components", "schemas", name, "x-stripeEvent"))
		}
		if other, dup := byType[t]; dup {
			return nil, fmt.Errorf("event type %s is declared by both %s and %s", t, pointer("components", "schemas", other), pointer("components", "schemas", name))
		}
		byType[t] = name
	}
	if len(byType) == 0 {
		return nil, errors.New("no component is marked x-stripeEvent (is it the preview spec, spec3.beta.sdk.json?)")
	}
	return byType, nil
}

// refNames returns the components a schema refers to: one for a $ref, each
// branch's for an anyOf of $refs.
func refNames(schema map[string]any) ([]string, error) {
	if schema == nil {
		return nil, errors.New("is missing")
	}
	if name, ok := refName(schema); ok {
		return []string{name}, nil
	}
	branches, ok := schema["anyOf"].([]any)
	if !ok || len(branches) == 0 {
		return nil, errors.New("is neither a $ref nor an anyOf of $refs")
	}
	var names []string
	for _, b := range branches {
		bm, _ := b.(map[string]any)
		name, ok := refName(bm)
		if !ok {
			return nil, errors.New("has an anyOf branch that is not a $ref")
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}
