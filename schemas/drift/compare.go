package drift

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// eventResource and eventTypePath say where the contract lists its event
// types: the enum of the event envelope's type. Its values are compared as
// event types, not as enum values.
const (
	eventResource = "event"
	eventTypePath = "/type"
)

// Report is what Compare found.
type Report struct {
	From, To string
	// Changes are sorted by resource, path, kind, value.
	Changes []Change
}

// Breaking counts the changes that break a consumer.
func (r *Report) Breaking() int {
	n := 0
	for _, c := range r.Changes {
		if c.Breaking {
			n++
		}
	}
	return n
}

// Counts returns how many changes there are of each kind.
func (r *Report) Counts() map[Kind]int {
	out := map[Kind]int{}
	for _, c := range r.Changes {
		out[c.Kind]++
	}
	return out
}

// Resources lists the resources with changes, sorted.
func (r *Report) Resources() []string {
	var out []string
	for _, c := range r.Changes {
		if len(out) == 0 || out[len(out)-1] != c.Resource {
			out = append(out, c.Resource)
		}
	}
	return out
}

// Compare returns what changed from the contract from to the contract to.
// It fails only on a schema file it cannot read.
func Compare(from, to *Contract) (*Report, error) {
	a, err := flatten(from)
	if err != nil {
		return nil, err
	}
	b, err := flatten(to)
	if err != nil {
		return nil, err
	}
	d := &differ{report: &Report{From: from.APIVersion, To: to.APIVersion}}
	names := map[string]bool{}
	for n := range a.resources {
		names[n] = true
	}
	for n := range b.resources {
		names[n] = true
	}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		ra, rb := a.resources[n], b.resources[n]
		switch {
		case ra == nil:
			d.add(Change{Resource: n, Kind: ResourceAdded}, facts{side: rb.side})
		case rb == nil:
			d.add(Change{Resource: n, Kind: ResourceRemoved}, facts{side: ra.side})
		default:
			d.fields(ra, rb)
		}
	}
	d.events(from, to, a, b)
	d.prose(from, to, a, b)
	for i := range d.report.Changes {
		d.report.Changes[i].From, d.report.Changes[i].To = from.APIVersion, to.APIVersion
	}
	slices.SortFunc(d.report.Changes, compareChanges)
	return d.report, nil
}

type differ struct {
	report *Report
}

// add classifies c and records it.
func (d *differ) add(c Change, f facts) {
	c.Side = f.side
	id, lvl := classify(c.Kind, f)
	c.Oasdiff, c.Breaking = id, lvl >= warn
	d.report.Changes = append(d.report.Changes, c)
}

// fields compares the fields of one resource in two versions. A field
// added or removed is reported once, not with each of its members.
func (d *differ) fields(a, b *resource) {
	paths := map[string]bool{}
	for p := range a.fields {
		paths[p] = true
	}
	for p := range b.fields {
		paths[p] = true
	}
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		fa, fb := a.fields[p], b.fields[p]
		base := Change{Resource: a.name, Path: p}
		switch {
		case fa == nil:
			if _, parentNew := parentMissing(p, a.fields); !parentNew {
				c := base
				c.Kind = FieldAdded
				d.add(c, facts{side: b.side, required: fb.required, nested: fb.nested})
			}
		case fb == nil:
			if _, parentGone := parentMissing(p, b.fields); !parentGone {
				c := base
				c.Kind = FieldRemoved
				d.add(c, facts{side: a.side, required: fa.required, nested: fa.nested})
			}
		default:
			d.field(base, a.side, fa, fb)
		}
	}
}

// parentMissing says whether a field enclosing path p is missing from
// fields too (so the change is reported at that field).
func parentMissing(p string, fields map[string]*field) (string, bool) {
	tokens := pointer.Split(p)
	for i := len(tokens) - 1; i > 0; i-- {
		parent := pointer.Join(tokens[:i]...)
		if _, ok := fields[parent]; !ok {
			return parent, true
		}
	}
	return "", false
}

