package validators

import (
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// The fast path answers one question for the common case: is this document
// clean, with no violation of any severity? It never explains; when it
// cannot say yes, the full path (jsonschema/v5 and the explainer) runs.
//
// It is compiled, a file the first time a document reaches it, from the
// very copy of the schema files that the full path compiles with
// jsonschema/v5, keyword by keyword as v5 reads them (fileCompile), so the
// rules exist once, in the schema files; a test compares every node with
// v5's subschema at its location. v5 compiles a file only when a document
// needs explaining there. Evaluation is three-valued: a keyword it does
// not implement, or a value it does not read exactly (an escaped string
// compared with an enum), is "unknown", and unknown is never yes.

// verdict is a three-valued outcome.
type verdict uint8

const (
	fail verdict = iota
	unknown
	pass
)

func not(v verdict) verdict {
	switch v {
	case pass:
		return fail
	case fail:
		return pass
	}
	return unknown
}

// fnode is a compiled subschema. The fields evaluation reads first come
// first, in the node's first cache line.
type fnode struct {
	// form: formLeaf when the node asserts only what scalars asks (type,
	// enum, const, maxLength, pattern), so that eval need look at nothing
	// else; or another form eval decides in a few steps (formOf).
	form uint8
	// plainLeaf: a leaf with no enum, const or pattern (a typed field, a
	// string of a bounded length), which object decides in place.
	plainLeaf bool
	// objectRules: the node has properties, required members or is
	// closed: what object evaluates.
	objectRules bool
	unsupported bool     // has a keyword evaluate does not implement
	integer     bool     // type names integer: a number with a fraction or an exponent is the full path's (tok.odd)
	types       typeMask // allowed JSON types; 0: any
	isConst     bool
	maxLength   int                 // -1: none
	enum        []literal           // of enum, or const's one value (isConst)
	enumSet     map[string]struct{} // the string members of a long enum (a currency's codes), for lookup
	pattern     *regexp.Regexp
	props       propTable // member name -> subschema and required bit (names.go)
	hasProps    bool
	closed      bool   // unevaluatedProperties: false
	reqMask     uint64 // one bit per required member, when at most 64
	// few lists props when they are few and the object is not closed: the
	// members they name are looked up, rather than every member visited.
	few      []propEntry
	required []propEntry // the required members (node: their subschema, if any)
	// absent are the required members that few does not name: those that
	// objectByLookup looks up for required alone (an if's "required":
	// ["status"] is found by its properties' lookup of status).
	absent    []propEntry
	items     *fnode
	ref       *fnode
	allOf     []*fnode
	dispatch  *dispatch // allOf, when it dispatches on one member's value (dispatch.go)
	anyOf     []*fnode
	not       *fnode
	ifn       *fnode
	then, els *fnode
	// lazyURL is a reference to another file's schema (lazyref.go),
	// compiled for the fast path when first reached, into target.
	lazyURL string
	target  atomic.Pointer[fnode]
	fp      *fastPath
	loc     string                 // its location, as jsonschema/v5 names it: the full path applies v5's subschema there
	note    atomic.Pointer[noteOf] // what the files say of it, once looked up (annotation)
}

type typeMask uint8

const (
	tNull typeMask = 1 << iota
	tBoolean
	tObject
	tArray
	tNumber
	tInteger
	tString
)

var typeBits = map[string]typeMask{
	"null": tNull, "boolean": tBoolean, "object": tObject, "array": tArray,
	"number": tNumber | tInteger, "integer": tInteger, "string": tString,
}

type propEntry struct {
	name     string
	hash     uint32
	node     *fnode
	required bool // in few: the member is also required
}

// fewProps is the most properties a subschema may name to be evaluated by
// lookup (an if that tests one field, a then that constrains two).
const fewProps = 4

// literal is an enum or const value the fast path can compare raw tokens
// with: strings, booleans and null. Numbers in an enum make the node
// unsupported (1.0 equals 1 there).
type literal struct {
	kind byte // tokString, tokTrue, tokFalse, tokNull
	str  string
}

// literalOf is the literal of a decoded enum or const value; false for a
// number (or anything but a string, boolean or null).
func literalOf(v any) (literal, bool) {
	switch v := v.(type) {
	case string:
		return literal{kind: tokString, str: v}, true
	case bool:
		if v {
			return literal{kind: tokTrue}, true
		}
		return literal{kind: tokFalse}, true
	case nil:
		return literal{kind: tokNull}, true
	}
	return literal{}, false
}

// writeKey writes l to b as a part of a key that equal enums share, and
// only they (a string's length comes before it).
func (l literal) writeKey(b *strings.Builder) {
	b.WriteByte(l.kind)
	b.WriteString(strconv.Itoa(len(l.str)))
	b.WriteByte(':')
	b.WriteString(l.str)
}

// validationKeywords are the keywords of JSON Schema 2019-09 that assert
// or apply something, less those compileNode implements: a subschema with
// one of them is unsupported. Other members (annotations, $defs, x-
// extensions but the lazy reference) validate nothing, for
// jsonschema/v5 as here.
var validationKeywords = []string{"$recursiveRef", "$dynamicRef", "oneOf", "minProperties", "maxProperties",
	"propertyNames", "patternProperties", "additionalProperties", "dependencies", "dependentRequired",
	"dependentSchemas", "minItems", "maxItems", "uniqueItems", "additionalItems", "prefixItems", "contains",
	"minContains", "maxContains", "unevaluatedItems", "minLength", "format", "contentEncoding", "contentMediaType",
	"contentSchema", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "$id",
	"$anchor", "$recursiveAnchor", "$dynamicAnchor"}

// noteOf holds a node's annotation, nil if the files say nothing of it.
type noteOf struct{ a *annotation }

// annotation is what the files say of the node (contract.note of its
// location), for explaining: looked up when a document first fails there,
// since a trusted contract indexes a file's annotations only then.
func (n *fnode) annotation() *annotation {
	if p := n.note.Load(); p != nil {
		return p.a
	}
	p := &noteOf{n.fp.c.note(n.loc)}
	n.note.Store(p)
	return p.a
}

// unsupportedKeyword is validationKeywords as a set.
var unsupportedKeyword = func() map[string]bool {
	set := make(map[string]bool, len(validationKeywords))
	for _, kw := range validationKeywords {
		set[kw] = true
	}
	return set
}()

// fileCompile compiles the fast nodes of one schema file from the copy of
// it that jsonschema/v5 compiles (forCompiler), keyword by keyword as v5
// reads them, without v5: the full path compiles a file only when a
// document needs it explained there, which few do (the mixed benchmark's
// 50,000 lines reach 14 files, and v5 in 7 of them, 531 times). Each
// subschema is one node, however many references reach it.
type fileCompile struct {
	fp   *fastPath
	url  string         // the file's URL, without fragment
	doc  map[string]any // the compiler's copy of the file
	memo map[string]*fnode
}

// at is the node of the subschema at fragment frag (a JSON pointer, as a
// URL fragment: "" is the root); nil when frag names none.
func (fc *fileCompile) at(frag string) *fnode {
	if n, ok := fc.memo[frag]; ok {
		return n
	}
	p, err := url.PathUnescape(frag)
	if err != nil {
		return nil
	}
	v, ok := valueAt(fc.doc, p)
	if !ok {
		return nil
	}
	return fc.node(v, frag)
}

// node compiles the subschema v at fragment frag. Keywords it does not
// implement mark a node unsupported: evaluation answers unknown there.
func (fc *fileCompile) node(v any, frag string) *fnode {
	if n, ok := fc.memo[frag]; ok {
		return n
	}
	fp := fc.fp
	loc := fc.url + "#" + frag
	n := &fnode{loc: loc, maxLength: -1, fp: fp}
	fc.memo[frag] = n
	m, ok := v.(map[string]any)
	if !ok { // true or false: v5's Always
		n.unsupported = true
		return n
	}
	for kw := range m { // a subschema has a few keywords, against many unsupported
		if unsupportedKeyword[kw] && (kw != "$id" || frag != "") { // the root's $id is the file's URL
			n.unsupported = true
			return n
		}
	}
	if !fc.scalars(n, m) {
		n.unsupported = true
		return n
	}
	sub := func(key string) *fnode { return fc.node(m[key], frag+"/"+key) }
	props, _ := m["properties"].(map[string]any)
	if _, ok := m["properties"]; ok && props == nil {
		n.unsupported = true
		return n
	}
	required, ok := stringList(m["required"])
	if !ok {
		n.unsupported = true
		return n
	}
	names := slices.Sorted(maps.Keys(props))
	nodes := make(map[string]*fnode, len(names))
	if len(props) > 0 || len(required) > 0 {
		n.hasProps = len(props) > 0
		n.props = newPropTable(len(props) + len(required))
		for _, name := range names {
			nodes[name] = fc.node(props[name], frag+"/properties/"+schemaToken(name))
			n.props.add(name, nodes[name], 0)
		}
		for i, r := range required {
			var bit uint8
			if i < 64 {
				bit = uint8(i + 1)
				n.reqMask |= 1 << i
			}
			n.props.add(r, nil, bit)
			n.required = append(n.required, propEntry{name: r, hash: hashName(r)})
		}
	}
	_, unevaluated := m["unevaluatedProperties"]
	if len(props) <= fewProps && !unevaluated {
		for _, name := range names {
			n.few = append(n.few, propEntry{name: name, hash: hashName(name), node: nodes[name],
				required: slices.Contains(required, name)})
		}
	}
	for _, r := range n.required {
		if _, named := props[r.name]; !named || n.few == nil {
			n.absent = append(n.absent, r)
		}
	}
	if unevaluated {
		if m["unevaluatedProperties"] != false {
			n.unsupported = true
			return n
		}
		n.closed = true
	}
	if items, ok := m["items"]; ok {
		if _, list := items.([]any); list {
			n.unsupported = true
			return n
		}
		n.items = sub("items")
	}
	for _, key := range []string{"allOf", "anyOf"} {
		list, ok := m[key]
		if !ok {
			continue
		}
		subs, isList := list.([]any)
		if !isList || len(subs) == 0 {
			n.unsupported = true
			return n
		}
		out := make([]*fnode, len(subs))
		for i, s := range subs {
			out[i] = fc.node(s, frag+"/"+key+"/"+strconv.Itoa(i))
		}
		if key == "allOf" {
			n.allOf = out
			if !fp.noDispatch {
				n.dispatch = newDispatch(out)
			}
		} else {
			n.anyOf = out
		}
	}
	if _, ok := m["not"]; ok {
		n.not = sub("not")
	}
	if _, ok := m["if"]; ok {
		n.ifn = sub("if")
		if _, ok := m["then"]; ok {
			n.then = sub("then")
		}
		if _, ok := m["else"]; ok {
			n.els = sub("else")
		}
	}
	if r, ok := m["$ref"]; ok {
		ref, _ := r.(string)
		target, internal := strings.CutPrefix(ref, "#")
		if !internal {
			n.unsupported = true
			return n
		}
		if n.ref = fc.at(target); n.ref == nil {
			n.unsupported = true
			return n
		}
	}
	if r, ok := m[lazyRefKeyword]; ok {
		if n.lazyURL, _ = r.(string); n.lazyURL == "" {
			n.unsupported = true
		}
	}
	n.objectRules = n.hasProps || len(n.required) > 0 || n.closed
	n.form = formOf(n)
	n.plainLeaf = n.form == formLeaf && len(n.enum) == 0 && n.pattern == nil
	return n
}

// Forms of node that eval decides in a few steps: most of a resource's
// subschemas are an object's properties, an if/then/else, or an anyOf
// of an expandable field's forms, and nothing more.
const (
	formAny    uint8 = iota // any other: every keyword in turn
	formLeaf                // leaf
	formObject              // type object (or none), properties, required or closed
	formIf                  // if, then and else
	formAnyOf               // anyOf
)

// formOf is the form of the compiled node n.
func formOf(n *fnode) uint8 {
	leaf := !n.unsupported && !n.objectRules && n.items == nil && n.ref == nil && n.lazyURL == "" &&
		n.not == nil && n.allOf == nil && n.anyOf == nil && n.ifn == nil
	plain := !n.unsupported && !n.integer && !n.isConst && len(n.enum) == 0 && n.maxLength < 0 && n.pattern == nil &&
		n.items == nil && n.ref == nil && n.lazyURL == "" && n.not == nil && n.allOf == nil
	switch {
	case leaf:
		return formLeaf
	case !plain:
		return formAny
	case n.objectRules && n.anyOf == nil && n.ifn == nil && (n.types == 0 || n.types == tObject):
		return formObject
	case !n.objectRules && n.anyOf == nil && n.ifn != nil && n.types == 0:
		return formIf
	case !n.objectRules && n.anyOf != nil && n.ifn == nil && n.types == 0:
		return formAnyOf
	}
	return formAny
}

// scalars reads the keywords of m that constrain a scalar (type, enum,
// const, maxLength, pattern) into n; false when one is of a form the fast
// path does not compare (a number in an enum: 1.0 equals 1 there).
func (fc *fileCompile) scalars(n *fnode, m map[string]any) bool {
	switch t := m["type"].(type) {
	case nil:
	case string:
		n.types, n.integer = typeBits[t], t == "integer"
	case []any:
		for _, t := range t {
			name, _ := t.(string)
			n.types |= typeBits[name]
			n.integer = n.integer || name == "integer"
		}
	default:
		return false
	}
	values, isList := m["enum"].([]any)
	if _, ok := m["enum"]; ok && !isList {
		return false
	}
	if c, ok := m["const"]; ok {
		if len(values) > 0 {
			return false // both: an intersection; not in our files
		}
		values, n.isConst = []any{c}, true
	}
	for _, v := range values {
		l, ok := literalOf(v)
		if !ok {
			return false
		}
		n.enum = append(n.enum, l)
	}
	if len(n.enum) > 0 {
		e := fc.fp.sharedEnum(n.enum)
		n.enum, n.enumSet = e.values, e.set
	}
	if l, ok := m["maxLength"]; ok {
		num, _ := l.(json.Number)
		max, err := strconv.Atoi(string(num))
		if err != nil || max < 0 {
			return false
		}
		n.maxLength = max
	}
	if p, ok := m["pattern"]; ok {
		expr, _ := p.(string)
		re, err := regexp.Compile(expr)
		if err != nil {
			return false
		}
		n.pattern = re
	}
	return true
}

// stringList reads a list of strings (required's); false when v is
// another value.
func stringList(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(list))
	for i, s := range list {
		if out[i], ok = s.(string); !ok {
			return nil, false
		}
	}
	return out, true
}

