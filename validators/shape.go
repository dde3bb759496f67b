package validators

import (
	"bytes"
	"hash/maphash"
	"math"
	"slices"
	"sync/atomic"
	"unsafe"
)

// Evaluation by shape. A log's documents of one kind come in a few shapes:
// the same members in the same order, their values of the same kinds. What
// eval reads of a document is its shape (the kinds of its tokens and how
// they nest, the member names, whether a number has a fraction or an
// exponent and whether a string is escaped) except in three places, the
// checks: valueRules (an enum, a const, a length bound or a pattern on a
// value), the length bound of a plain member that object decides in place,
// and the string value of the member an allOf dispatches on. Evaluation is
// therefore a function of the document's shape, its root, and the answers
// of the checks it asks, in the order it asks them. The first document of a shape is evaluated
// with its checks recorded (its trace); a later document of the same shape
// and root asks the trace's checks again, and when each answers as it did,
// evaluation would take the very same steps: its verdict is the trace's.
// When one answers otherwise, the document is evaluated and its own trace
// kept beside the other.

// A check is one question evaluation asked of a value, and its answer.
type check struct {
	op  uint8 // checkValues, checkLong or checkKey
	res uint8 // the answer: a verdict, or 0/1
	tok int32 // the token of the value
	// arg: checkLong's length bound; for checkValues, 1 when value holds
	// the string compared.
	arg  int32
	node *fnode // checkValues' subschema
	// value: checkKey's string, and checkValues' where arg is 1: a value
	// of these bytes answers as the recorded one did.
	value string
}

// The questions a check asks.
const (
	checkValues = iota + 1 // node.values of the value at tok
	checkLong              // the string at tok is longer in bytes than arg
	// checkKey: the string at tok, the member an allOf dispatches on, is
	// value (which of its rules apply depends on nothing else: whether the
	// member is there, of which kind, escaped, is the shape's).
	checkKey
	// checkScalar: node.scalarFails of the value at tok, which the guide
	// asks where it explains a scalar (guided.go).
	checkScalar
)

// b2u is 1 for true, 0 for false.
func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// record adds c to the trace being recorded (t.trace). A document's
// traces together hold at most maxChecks checks: past that, none of those
// being recorded is kept (overflow).
func (t *tape) record(c check) {
	if len(t.trace) < maxChecks {
		t.trace = append(t.trace, c)
		return
	}
	t.overflow = true
}

// Bounds: the longest document whose shape a scan writes (bytes), the
// longest trace (checks) the cache keeps, the checks a tape records of one
// document, and the bytes of all the cache's shapes and traces.
const (
	maxShapeDoc  = 16 << 10
	maxTrace     = 512
	maxChecks    = 4 * maxTrace
	shapeBudget  = 4 << 20
	shapeSets    = 256
	doorSlots    = 8192
	shapeWays    = 8
	checkBytes   = int(unsafe.Sizeof(check{}))
	callBytes    = int(unsafe.Sizeof(guideCall{}))
	condBytes    = int(unsafe.Sizeof(condition{}))
	shapeUnknown = 0x80 // or'd into a token's kind: an odd number, an escaped string
)

// shapes is a fast path's cache of traces by shape, shared by the
// goroutines that validate on it: shapeSets sets of shapeWays entries,
// each an immutable traced published by an atomic store, so that finding
// one takes no lock. A set's entry to replace is the first, from a
// rotating hand, not used since the hand last passed it (a clock).
//
// A trace is kept the second time its shape and root are evaluated, not
// the first (door, a doorkeeper as in TinyLFU): a log of many kinds holds
// thousands of shapes met once, whose copies were half of what the
// mixed benchmark allocated (200,000 lines: 20,205 traces kept, 60 MB,
// for 25,589 evaluations; with the door 10,291 kept, 29 MB, for 25,488),
// and each allocation brings the next collection of a heap that validate
// keeps under a soft limit nearer.
type shapes struct {
	seed  maphash.Seed
	bytes atomic.Int64 // the shapes' and traces' bytes of every entry
	// door holds, at a hash's slot, the hash of the last trace declined
	// there: a trace whose hash is found is kept.
	door [doorSlots]atomic.Uint64
	sets [shapeSets]struct {
		hand  atomic.Uint32
		trace [shapeWays]atomic.Pointer[traced]
	}
}

// newShapes returns an empty cache.
func newShapes() *shapes { return &shapes{seed: maphash.MakeSeed()} }

// traced is the trace of a value of a shape, evaluated at root; only used
// changes once it is published.
type traced struct {
	root    *fnode
	hash    uint64
	verdict verdict
	used    atomic.Bool // answered since the clock's hand last passed
	shape   []byte
	checks  []check
	// longs are the checks that a string is no longer than a bound
	// (checkLong answered 0), apart: a document no longer than the least
	// of their bounds, bound, answers them all alike, as most do (a
	// Stripe string's maxLength is 5000).
	longs []check
	bound int
	// An explanation (explained): the trace of the guide's walk of a
	// document, at its root, and the reports the walk made.
	explains bool
	calls    []guideCall
}

