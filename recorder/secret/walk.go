package secret

import "bytes"

// The bounds of one Scan or Redact.
const (
	// maxDepth is how many encodings deep a secret is looked for.
	maxDepth = 6
	// workFactor and workFloor bound the bytes of all decoded views:
	// workFactor times the input (and times what was decompressed) plus
	// workFloor. Ordinary text needs a few times its size.
	workFactor = 32
	workFloor  = 1 << 20
	// viewCost is what a view costs besides its bytes, so that many tiny
	// views are bounded too.
	viewCost = 64
	// maxInflated bounds the output of all compressed containers.
	maxInflated = 64 << 20
)

// state is one Scan or Redact under way.
type state struct {
	fold     bool     // prefixes and credentials match in either case
	inflate  bool     // open compressed containers
	creds    [][]byte // longest first; lower case when fold
	work     int      // decoded bytes left before the bound
	inflated int      // decompressed bytes left before the bound
	limited  bool     // a bound stopped the walk
	out      []finding
	arena    []byte // decoded views, a stack: a view's bytes are freed when its walk returns
	lowered  []byte
	// views holds, at each depth, the one view being walked there: a walk
	// is depth first. escs, wraps and packs are, at each depth, the
	// escapes of that view (a character layer's), the characters of the
	// wrapped base64 token being decoded below it, and the output of the
	// container decompressed below it: each is reused from one to the
	// next, and from one Scan to the next (see states).
	views [maxDepth + 2]view
	escs  [maxDepth + 2][]escape
	wraps [maxDepth + 2][]byte
	packs [maxDepth + 2][]byte
	inflaters
}

// enter makes v the view being walked at its depth.
func (st *state) enter(v view) *view {
	st.views[v.depth] = v
	return &st.views[v.depth]
}

// Classes of bytes a survey of a view counts.
const (
	classBase64 = 1 << iota
	classHex
	classUnderscore
	classZero
	classMagic // the first byte of a container's signature
	classTrigger
)

var classes = func() (t [256]uint8) {
	for c := range 256 {
		if b64Value[c] != 0xff {
			t[c] |= classBase64
		}
		if isHex(byte(c)) {
			t[c] |= classHex
		}
	}
	t['_'] |= classUnderscore
	t[0] |= classZero
	for _, m := range magics {
		t[m.sig[0]] |= classMagic
	}
	for _, c := range charCodecs {
		t[c.trigger] |= classTrigger
	}
	return t
}()

// survey is what one pass over a view says is worth looking for.
type survey struct {
	classes  uint8 // of all its bytes
	base64   int   // its longest run of base64 characters
	hex      int   // its longest run of hex digits
	triggers [len(charCodecs)]bool
}

func surveyOf(b []byte) (s survey) {
	b64, hx := 0, 0
	for _, c := range b {
		k := classes[c]
		s.classes |= k
		if k&classBase64 != 0 {
			b64++
			s.base64 = max(s.base64, b64)
		} else {
			b64 = 0
		}
		if k&classHex != 0 {
			hx++
			s.hex = max(s.hex, hx)
		} else {
			hx = 0
		}
	}
	if s.classes&classTrigger != 0 {
		for i := range charCodecs {
			s.triggers[i] = bytes.IndexByte(b, charCodecs[i].trigger) >= 0
		}
	}
	return s
}

// visit finds what v holds, and what every decoding of v reveals.
func (st *state) visit(v *view) {
	sv := surveyOf(v.data)
	st.values(v, sv)
	if v.depth >= maxDepth || st.limited {
		return
	}
	if sv.classes&classTrigger != 0 {
		st.charChildren(v, sv)
	}
	if sv.classes&classZero != 0 {
		st.utf16Children(v)
	}
	if sv.base64 >= minBase64 {
		st.base64Children(v)
	}
	if sv.hex >= minHex {
		st.hexChildren(v)
	}
	if st.inflate {
		st.packedChildren(v, sv)
	}
}

