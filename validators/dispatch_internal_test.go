package validators

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// Dispatch must decide every allOf as evaluating each member does: the
// verdict of the fast path and the guided explanation, on events, lists and
// search results whose dispatching member (an event's type, an item's
// object) is each value it may take, absent, escaped, of another type or
// unknown.
func TestDispatchDecidesAsEveryMember(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	a := v.versions[v.dflt]
	if _, err := a.load(v); err != nil {
		t.Fatal(err)
	}
	fp := a.fast
	ref := newFastPath(a.c, v.maxDepth)
	ref.noDispatch = true

	m, err := bench.NewMixed(11)
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for len(docs) < 3000 {
		line, _ := m.Line()
		docs = append(docs, line)
		if len(docs)%10 == 0 {
			docs = append(docs, dispatchVariants(t, line)...)
		}
	}
	used, verdicts := 0, map[verdict]int{}
	for _, doc := range docs {
		got, gotOK, dispatched := fastOutcome(v, fp, doc)
		want, wantOK, _ := fastOutcome(v, ref, doc)
		if dispatched {
			used++
		}
		verdicts[got.verdict]++
		if got.verdict != want.verdict || gotOK != wantOK || !reflect.DeepEqual(got.res, want.res) {
			t.Fatalf("dispatch and member-by-member evaluation disagree on\n%s\ndispatch: %v %v %+v\nmembers:  %v %v %+v",
				abbreviate(doc), got.verdict, gotOK, got.res, want.verdict, wantOK, want.res)
		}
	}
	// The comparison means something only if dispatch decided documents
	// of every verdict.
	if used < len(docs)/4 || verdicts[pass] == 0 || verdicts[fail] == 0 || verdicts[unknown] == 0 {
		t.Fatalf("dispatch was used on %d of %d documents, verdicts %v: the test no longer exercises it", used, len(docs), verdicts)
	}
	t.Logf("%d documents, %d reached a dispatch; verdicts %v", len(docs), used, verdicts)
}

// outcome is what the fast path makes of a document.
type outcome struct {
	verdict verdict
	res     Result
}

// fastOutcome scans doc and evaluates it on fp, and explains it there as
// validate would; dispatched reports whether a dispatch of fp was reached.
func fastOutcome(v *Validator, fp *fastPath, doc []byte) (o outcome, ok, dispatched bool) {
	tp, scanned := fp.scan(doc)
	if !scanned {
		return outcome{verdict: unknown}, false, false
	}
	defer fp.release(tp)
	root := fp.root(kindOf(tapeFacts(tp), fp.c))
	if root == nil {
		return outcome{verdict: unknown}, false, false
	}
	o.verdict = root.eval(tp, 0)
	dispatched = reachesDispatch(root, tp, 0, map[*fnode]bool{})
	o.res, ok = fp.validate(v, tp)
	return o, ok, dispatched
}

// reachesDispatch reports whether evaluating n on token i meets a dispatch
// that can tell its members apart, looking through allOf, if/then and
// properties as far as the document goes.
func reachesDispatch(n *fnode, tp *tape, i int32, seen map[*fnode]bool) bool {
	if n == nil || seen[n] {
		return false
	}
	seen[n] = true
	tk := &tp.toks[i]
	if tk.kind != tokObject {
		return false
	}
	if n.dispatch != nil {
		if _, ok := n.dispatch.selected(tp, i); ok {
			return true
		}
	}
	for _, sub := range append(append([]*fnode{n.ref, n.ifn, n.then, n.els}, n.allOf...), n.anyOf...) {
		if reachesDispatch(sub, tp, i, seen) {
			return true
		}
	}
	if n.lazyURL != "" && reachesDispatch(n.lazyTarget(), tp, i, seen) {
		return true
	}
	for j := i + 1; j < tk.next; j = tp.toks[j+1].next {
		key := &tp.toks[j]
		if slot := n.props.lookup(tp.data[key.start:key.end], key.hash); slot != nil {
			if reachesDispatch(slot.node, tp, j+1, seen) {
				return true
			}
			if sub := slot.node; sub != nil && sub.items != nil && tp.toks[j+1].kind == tokArray {
				for e := j + 2; e < tp.toks[j+1].next; e = tp.toks[e].next {
					if reachesDispatch(sub.items, tp, e, map[*fnode]bool{}) {
						return true
					}
				}
			}
		}
	}
	return false
}

