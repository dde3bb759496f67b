package validators

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// The fast path must actually accept the clean documents: if it declined
// them, results would stay right and the speed would silently go. Both
// benchmark data sets: invoice_payments, and the mixed data (resources,
// expanded objects, lists, search results, events of many types).
func TestFastPathAcceptsCleanLines(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := bench.NewMixed(9)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		line  func() ([]byte, bool)
		lines int
	}{
		{"invoice_payment", bench.New(9).Line, 10000},
		{"mixed", mixed.Line, 4000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clean, accepted := 0, 0
			declined := map[Kind]int{}
			for range tc.lines {
				line, valid := tc.line()
				if !valid {
					continue
				}
				clean++
				tp := &tape{}
				if !tp.scan(line, v.maxDepth) {
					t.Fatalf("the scanner declined a clean line: %s", line)
				}
				kind := kindOf(tapeFacts(tp), v.base())
				if v.versions[v.dflt].fast.root(kind).eval(tp, 0) == pass && len(goFindings(kind, tapeView{tp})) == 0 && !tp.inexact {
					accepted++
				} else {
					declined[kind]++
				}
			}
			t.Logf("the fast path accepted %d of %d clean lines; declined by kind: %v", accepted, clean, declined)
			if accepted < clean*99/100 {
				t.Fatalf("the fast path accepted %d of %d clean lines", accepted, clean)
			}
		})
	}
}

// Every node of the compiled schemas is one the fast path implements: an
// unsupported keyword would send every document through the full path.
func TestFastPathSupportsTheSchemas(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*fnode]bool{}
	var walk func(n *fnode, where string)
	walk = func(n *fnode, where string) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.unsupported {
			t.Errorf("unsupported keyword at %s", n.loc)
		}
		for _, p := range n.props.slots {
			walk(p.node, where)
		}
		if n.lazyURL != "" {
			walk(n.lazyTarget(), where)
		}
		for _, l := range [][]*fnode{n.allOf, n.anyOf, {n.items, n.not, n.ifn, n.then, n.els, n.ref}} {
			for _, c := range l {
				walk(c, where)
			}
		}
	}
	for _, kind := range []Kind{KindInvoicePayment, KindInvoice, KindList, KindEvent, KindError, "customer", "charge", "payment_intent", "subscription"} {
		walk(v.versions[v.dflt].fast.root(kind), string(kind))
	}
	if len(seen) < 100 {
		t.Errorf("walked only %d nodes", len(seen))
	}
}

func TestScannerMatchesTheDecoderOnSyntax(t *testing.T) {
	for doc, ok := range map[string]bool{
		`{}`: true, `{"a":[]}`: true, `{"a":[1,2,{"b":null}],"c":true,"d":false,"e":-0}`: true, ` {"a" : "b" } `: true,
		`{"a":1,}`: false, `{"a":1 "b":2}`: false, `{"a":01}`: false, `{"a":-}`: false,
		// Numbers with a fraction or an exponent, within the decoder's bounds (numberOutOfRange).
		`{"a":1.5}`: true, `{"a":1e2}`: true, `{"a":-0.0e-0}`: true, `{"a":1.5E+2}`: true, `{"a":[2000.0,1.5e308]}`: true,
		`{"a":1.}`: false, `{"a":.5}`: false, `{"a":1e}`: false, `{"a":1e+}`: false, `{"a":01.5}`: false, `{"a":1.5.2}`: false,
		`{"a":1e309}`: false, `{"a":0.0e1001}`: false, `{"a":1.` + strings.Repeat("0", maxOddNumber) + `}`: false,
		`{"a":"\u00e9"}`: true, `{"a":"\ud800"}`: false, "{\"a\":\"\xff\"}": false, "{\"a\":\"\x01\"}": false, `{"a":"\x"}`: false,
		`{"a":1,"a":2}`: false, `{"a\u0062":1}`: false, `{"a":tru}`: false, `{"a":1}{}`: false, `[1,2]`: true, `[]`: true,
		`{"a":[1,2,]}`: false, `{"a":nul}`: false, `{"a":12345678901234567890}`: false, `{`: false, ``: false,
	} {
		var tp tape
		if got := tp.scan([]byte(doc), 64); got != ok {
			t.Errorf("scan(%q) = %v, want %v", doc, got, ok)
		}
		if ok {
			if _, derr := decode([]byte(doc), 64); derr != nil {
				t.Errorf("the scanner accepts %q but the decoder does not: %v", doc, derr.message)
			}
		}
	}
}