// values records the secrets and credentials in v's bytes.
func (st *state) values(v *view, sv survey) {
	if sv.classes&classUnderscore != 0 {
		eachValue(v.data, st.fold, func(a, b, fam int) { st.found(v, a, b, catalogue[fam].Name) })
	}
	if len(st.creds) == 0 {
		return
	}
	data := v.data
	if st.fold {
		st.lowered = lowerASCII(st.lowered, data)
		data = st.lowered
	}
	eachCredential(data, st.creds, func(a, b int) { st.found(v, a, b, FamilyCredential) })
}

// found records a value of family at [a, b) of v, unless v is a character
// layer whose escapes touch neither it nor the byte before it: its parent
// holds it as it is, and finds it. The byte before counts because a value
// may need a boundary there: "%22pi_…" holds a client secret only once
// decoded.
func (st *state) found(v *view, a, b int, family string) {
	if v.kind.char() && !v.touches(max(a-1, 0), b) {
		return
	}
	f := place(v, a, b)
	f.Family = family
	st.out = append(st.out, f)
}

// spend takes cost from the work left, or records that a bound stopped
// the walk at [lo, hi) of v.
func (st *state) spend(v *view, lo, hi, cost int) bool {
	if st.limited {
		return false
	}
	if cost <= st.work {
		st.work -= cost
		return true
	}
	st.limit(v, lo, hi)
	return false
}

// limit records a FamilyUnscanned finding at [lo, hi) of v and stops the
// walk.
func (st *state) limit(v *view, lo, hi int) {
	st.limited = true
	if len(v.data) == 0 {
		return
	}
	lo = min(max(lo, 0), len(v.data)-1)
	hi = min(max(hi, lo+1), len(v.data))
	f := place(v, lo, hi)
	f.Family, f.Redactable, f.repl = FamilyUnscanned, false, nil
	st.out = append(st.out, f)
}

// isText reports whether c can be part of text a character encoding was
// applied to: printable ASCII and white space.
func isText(c byte) bool {
	return 0x20 <= c && c < 0x7f || c == '\t' || c == '\r' || c == '\n'
}

// charChildren visits each text region of v that holds an escape of a
// character encoding, decoded. Regions are maximal runs of text bytes:
// encoded text is ASCII, and binary data (a base64 token's decoding that
// is not text) would otherwise decode every stray "%41" into a view the
// size of the data.
//
// Below a character layer A, an encoding B is decoded only when one of its
// escapes touches an escape of A (B was applied to A's output: "%5Cu0073")
// or B comes after A in the canonical order: escapes that touch nothing
// commute, and one order finds what both would.
func (st *state) charChildren(v *view, sv survey) {
	for ci := range charCodecs {
		c := &charCodecs[ci]
		if !sv.triggers[ci] {
			continue
		}
		var scratch [8]byte
		floor := 0 // the end of the last region
		for pos := 0; pos < len(v.data); {
			j := bytes.IndexByte(v.data[pos:], c.trigger)
			if j < 0 {
				break
			}
			j += pos
			if n, _ := c.at(v.data, j, scratch[:0]); n == 0 {
				pos = j + 1
				continue
			}
			lo := j
			for lo > floor && isText(v.data[lo-1]) {
				lo--
			}
			hi := j
			for hi < len(v.data) && isText(v.data[hi]) {
				hi++
			}
			pos = max(hi, j+1)
			floor = pos
			if hi-lo < minPlain {
				continue
			}
			mark := len(st.arena)
			var esc []escape
			st.arena, esc = decodeChars(c, v.data[lo:hi], lo, st.arena, st.escs[v.depth+1][:0])
			st.escs[v.depth+1] = esc
			if v.kind.char() && c.kind <= v.kind && !touchesAny(v, esc) {
				st.arena = st.arena[:mark]
				continue
			}
			if !st.spend(v, lo, hi, len(st.arena)-mark+16*len(esc)+viewCost) {
				st.arena = st.arena[:mark]
				return
			}
			st.visit(st.enter(view{data: st.arena[mark:], kind: c.kind, parent: v, depth: v.depth + 1, esc: esc, lo: lo, hi: hi}))
			st.arena = st.arena[:mark]
		}
	}
}

