package validators

// A dispatch is an allOf most of whose members are if/then (no else)
// whose if only requires one member and compares its value with a few
// literals: an event's "carries" rules, one per resource its type may name,
// or a list's items, one per object they may be. Evaluated as written,
// every member's condition is looked up and compared, 76 of them for an
// event; evaluated by dispatch, the member's value is looked up once and
// only the rules whose condition it meets are evaluated. The others'
// conditions fail, so they hold: without an else, a failed if asks nothing.
// The allOf's other members (rest) are evaluated as ever.
type dispatch struct {
	member propEntry // the member every dispatched condition requires and compares
	// byValue lists, by dispatchKey of a value, the allOf members to
	// evaluate on an object whose member has that value: those whose
	// condition it meets, then rest.
	byValue map[string][]*fnode
	rest    []*fnode // the members that are not dispatched
}

// dispatchKey is the key of byValue for a literal of kind kind (a
// string's raw bytes, an unescaped string's value): other kinds are keyed
// by a NUL byte, which no unescaped string holds.
func dispatchKey(kind byte, str string) string {
	if kind == tokString {
		return str
	}
	return "\x00" + string(kind)
}

// newDispatch is the dispatch of the allOf members subs, by the member
// most of the dispatchable rules test; nil when fewer than two rules test
// any one member.
func newDispatch(subs []*fnode) *dispatch {
	type rule struct {
		k      int32
		values []literal
	}
	byMember := map[string][]rule{}
	entries := map[string]propEntry{}
	best := ""
	for k, sub := range subs {
		name, values, ok := sub.dispatchCondition()
		if !ok {
			continue
		}
		byMember[name.name] = append(byMember[name.name], rule{int32(k), values})
		entries[name.name] = name
		if n, b := len(byMember[name.name]), len(byMember[best]); n > b || n == b && name.name < best {
			best = name.name
		}
	}
	if len(byMember[best]) < 2 {
		return nil
	}
	d := &dispatch{member: entries[best]}
	met := map[string][]*fnode{}
	dispatched := make([]bool, len(subs))
	for _, r := range byMember[best] {
		dispatched[r.k] = true
		for _, l := range r.values {
			key := dispatchKey(l.kind, l.str)
			if list := met[key]; len(list) == 0 || list[len(list)-1] != subs[r.k] {
				met[key] = append(list, subs[r.k])
			}
		}
	}
	for k, sub := range subs {
		if !dispatched[k] {
			d.rest = append(d.rest, sub)
		}
	}
	d.byValue = make(map[string][]*fnode, len(met))
	for key, list := range met {
		d.byValue[key] = append(list[:len(list):len(list)], d.rest...)
	}
	return d
}

// dispatchCondition reads a member of a dispatch: n is an if/then and
// nothing else, its if requires one member and only compares it with
// literals (an enum or const, nothing else). It returns that member and
// the literals.
func (n *fnode) dispatchCondition() (propEntry, []literal, bool) {
	if n.ifn == nil || n.els != nil || n.then == nil || !n.scalarFree() || n.hasProps || len(n.required) != 0 || n.appliesOther() {
		return propEntry{}, nil, false
	}
	c := n.ifn
	if !c.scalarFree() || c.ifn != nil || c.appliesOther() || len(c.few) != 1 || !c.few[0].required || len(c.required) != 1 || len(c.absent) != 0 {
		return propEntry{}, nil, false
	}
	v := c.few[0].node
	if v == nil || len(v.enum) == 0 || v.unsupported || v.types != 0 || v.maxLength >= 0 || v.pattern != nil ||
		v.hasProps || len(v.required) != 0 || v.closed || v.items != nil || v.lazyURL != "" || v.ifn != nil || v.appliesOther() {
		return propEntry{}, nil, false
	}
	return propEntry{name: c.few[0].name, hash: c.few[0].hash}, v.enum, true
}

// scalarFree reports whether n is supported and asserts nothing of a
// value's own (no type, enum, length or pattern), closes no object and has
// no items or reference to another file.
func (n *fnode) scalarFree() bool {
	return !n.unsupported && n.types == 0 && len(n.enum) == 0 && n.maxLength < 0 && n.pattern == nil &&
		!n.closed && n.items == nil && n.lazyURL == ""
}

// appliesOther reports whether n has a $ref, not, allOf or anyOf.
func (n *fnode) appliesOther() bool {
	return n.ref != nil || n.not != nil || n.allOf != nil || n.anyOf != nil
}

// selected returns the allOf members that may not hold on the object at
// token i: those whose condition its member meets, and rest. ok is false
// when the value cannot be compared exactly (an escaped string): the
// caller then evaluates every member.
func (d *dispatch) selected(t *tape, i int32) (members []*fnode, ok bool) {
	j := t.memberHash(i, d.member.name, d.member.hash)
	if j < 0 {
		return d.rest, true // every condition requires the member
	}
	tk := &t.toks[j]
	key := ""
	switch tk.kind {
	case tokString:
		if tk.escaped {
			return nil, false
		}
		key = string(t.data[tk.start:tk.end])
	case tokTrue, tokFalse, tokNull:
		key = dispatchKey(tk.kind, "")
	default:
		return d.rest, true // a number, object or array: no literal equals it
	}
	if list, met := d.byValue[key]; met {
		return list, true
	}
	return d.rest, true
}

// allOfAt is n's allOf members that may not hold on the value at token i:
// those its dispatch selects, when it has one that can tell, else all.
// Evaluation and the guide both ask it.
func (n *fnode) allOfAt(t *tape, i int32, tk *tok) []*fnode {
	if n.dispatch != nil && tk.kind == tokObject {
		if members, ok := n.dispatch.selected(t, i); ok {
			return members
		}
	}
	return n.allOf
}