// schemaToken escapes a member name as jsonschema/v5 does in the locations
// of its subschemas: a JSON pointer token, then URL path escaping.
func schemaToken(name string) string {
	return url.PathEscape(pointer.Escape(name))
}

// lazyTarget is the fast node of n's lazy reference, compiled on first
// use; nil when its target does not compile (the full path says why).
func (n *fnode) lazyTarget() *fnode {
	if t := n.target.Load(); t != nil {
		return t
	}
	t := n.fp.entry(n.lazyURL)
	if t != nil {
		n.target.Store(t)
	}
	return t
}

func (n *fnode) eval(t *tape, i int32) verdict {
	tk := &t.toks[i]
	switch n.form {
	case formLeaf:
		return n.evalLeaf(t, i, tk)
	case formObject:
		if tk.kind != tokObject {
			if n.types != 0 {
				return fail
			}
			return pass
		}
		return n.object(t, i)
	case formIf:
		switch n.ifn.eval(t, i) {
		case pass:
			if n.then != nil {
				return n.then.eval(t, i)
			}
		case fail:
			if n.els != nil {
				return n.els.eval(t, i)
			}
		default:
			return unknown
		}
		return pass
	case formAnyOf:
		return anyOf(n.anyOf, t, i)
	}
	if n.unsupported {
		return unknown
	}
	if n.types != 0 && !n.types.has(tk) {
		return fail
	}
	if n.integer && tk.odd {
		// 2000.0 is an integer to JSON Schema but in a form typed SDKs
		// reject (RuleIntegerForm), 2.5 is none: the full path decides.
		return unknown
	}
	out := pass
	merge := func(v verdict) bool { // false: the answer is settled as fail
		if v == fail {
			out = fail
			return false
		}
		if v == unknown {
			out = unknown
		}
		return true
	}
	if !merge(n.valueRules(t, i, tk)) {
		return fail
	}
	if tk.kind == tokObject && n.objectRules && !merge(n.object(t, i)) {
		return fail
	}
	if tk.kind == tokArray && n.items != nil {
		for j := i + 1; j < tk.next; j = t.toks[j].next {
			if !merge(n.items.eval(t, j)) {
				return fail
			}
		}
	}
	if n.ref != nil && !merge(n.ref.eval(t, i)) {
		return fail
	}
	if n.lazyURL != "" {
		if tk.kind != tokObject {
			// The target, another file's root or partial form, is an
			// object schema (objectSchemas): no need to compile it to
			// know that this value fails there.
			return fail
		}
		target := n.lazyTarget()
		if target == nil {
			return unknown
		}
		v := pass
		if t.cache != nil {
			v = t.evalByShape(target, i)
		} else {
			v = target.eval(t, i)
		}
		if !merge(v) {
			return fail
		}
	}
	if n.not != nil && !merge(not(n.not.eval(t, i))) {
		return fail
	}
	if len(n.allOf) > 0 && !merge(n.evalAllOf(t, i, tk)) {
		return fail
	}
	if len(n.anyOf) > 0 {
		any := fail
		for _, sub := range n.anyOf {
			v := sub.eval(t, i)
			if v == pass {
				any = pass
				break
			}
			if v == unknown {
				any = unknown
			}
		}
		if !merge(any) {
			return fail
		}
	}
	if n.ifn != nil {
		switch n.ifn.eval(t, i) {
		case pass:
			if n.then != nil && !merge(n.then.eval(t, i)) {
				return fail
			}
		case fail:
			if n.els != nil && !merge(n.els.eval(t, i)) {
				return fail
			}
		default:
			merge(unknown)
		}
	}
	return out
}

