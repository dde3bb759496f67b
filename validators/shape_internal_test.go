package validators

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// Evaluation by shape must give eval's verdict on every document, however
// its values differ from those of the document whose trace answers: the
// generated invoice_payment and mixed lines, and each with its strings
// rewritten in place (another first byte, too long for any bound, another
// value of a member that is dispatched on), which keeps their shapes and
// changes what the checks answer.
func TestEvaluationByShapeIsEval(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	fp := v.versions[v.dflt].fast
	n := 300
	if RaceDetector { // ten times slower; TestTracesAreSharedByGoroutines is the one for it
		n = 40
	}
	docs := shapeDocs(t, n, 9, 5, -1)
	byShape, full, cache := &tape{}, &tape{}, newShapes()
	var asked, answeredAgain, overruled, declined int
	verdicts := map[verdict]int{}
	for _, doc := range docs {
		if !byShape.scan(doc, 64) || byShape.toks[0].kind != tokObject {
			continue
		}
		_, root := fp.kindRoot(byShape, tapeFacts(byShape))
		if root == nil {
			continue
		}
		full.scan(doc, 64)
		want := root.eval(full, 0)
		known := false
		before := 0
		if byShape.shaped {
			before = byShape.answered
			// Every trace of its shape, whatever set it is in, answers
			// with eval's verdict or not at all.
			for _, e := range cache.of(root, byShape.shapeBuf) {
				known = true
				if !e.replays(byShape, 0) {
					declined++
				} else if e.verdict != want {
					t.Fatalf("a trace answers %v, eval %v, on\n%s", e.verdict, want, abbreviate(doc))
				}
			}
		}
		got := byShape.evaluate(root, cache)
		if got != want {
			t.Fatalf("by shape %v, eval %v, on\n%s", got, want, abbreviate(doc))
		}
		asked++
		verdicts[got]++
		switch answered := byShape.answered > before; {
		case known && answered:
			answeredAgain++
		case known:
			overruled++ // a trace of its shape was there, and did not answer
		}
	}
	t.Logf("%d documents: %d answered by a trace, %d of a known shape evaluated again, %d traces of their shapes declined; verdicts %v",
		asked, answeredAgain, overruled, declined, verdicts)
	if answeredAgain < asked/4 || overruled < asked/20 || declined < asked/4 || verdicts[pass] == 0 || verdicts[fail] == 0 {
		t.Fatalf("the test no longer exercises traces: %d documents, %d answered, %d overruled, verdicts %v", asked, answeredAgain, overruled, verdicts)
	}
}

// of returns c's traces of shape at root.
func (c *shapes) of(root *fnode, shape []byte) []*traced {
	var out []*traced
	for s := range c.sets {
		for w := range c.sets[s].trace {
			if e := c.sets[s].trace[w].Load(); e != nil && e.root == root && bytes.Equal(e.shape, shape) {
				out = append(out, e)
			}
		}
	}
	return out
}

// shapeDocs is n generated invoice_payment lines (bench.Lines, lineSeed)
// and n mixed lines (bench.NewMixed, mixedSeed), each followed by its
// first variants rewrites in place (sameShape; all of them when variants
// is negative).
func shapeDocs(t *testing.T, n int, lineSeed, mixedSeed uint64, variants int) [][]byte {
	m, err := bench.NewMixed(mixedSeed)
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	add := func(l []byte) {
		same := sameShape(t, l)
		if variants >= 0 {
			same = same[:min(variants, len(same))]
		}
		docs = append(append(docs, l), same...)
	}
	for _, l := range bench.Lines(n, lineSeed) {
		add(l)
	}
	for range n {
		l, _ := m.Line()
		add(l)
	}
	return docs
}

// sameShape rewrites the unescaped strings of doc in place, each in turn,
// into values of the same shape: another first byte, a string over any
// length bound, and the values a dispatch meets (every one of them where
// the member is a type, an object or a status, which dispatches read).
func sameShape(t *testing.T, doc []byte) [][]byte {
	var tp tape
	if !tp.scan(doc, 64) {
		t.Fatalf("does not scan: %s", abbreviate(doc))
	}
	others := []string{"paid", "open", "canceled", "invoice", "charge", "customer", "usd", "XYZ", "invoice_payment.paid", "charge.succeeded", ""}
	var out [][]byte
	for k, tk := range tp.toks {
		if tk.kind != tokString || tk.escaped {
			continue
		}
		replace := func(s []byte) {
			out = append(out, bytes.Join([][]byte{doc[:tk.start], s, doc[tk.end:]}, nil))
		}
		if key := tp.toks[k-1]; key.kind == tokKey {
			switch string(doc[key.start:key.end]) {
			case "type", "object", "status":
				for _, o := range others {
					replace([]byte(o))
				}
				continue
			}
		}
		if k%3 != 0 {
			continue
		}
		if tk.end > tk.start {
			s := bytes.Clone(doc[tk.start:tk.end])
			s[0] = 'Z'
			replace(s)
		}
		replace(bytes.Repeat([]byte("y"), 5001))
		replace([]byte(others[k%len(others)]))
	}
	return out
}