// touchesAny reports whether any of esc (escapes found in v) touches an
// escape of v.
func touchesAny(v *view, esc []escape) bool {
	for _, e := range esc {
		if v.touches(e.e, e.e+e.en) {
			return true
		}
	}
	return false
}

// utf16Children visits each UTF-16 stretch of v as the text it encodes.
func (st *state) utf16Children(v *view) {
	first := 0 // where the findings of the last stretch's first reading start
	for _, s := range utf16Stretches(v.data, nil) {
		if !s.other {
			first = len(st.out)
		}
		second := len(st.out)
		st.utf16Child(v, s)
		if s.other {
			st.out = keepLonger(st.out, first, second)
		}
	}
}

// utf16Child visits one stretch of v.
func (st *state) utf16Child(v *view, s stretch) {
	lo, hi := s.lo, s.lo+2*s.n
	if v.kind.char() && !v.touches(lo, hi) || !st.spend(v, lo, hi, s.n+viewCost) {
		return
	}
	mark := len(st.arena)
	low := lo // the low byte of each pair
	if s.kind == layerUTF16BE {
		low++
	}
	for i := range s.n {
		st.arena = append(st.arena, v.data[low+2*i])
	}
	st.visit(st.enter(view{data: st.arena[mark:], kind: s.kind, parent: v, depth: v.depth + 1, lo: lo, hi: hi}))
	st.arena = st.arena[:mark]
}

// keepLonger resolves the two readings of a UTF-16 run whose byte order
// nothing tells: out[first:second] are what the little-endian one found,
// out[second:] the big-endian one. Of two findings that overlap, the one
// of the longer value stays: the wrong reading sees a secret short of a
// character, or not at all, and replacing both would leave the text a byte
// out of step.
func keepLonger(out []finding, first, second int) []finding {
	drop := make([]bool, len(out))
	for i := first; i < second; i++ {
		for j := second; j < len(out); j++ {
			a, b := out[i], out[j]
			if a.Start < b.End && b.Start < a.End {
				if b.width > a.width {
					drop[i] = true
				} else {
					drop[j] = true
				}
			}
		}
	}
	kept := out[:first]
	for i := first; i < len(out); i++ {
		if !drop[i] {
			kept = append(kept, out[i])
		}
	}
	return kept
}

// base64Children visits each base64 token of v decoded at each of the four
// alignments: a token glued to text before it ("key_c2tf…", since '_' is
// in the URL alphabet) decodes right only from its true start.
func (st *state) base64Children(v *view) {
	d := v.depth
	st.wraps[d] = eachBase64Run(v.data, st.wraps[d], func(r run) bool {
		if v.kind.char() && !v.touches(r.lo, r.hi) {
			return true
		}
		for k := 0; k < 4 && len(r.chars)-k >= minBase64; k++ {
			if !st.spend(v, r.lo, r.hi, (len(r.chars)-k)*3/4+viewCost) {
				return false
			}
			mark := len(st.arena)
			st.arena = decodeBase64(r.chars[k:], st.arena)
			st.visit(st.enter(view{data: st.arena[mark:], kind: layerBase64, parent: v, depth: d + 1, lo: r.lo, hi: r.hi, first: k == 0}))
			st.arena = st.arena[:mark]
		}
		return true
	})
}

// hexChildren visits each run of hex digits of v decoded at both
// alignments.
func (st *state) hexChildren(v *view) {
	eachHexRun(v.data, func(r run) bool {
		if v.kind.char() && !v.touches(r.lo, r.hi) {
			return true
		}
		for k := 0; k < 2; k++ {
			if !st.spend(v, r.lo, r.hi, (len(r.chars)-k)/2+viewCost) {
				return false
			}
			mark := len(st.arena)
			st.arena = decodeHex(r.chars[k:], st.arena)
			st.visit(st.enter(view{data: st.arena[mark:], kind: layerHex, parent: v, depth: v.depth + 1, lo: r.lo, hi: r.hi, first: k == 0}))
			st.arena = st.arena[:mark]
		}
		return true
	})
}