// evalAllOf evaluates n's allOf on the value at token i: by dispatch, when
// n has one and the value is an object, only the members and branches it
// applies.
func (n *fnode) evalAllOf(t *tape, i int32, tk *tok) verdict {
	subs := n.allOf
	if n.dispatch != nil && tk.kind == tokObject {
		applied, ok := n.dispatch.applied(t, i)
		if t.recording {
			n.dispatch.recordKey(t, i)
		}
		if ok {
			subs = applied
		}
	}
	out := pass
	for _, sub := range subs {
		switch sub.eval(t, i) {
		case fail:
			return fail
		case unknown:
			out = unknown
		}
	}
	return out
}

// evalLeaf is eval of a leaf node: its type, then its valueRules.
func (n *fnode) evalLeaf(t *tape, i int32, tk *tok) verdict {
	if n.types != 0 && !n.types.has(tk) {
		return fail
	}
	if n.integer && tk.odd {
		return unknown // as in eval
	}
	return n.valueRules(t, i, tk)
}

// valueRules evaluates n's enum or const and, on a string, its maxLength
// and pattern, on the value at token i (tk). While evaluation records
// (shape.go), an answer that depends on the value is a check of the trace.
func (n *fnode) valueRules(t *tape, i int32, tk *tok) verdict {
	if !n.readsValue(tk) {
		return pass
	}
	v := n.values(t, tk)
	if t.recording {
		c := check{op: checkValues, res: uint8(v), tok: i, node: n}
		if len(n.enum) > 0 && tk.kind == tokString && !tk.escaped {
			// The value itself: another of the same bytes answers alike,
			// without looking it up again.
			c.arg, c.value = 1, string(t.data[tk.start:tk.end])
		}
		t.record(c)
	}
	return v
}

