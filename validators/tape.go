package validators

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/stripe-contract/stripe-contract/validators/jsonstring"
)

// A tape is a document scanned in one pass into a flat list of tokens, the
// fast path's view of it (fast.go). Scanning enforces everything the strict
// decoder (decode.go) enforces, or gives up: it never accepts a document
// the decoder would reject. Giving up is always safe; the full path then
// explains the document.
type tape struct {
	data   []byte
	toks   []tok
	depth  int         // the deepest nesting the current scan accepts
	others []otherSlot // close's set of an object's member names
	gen    uint32      // the object close is checking, for others
	// inexact: a check asked for a string the tape holds escaped, whose raw
	// bytes are not its value; the fast path then cannot vouch for it.
	inexact bool
	// odd: the document holds a number written with a fraction or an
	// exponent (tok.odd), which only the full path explains.
	odd bool
	// The member tables of large objects (memberTable), in slots, the
	// four most recent in tables.
	slots     []int32
	tables    [4]memberTableOf
	nextTable int
	// distinct are the member name hashes, in order, of recent objects
	// whose names close had to compare and whose hashes all differ
	// (distinctBefore): the next line's object of the same names is then
	// known to have no duplicate by comparing hashes in turn.
	distinct [distinctSlots]nameHashes
	clash    bool // addOther met two names of one hash in the current object
	// object is the token of the document's "object" member, once looked
	// up (objectMember): -1 when it has none, -2 before the lookup.
	object int32
	// lastKind is the kind the fast path last found for a document on
	// this tape, with what it was found from (fastPath.kindRoot): a log's
	// lines are mostly of a few kinds.
	lastKind kindMemo
	// msg is the explainer's buffer for messages (explainer.scratch), kept
	// from document to document.
	msg []byte
	// Evaluation by shape (shape.go): the cache of traces it is done
	// with, the buffer of the current document's shape, and the trace
	// being recorded while recording is set (overflow: it grew too long
	// to keep). answered and evaluated count the values a trace answered
	// for and those evaluated, explainedAgain the documents an
	// explanation answered for and explainWalks those walked, for tests.
	cache               *shapes
	rootHash            uint64 // the hash evalByShape found the document's traces by
	answered, evaluated int
	explainedAgain      int
	explainWalks        int
	shapeBuf            []byte
	shapeAt             []int32 // shapeOf's: where each container's shape starts and ends
	shapeOpen           []int32 // shapeOf's stack of open containers
	// shaped: the scan wrote the document's shape (shapeBuf),
	// which it does for documents of at most maxShapeDoc bytes.
	shaped    bool
	trace     []check
	recording bool
	overflow  bool
}

// Token kinds: the first byte of the value, and 'k' for an object member name.
const (
	tokObject = '{'
	tokArray  = '['
	tokString = '"'
	tokNumber = '0'
	tokTrue   = 't'
	tokFalse  = 'f'
	tokNull   = 'n'
	tokKey    = 'k'
)

// tok is one value (or member name) of a tape.
type tok struct {
	kind byte
	// escaped: a string with backslash escapes; its raw bytes are not its value.
	escaped bool
	// odd: a number written with a fraction or an exponent (2.5, 1e3,
	// 2000.0), which JSON Schema may call an integer and typed SDKs do not.
	odd bool
	// hash: for a member name, hashName of it, which the fast path's
	// property tables are keyed by; for an object, a one-word Bloom filter
	// of its members' names (bit memberBit(hash) of each), so that looking
	// up a member it does not have seldom visits the others.
	hash  uint32
	start int32 // strings: first byte after the quote; others: first byte
	end   int32 // strings: the closing quote; others: one past the last byte
	next  int32 // index of the token after this value and everything in it
	count int32 // members of an object, elements of an array
}

// maxMembers bounds the objects the scanner checks for duplicate names by
// comparing every pair; larger objects go to the full path.
const maxMembers = 96

// scan fills t from data. It reports false when data is not one document
// the strict decoder accepts without complaint, or holds something the fast
// path does not handle (escaped member names, \u escapes of surrogates,
// integers of over 18 digits, numbers with a fraction or an exponent over
// maxOddNumber bytes, nesting deeper than maxDepth).
func (t *tape) scan(data []byte, maxDepth int) bool {
	t.data = data
	t.toks = t.toks[:0]
	t.inexact, t.odd = false, false
	t.slots, t.tables, t.nextTable = t.slots[:0], [4]memberTableOf{}, 0
	t.object = -2
	if len(data) > 1<<30 {
		return false
	}
	t.cache = nil // evaluate sets it for the document
	t.shaped = len(data) <= maxShapeDoc
	if t.shaped {
		// A shape is no longer than its document (shape.go),
		// and a name is copied as 16 bytes.
		t.shapeBuf = slices.Grow(t.shapeBuf[:0], len(data)+16)
		t.shapeAt = t.shapeAt[:0]
	}
	t.depth = min(maxDepth, maxScanDepth)
	i, ok := t.scanValue(skipSpace(data, 0), 0)
	if !ok || skipSpace(data, i) != len(data) {
		t.shaped = false
		return false
	}
	return true
}

