package validators

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// The full path, guided. jsonschema/v5's failures for a subschema applied
// to a value depend on that subschema and value alone (the files use no
// dynamic references, and unevaluatedProperties looks only at in-place
// applicators of its own subschema). So instead of applying the whole
// schema to the whole document, the explanation applies v5 to each
// subschema the fast evaluator could not clear, with the if/then/else
// context above it, and hands the failures to the same explainer. Where
// the fast evaluator is sure a subschema holds, v5 would report nothing
// there, and is not asked. A differential test and a fuzz target compare
// the result with the whole-document path (WithFastPath(false)).

type guide struct {
	t *tape
	e *explainer
	// While the tape records (explanation by shape, shape.go): the
	// reports made to the explainer, in order, and whether jsonschema/v5
	// was asked, whose answers no trace holds.
	calls []guideCall
	asked bool
}

// guideCall is one report the guide made to its explainer: what replay
// makes again, on another document of the same shape and answers.
type guideCall struct {
	op            uint8 // callLeaf, callMissing or callUndocumented
	a             *annotation
	loc, kw, inst string // kw: callLeaf's keyword, callUndocumented's rule
	conds         []condition
}

// The explainer's reports a guideCall makes.
const (
	callLeaf = iota + 1
	callMissing
	callUndocumented
)

// leaf, missing and undocumented report to the explainer, and record the
// report while the tape records.
func (g *guide) leaf(a *annotation, loc, kw, inst string, conds []condition) {
	g.note(guideCall{op: callLeaf, a: a, loc: loc, kw: kw, inst: inst, conds: conds})
}

func (g *guide) missing(a *annotation, loc, inst string, conds []condition) {
	g.note(guideCall{op: callMissing, a: a, loc: loc, inst: inst, conds: conds})
}

func (g *guide) undocumented(a *annotation, loc, inst string, conds []condition) {
	g.note(guideCall{op: callUndocumented, a: a, loc: loc, kw: a.undocumented, inst: inst, conds: conds})
}

// note makes the report c stands for, and records it while the tape records.
func (g *guide) note(c guideCall) {
	if g.t.recording {
		g.calls = append(g.calls, c)
	}
	g.e.report(c)
}

// report makes the report c stands for.
func (e *explainer) report(c guideCall) {
	switch c.op {
	case callLeaf:
		e.leaf(c.a, c.loc, c.kw, c.inst, c.conds)
	case callMissing:
		e.missing(c.a, c.loc, c.inst, c.conds)
	case callUndocumented:
		e.add(c.kw, c.inst, "is not a documented field", c.conds, "unevaluatedProperties", c.loc)
	}
}