// field compares one field present in both versions.
func (d *differ) field(base Change, side Side, a, b *field) {
	f := facts{side: side, nested: b.nested, required: b.required}
	with := func(k Kind, value, previous string, f facts) {
		c := base
		c.Kind, c.Value, c.Previous = k, value, previous
		d.add(c, f)
	}
	switch {
	case !a.required && b.required:
		with(BecameRequired, "", "", f)
	case a.required && !b.required:
		with(BecameOptional, "", "", f)
	}
	switch {
	case !a.nullable && b.nullable:
		with(BecameNullable, "", "", f)
	case a.nullable && !b.nullable:
		with(BecameNonNullable, "", "", f)
	}
	if !slices.Equal(a.types, b.types) {
		tf := f
		tf.widened = isSubset(a.types, b.types)
		tf.narrowed = isSubset(b.types, a.types)
		with(TypeChanged, strings.Join(b.types, ", "), strings.Join(a.types, ", "), tf)
	}
	if base.Resource == eventResource && base.Path == eventTypePath {
		return // the event types: events compares them
	}
	switch {
	case a.enum == nil && b.enum != nil:
		with(EnumAdded, strings.Join(b.enum, ", "), "", f)
	case a.enum != nil && b.enum == nil:
		with(EnumRemoved, "", strings.Join(a.enum, ", "), f)
	case a.enum != nil:
		for _, v := range b.enum {
			if !slices.Contains(a.enum, v) {
				with(EnumValueAdded, v, "", f)
			}
		}
		for _, v := range a.enum {
			if !slices.Contains(b.enum, v) {
				with(EnumValueRemoved, v, "", f)
			}
		}
	}
	if a.maxLength != b.maxLength {
		lf := f
		lf.unset = b.maxLength == ""
		lf.set = a.maxLength == ""
		if !lf.unset && !lf.set {
			x, _ := strconv.ParseFloat(a.maxLength, 64)
			y, _ := strconv.ParseFloat(b.maxLength, 64)
			lf.raised = y > x
		}
		lf.raised = lf.raised || lf.unset
		with(MaxLengthChanged, b.maxLength, a.maxLength, lf)
	}
}

func isSubset(small, big []string) bool {
	for _, s := range small {
		if !slices.Contains(big, s) {
			return false
		}
	}
	return true
}

// events compares the event types the contracts list. An event type the
// older version lists and the newer does not, and one the newer lists and
// the older does not, are one type renamed when both carry the same
// resources and end in the same action (basil's invoice.payment.paid and
// clover's invoice_payment.paid both carry an invoice_payment and say
// paid), and when that pairing is the only one either could make.
func (d *differ) events(from, to *Contract, a, b *flat) {
	typesOf := func(fl *flat) []string {
		if r := fl.resources[eventResource]; r != nil {
			if f := r.fields[eventTypePath]; f != nil {
				return f.enum
			}
		}
		return nil
	}
	ta, tb := typesOf(a), typesOf(b)
	var removed, added []string
	for _, t := range ta {
		if !slices.Contains(tb, t) {
			removed = append(removed, t)
		}
	}
	for _, t := range tb {
		if !slices.Contains(ta, t) {
			added = append(added, t)
		}
	}
	carriesA := func(t string) []string { return carried(from.Events, t) }
	carriesB := func(t string) []string { return carried(to.Events, t) }
	renamedTo := map[string]string{}
	for _, old := range removed {
		var matches []string
		for _, nw := range added {
			if sameEvent(old, carriesA(old), nw, carriesB(nw)) {
				matches = append(matches, nw)
			}
		}
		if len(matches) != 1 {
			continue
		}
		rivals := 0
		for _, o := range removed {
			if sameEvent(o, carriesA(o), matches[0], carriesB(matches[0])) {
				rivals++
			}
		}
		if rivals == 1 {
			renamedTo[old] = matches[0]
		}
	}
	renamed := map[string]bool{}
	base := Change{Resource: eventResource, Path: eventTypePath}
	for _, old := range removed {
		c := base
		if nw, ok := renamedTo[old]; ok {
			renamed[nw] = true
			c.Kind, c.Value, c.Previous, c.Carries = EventRenamed, nw, old, carriesB(nw)
			d.add(c, facts{side: Both})
			continue
		}
		c.Kind, c.Value, c.Carries = EventRemoved, old, carriesA(old)
		d.add(c, facts{side: Request})
	}
	for _, nw := range added {
		if renamed[nw] {
			continue
		}
		c := base
		c.Kind, c.Value, c.Carries = EventAdded, nw, carriesB(nw)
		d.add(c, facts{side: Response})
	}
}