// push appends a zero token to toks and returns it, for its fields to be
// written in place: appending a tok literal built it on the stack and
// copied it, a wide load of narrow stores that stalled (the key token's
// append was a fifth of the scan's time in a profile).
func (t *tape) push() *tok {
	t.toks = append(t.toks, tok{})
	return &t.toks[len(t.toks)-1]
}

// shapeByte adds c to the document's shape (shape.go): a token's kind, or
// a container's closing delimiter.
func (t *tape) shapeByte(c byte) {
	if t.shaped {
		t.shapeBuf = append(t.shapeBuf, c)
	}
}

// maxScanDepth bounds the scanner's recursion; deeper documents take the
// full path.
const maxScanDepth = 64

// scanValue scans one value at offset i, at nesting level depth, and returns
// the offset after it.
func (t *tape) scanValue(i, depth int) (int, bool) {
	data := t.data
	if i >= len(data) {
		return 0, false
	}
	n := int32(len(t.toks))
	switch c := data[i]; {
	case c == '{':
		return t.scanObject(i, depth)
	case c == '[':
		return t.scanArray(i, depth)
	case c == '"':
		end, escaped, ok := scanString(data, i+1)
		if !ok {
			return 0, false
		}
		t.shapeByte(tokString | b2u(escaped)*shapeUnknown)
		k := t.push()
		k.kind, k.escaped, k.start, k.end, k.next = tokString, escaped, int32(i+1), int32(end), n+1
		return end + 1, true
	case c == '-' || (c >= '0' && c <= '9'):
		end, ok := scanInt(data, i)
		odd := false
		if !ok {
			if end, ok = scanOddNumber(data, i); !ok {
				return 0, false
			}
			odd, t.odd = true, true
		}
		t.shapeByte(tokNumber | b2u(odd)*shapeUnknown)
		k := t.push()
		k.kind, k.odd, k.start, k.end, k.next = tokNumber, odd, int32(i), int32(end), n+1
		return end, true
	case c == 't' && hasLiteral(data, i, "true"):
		t.shapeByte(tokTrue)
		k := t.push()
		k.kind, k.start, k.end, k.next = tokTrue, int32(i), int32(i+4), n+1
		return i + 4, true
	case c == 'f' && hasLiteral(data, i, "false"):
		t.shapeByte(tokFalse)
		k := t.push()
		k.kind, k.start, k.end, k.next = tokFalse, int32(i), int32(i+5), n+1
		return i + 5, true
	case c == 'n' && hasLiteral(data, i, "null"):
		t.shapeByte(tokNull)
		k := t.push()
		k.kind, k.start, k.end, k.next = tokNull, int32(i), int32(i+4), n+1
		return i + 4, true
	}
	return 0, false
}

// scanObject scans an object whose '{' is at offset i.
func (t *tape) scanObject(i, depth int) (int, bool) {
	if depth >= t.depth {
		return 0, false
	}
	data := t.data
	open := int32(len(t.toks))
	t.shapeByte(tokObject)
	k := t.push()
	k.kind, k.start = tokObject, int32(i)
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		t.shapeByte('}')
		return i + 1, t.close(open, i)
	}
	// The object's member count and name filter, written to its token
	// when it closes.
	var count int32
	var filter uint32
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, false
		}
		end, escaped, ok := scanString(data, i+1)
		if !ok || escaped {
			return 0, false // escaped names: leave their comparison to the full path
		}
		h := hashName(data[i+1 : end])
		if t.shaped {
			b := append(t.shapeBuf, tokKey)
			if end-i-1 <= 16 && i+17 <= len(data) {
				// Copied as 16 bytes, those past the name written over next.
				*(*[16]byte)(b[len(b) : len(b)+16]) = *(*[16]byte)(data[i+1:])
				b = b[:len(b)+end-i-1]
			} else {
				b = append(b, data[i+1:end]...)
			}
			t.shapeBuf = append(b, '"')
		}
		k := t.push()
		k.kind, k.hash, k.start, k.end = tokKey, h, int32(i+1), int32(end)
		count++
		filter |= memberBit(h)
		i = skipSpace(data, end+1)
		if i >= len(data) || data[i] != ':' {
			return 0, false
		}
		if i, ok = t.scanValue(skipSpace(data, i+1), depth+1); !ok {
			return 0, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return 0, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			o := &t.toks[open]
			o.count, o.hash = count, filter
			t.shapeByte('}')
			return i + 1, t.close(open, i)
		default:
			return 0, false
		}
	}
}