// readsValue reports whether valueRules reads the value of tk, not only
// its kind: n has an enum or const, or tk is a string and n bounds its
// length or pattern.
func (n *fnode) readsValue(tk *tok) bool {
	return len(n.enum) > 0 || tk.kind == tokString && (n.maxLength >= 0 || n.pattern != nil)
}

// values is valueRules' answer.
func (n *fnode) values(t *tape, tk *tok) verdict {
	out := pass
	if len(n.enum) > 0 {
		switch n.matchEnum(t, tk) {
		case fail:
			return fail
		case unknown:
			out = unknown
		}
	}
	if tk.kind == tokString && (n.maxLength >= 0 || n.pattern != nil) {
		if tk.escaped {
			// The raw bytes are not the value: a length bound the raw
			// string already meets holds; anything else is unknown.
			if n.pattern != nil || int(tk.end-tk.start) > n.maxLength {
				out = unknown
			}
		} else {
			raw := t.data[tk.start:tk.end]
			if n.maxLength >= 0 && len(raw) > n.maxLength && utf8.RuneCount(raw) > n.maxLength {
				return fail
			}
			if n.pattern != nil && !n.pattern.Match(raw) {
				return fail
			}
		}
	}
	return out
}

func (m typeMask) has(tk *tok) bool { return m&kindTypes[tk.kind] != 0 }

// kindTypes are the types that admit a value of each token kind, looked
// up rather than switched on: the kinds of an object's members vary from
// one to the next. A number is an integer or a number (a fraction at an
// integer: eval leaves it to the full path, fnode.integer).
var kindTypes = [256]typeMask{
	tokNull: tNull, tokTrue: tBoolean, tokFalse: tBoolean, tokObject: tObject,
	tokArray: tArray, tokString: tString, tokNumber: tInteger | tNumber,
}

// longEnum is the most members an enum is matched against one by one; a
// longer one (the ISO currency codes) is looked up.
const longEnum = 16