// BenchmarkScan compares the fast path's scanner, and its scanner and
// evaluator, with encoding/json.Valid, the floor of any validator's work,
// on the same lines: invoice_payment lines and the clean lines of the
// mixed data (bench.NewMixed), each with its kind's root.
func BenchmarkScan(b *testing.B) {
	v, err := New()
	if err != nil {
		b.Fatal(err)
	}
	fp := v.versions[v.dflt].fast
	m, err := bench.NewMixed(3)
	if err != nil {
		b.Fatal(err)
	}
	var mixed [][]byte
	for len(mixed) < 5000 {
		if l, ok := m.Line(); ok {
			mixed = append(mixed, l)
		}
	}
	for _, set := range []struct {
		name  string
		lines [][]byte
	}{{"invoice_payment", bench.Lines(10000, 3)}, {"mixed", mixed}} {
		type line struct {
			doc  []byte
			root *fnode
		}
		var lines []line
		for _, l := range set.lines {
			tp := &tape{}
			if tp.scan(l, 64) {
				if root := fp.root(kindOf(tapeFacts(tp), fp.c)); root != nil {
					lines = append(lines, line{l, root})
				}
			}
		}
		b.Run(set.name+"/tape", func(b *testing.B) {
			tp := &tape{}
			for i := range b.N {
				tp.scan(lines[i%len(lines)].doc, 64)
			}
		})
		b.Run(set.name+"/eval", func(b *testing.B) {
			tp := &tape{}
			for i := range b.N {
				l := lines[i%len(lines)]
				tp.scan(l.doc, 64)
				l.root.eval(tp, 0)
			}
		})
		b.Run(set.name+"/byShape", func(b *testing.B) {
			tp, c := &tape{}, newShapes()
			for i := range b.N {
				l := lines[i%len(lines)]
				tp.scan(l.doc, 64)
				tp.evaluate(l.root, c)
			}
		})
		b.Run(set.name+"/json.Valid", func(b *testing.B) {
			for i := range b.N {
				json.Valid(lines[i%len(lines)].doc)
			}
		})
	}
}

// The currency rule (an enum of the ISO 4217 codes) is decided on the fast
// path: a listed code passes and anything else fails there, without falling
// back to the full path.
func TestFastPathDecidesCurrencyCodes(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	g := bench.New(3)
	var clean []byte
	for clean == nil {
		line, valid := g.Line()
		if valid && bytes.Contains(line, []byte(`"currency":"usd"`)) && bytes.Contains(line, []byte(`"object":"invoice_payment"`)) {
			clean = line
		}
	}
	for code, want := range map[string]verdict{"usd": pass, "eur": pass, "jpy": pass, "abc": fail, "USD": fail, "us": fail} {
		line := bytes.Replace(clean, []byte(`"currency":"usd"`), []byte(`"currency":"`+code+`"`), 1)
		tp := &tape{}
		if !tp.scan(line, v.maxDepth) {
			t.Fatalf("the scanner declined %s", line)
		}
		if got := v.versions[v.dflt].fast.root(kindOf(tapeFacts(tp), v.base())).eval(tp, 0); got != want {
			t.Errorf("currency %q: fast path verdict %d, want %d", code, got, want)
		}
	}
}

// A large object's members are found through its member table as by
// visiting them: every member, no absent name, in objects looked up in
// turn (more than the tape keeps tables of), and with the tape's table
// slots used up (then by visiting).
func TestMemberTablesFindWhatVisitingFinds(t *testing.T) {
	var doc strings.Builder
	doc.WriteString(`[`)
	const objects, members = 6, 40
	for o := range objects {
		if o > 0 {
			doc.WriteString(",")
		}
		doc.WriteString("{")
		for m := range members {
			if m > 0 {
				doc.WriteString(",")
			}
			fmt.Fprintf(&doc, `"f%d_%d":%d`, m, o, m)
		}
		doc.WriteString("}")
	}
	doc.WriteString(`]`)
	for _, slots := range []int{0, maxTableSlots} {
		var tp tape
		if !tp.scan([]byte(doc.String()), 64) {
			t.Fatal("the document does not scan")
		}
		tp.slots = make([]int32, slots) // slots in use: no table fits
		var objs []int32
		for j := int32(1); j < tp.toks[0].next; j = tp.toks[j].next {
			objs = append(objs, j)
		}
		for round := range 2 {
			for o, i := range objs {
				for m := range members + 5 {
					name := fmt.Sprintf("f%d_%d", m, o)
					if round == 1 {
						name = fmt.Sprintf("f%d_%d", m, (o+1)%objects) // another object's names
					}
					got, want := tp.memberHash(i, name, hashName(name)), visitMembers(&tp, i, name)
					if got != want {
						t.Fatalf("slots %d, object %d, %s: memberHash %d, visiting %d", slots, o, name, got, want)
					}
				}
			}
		}
		if built := slices.ContainsFunc(tp.tables[:], func(c memberTableOf) bool { return c.tab != nil }); built != (slots == 0) {
			t.Errorf("slots %d: tables built: %v", slots, built)
		}
	}
}

