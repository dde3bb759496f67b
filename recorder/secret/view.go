package secret

import (
	"slices"
	"sort"
	"strings"
)

// view is a text as one chain of decodings reveals it: the input itself,
// or what one encoding of a part of its parent view decodes to.
type view struct {
	data   []byte
	kind   layer
	parent *view
	depth  int
	// esc are the escapes of a character layer, in order.
	esc []escape
	// lo, hi are the span in the parent of a block token or a compressed
	// container, or of the text a character layer decoded; lo is the
	// first pair of a UTF-16 stretch.
	lo, hi int
	// first is true for the view of a token decoded from its first
	// character (base64 at alignment 0, hex at an even offset), the only
	// ones tried as a compressed stream without a magic number.
	first bool
}

// local maps the span [a, b) of v (a < b) to the span in v's parent of
// the bytes that encode it.
func (v *view) local(a, b int) (int, int) {
	switch {
	case v.kind.char():
		return v.startOf(a), v.endOf(b - 1)
	case v.kind == layerUTF16LE || v.kind == layerUTF16BE:
		return v.lo + 2*a, v.lo + 2*b
	}
	return v.lo, v.hi
}

// escapeBefore returns the last escape of v at or before decoded byte i,
// or -1.
func (v *view) escapeBefore(i int) int {
	return sort.Search(len(v.esc), func(k int) bool { return v.esc[k].d > i }) - 1
}

// startOf is where in the parent the encoding of decoded byte i starts.
func (v *view) startOf(i int) int {
	k := v.escapeBefore(i)
	if k < 0 {
		return v.lo + i
	}
	e := v.esc[k]
	if i < e.d+e.dn {
		return e.e
	}
	return e.e + e.en + i - (e.d + e.dn)
}

// endOf is where in the parent the encoding of decoded byte i ends.
func (v *view) endOf(i int) int {
	k := v.escapeBefore(i)
	if k < 0 {
		return v.lo + i + 1
	}
	e := v.esc[k]
	if i < e.d+e.dn {
		return e.e + e.en
	}
	return e.e + e.en + i - (e.d + e.dn) + 1
}

// touches reports whether the span [a, b) of a character view holds an
// escape of it: a span that holds none is in the parent as it is here, and
// is found there.
func (v *view) touches(a, b int) bool {
	A, B := v.local(a, b)
	return B-A != b-a
}

// finding is a Finding with what Redact needs: the bytes that replace
// the span, and the number of layers (the shortest chain wins among
// duplicates).
type finding struct {
	Finding
	layers int
	repl   []byte
	width  int // the value's length where it was matched
}

// place maps the span [a, b) of v to the input: the Finding (without its
// Family) and the replacement that keeps the encodings around it intact.
func place(v *view, a, b int) finding {
	repl := []byte(Redacted)
	f := finding{Finding: Finding{Redactable: true}, width: b - a}
	var names []string
	for cur := v; cur.parent != nil; cur = cur.parent {
		k := cur.kind
		a, b = cur.local(a, b)
		switch {
		case k.char():
			repl = encodeFor(k, repl)
		case k == layerUTF16LE || k == layerUTF16BE:
			repl = utf16Of(k, repl)
		case k.block():
			repl = []byte(Redacted)
		default:
			f.Redactable = false
		}
		names = append(names, k.String())
	}
	slices.Reverse(names)
	f.Encoding = strings.Join(names, " of ")
	f.layers = len(names)
	f.Start, f.End = a, b
	if f.Redactable {
		f.repl = repl
	}
	return f
}