// explain reports every failure of n on the value at token i, which stands
// at pointer inst, under the conditions conds; the caller has found that n
// does not certainly hold there.
func (g *guide) explain(n *fnode, i int32, inst string, conds []condition) {
	tk := &g.t.toks[i]
	if g.scalar(n, i, tk, inst, conds) {
		return
	}
	// A scalar is explained here when n only applies other subschemas
	// to it (an expandable field's anyOf of an ID, the resource and
	// null): their failures are the ones v5 would find, and a reference
	// to another file's resource is not compiled to learn that a number
	// is not one.
	container := tk.kind == tokObject || tk.kind == tokArray
	applies := n.types == 0 && len(n.enum) == 0 && n.maxLength < 0 && n.pattern == nil && n.lazyURL == ""
	if n.unsupported || !container && !applies || n.types != 0 && !n.types.has(tk) || len(n.enum) > 0 {
		g.v5(n, inst, conds)
		return
	}
	loc := n.loc
	a := n.annotation()
	// Keywords whose failure is reported where they stand: decide them
	// here when the evaluator is sure, else let v5 explain the subschema.
	for _, kw := range [...]string{"$ref", "not", "anyOf"} {
		var v verdict
		switch {
		case kw == "$ref" && n.ref != nil && a != nil && a.Rules.Of("$ref") != "":
			v = n.ref.eval(g.t, i)
		case kw == "not" && n.not != nil:
			v = not(n.not.eval(g.t, i))
		case kw == "anyOf" && len(n.anyOf) > 0:
			v = anyOf(n.anyOf, g.t, i)
		default:
			continue
		}
		switch v {
		case unknown:
			g.v5(n, inst, conds)
			return
		case fail:
			if kw == "anyOf" {
				if b := typedNode(n.anyOf, tk); b != nil {
					defer g.explain(b, i, inst, conds)
					continue
				}
			}
			defer g.leaf(a, loc, kw, inst, conds)
		}
	}
	var ifVerdict verdict
	if n.ifn != nil {
		if ifVerdict = n.ifn.eval(g.t, i); ifVerdict == unknown {
			g.v5(n, inst, conds)
			return
		}
	}

	if tk.kind == tokObject {
		if len(n.required) > 0 {
			for _, r := range n.required {
				if g.t.memberHash(i, r.name, r.hash) < 0 {
					g.missing(a, loc, inst, conds)
					break
				}
			}
		}
		for j := i + 1; j < tk.next; {
			key := g.t.toks[j]
			name := g.t.data[key.start:key.end] // made a string only for a failure's pointer
			val := j + 1
			var sub *fnode
			if n.hasProps {
				if slot := n.props.lookup(name, key.hash); slot != nil {
					sub = slot.node
				}
			}
			if sub != nil {
				if sub.eval(g.t, val) != pass {
					g.explain(sub, val, inst+"/"+pointer.Escape(string(name)), conds)
				}
			} else if n.closed {
				g.undocumented(a, loc, inst+"/"+pointer.Escape(string(name)), conds)
			}
			j = g.t.toks[val].next
		}
	}
	if tk.kind == tokArray && n.items != nil {
		k := 0
		for j := i + 1; j < tk.next; j = g.t.toks[j].next {
			if n.items.eval(g.t, j) != pass {
				g.explain(n.items, j, inst+"/"+strconv.Itoa(k), conds)
			}
			k++
		}
	}
	if n.ref != nil && (a == nil || a.Rules.Of("$ref") == "") && n.ref.eval(g.t, i) != pass {
		g.explain(n.ref, i, inst, conds)
	}
	if n.lazyURL != "" {
		if target := n.lazyTarget(); target == nil {
			g.v5(n, inst, conds)
		} else if target.eval(g.t, i) != pass {
			g.explain(target, i, inst, conds)
		}
	}
	if g.t.recording && n.dispatch != nil && tk.kind == tokObject {
		n.dispatch.recordKey(g.t, i) // the one thing allOfAt reads that the shape does not say
	}
	for _, sub := range n.allOfAt(g.t, i, tk) {
		if sub.eval(g.t, i) != pass {
			g.explain(sub, i, inst, conds)
		}
	}
	if n.ifn != nil {
		branch := n.then
		if ifVerdict == fail {
			branch = n.els
		}
		if branch != nil && branch.eval(g.t, i) != pass {
			g.explain(branch, i, inst, append(conds[:len(conds):len(conds)], condition{Schema: loc, Instance: inst}))
		}
	}
}

// scalar explains n on a string (read exactly), an integer written as
// digits, a boolean or null at token tk without jsonschema/v5, when n has only the keywords the fast evaluator
// decides for such a value (type, enum or const, maxLength, pattern): they
// fail as v5 would report them, a type failure alone (v5 stops there), else
// each of the others that fails. It reports whether it did.
func (g *guide) scalar(n *fnode, i int32, tk *tok, inst string, conds []condition) bool {
	switch {
	case tk.kind == tokString && tk.escaped, tk.kind == tokNumber && tk.odd, tk.kind == tokObject, tk.kind == tokArray:
		return false
	case n.unsupported, n.ref != nil, n.lazyURL != "", n.not != nil, len(n.allOf) > 0, len(n.anyOf) > 0, n.ifn != nil:
		return false
	}
	loc := n.loc
	a := n.annotation()
	if n.types != 0 && !n.types.has(tk) {
		g.leaf(a, loc, "type", inst, conds)
		return true
	}
	fails := n.scalarFails(g.t, tk)
	if g.t.recording {
		g.t.record(check{op: checkScalar, res: fails, tok: i, node: n})
	}
	if fails&failsEnum != 0 {
		kw := "enum"
		if n.isConst {
			kw = "const"
		}
		g.leaf(a, loc, kw, inst, conds)
	}
	if fails&failsMaxLength != 0 {
		g.leaf(a, loc, "maxLength", inst, conds)
	}
	if fails&failsPattern != 0 {
		g.leaf(a, loc, "pattern", inst, conds)
	}
	return true
}

// What scalarFails finds: the keywords of a scalar's subschema that fail.
const (
	failsEnum = 1 << iota // enum or const
	failsMaxLength
	failsPattern
)