// visitMembers finds member name of the object at token i by visiting
// each member in turn: the reference memberHash is compared with.
func visitMembers(tp *tape, i int32, name string) int32 {
	for j := i + 1; j < tp.toks[i].next; j = tp.toks[j+1].next {
		if k := tp.toks[j]; string(tp.data[k.start:k.end]) == name {
			return j + 1
		}
	}
	return -1
}

// The scanner refuses an object with a member name twice, and only such
// an object, whatever its size: small ones whose names' filter bits differ
// are passed without comparing names, others through close's set, or by
// the hashes of an object of the same names that the set passed on the
// same tape before (tape.distinct). Each document is scanned on a new
// tape and on one that scanned all those before it, and again there,
// where its object's hashes are then remembered; so is the document with
// one of its names written over with another.
func TestScannerFindsDuplicateNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var shared tape
	remembered := 0
	for range 3000 {
		k := 1 + rng.IntN(40)
		pool := 1 + rng.IntN(3*k)
		seen, dup := map[string]bool{}, false
		var doc strings.Builder
		doc.WriteString(`{"o":{`)
		for m := range k {
			name := fmt.Sprintf("n%d", rng.IntN(pool))
			dup = dup || seen[name]
			seen[name] = true
			if m > 0 {
				doc.WriteString(",")
			}
			fmt.Fprintf(&doc, "%q:%d", name, m)
		}
		doc.WriteString(`}}`)
		var tp tape
		if got := tp.scan([]byte(doc.String()), 64); got == dup {
			t.Fatalf("scan(%s) = %v, but a name is twice: %v", doc.String(), got, dup)
		}
		for range 2 {
			if got := shared.scan([]byte(doc.String()), 64); got == dup {
				t.Fatalf("scan(%s) on a used tape = %v, but a name is twice: %v", doc.String(), got, dup)
			}
		}
		if o := shared.toks[2]; !dup && int(o.count) != bits.OnesCount32(o.hash) && shared.distinctBefore(2) {
			remembered++
		}
		if !dup && k > 1 {
			// The same names, the last written over with the first: a
			// duplicate among hashes the tape may remember.
			names := strings.SplitAfter(doc.String()[len(`{"o":{`):], ",")
			first := names[0][:strings.IndexByte(names[0], ':')]
			last := names[len(names)-1]
			names[len(names)-1] = first + last[strings.IndexByte(last, ':'):]
			twice := `{"o":{` + strings.Join(names, "")
			if shared.scan([]byte(twice), 64) {
				t.Fatalf("scan(%s) on a used tape passed a name twice", twice)
			}
		}
	}
	if remembered < 40 {
		t.Fatalf("%d objects were passed by remembered hashes: the test says little", remembered)
	}
	// Two names of one hash (hashName reads neither's third byte): the
	// tape does not remember their object, so the same hashes with the
	// second name written as the first are still compared, and refused.
	if hashName("ab1de9") != hashName("ab2de9") {
		t.Fatal("the names meant to share a hash do not")
	}
	clashing, twice := `{"o":{"ab1de9":0,"ab2de9":1,"x":2}}`, `{"o":{"ab1de9":0,"ab1de9":1,"x":2}}`
	if !shared.scan([]byte(clashing), 64) || !shared.scan([]byte(clashing), 64) {
		t.Fatalf("scan(%s) failed", clashing)
	}
	if shared.scan([]byte(twice), 64) {
		t.Fatalf("scan(%s) after scan(%s) passed a name twice", twice, clashing)
	}
}

// nonDigits finds the first byte of a word that is not a digit, whatever
// the bytes around it.
func TestNonDigitsFindsTheFirstNonDigit(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for c := range 256 {
		for k := range 8 {
			for r := range 64 {
				var w [8]byte
				for j := range w {
					w[j] = '0' + byte(rng.IntN(10))
					if r > 0 && j > k {
						w[j] = byte(rng.IntN(256))
					}
				}
				w[k] = byte(c)
				first := 8
				for j, b := range w {
					if b < '0' || b > '9' {
						first = j
						break
					}
				}
				got := 8
				if nd := nonDigits(binary.LittleEndian.Uint64(w[:])); nd != 0 {
					got = bits.TrailingZeros64(nd) >> 3
				}
				if got != first {
					t.Fatalf("nonDigits(%q): first non-digit %d, want %d", w[:], got, first)
				}
			}
		}
	}
}