func (n *fnode) matchEnum(t *tape, tk *tok) verdict {
	if tk.kind == tokString && tk.escaped {
		return unknown
	}
	if tk.kind == tokString && n.enumSet != nil {
		if _, ok := n.enumSet[string(t.data[tk.start:tk.end])]; ok {
			return pass
		}
		return fail
	}
	for _, l := range n.enum {
		if l.kind != tk.kind {
			continue
		}
		if l.kind != tokString || l.str == string(t.data[tk.start:tk.end]) {
			return pass
		}
	}
	return fail
}

// object checks properties, required and closed against the object at i.
func (n *fnode) object(t *tape, i int32) verdict {
	if n.few != nil || !n.hasProps && !n.closed {
		return n.objectByLookup(t, i)
	}
	out := pass
	obj := &t.toks[i]
	var seen uint64
	for j := i + 1; j < obj.next; {
		key := &t.toks[j]
		val := j + 1
		var sub *fnode
		if slot := n.props.lookup(t.data[key.start:key.end], key.hash); slot != nil {
			if slot.req != 0 {
				seen |= 1 << (slot.req - 1)
			}
			sub = slot.node
		}
		switch {
		case sub != nil && sub.plainLeaf:
			// evalLeaf's answer without the call where it is plain: the
			// type admits the value, and a string is no longer in raw
			// bytes than its bound (so no longer in characters).
			vt := &t.toks[val]
			if sub.types != 0 && !sub.types.has(vt) {
				return fail
			}
			long := false
			if vt.kind == tokString && sub.maxLength >= 0 {
				long = int(vt.end-vt.start) > sub.maxLength
				if t.recording {
					t.record(check{op: checkLong, res: b2u(long), tok: val, arg: int32(sub.maxLength)})
				}
			}
			if sub.integer && vt.odd || long {
				switch sub.evalLeaf(t, val, vt) {
				case fail:
					return fail
				case unknown:
					out = unknown
				}
			}
		case sub != nil:
			switch sub.eval(t, val) {
			case fail:
				return fail
			case unknown:
				out = unknown
			}
		case n.closed:
			// Not evaluated by this schema's own properties: the full path
			// decides (an undocumented field, or one another keyword covers).
			out = unknown
		}
		j = t.toks[val].next
	}
	if seen != n.reqMask {
		return fail
	}
	for _, r := range n.required[min(len(n.required), 64):] {
		if t.memberHash(i, r.name, r.hash) < 0 {
			return fail
		}
	}
	return out
}

// objectByLookup evaluates a subschema that names few properties: it looks
// up each, instead of visiting every member.
func (n *fnode) objectByLookup(t *tape, i int32) verdict {
	for _, r := range n.absent {
		if t.memberHash(i, r.name, r.hash) < 0 {
			return fail
		}
	}
	out := pass
	for _, p := range n.few {
		j := t.memberHash(i, p.name, p.hash)
		if j < 0 {
			if p.required {
				return fail
			}
			continue
		}
		switch p.node.eval(t, j) {
		case fail:
			return fail
		case unknown:
			out = unknown
		}
	}
	return out
}

// memberHash returns the token index of the value of the member name
// (whose hashName is h) in the object at i, or -1. A large object is
// looked up in a table of its members (memberTable), built the first time
// it is looked up: a resource's object is looked up once for each of the
// if/then rules and expandable fields its schema has.
func (t *tape) memberHash(i int32, name string, h uint32) int32 {
	obj := &t.toks[i]
	if obj.hash&memberBit(h) == 0 {
		return -1
	}
	if obj.count >= tableMembers {
		if tab := t.memberTable(i); tab != nil {
			for s := tableSlot(h, uint32(len(tab)-1)); ; s = (s + 1) & uint32(len(tab)-1) {
				j := tab[s] - 1
				if j < 0 {
					return -1
				}
				if k := &t.toks[j]; k.hash == h && string(t.data[k.start:k.end]) == name {
					return j + 1
				}
			}
		}
	}
	for j := i + 1; j < obj.next; j = t.toks[j+1].next {
		if k := &t.toks[j]; k.hash == h && string(t.data[k.start:k.end]) == name {
			return j + 1
		}
	}
	return -1
}

// tableMembers is the size from which an object's members are looked up
// in a table rather than visited in turn.
const tableMembers = 12

// memberTable is the open-addressing table of the members of the object at
// i (each slot a member name's token index plus one, 0 empty, probed from
// the name's hash), from the tape's few most recent tables, or built; nil
// when the tape holds too many already.
func (t *tape) memberTable(i int32) []int32 {
	for _, c := range &t.tables {
		if c.obj == i && c.tab != nil {
			return c.tab
		}
	}
	obj := &t.toks[i]
	size := int32(32)
	for size < 2*obj.count {
		size *= 2
	}
	if len(t.slots)+int(size) > maxTableSlots {
		return nil
	}
	start := len(t.slots)
	t.slots = slices.Grow(t.slots, int(size))[:start+int(size)]
	tab := t.slots[start:]
	clear(tab)
	mask := uint32(size - 1)
	for j := i + 1; j < obj.next; j = t.toks[j+1].next {
		s := tableSlot(t.toks[j].hash, mask)
		for tab[s] != 0 {
			s = (s + 1) & mask
		}
		tab[s] = j + 1
	}
	t.tables[t.nextTable] = memberTableOf{obj: i, tab: tab}
	t.nextTable = (t.nextTable + 1) % len(t.tables)
	return tab
}

// tableSlot is the first slot that a name of hash h probes in a member
// or property table of mask+1 slots (at most 1<<16): the high bits of h
// multiplied again. hashName's low bits depend only on the low bits of
// the bytes it mixes, so taken as they are, an object's names crowded a
// few slots.
func tableSlot(h, mask uint32) uint32 { return (h * 0x9E3779B1 >> 16) & mask }