// memberBit is the bit of an object's filter that stands for a member
// name whose hashName is h.
func memberBit(h uint32) uint32 { return 1 << (h >> 27) }

// scanArray scans an array whose '[' is at offset i.
func (t *tape) scanArray(i, depth int) (int, bool) {
	if depth >= t.depth {
		return 0, false
	}
	data := t.data
	open := int32(len(t.toks))
	t.shapeByte(tokArray)
	k := t.push()
	k.kind, k.start = tokArray, int32(i)
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		t.shapeByte(']')
		return i + 1, t.close(open, i)
	}
	var count int32
	for {
		var ok bool
		if i, ok = t.scanValue(i, depth+1); !ok {
			return 0, false
		}
		count++
		i = skipSpace(data, i)
		if i >= len(data) {
			return 0, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			t.toks[open].count = count
			t.shapeByte(']')
			return i + 1, t.close(open, i)
		default:
			return 0, false
		}
	}
}

// close ends the container whose token is at index open, the closing
// delimiter at offset i. An object's member names must be distinct.
func (t *tape) close(open int32, i int) bool {
	o := &t.toks[open]
	o.end = int32(i + 1)
	o.next = int32(len(t.toks))
	if o.kind == tokArray {
		return true
	}
	if o.count > maxMembers {
		return false
	}
	if o.count < 2 || bits.OnesCount32(o.hash) == int(o.count) {
		// Each name has a bit of the filter of its own (memberBit): no
		// two are the same.
		return true
	}
	if t.distinctBefore(open) {
		return true
	}
	if t.gen++; t.gen == 0 { // wrapped: stale slots could pass for current ones
		clear(t.others)
		t.gen = 1
	}
	t.clash = false
	for j := open + 1; j < o.next; j = t.toks[j+1].next {
		if !t.addOther(j) {
			return false
		}
	}
	if !t.clash {
		t.rememberDistinct(open)
	}
	return true
}

// nameHashes is the filter and the member name hashes, in order, of an
// object whose names' hashes all differ.
type nameHashes struct {
	filter uint32
	hashes []uint32
}

// distinctBefore reports whether the names of the object at token open
// have, in order, the hashes of an object remembered in t.distinct: hashes
// that all differ, so the names do too.
func (t *tape) distinctBefore(open int32) bool {
	o := &t.toks[open]
	d := &t.distinct[distinctSlot(o.hash, o.count)]
	if d.filter != o.hash || len(d.hashes) != int(o.count) {
		return false
	}
	n := 0
	for j := open + 1; j < o.next; j = t.toks[j+1].next {
		if t.toks[j].hash != d.hashes[n] {
			return false
		}
		n++
	}
	return true
}

// distinctSlots is the number of objects t.distinct remembers, by their
// filter and member count (distinctSlot): a power of two.
const distinctSlots = 64

// distinctSlot is the slot of t.distinct for an object of the filter and
// member count given.
func distinctSlot(filter uint32, count int32) uint32 {
	return (filter ^ uint32(count)) * 0x9E3779B1 >> 26
}

// rememberDistinct enters the name hashes of the object at token open,
// which all differ, in its slot of t.distinct.
func (t *tape) rememberDistinct(open int32) {
	o := &t.toks[open]
	d := &t.distinct[distinctSlot(o.hash, o.count)]
	d.filter, d.hashes = o.hash, d.hashes[:0]
	for j := open + 1; j < o.next; j = t.toks[j+1].next {
		d.hashes = append(d.hashes, t.toks[j].hash)
	}
}

// addOther records the member name at key token j in the current object's
// set; false if already there.
// Slots carry the generation of the object that filled them, so the set is
// emptied by counting, not clearing.
func (t *tape) addOther(j int32) bool {
	if t.others == nil {
		t.others = make([]otherSlot, otherSlots)
	}
	name := t.data[t.toks[j].start:t.toks[j].end]
	mask := uint32(len(t.others) - 1)
	for h := t.toks[j].hash & mask; ; h = (h + 1) & mask {
		slot := &t.others[h]
		if slot.gen != t.gen {
			*slot = otherSlot{gen: t.gen, tok: j, hash: t.toks[j].hash}
			return true
		}
		if slot.hash == t.toks[j].hash {
			if string(t.data[t.toks[slot.tok].start:t.toks[slot.tok].end]) == string(name) {
				return false
			}
			t.clash = true
		}
	}
}

