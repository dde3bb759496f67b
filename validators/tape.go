package validators

import (
	"unicode/utf8"
)

// A tape is a document scanned in one pass into a flat list of tokens, the
// fast path's view of it (fast.go). Scanning enforces everything the strict
// decoder (decode.go) enforces, or gives up: it never accepts a document
// the decoder would reject. Giving up is always safe; the full path then
// explains the document.
type tape struct {
	data  []byte
	toks  []tok
	names *names
	// inexact: a check asked for a string the tape holds escaped, whose raw
	// bytes are not its value; the fast path then cannot vouch for it.
	inexact bool
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
	// kid: for a member name, its number in the schemas' dictionary of
	// names (names.go); 0 for a name no schema knows.
	kid   uint16
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
// numbers other than plain 64-bit integers, nesting deeper than maxDepth).
func (t *tape) scan(data []byte, maxDepth int) bool {
	t.data = data
	t.toks = t.toks[:0]
	t.inexact = false
	if len(data) > 1<<30 {
		return false
	}
	var stack [64]int32 // open containers, as token indexes
	depth := 0
	if maxDepth > len(stack) {
		maxDepth = len(stack)
	}
	// completed is called when a value ends: it counts the element of an
	// enclosing array, and says what the grammar expects next.
	completed := func() int {
		if depth == 0 {
			return stateDone
		}
		if parent := &t.toks[stack[depth-1]]; parent.kind == tokArray {
			parent.count++
		}
		return stateCommaOrEnd
	}
	closeTop := func(i int) bool {
		if !t.close(stack[depth-1], i) {
			return false
		}
		depth--
		return true
	}
	i := skipSpace(data, 0)
	state := stateValue
	for {
		if i >= len(data) {
			return state == stateDone
		}
		c := data[i]
		switch state {
		case stateDone:
			return false // trailing data
		case stateColon:
			if c != ':' {
				return false
			}
			i = skipSpace(data, i+1)
			state = stateValue
			continue
		case stateCommaOrEnd:
			top := t.toks[stack[depth-1]].kind
			switch {
			case c == ',':
				i = skipSpace(data, i+1)
				if top == tokObject {
					state = stateKey
				} else {
					state = stateValue
				}
				continue
			case c == '}' && top == tokObject, c == ']' && top == tokArray:
				if !closeTop(i) {
					return false
				}
				i = skipSpace(data, i+1)
				state = completed()
				continue
			}
			return false
		case stateKeyOrEnd, stateKey:
			if c == '}' && state == stateKeyOrEnd {
				if !closeTop(i) {
					return false
				}
				i = skipSpace(data, i+1)
				state = completed()
				continue
			}
			if c != '"' {
				return false
			}
			end, escaped, ok := scanString(data, i+1)
			if !ok || escaped {
				return false // escaped names: leave their comparison to the full path
			}
			t.toks = append(t.toks, tok{kind: tokKey, kid: t.names.id(data[i+1 : end]), start: int32(i + 1), end: int32(end)})
			t.toks[stack[depth-1]].count++
			i = skipSpace(data, end+1)
			state = stateColon
			continue
		}

		// stateValue, or stateValueOrEnd just after '['
		n := int32(len(t.toks))
		switch {
		case c == ']' && state == stateValueOrEnd:
			if !closeTop(i) {
				return false
			}
			i = skipSpace(data, i+1)
			state = completed()
			continue
		case c == '{' || c == '[':
			if depth >= maxDepth {
				return false
			}
			t.toks = append(t.toks, tok{kind: c, start: int32(i)})
			stack[depth] = n
			depth++
			i = skipSpace(data, i+1)
			if c == '{' {
				state = stateKeyOrEnd
			} else {
				state = stateValueOrEnd
			}
			continue
		case c == '"':
			end, escaped, ok := scanString(data, i+1)
			if !ok {
				return false
			}
			t.toks = append(t.toks, tok{kind: tokString, escaped: escaped, start: int32(i + 1), end: int32(end), next: n + 1})
			i = end + 1
		case c == '-' || (c >= '0' && c <= '9'):
			end, ok := scanInt(data, i)
			if !ok {
				return false
			}
			t.toks = append(t.toks, tok{kind: tokNumber, start: int32(i), end: int32(end), next: n + 1})
			i = end
		case c == 't' && hasLiteral(data, i, "true"):
			t.toks = append(t.toks, tok{kind: tokTrue, start: int32(i), end: int32(i + 4), next: n + 1})
			i += 4
		case c == 'f' && hasLiteral(data, i, "false"):
			t.toks = append(t.toks, tok{kind: tokFalse, start: int32(i), end: int32(i + 5), next: n + 1})
			i += 5
		case c == 'n' && hasLiteral(data, i, "null"):
			t.toks = append(t.toks, tok{kind: tokNull, start: int32(i), end: int32(i + 4), next: n + 1})
			i += 4
		default:
			return false
		}
		i = skipSpace(data, i)
		state = completed()
	}
}

// Scanner states: what the grammar expects next.
const (
	stateValue      = iota
	stateValueOrEnd // just after '['
	stateKeyOrEnd   // just after '{'
	stateKey
	stateColon
	stateCommaOrEnd
	stateDone
)

// close ends the container whose token is at index open, the closing
// delimiter at offset i. An object's member names must be distinct: names
// the dictionary knows are compared by number, the others byte by byte.
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
	var seen [maxNames / 64]uint64
	var others [maxMembers]int32 // key tokens of names the dictionary does not know
	k := 0
	for j := open + 1; j < o.next; j = t.toks[j+1].next {
		key := &t.toks[j]
		if key.kid != 0 {
			bit := uint64(1) << (key.kid & 63)
			if seen[key.kid>>6]&bit != 0 {
				return false
			}
			seen[key.kid>>6] |= bit
			continue
		}
		name := t.data[key.start:key.end]
		for _, m := range others[:k] {
			if string(t.data[t.toks[m].start:t.toks[m].end]) == string(name) {
				return false
			}
		}
		others[k] = j
		k++
	}
	return true
}

func skipSpace(data []byte, i int) int {
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

func hasLiteral(data []byte, i int, lit string) bool {
	return len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit
}

// stringSafe marks the ASCII bytes that may stand unescaped in a string.
var stringSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString scans a string body from i (after the opening quote) and
// returns the offset of the closing quote. It checks escapes (rejecting \u
// escapes of surrogates, which the fast path leaves to the full one) and
// that the bytes are UTF-8.
func scanString(data []byte, i int) (end int, escaped, ok bool) {
	for i < len(data) {
		c := data[i]
		if stringSafe[c] {
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
				var r rune
				for _, h := range data[i+2 : i+6] {
					switch {
					case h >= '0' && h <= '9':
						r = r<<4 | rune(h-'0')
					case h >= 'a' && h <= 'f':
						r = r<<4 | rune(h-'a'+10)
					case h >= 'A' && h <= 'F':
						r = r<<4 | rune(h-'A'+10)
					default:
						return 0, false, false
					}
				}
				if r >= 0xD800 && r <= 0xDFFF {
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

// scanInt scans an integer written as plain digits (RFC 8259 grammar: no
// leading zeros) that fits in 64 bits. Fractions and exponents are not
// taken: such numbers go to the full path, which knows what they mean.
func scanInt(data []byte, i int) (end int, ok bool) {
	if data[i] == '-' {
		i++
	}
	digits := i
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
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