// maxTableSlots bounds the slots of one document's member tables.
const maxTableSlots = 1 << 16

// memberTableOf is a member table of the object at token obj.
type memberTableOf struct {
	obj int32
	tab []int32
}

// member returns the token index of the value of member name in the object
// at i, or -1.
func (t *tape) member(i int32, name string) int32 {
	if t.toks[i].kind != tokObject {
		return -1
	}
	return t.memberHash(i, name, hashName(name))
}

// at follows a path of member names and array indexes from the root.
func (t *tape) at(p path) int32 {
	i := int32(0)
	for k := 0; k < p.n; k++ {
		seg := p.segs[k]
		if i < 0 || int(i) >= len(t.toks) {
			return -1
		}
		switch t.toks[i].kind {
		case tokObject:
			i = t.member(i, seg)
		case tokArray:
			idx, err := strconv.Atoi(seg)
			if err != nil {
				return -1
			}
			j := i + 1
			for ; idx > 0 && j < t.toks[i].next; idx-- {
				j = t.toks[j].next
			}
			if idx > 0 || j >= t.toks[i].next {
				return -1
			}
			i = j
		default:
			return -1
		}
	}
	return i
}

// str returns the string at token i, if it is one without escapes.
func (t *tape) str(i int32) (string, bool) {
	if i < 0 || t.toks[i].kind != tokString || t.toks[i].escaped {
		return "", false
	}
	return string(t.data[t.toks[i].start:t.toks[i].end]), true
}

// fastPath holds the compiled schemas and scratch tapes.
type fastPath struct {
	c        *contract
	maxDepth int
	// noDispatch: every allOf is evaluated member by member (dispatch.go),
	// the reference a test compares dispatch with.
	noDispatch bool
	// shapes: documents are evaluated by a trace of their shape there
	// when one answers for them (shape.go); nil, each in full.
	shapes *shapes
	tapes  sync.Pool
	roots  sync.Map   // Kind -> *fnode
	mu     sync.Mutex // guards entries and files
	// entries are the compiled entries of the files compiled so far (the
	// URLs that other files and kinds refer to: contract.entries), nil
	// for one that did not compile.
	entries map[string]*fnode
	// files are the locks of the files' compiles: workers that meet
	// different files first compile them at the same time, and two that
	// need the same file wait for one compile.
	files  map[string]*sync.Mutex
	enumMu sync.Mutex // guards enums
	// enums holds each distinct enum once, however many nodes name it
	// (every currency field lists the same codes).
	enums map[string]*sharedEnum
}

// sharedEnum is an enum's values as the fast path compares them.
type sharedEnum struct {
	values []literal
	set    map[string]struct{} // the string values, when over longEnum
}

// sharedEnum returns the one copy of the enum values that fp keeps.
func (fp *fastPath) sharedEnum(values []literal) *sharedEnum {
	fp.enumMu.Lock()
	defer fp.enumMu.Unlock()
	var key strings.Builder
	for _, l := range values {
		l.writeKey(&key)
	}
	if e, ok := fp.enums[key.String()]; ok {
		return e
	}
	e := &sharedEnum{values: values}
	if len(values) > longEnum {
		e.set = make(map[string]struct{}, len(values))
		for _, l := range values {
			if l.kind == tokString {
				e.set[l.str] = struct{}{}
			}
		}
	}
	fp.enums[key.String()] = e
	return e
}

// newFastPath makes the fast path of the contract c; each kind's schema is
// compiled for it the first time a document of that kind comes.
func newFastPath(c *contract, maxDepth int) *fastPath {
	fp := &fastPath{c: c, maxDepth: maxDepth, shapes: newShapes(), entries: map[string]*fnode{},
		files: map[string]*sync.Mutex{}, enums: map[string]*sharedEnum{}}
	fp.tapes.New = func() any { return &tape{toks: make([]tok, 0, 256)} }
	return fp
}

// root is the fast node of kind's schema; nil when it does not compile.
func (fp *fastPath) root(kind Kind) *fnode {
	if r, ok := fp.roots.Load(kind); ok {
		return r.(*fnode)
	}
	file := fp.c.index.fileOf[kind]
	if file == "" {
		return nil
	}
	r := fp.entry(fp.c.base + file)
	if r != nil {
		fp.roots.Store(kind, r)
	}
	return r
}

// entry is the fast node of the schema at url (a file's, or a fragment of
// one), compiling the file's entries with it, once; nil when it does not
// compile.
func (fp *fastPath) entry(url string) *fnode {
	file, frag, _ := strings.Cut(strings.TrimPrefix(url, fp.c.base), "#")
	fp.mu.Lock()
	n, done := fp.entries[url]
	lock := fp.files[file]
	if lock == nil {
		lock = &sync.Mutex{}
		fp.files[file] = lock
	}
	fp.mu.Unlock()
	if done {
		return n
	}
	lock.Lock()
	defer lock.Unlock()
	fp.mu.Lock()
	n, done = fp.entries[url]
	fp.mu.Unlock()
	if done {
		return n
	}
	// A file from outside the embedded contracts is checked as
	// jsonschema/v5 checks what it compiles (against the meta-schema)
	// before the fast path trusts it.
	doc, err := fp.c.compilerDoc(file) // and read: entries needs its notes
	if err == nil && !fp.c.trusted {
		_, err = fp.c.compile(fp.c.base + file)
	}
	// The file's entries are written by the holder of its lock alone.
	pending := []string{url}
	fp.mu.Lock()
	for _, e := range fp.c.entries(file) {
		if _, ok := fp.entries[e]; !ok && e != url {
			pending = append(pending, e)
		}
	}
	fp.mu.Unlock()
	compiled := map[string]*fnode{}
	if err != nil {
		for _, e := range pending {
			compiled[e] = nil
		}
	} else {
		// The file's entries are compiled together, once (a reference to
		// the partial form reaches the root's properties); a URL of
		// another part of the file, which the generated files do not
		// refer to, is compiled apart.
		fc := fileCompile{fp: fp, url: fp.c.base + file, doc: doc, memo: map[string]*fnode{}}
		for _, e := range pending {
			_, f, _ := strings.Cut(e, "#")
			if e == url {
				f = frag
			}
			compiled[e] = fc.at(f)
		}
	}
	fp.mu.Lock()
	defer fp.mu.Unlock()
	maps.Copy(fp.entries, compiled)
	return fp.entries[url]
}