// size is what e holds, in bytes, for the cache's budget.
func (e *traced) size() int64 {
	return traceSize(e.shape, e.checks, e.calls) + int64(len(e.longs)*checkBytes)
}

// traceSize is the bytes of a trace of shape, checks and calls.
func traceSize(shape []byte, checks []check, calls []guideCall) int64 {
	n := len(shape) + len(checks)*checkBytes + len(calls)*callBytes
	for k := range checks {
		n += len(checks[k].value)
	}
	for k := range calls {
		c := &calls[k]
		n += len(c.loc) + len(c.kw) + len(c.inst) + len(c.conds)*condBytes
		for _, cond := range c.conds {
			n += len(cond.Schema) + len(cond.Instance)
		}
	}
	return int64(n)
}

// A document's shape is written by the scan (tape.go) into shapeBuf: each
// token's kind (its high bit set for an odd number or an escaped string),
// then a member name's bytes and a quote (no name scanned holds one), and
// a container's closing delimiter after its members. A shape is no longer
// than its document: a name is two quotes and a colon shorter, a value's
// kind one byte where the value has at least one.

// shapeOf is the shape of the value at token i, a slice of the document's.
// Where each container's starts and ends (shapeAt) is worked out the first
// time a value within the document is asked for.
func (t *tape) shapeOf(i int32) []byte {
	if i == 0 {
		return t.shapeBuf
	}
	if len(t.shapeAt) != 2*len(t.toks) {
		at := slices.Grow(t.shapeAt[:0], 2*len(t.toks))[:2*len(t.toks)]
		open := t.shapeOpen[:0] // the containers not yet closed
		n := int32(0)
		for k := range t.toks {
			for len(open) > 0 && t.toks[open[len(open)-1]].next == int32(k) {
				n++ // its closing delimiter
				at[2*open[len(open)-1]+1] = n
				open = open[:len(open)-1]
			}
			at[2*k] = n
			switch tk := &t.toks[k]; tk.kind {
			case tokKey:
				n += tk.end - tk.start + 2
			case tokObject, tokArray:
				n++
				open = append(open, int32(k))
			default:
				n++
			}
		}
		for len(open) > 0 {
			n++
			at[2*open[len(open)-1]+1] = n
			open = open[:len(open)-1]
		}
		t.shapeAt, t.shapeOpen = at, open
	}
	return t.shapeBuf[t.shapeAt[2*i]:t.shapeAt[2*i+1]]
}

// evaluate is root.eval of the document scanned into t, by the traces in
// c of its shape and of the shapes of the resources in it (evalByShape)
// when its scan wrote its shape.
func (t *tape) evaluate(root *fnode, c *shapes) verdict {
	if !t.shaped {
		return root.eval(t, 0)
	}
	t.cache, t.trace, t.overflow = c, t.trace[:0], false
	return t.evalByShape(root, 0)
}

// evalByShape is n.eval of the value at token i, the root of the document
// or of a resource's file reached from it (a lazy reference): by a trace
// of the value's shape that answers for it, or evaluated with its checks
// recorded and its trace kept. Within a trace being recorded, the value's
// checks are the trace's checks too, whether asked again or evaluated.
func (t *tape) evalByShape(n *fnode, i int32) verdict {
	shape, c := t.shapeOf(i), t.cache
	h := maphash.Bytes(c.seed, shape)
	if n.dispatch != nil {
		// The values of its dispatching member (an event's type) make the
		// traces of a shape many: they are found by that value too.
		if key, met, ok := n.dispatch.key(t, i); met && ok {
			h ^= maphash.Bytes(c.seed, key) * 0x9E3779B97F4A7C15
		}
	}
	if i == 0 {
		t.rootHash = h
	}
	set := &c.sets[h%shapeSets]
	for w := range set.trace {
		e := set.trace[w].Load()
		if e != nil && e.hash == h && e.root == n && !e.explains && bytes.Equal(e.shape, shape) && e.replays(t, i) {
			if !e.used.Load() {
				e.used.Store(true)
			}
			t.answered++
			if t.recording {
				for _, list := range [...][]check{e.checks, e.longs} {
					for _, k := range list {
						k.tok += i
						t.record(k)
					}
				}
			}
			return e.verdict
		}
	}
	t.evaluated++
	start, was := len(t.trace), t.recording
	t.recording = true
	v := n.eval(t, i)
	t.recording = was
	if !t.overflow && len(t.trace)-start <= maxTrace {
		c.keep(&traced{root: n, hash: h, verdict: v, shape: shape, checks: t.trace[start:]}, i)
	}
	if !was {
		t.trace = t.trace[:start]
	}
	return v
}

