package validators

import "slices"

// A dispatch is an allOf most of whose members are if/then whose if only
// requires one member and compares its value with a few literals: an
// event's "carries" rules, one per resource its type may name, a list's
// items, one per object they may be, or an invoice payment's three rules
// on its status. Evaluated as written, every member's condition is looked
// up and compared, 76 of them for an event; evaluated by dispatch, the
// member's value is looked up once and only the rules whose condition it
// meets are evaluated. The others' conditions fail, so they hold: without
// an else, a failed if asks nothing. A rule with an else is dispatched by
// evaluation alone, which applies its then or its else as the value says
// (branches); the guide explains it as ever, as one of rest.
// The allOf's other members (rest) are evaluated as ever.
type dispatch struct {
	member propEntry // the member every dispatched condition requires and compares
	// byValue lists, by dispatchKey of a value, the allOf members to
	// evaluate on an object whose member has that value: those without an
	// else whose condition it meets, then rest.
	byValue map[string][]*fnode
	rest    []*fnode // the members that are not dispatched (and, for the guide, the rules with an else)
	// branches lists, by dispatchKey of a value, what evaluation applies
	// to an object whose member has that value: the rules without an else
	// whose condition it meets, the then or else of each rule with one (as
	// it meets its condition or not), and the members of neither kind;
	// unmet is that list for a value no rule names or an absent member.
	// Without rules with an else they are byValue and rest.
	branches map[string][]*fnode
	unmet    []*fnode
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
		orElse bool // the rule has an else
	}
	byMember := map[string][]rule{}
	entries := map[string]propEntry{}
	best := ""
	for k, sub := range subs {
		name, values, ok := sub.dispatchCondition()
		if !ok {
			continue
		}
		byMember[name.name] = append(byMember[name.name], rule{int32(k), values, sub.els != nil})
		entries[name.name] = name
		if n, b := len(byMember[name.name]), len(byMember[best]); n > b || n == b && name.name < best {
			best = name.name
		}
	}
	if len(byMember[best]) < 2 {
		return nil
	}
	d := &dispatch{member: entries[best]}
	// met: by key, the rules without an else whose condition the value
	// meets; branch: the then or else of the rules with one, by key.
	met := map[string][]*fnode{}
	var keys []string
	seenKey := map[string]bool{}
	dispatched := make([]bool, len(subs)) // for the guide: rules without an else
	branched := make([]bool, len(subs))   // for evaluation: every rule on best
	var orElse []rule
	for _, r := range byMember[best] {
		branched[r.k] = true
		if r.orElse {
			orElse = append(orElse, r)
		} else {
			dispatched[r.k] = true
		}
		for _, l := range r.values {
			key := dispatchKey(l.kind, l.str)
			if !seenKey[key] {
				seenKey[key] = true
				keys = append(keys, key)
			}
			if r.orElse {
				continue
			}
			if list := met[key]; len(list) == 0 || list[len(list)-1] != subs[r.k] {
				met[key] = append(list, subs[r.k])
			}
		}
	}
	var neither []*fnode
	for k, sub := range subs {
		if !dispatched[k] {
			d.rest = append(d.rest, sub)
		}
		if !branched[k] {
			neither = append(neither, sub)
		}
	}
	d.byValue = make(map[string][]*fnode, len(met))
	for key, list := range met {
		d.byValue[key] = append(list[:len(list):len(list)], d.rest...)
	}
	if len(orElse) == 0 {
		d.branches, d.unmet = d.byValue, d.rest
		return d
	}
	// withBranches is list, then the branch of each rule with an else that
	// a value applies (its then where the value meets its condition, its
	// else where not: key is the value's dispatchKey, and met false says
	// that the value meets no rule), then the members of neither kind.
	withBranches := func(list []*fnode, key string, met bool) []*fnode {
		out := append([]*fnode(nil), list...)
		for _, r := range orElse {
			b := subs[r.k].els
			if met && slices.ContainsFunc(r.values, func(l literal) bool { return dispatchKey(l.kind, l.str) == key }) {
				b = subs[r.k].then
			}
			if b != nil {
				out = append(out, b)
			}
		}
		return append(out, neither...)
	}
	d.branches = make(map[string][]*fnode, len(keys))
	for _, key := range keys {
		d.branches[key] = withBranches(met[key], key, true)
	}
	d.unmet = withBranches(nil, "", false)
	return d
}

// dispatchCondition reads a member of a dispatch: n is an if with a
// then, an else or both, and nothing else, its if requires one member and
// only compares it with literals (an enum or const, nothing else). It
// returns that member and the literals.
func (n *fnode) dispatchCondition() (propEntry, []literal, bool) {
	if n.ifn == nil || n.then == nil && n.els == nil || !n.scalarFree() || n.hasProps || len(n.required) != 0 || n.appliesOther() {
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
	return d.pick(t, i, d.byValue, d.rest)
}

// applied returns what evaluation applies to the object at token i in
// place of the allOf: branches by its member's value, or unmet. ok is
// false as for selected.
func (d *dispatch) applied(t *tape, i int32) (members []*fnode, ok bool) {
	return d.pick(t, i, d.branches, d.unmet)
}

// pick is the list of by for the value of the object at token i's
// dispatching member, or otherwise when by has none for it (or the member
// is absent or of a kind no literal is); ok is false as for selected.
func (d *dispatch) pick(t *tape, i int32, by map[string][]*fnode, otherwise []*fnode) (members []*fnode, ok bool) {
	key, met, ok := d.key(t, i)
	if !ok {
		return nil, false
	}
	if list, in := by[string(key)]; met && in {
		return list, true
	}
	return otherwise, true
}

// key reads the dispatching member of the object at token i: its
// dispatchKey's bytes (the tape's own, for a string: looked up as
// string(key), they are not copied), with met false when no literal can
// equal it (the member is absent, or a number, object or array); ok is
// false when it cannot be compared exactly (an escaped string).
func (d *dispatch) key(t *tape, i int32) (key []byte, met, ok bool) {
	j := t.memberHash(i, d.member.name, d.member.hash)
	if j < 0 {
		return nil, false, true // every condition requires the member
	}
	tk := &t.toks[j]
	switch tk.kind {
	case tokString:
		if tk.escaped {
			return nil, false, false
		}
		return t.data[tk.start:tk.end], true, true
	case tokTrue, tokFalse, tokNull:
		return literalKeys[tk.kind], true, true
	}
	return nil, false, true // a number, object or array: no literal equals it
}

// recordKey records, in the trace t is recording, the check that the
// dispatching member of the object at token i is the string it is: the
// one part of what the dispatch applies that the shape does not decide.
func (d *dispatch) recordKey(t *tape, i int32) {
	j := t.memberHash(i, d.member.name, d.member.hash)
	if j < 0 {
		return
	}
	if tk := &t.toks[j]; tk.kind == tokString && !tk.escaped {
		t.record(check{op: checkKey, tok: j, value: string(t.data[tk.start:tk.end])})
	}
}

// literalKeys are the dispatchKeys of true, false and null, as bytes.
var literalKeys = [256][]byte{
	tokTrue:  []byte(dispatchKey(tokTrue, "")),
	tokFalse: []byte(dispatchKey(tokFalse, "")),
	tokNull:  []byte(dispatchKey(tokNull, "")),
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