// otherSlots is the size of close's set: a power of two, over twice maxMembers.
const otherSlots = 256

// otherSlot is an entry of the set of member names of an object.
type otherSlot struct {
	gen  uint32
	tok  int32
	hash uint32 // the name's hashName: names of other hashes differ
}

func skipSpace(data []byte, i int) int {
	if i < len(data) && data[i] > ' ' { // no white space: NDJSON as logs write it
		return i
	}
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// maxOddNumber bounds the numbers with a fraction or an exponent the
// scanner takes (a Stripe amount or rate is a few digits); longer ones
// take the full path, whose decoder bounds them (numberOutOfRange).
const maxOddNumber = 64

// scanOddNumber scans a number written with a fraction or an exponent
// (RFC 8259's grammar) at offset i and returns the offset after it; false
// for any other number, one over maxOddNumber bytes, or one the decoder
// refuses as out of range.
func scanOddNumber(data []byte, i int) (int, bool) {
	end, ok := scanNumber(data, i)
	if !ok || end-i > maxOddNumber {
		return 0, false
	}
	lit := data[i:end]
	if !bytes.ContainsAny(lit, ".eE") || numberOutOfRange(string(lit)) != "" {
		return 0, false
	}
	return end, true
}

func hasLiteral(data []byte, i int, lit string) bool {
	return len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit
}

// scanString scans a string body from i (after the opening quote) and
// returns the offset of the closing quote. It checks escapes (rejecting \u
// escapes of surrogates, which the fast path leaves to the full one) and
// that the bytes are UTF-8.
func scanString(data []byte, i int) (end int, escaped, ok bool) {
	for i < len(data) {
		// Eight bytes at a time while none needs a look of its own.
		for i+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[i:])
			if stop := jsonstring.Stops(w); stop != 0 {
				at := bits.TrailingZeros64(stop) // the high bit of the first byte to look at
				i += at >> 3
				if byte(w>>(at&^7)) == '"' { // the usual stop: the string's end, read from the word
					return i, escaped, true
				}
				break
			}
			i += 8
		}
		if i >= len(data) {
			break
		}
		c := data[i]
		if jsonstring.Plain[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i, escaped, true
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				return 0, false, false
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(data) {
					return 0, false, false
				}
				r, ok := hex4(data[i+2 : i+6])
				if !ok || r >= 0xD800 && r <= 0xDFFF {
					return 0, false, false
				}
				i += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default: // c >= 0x80: a multi-byte UTF-8 sequence
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				return 0, false, false
			}
			i += size
		}
	}
	return 0, false, false
}

// nonDigits marks, by a bit of its own, each byte of the eight in w (read
// little-endian) that is not an ASCII digit, exactly up to the first: a
// byte's carry reaches only those above it, after a byte of 0xFA or more,
// which is marked itself.
func nonDigits(w uint64) uint64 {
	const high, digits, six = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	return (w&high ^ digits) | ((w+six)&high ^ digits)
}

// hex4 is the value of the four hex digits of a \u escape, if they are.
func hex4(digits []byte) (rune, bool) {
	var r rune
	for _, h := range digits {
		switch {
		case h >= '0' && h <= '9':
			r = r<<4 | rune(h-'0')
		case h >= 'a' && h <= 'f':
			r = r<<4 | rune(h-'a'+10)
		case h >= 'A' && h <= 'F':
			r = r<<4 | rune(h-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// scanInt scans an integer written as plain digits (RFC 8259 grammar: no
// leading zeros) that fits in 64 bits. Fractions and exponents are not
// taken: such numbers go to the full path, which knows what they mean.
func scanInt(data []byte, i int) (end int, ok bool) {
	if data[i] == '-' {
		i++
	}
	digits := i
	for i+8 <= len(data) { // eight bytes at a time while they are digits
		if nd := nonDigits(binary.LittleEndian.Uint64(data[i:])); nd != 0 {
			i += bits.TrailingZeros64(nd) >> 3
			goto counted
		}
		i += 8
	}
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
counted:
	n := i - digits
	switch {
	case n == 0, n > 1 && data[digits] == '0', n > 18:
		return 0, false
	}
	if i < len(data) {
		switch data[i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return i, true
}