// scan reads doc into a tape of this fast path's names; false when it does
// not scan (the whole-document path then reads it). The caller releases
// the tape.
func (fp *fastPath) scan(doc []byte) (*tape, bool) {
	t := fp.tapes.Get().(*tape)
	if !t.scan(doc, fp.maxDepth) || len(t.toks) == 0 || t.toks[0].kind != tokObject {
		fp.tapes.Put(t)
		return nil, false
	}
	return t, true
}

// release returns a tape scan gave.
func (fp *fastPath) release(t *tape) { fp.tapes.Put(t) }

// validate answers for the document scanned into t: clean documents at
// once, others with the guided full path (guided.go). ok is false when the
// document must take the whole-document path (it is of no kind the
// contract covers).
func (fp *fastPath) validate(v *Validator, t *tape) (res Result, ok bool) {
	kind, root := fp.kindRoot(t, tapeFacts(t))
	if root == nil {
		return Result{}, false
	}
	var got verdict
	if fp.shapes != nil {
		got = t.evaluate(root, fp.shapes)
	} else {
		got = root.eval(t, 0)
	}
	if got == pass && goClean(kind, t) && !t.inexact {
		return Result{Kind: kind}, true
	}
	if t.odd { // the guide does not report the integers written in other forms (contract.goChecks)
		return Result{}, false
	}
	e := &explainer{c: fp.c, doc: t, strict: v.strict, scratch: t.msg}
	(&guide{t: t, e: e}).explainByShape(root)
	t.msg = e.scratch
	t.inexact = false
	findings := goFindings(kind, tapeView{t})
	if t.inexact { // an escaped string: read the document decoded
		findings = goFindings(kind, treeView{t.value(0)})
	}
	for _, f := range findings {
		e.out = append(e.out, fp.c.violation(f.rule, f.pointer, f.found))
	}
	return Result{Kind: kind, Violations: sortViolations(e.out)}, true
}

// kindMemo is a kind the fast path fp found from facts, and its root.
type kindMemo struct {
	fp    *fastPath
	facts kindFacts
	kind  Kind
	root  *fnode
}

// kindRoot is the kind of a document of facts f scanned into t, and its
// root; nil when the fast path has none (KindUnknown, or a file that does
// not compile). The last answer is remembered on the tape: the next
// document of the same facts is of the same kind, without the lookups.
func (fp *fastPath) kindRoot(t *tape, f kindFacts) (Kind, *fnode) {
	if m := &t.lastKind; m.fp == fp && m.facts == f {
		return m.kind, m.root
	}
	kind := kindOf(f, fp.c)
	if kind == KindUnknown {
		return kind, nil
	}
	root := fp.root(kind)
	if root != nil {
		t.lastKind = kindMemo{fp: fp, facts: f, kind: kind, root: root}
	}
	return kind, root
}

// objectMember returns the token index of the value of the document's
// "object" member, or -1, looked up once a scan.
func (t *tape) objectMember() int32 {
	if t.object == -2 {
		t.object = t.topMember(topObject)
	}
	return t.object
}

// The members every document is asked for: its kind and version.
var (
	topObject     = topName("object")
	topAPIVersion = topName("api_version")
	topDeleted    = topName("deleted")
	topError      = topName("error")
)

func topName(name string) propEntry { return propEntry{name: name, hash: hashName(name)} }

// topMember returns the token index of the value of the member p of the
// document, or -1 (also when the document is no object).
func (t *tape) topMember(p propEntry) int32 {
	if len(t.toks) == 0 || t.toks[0].kind != tokObject {
		return -1
	}
	return t.memberHash(0, p.name, p.hash)
}

// tapeAPIVersion is the API version an event scanned into t names
// (api_version), or ""; false when the fast path cannot read it exactly
// (an escaped string), and the whole-document path must.
func tapeAPIVersion(t *tape) (string, bool) {
	o := t.objectMember()
	if s, ok := t.str(o); !ok || s != "event" {
		return "", o < 0 || t.toks[o].kind != tokString || !t.toks[o].escaped
	}
	i := t.topMember(topAPIVersion)
	if i < 0 || t.toks[i].kind != tokString {
		return "", true
	}
	return t.str(i)
}

// tapeFacts reads the facts kind detection needs from a tape.
func tapeFacts(t *tape) kindFacts {
	f := kindFacts{isObject: true}
	if o := t.objectMember(); o >= 0 {
		f.hasObject = true
		f.object, f.objectIsString = t.known(o, "invoice_payment", "list", "invoice", "event", "customer", "charge", "payment_intent", "subscription")
		if t.toks[o].kind == tokString && t.toks[o].escaped {
			f.objectEscaped = true
		}
	}
	if d := t.topMember(topDeleted); d >= 0 {
		f.deleted = t.toks[d].kind == tokTrue
	}
	f.hasError = t.topMember(topError) >= 0
	return f
}