// keep publishes a copy of e, the trace of a value at token base, its
// shape and checks the tape's, in its set, in place of the entry the
// set's clock picks, if the door has seen its hash; else the door notes
// it. Past the cache's budget it only drops that entry, which makes room
// for the traces after it.
func (c *shapes) keep(e *traced, base int32) {
	if d := &c.door[e.hash%doorSlots]; d.Load() != e.hash {
		d.Store(e.hash)
		return
	}
	set := &c.sets[e.hash%shapeSets]
	w := set.hand.Load() % shapeWays
	for range 2 * shapeWays {
		old := set.trace[w].Load()
		if old == nil || !old.used.Load() {
			break
		}
		old.used.Store(false)
		w = (w + 1) % shapeWays
	}
	set.hand.Store(w + 1)
	old := set.trace[w].Load()
	var freed int64
	if old != nil {
		freed = old.size()
	}
	size := e.size()
	if c.bytes.Load()+size-freed > shapeBudget {
		if old != nil && set.trace[w].CompareAndSwap(old, nil) {
			c.bytes.Add(-freed)
		}
		return
	}
	trace := e.checks
	e.shape, e.checks, e.calls = slices.Clone(e.shape), make([]check, 0, len(trace)), slices.Clone(e.calls)
	e.bound = math.MaxInt
	for _, tc := range trace {
		tc.tok -= base
		if tc.op == checkLong && tc.res == 0 {
			e.longs = append(e.longs, tc)
			e.bound = min(e.bound, int(tc.arg))
			continue
		}
		e.checks = append(e.checks, tc)
	}
	if set.trace[w].CompareAndSwap(old, e) { // else another goroutine published there first
		c.bytes.Add(size - freed)
	}
}

// replays reports whether each of e's checks answers on the value at
// token base of the document scanned into t as it did when e was recorded.
func (e *traced) replays(t *tape, base int32) bool {
	if len(t.data) > e.bound && !replay(e.longs, t, base) {
		return false
	}
	return replay(e.checks, t, base)
}

// replay reports whether each of checks answers on the value at token
// base of the document scanned into t as it did when recorded.
func replay(checks []check, t *tape, base int32) bool {
	for k := range checks {
		c := &checks[k]
		i := base + c.tok
		tk := &t.toks[i]
		switch c.op {
		case checkValues:
			if c.arg == 1 && string(t.data[tk.start:tk.end]) == c.value {
				continue
			}
			if uint8(c.node.values(t, tk)) != c.res {
				return false
			}
		case checkLong:
			if b2u(int(tk.end-tk.start) > int(c.arg)) != c.res {
				return false
			}
		case checkKey:
			if string(t.data[tk.start:tk.end]) != c.value {
				return false
			}
		case checkScalar:
			if c.node.scalarFails(t, tk) != c.res {
				return false
			}
		}
	}
	return true
}

// Explanation by shape. The guide's walk (guided.go) reads a document
// where evaluation does, and in one more place, the scalars it explains
// (checkScalar); the rest of what it does follows from the shape. So the
// reports it makes to the explainer (a leaf, a missing member, an
// undocumented one), with their pointers and conditions, are a function
// of the shape, the root and the answers of its checks too. The first
// document of a shape and answers to need explaining is walked with its
// checks and reports recorded; a later one whose checks answer alike gets
// the same reports made again, on its own values, which the messages
// quote. A walk that asked jsonschema/v5 is not kept.

// explained is the explanation in c of the document scanned into t at
// root, which evaluate found not clean, if one answers for it.
func (t *tape) explained(root *fnode) *traced {
	c, h := t.cache, t.rootHash^explainSalt
	set := &c.sets[h%shapeSets]
	for w := range set.trace {
		e := set.trace[w].Load()
		if e != nil && e.hash == h && e.root == root && e.explains && bytes.Equal(e.shape, t.shapeBuf) && e.replays(t, 0) {
			if !e.used.Load() {
				e.used.Store(true)
			}
			t.explainedAgain++
			return e
		}
	}
	return nil
}

// explainSalt is or'd into the hash of a document's shape and root for its
// explanations: they are found apart from its traces.
const explainSalt = 0x5BD1E9955BD1E995

// explainByShape reports to g's explainer the failures of root on the
// document scanned into g.t, evaluated by evaluate: by an explanation of
// its shape and answers, or walked with its checks and reports recorded
// and kept as one.
func (g *guide) explainByShape(root *fnode) {
	t := g.t
	if t.cache == nil {
		g.explain(root, 0, "", nil)
		return
	}
	if e := t.explained(root); e != nil {
		for _, c := range e.calls {
			g.e.report(c)
		}
		return
	}
	t.explainWalks++
	t.trace, t.overflow, t.recording = t.trace[:0], false, true
	g.calls = g.calls[:0]
	g.explain(root, 0, "", nil)
	t.recording = false
	if !t.overflow && !g.asked && len(t.trace) <= maxChecks {
		t.cache.keep(&traced{root: root, hash: t.rootHash ^ explainSalt, shape: t.shapeBuf, checks: t.trace, explains: true, calls: g.calls}, 0)
	}
	t.trace = t.trace[:0]
}