// carried lists the components an event type carries, nil if unknown.
func carried(m *generator.EventMap, t string) []string {
	if m == nil {
		return nil
	}
	e, ok := m.Lookup(t)
	if !ok {
		return nil
	}
	out := make([]string, len(e.Carries))
	for i, r := range e.Carries {
		out[i] = r.Component
	}
	return out
}

// sameEvent says whether two event types name one event: the same known
// resources carried and the same action, the part after the last dot.
func sameEvent(a string, ca []string, b string, cb []string) bool {
	return len(ca) > 0 && slices.Equal(ca, cb) && action(a) == action(b)
}

func action(t string) string { return t[strings.LastIndex(t, ".")+1:] }

// prose compares the prose rules found, by ID.
func (d *differ) prose(from, to *Contract, a, b *flat) {
	byID := func(c *Contract) map[string]string {
		out := map[string]string{}
		for _, r := range c.Prose {
			out[r.ID] = r.Form
		}
		return out
	}
	resourceOf := map[string]string{}
	for _, c := range []*Contract{from, to} {
		for _, r := range c.Prose {
			resourceOf[r.ID] = r.Resource
		}
	}
	pa, pb := byID(from), byID(to)
	ids := map[string]bool{}
	for id := range pa {
		ids[id] = true
	}
	for id := range pb {
		ids[id] = true
	}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		res := resourceOf[id]
		side := Response
		if r := b.resources[res]; r != nil {
			side = r.side
		} else if r := a.resources[res]; r != nil {
			side = r.side
		}
		path, ok := b.rulePaths[id]
		if !ok {
			path = a.rulePaths[id]
		}
		c := Change{Resource: res, Path: path, Rule: id}
		fa, inA := pa[id]
		fb, inB := pb[id]
		switch {
		case !inA && a.resources[res] == nil, !inB && b.resources[res] == nil:
			// A rule of a resource (or request operation) added or
			// removed: the resource's own change says it.
			continue
		case !inA:
			c.Kind, c.Value = ProseFound, fb
		case !inB:
			c.Kind, c.Value = ProseLost, fa
		case fa != fb:
			c.Kind, c.Value, c.Previous = ProseChanged, fb, fa
		default:
			continue
		}
		d.add(c, facts{side: side})
	}
}

// String says the change in a line, for the text report.
func (c Change) String() string {
	where := c.Path
	if where == "" {
		where = "(resource)"
	}
	var what string
	switch c.Kind {
	case TypeChanged, MaxLengthChanged, ProseChanged:
		what = fmt.Sprintf("%s: %s -> %s", c.Kind, orNone(c.Previous), orNone(c.Value))
	case EventRenamed:
		what = fmt.Sprintf("%s: %s -> %s", c.Kind, c.Previous, c.Value)
	case EnumRemoved:
		what = fmt.Sprintf("%s: was %s", c.Kind, c.Previous)
	default:
		what = string(c.Kind)
		if c.Value != "" {
			what += ": " + c.Value
		}
	}
	if c.Rule != "" {
		what += " (" + c.Rule + ")"
	}
	if len(c.Carries) > 0 {
		what += " (carries " + strings.Join(c.Carries, ", ") + ")"
	}
	verdict := "not breaking"
	if c.Breaking {
		verdict = "BREAKING for " + sideWords[c.Side]
	}
	if c.Oasdiff != "" {
		verdict += ", as oasdiff " + c.Oasdiff
	}
	return fmt.Sprintf("%s %s [%s]", where, what, verdict)
}

var sideWords = map[Side]string{Response: "responses", Request: "requests", Both: "responses and requests"}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