// scalarFails is which of n's enum or const, maxLength and pattern fail
// on the value at token tk, a string read exactly, an integer written as
// digits, a boolean or null, whose type n admits (guide.scalar).
func (n *fnode) scalarFails(t *tape, tk *tok) uint8 {
	var fails uint8
	if len(n.enum) > 0 && n.matchEnum(t, tk) == fail {
		fails |= failsEnum
	}
	if tk.kind == tokString {
		raw := t.data[tk.start:tk.end]
		if n.maxLength >= 0 && len(raw) > n.maxLength && utf8.RuneCount(raw) > n.maxLength {
			fails |= failsMaxLength
		}
		if n.pattern != nil && !n.pattern.Match(raw) {
			fails |= failsPattern
		}
	}
	return fails
}

func anyOf(subs []*fnode, t *tape, i int32) verdict {
	out := fail
	for _, sub := range subs {
		switch sub.eval(t, i) {
		case pass:
			return pass
		case unknown:
			out = unknown
		}
	}
	return out
}

// v5 applies n with jsonschema/v5 to the value at inst and explains its failures.
func (g *guide) v5(n *fnode, inst string, conds []condition) {
	g.asked = true
	value, ok := g.e.doc.lookup(inst)
	if !ok {
		return
	}
	s, err := g.e.c.subschema(n.loc)
	if err == nil {
		err = s.Validate(value)
	}
	if err == nil {
		return
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		g.e.out = append(g.e.out, Violation{Rule: RuleInternal, Pointer: inst, Severity: Error, Message: "the schema could not be applied: " + err.Error()})
		return
	}
	saved := g.e.prefix
	g.e.prefix = inst
	for _, cause := range ve.Causes { // the root of the tree only says which schema failed
		g.e.walk(cause, conds)
	}
	g.e.prefix = saved
}

// lookup builds the decoded form of the value at pointer p, and only of it.
func (t *tape) lookup(p string) (any, bool) {
	i := t.atPointer(p)
	if i < 0 {
		return nil, false
	}
	return t.value(i), true
}

func (t *tape) has(p, name string) bool {
	i := t.atPointer(p)
	return i >= 0 && t.member(i, name) >= 0
}

// atPointer returns the token index of the value at an RFC 6901 pointer, or -1.
func (t *tape) atPointer(p string) int32 {
	i := int32(0)
	for p != "" {
		if p[0] != '/' || i < 0 {
			return -1
		}
		p = p[1:]
		seg := p
		if k := strings.IndexByte(p, '/'); k >= 0 {
			seg, p = p[:k], p[k:]
		} else {
			p = ""
		}
		seg = pointer.Unescape(seg)
		switch t.toks[i].kind {
		case tokObject:
			i = t.member(i, seg)
		case tokArray:
			k, err := strconv.Atoi(seg)
			if err != nil || k < 0 || k >= int(t.toks[i].count) {
				return -1
			}
			j := i + 1
			for ; k > 0; k-- {
				j = t.toks[j].next
			}
			i = j
		default:
			return -1
		}
	}
	return i
}

// value builds the decoded form (decode.go's) of the value at token i.
func (t *tape) value(i int32) any {
	tk := &t.toks[i]
	switch tk.kind {
	case tokObject:
		m := make(map[string]any, tk.count)
		for j := i + 1; j < tk.next; {
			key := t.toks[j]
			m[string(t.data[key.start:key.end])] = t.value(j + 1)
			j = t.toks[j+1].next
		}
		return m
	case tokArray:
		a := make([]any, 0, tk.count)
		for j := i + 1; j < tk.next; j = t.toks[j].next {
			a = append(a, t.value(j))
		}
		return a
	case tokString:
		if !tk.escaped {
			return string(t.data[tk.start:tk.end])
		}
		var s string
		if err := json.Unmarshal(t.data[tk.start-1:tk.end+1], &s); err != nil {
			panic("tape: a scanned string does not unquote: " + err.Error()) // scanString checked it
		}
		return s
	case tokNumber:
		return json.Number(t.data[tk.start:tk.end])
	case tokTrue:
		return true
	case tokFalse:
		return false
	}
	return nil
}

// typedNode is the one branch of an anyOf whose types admit the token,
// if only one does (see typedBranch, its full-path twin).
func typedNode(branches []*fnode, tk *tok) *fnode {
	var fit *fnode
	for _, b := range branches {
		types := b.types
		for n, hops := b, 0; types == 0 && hops < 8; hops++ {
			// A reference's types are its target's; another file's
			// entry takes objects alone (objectSchemas).
			switch {
			case n.ref != nil:
				n = n.ref
				types = n.types
			case n.lazyURL != "":
				types = tObject
			default:
				hops = 8
			}
		}
		if types != 0 && !types.has(tk) {
			continue
		}
		if fit != nil {
			return nil
		}
		fit = b
	}
	return fit
}