// The shape of a value within a document is the shape of that value
// scanned alone, for every container of the generated lines.
func TestShapeOfAValueIsItsOwn(t *testing.T) {
	mixed, err := bench.MixedLines(200, 7)
	if err != nil {
		t.Fatal(err)
	}
	docs := append(bench.Lines(50, 4), mixed...)
	var doc, alone tape
	n := 0
	for _, d := range docs {
		if !doc.scan(d, 64) || !doc.shaped {
			t.Fatalf("no shape for\n%s", abbreviate(d))
		}
		for i := len(doc.toks) - 1; i >= 0; i-- { // the last first: shapeOf works the offsets out on its first call
			tk := doc.toks[i]
			if tk.kind != tokObject && tk.kind != tokArray {
				continue
			}
			if !alone.scan(d[tk.start:tk.end], 64) {
				t.Fatalf("does not scan alone: %s", d[tk.start:tk.end])
			}
			if got := doc.shapeOf(int32(i)); !bytes.Equal(got, alone.shapeBuf) {
				t.Fatalf("the shape of token %d is\n%q, scanned alone\n%q", i, got, alone.shapeBuf)
			}
			n++
		}
	}
	if n < 1000 {
		t.Fatalf("only %d containers compared", n)
	}
}

// Goroutines validating at once share one cache of traces: each gets the
// verdicts and violations of the whole-document path (and, under -race, no
// race publishing and reading traces).
func TestTracesAreSharedByGoroutines(t *testing.T) {
	fast, full := bothPaths(t)
	docs := shapeDocs(t, 100, 21, 13, 10)
	want := make([]Result, len(docs))
	for k, d := range docs {
		want[k] = full.Validate(d)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for k := range docs {
				k = (k*7 + g*len(docs)/4) % len(docs) // each goroutine in its own order
				got := fast.Validate(docs[k])
				if got.Kind != want[k].Kind || !slices.Equal(got.Violations, want[k].Violations) && len(got.Violations)+len(want[k].Violations) > 0 {
					errs <- fmt.Sprintf("goroutine %d disagrees with the full path on\n%s\nfast: %v\nfull: %v", g, abbreviate(docs[k]), got.Violations, want[k].Violations)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// Explanation by shape must make the reports the guide's walk makes: the
// violations of every document, explained by an explanation of its shape
// or walked, are those of the whole-document path, on the generated
// invoice_payment and mixed lines and each with its strings rewritten in
// place (sameShape), whose messages quote other values and whose checks
// answer otherwise.
func TestExplanationByShapeIsTheWalk(t *testing.T) {
	fast, full := bothPaths(t)
	fp := fast.versions[fast.dflt].fast
	n := 100
	if RaceDetector {
		n = 15
	}
	docs := shapeDocs(t, n, 11, 7, -1)
	tp := &tape{}
	var replayed, walked, explained int
	messages := map[string]map[string]bool{} // a rule and pointer's messages, among those replayed
	for _, doc := range docs {
		if !tp.scan(doc, fp.maxDepth) || tp.toks[0].kind != tokObject {
			continue
		}
		before, walks := tp.explainedAgain, tp.explainWalks
		got, ok := fp.validate(fast, tp)
		if !ok {
			continue
		}
		want := full.Validate(doc)
		if len(got.Violations) == 0 && len(want.Violations) == 0 {
			got.Violations, want.Violations = nil, nil
		}
		if got.Kind != want.Kind || !slices.Equal(got.Violations, want.Violations) {
			t.Fatalf("explained by shape and in full differ on\n%s\nby shape: %s %v\nfull: %s %v", abbreviate(doc), got.Kind, got.Violations, want.Kind, want.Violations)
		}
		if len(got.Violations) > 0 {
			explained++
		}
		if tp.explainedAgain > before {
			replayed++
			for _, v := range got.Violations {
				k := v.Rule + " " + v.Pointer
				if messages[k] == nil {
					messages[k] = map[string]bool{}
				}
				messages[k][v.Message] = true
			}
		} else if tp.explainWalks > walks {
			walked++
		}
	}
	quoting := 0 // rule and pointers replayed with more than one message
	for _, ms := range messages {
		if len(ms) > 1 {
			quoting++
		}
	}
	t.Logf("%d documents with violations: %d explained by an explanation of their shape, %d walked; %d rules and pointers replayed with several messages",
		explained, replayed, walked, quoting)
	if replayed < explained/4 || walked < explained/20 || quoting == 0 {
		t.Fatalf("the test no longer exercises explanations: %d explained, %d by shape, %d walked, %d quoting", explained, replayed, walked, quoting)
	}
}

// The cache keeps a trace the second time its hash is offered, not the
// first: a shape met once costs no copy (the door).
func TestTracesAreKeptTheSecondTimeTheirShapeIsMet(t *testing.T) {
	c := newShapes()
	offer := func(h uint64) {
		c.keep(&traced{hash: h, shape: []byte{tokObject}, checks: []check{{op: checkKey, value: "x"}}}, 0)
	}
	kept := func(h uint64) bool {
		for w := range c.sets[h%shapeSets].trace {
			if e := c.sets[h%shapeSets].trace[w].Load(); e != nil && e.hash == h {
				return true
			}
		}
		return false
	}
	const a, b = 0x1234_5678_9abc_def1, 0x0fed_cba9_8765_4321
	offer(a)
	if kept(a) || c.bytes.Load() != 0 {
		t.Fatalf("a trace offered once was kept (%d bytes held)", c.bytes.Load())
	}
	offer(a)
	if !kept(a) || c.bytes.Load() == 0 {
		t.Fatal("a trace offered twice was not kept")
	}
	// Another hash at the same door slot takes it: a, offered again after
	// it, is declined once more.
	other := uint64(a + doorSlots*shapeSets)
	offer(other)
	offer(b)
	if kept(other) || kept(b) {
		t.Fatal("traces offered once were kept")
	}
	if c.door[a%doorSlots].Load() != other {
		t.Fatalf("door slot of %x holds %x, want %x", a, c.door[a%doorSlots].Load(), other)
	}
}