// known returns the string at token i, without allocating when it is one
// of the given values.
func (t *tape) known(i int32, values ...string) (string, bool) {
	if t.toks[i].kind != tokString || t.toks[i].escaped {
		return "", false
	}
	raw := t.data[t.toks[i].start:t.toks[i].end]
	for _, v := range values {
		if v == string(raw) {
			return v, true
		}
	}
	return string(raw), true
}

// goClean reports whether the Go checks find nothing in the document of
// kind k scanned into t (goFindings is empty). It decides the common
// cases on the tape without building paths: a kind the checks do not
// read; an invoice payment whose amount_paid is not a number or, like its
// amount_requested, an integer of digits no greater than it (itself, an
// event's data.object, or each of a list's or search result's items that
// is one: eachPayment's); an invoice with no payments listed.
func goClean(k Kind, t *tape) bool {
	switch k {
	case KindInvoicePayment:
		if t.paidWithinRequested(0) {
			return true
		}
	case KindEvent:
		if t.paymentClean(t.child(t.topMember(memberData), memberObject)) {
			return true
		}
	case KindList, KindSearchResult:
		d := t.topMember(memberData)
		if d < 0 || t.toks[d].kind != tokArray {
			return true // no items: goFindings finds none
		}
		clean := true
		for j := d + 1; j < t.toks[d].next && clean; j = t.toks[j].next {
			clean = t.paymentClean(j)
		}
		if clean {
			return true
		}
	case KindInvoice:
		if d := t.child(t.topMember(memberPayments), memberData); d < 0 || t.toks[d].kind != tokArray || t.toks[d].count == 0 {
			return true
		}
	default:
		return true
	}
	return len(goFindings(k, tapeView{t})) == 0
}

// The members goClean reads of events, lists and invoices.
var (
	memberData     = topName("data")
	memberObject   = topName("object")
	memberPayments = topName("payments")
)

// child is the token of member p of the object at token i, or -1 (also
// when i is -1 or no object).
func (t *tape) child(i int32, p propEntry) int32 {
	if i < 0 || t.toks[i].kind != tokObject {
		return -1
	}
	return t.memberHash(i, p.name, p.hash)
}

// paymentClean reports whether the value at token i (-1: none) certainly
// gives goFindings nothing as eachPayment visits it: it is no invoice
// payment (its object member is not the string "invoice_payment"), or one
// that keeps ruleAtMostRequested (paidWithinRequested). False leaves the
// question to goFindings, as does an escaped object member.
func (t *tape) paymentClean(i int32) bool {
	o := t.child(i, memberObject)
	if o < 0 || t.toks[o].kind != tokString {
		return true
	}
	if t.toks[o].escaped {
		return false
	}
	if string(t.data[t.toks[o].start:t.toks[o].end]) != "invoice_payment" {
		return true
	}
	return t.paidWithinRequested(i)
}

// The members goClean reads of an invoice payment.
var (
	memberAmountPaid      = topName("amount_paid")
	memberAmountRequested = topName("amount_requested")
)

// paidWithinRequested reports whether the invoice payment object at token
// i certainly keeps ruleAtMostRequested as goFindings reads it: its
// amount_paid is absent or not a number (null until paid), or both
// amounts are integers of digits and amount_paid is the smaller. False
// leaves the question to goFindings.
func (t *tape) paidWithinRequested(i int32) bool {
	paid := t.memberHash(i, memberAmountPaid.name, memberAmountPaid.hash)
	if paid < 0 || t.toks[paid].kind != tokNumber {
		return true
	}
	req := t.memberHash(i, memberAmountRequested.name, memberAmountRequested.hash)
	if req < 0 || t.toks[paid].odd || t.toks[req].kind != tokNumber || t.toks[req].odd {
		return false
	}
	x, ok := digits(t.data[t.toks[paid].start:t.toks[paid].end])
	y, ok2 := digits(t.data[t.toks[req].start:t.toks[req].end])
	return ok && ok2 && x <= y
}

// tapeView gives the Go checks their inputs from a tape.
type tapeView struct{ t *tape }

func (v tapeView) number(p path) (json.Number, bool) {
	i := v.t.at(p)
	if i < 0 || v.t.toks[i].kind != tokNumber {
		return "", false
	}
	return json.Number(v.t.data[v.t.toks[i].start:v.t.toks[i].end]), true
}

func (v tapeView) int64(p path) (int64, bool) {
	i := v.t.at(p)
	if i < 0 || v.t.toks[i].kind != tokNumber || v.t.toks[i].odd {
		return 0, false
	}
	return digits(v.t.data[v.t.toks[i].start:v.t.toks[i].end])
}

// digits is the value of an integer the scanner took (scanInt: an optional
// minus and at most 18 digits, which fit in 64 bits).
func digits(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var x int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		x = x*10 + int64(c-'0')
	}
	if neg {
		x = -x
	}
	return x, true
}

func (v tapeView) str(p path) (string, bool) {
	i := v.t.at(p)
	if i >= 0 && v.t.toks[i].kind == tokString && v.t.toks[i].escaped {
		v.t.inexact = true
	}
	return v.t.str(i)
}

func (v tapeView) has(p path) bool { return v.t.at(p) >= 0 }

func (v tapeView) length(p path) int {
	i := v.t.at(p)
	if i < 0 || v.t.toks[i].kind != tokArray {
		return 0
	}
	return int(v.t.toks[i].count)
}

func (v tapeView) isObject(p path) bool {
	i := v.t.at(p)
	return i >= 0 && v.t.toks[i].kind == tokObject
}