// dispatchVariants rewrites the members a dispatch reads (an event's
// type, each list or search result item's object, an invoice payment's
// status) as other values.
func dispatchVariants(t *testing.T, line []byte) [][]byte {
	var doc map[string]any
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatal(err)
	}
	var targets []map[string]any
	key := "type"
	switch doc["object"] {
	case "event":
		targets = []map[string]any{doc}
	case "invoice_payment": // three rules with an else on its status
		key = "status"
		targets = []map[string]any{doc}
	case "list", "search_result":
		key = "object"
		items, _ := doc["data"].([]any)
		for _, it := range items {
			if o, ok := it.(map[string]any); ok {
				targets = append(targets, o)
			}
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var out [][]byte
	for _, value := range []any{nil, "absent", 7, true, false, "no.such_type", "customer", "invoice.paid", "charge", "payment_intent.succeeded", "paid", "open", "canceled", "ESCAPE"} {
		saved := make([]any, len(targets))
		for k, o := range targets {
			saved[k] = o[key]
			switch value {
			case "absent":
				delete(o, key)
			case "ESCAPE":
				s, _ := saved[k].(string)
				o[key] = "\x00ESC\x00" + s
			default:
				o[key] = value
			}
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		// An escaped first letter: the same value, which the tape holds escaped.
		b = bytes.ReplaceAll(b, []byte(`"\u0000ESC\u0000`), []byte(`"\u00`))
		if value == "ESCAPE" {
			b = escapeFirstLetters(b)
		}
		out = append(out, b)
		for k, o := range targets {
			o[key] = saved[k]
		}
	}
	return out
}

// escapeFirstLetters turns each `"\u00` the variant left into a \u escape
// of the letter after it: `"\u00customer"` becomes `"\u0063ustomer"`.
func escapeFirstLetters(b []byte) []byte {
	var out []byte
	for {
		i := bytes.Index(b, []byte(`"\u00`))
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i+5]...)
		c := b[i+5]
		out = append(out, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		b = b[i+6:]
	}
}

func abbreviate(doc []byte) string {
	if len(doc) > 1500 {
		return string(doc[:1500]) + "…"
	}
	return string(doc)
}

// The literals a dispatch compares are strings, booleans and null; a
// document's member may be any of them, none, another type or escaped.
// An allOf's members that test another member are evaluated as ever, and
// the guide explains those with an else as ever too, while evaluation
// applies their then or else as the value says; an allOf with fewer than
// two rules on one member is no dispatch.
func TestDispatchOnEveryLiteralKind(t *testing.T) {
	const schema = `{"allOf": [
	  {"if": {"required": ["k"], "properties": {"k": {"enum": ["a", true]}}}, "then": {"required": ["x"]}},
	  {"if": {"required": ["k"], "properties": {"k": {"const": null}}}, "then": {"required": ["y"]}},
	  {"if": {"required": ["k"], "properties": {"k": {"enum": ["b", false, "a"]}}}, "then": {"properties": {"z": {"type": "integer"}}}},
	  {"if": {"required": ["k"], "properties": {"k": {"const": "b"}}}, "else": {"required": ["w"]}},
	  {"if": {"required": ["j"], "properties": {"j": {"const": "a"}}}, "then": {"required": ["x"]}}
	],
	"properties": {
	  "other": {"allOf": [
	    {"if": {"required": ["k"], "properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}},
	    {"if": {"required": ["j"], "properties": {"j": {"const": "a"}}}, "then": {"required": ["x"]}}]},
	  "withElse": {"allOf": [
	    {"if": {"required": ["k"], "properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}, "else": {"required": ["y"]}},
	    {"if": {"required": ["k"], "properties": {"k": {"const": "b"}}}, "then": {"required": ["x"]}}]},
	  "allElse": {"allOf": [
	    {"if": {"required": ["k"], "properties": {"k": {"const": "a"}}}, "then": {"required": ["x"]}, "else": {"properties": {"x": {"type": "null"}}}},
	    {"if": {"required": ["k"], "properties": {"k": {"enum": ["a", "b", null]}}}, "then": {"required": ["y"]}, "else": {"required": ["w"]}},
	    {"if": {"required": ["k"], "properties": {"k": {"const": true}}}, "else": {"properties": {"z": {"type": "integer"}}}}]}}}`
	compile := func(noDispatch bool) *fnode {
		parsed, _, err := parseSchemaFile([]byte(schema))
		if err != nil {
			t.Fatal(err)
		}
		fp := newFastPath(&contract{}, 64)
		fp.noDispatch = noDispatch
		fc := fileCompile{fp: fp, url: "https://example.test/s.json", doc: parsed, memo: map[string]*fnode{}}
		return fc.at("")
	}
	n, ref := compile(false), compile(true)
	if n.dispatch == nil || ref.dispatch != nil || n.dispatch.member.name != "k" || !slices.Equal(n.dispatch.rest, n.allOf[3:5]) {
		t.Fatal("the root's allOf is a dispatch on k, but for its last two members, and only where dispatch is on")
	}
	prop := func(name string) *fnode { return n.props.lookup([]byte(name), hashName(name)).node }
	if prop("other").dispatch != nil {
		t.Error("other's allOf is no dispatch: its two rules test different members")
	}
	for name, guided := range map[string]int{"withElse": 1, "allElse": 3} {
		if d := prop(name).dispatch; d == nil || len(d.rest) != guided || len(d.unmet) == 0 {
			t.Errorf("%s's allOf is a dispatch, the guide's rest its %d rules with an else", name, guided)
		}
	}
	values := []string{``, `"a"`, `"b"`, `"c"`, `true`, `false`, `null`, `1`, `{}`, `[]`, `"\u0061"`, `"\u0062"`}
	rests := []string{``, `,"x":1`, `,"y":1`, `,"x":1,"y":1`, `,"z":1`, `,"z":"s","x":1`, `,"x":1,"y":1,"z":2.5`,
		`,"w":1`, `,"w":1,"x":1`, `,"w":1,"x":1,"y":1`, `,"j":"a"`, `,"j":"a","w":1,"x":1`, `,"j":"a","w":1,"x":1,"y":1`}
	seen := map[verdict]int{}
	for _, k := range values {
		for _, rest := range rests {
			doc := `{"n":0` + rest
			if k != "" {
				doc += `,"k":` + k
			}
			doc += `}`
			// The same object at the root, and as the members whose
			// schemas have rules with an else.
			for _, doc := range []string{doc, `{"withElse":` + doc + `}`, `{"allElse":` + doc + `}`} {
				var tp tape
				if !tp.scan([]byte(doc), 64) {
					t.Fatalf("%s does not scan", doc)
				}
				got, want := n.eval(&tp, 0), ref.eval(&tp, 0)
				if got != want {
					t.Errorf("%s: dispatch says %d, every member %d", doc, got, want)
				}
				seen[got]++
			}
		}
	}
	if seen[pass] == 0 || seen[fail] == 0 || seen[unknown] == 0 {
		t.Errorf("verdicts %v: each should occur", seen)
	}
}
