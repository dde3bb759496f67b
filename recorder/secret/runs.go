package secret

// Lengths below which an encoded token cannot hold the shortest secret
// ("sk_live_x", 9 bytes) or credential (8 bytes).
const (
	minPlain     = 8
	minBase64    = 11 // 8 bytes
	minHex       = 2 * minPlain
	minUTF16     = minPlain
	minWrapWidth = 16 // narrowest line of a wrapped base64 token
)

// run is a token of a block encoding in a view: its span [lo, hi) (with
// padding and, for base64 wrapped across lines, the line breaks) and its
// characters without either.
type run struct {
	lo, hi int
	chars  []byte
}

// isHex reports whether c is a hex digit.
func isHex(c byte) bool {
	_, ok := unhex(c)
	return ok
}

// eachBase64Run calls fn with each base64 token of b, in either alphabet,
// until fn returns false. A token continues across a line break (CRLF or
// LF, then any indentation) when every line before the break is as wide
// as its first, at least minWrapWidth and unpadded, as MIME (76 columns),
// PEM (64) and YAML's !!binary (70) wrap them; a line starting "--" (a
// MIME boundary) never continues one. A wrapped token's characters are
// gathered in scratch, valid until fn returns; eachBase64Run returns
// scratch for the next call.
func eachBase64Run(b, scratch []byte, fn func(run) bool) []byte {
	for i := 0; i < len(b); {
		if b64Value[b[i]] == 0xff {
			i++
			continue
		}
		lo := i
		j := segmentEnd(b, i)
		width := j - lo
		k := padEnd(b, j)
		chars := b[lo:j]
		wrapped := false
		if width >= minWrapWidth && k == j {
			cur := j // end of the token's last segment
			last := width
			for last == width {
				next := lineStart(b, cur)
				if next >= 0 && b[next] == '=' { // a line of only padding
					cur = padEnd(b, next)
					break
				}
				if next < 0 || b64Value[b[next]] == 0xff || hasLit(b, next, "--", false) {
					break
				}
				if !wrapped {
					scratch = append(scratch[:0], chars...)
					wrapped = true
				}
				e := segmentEnd(b, next)
				scratch = append(scratch, b[next:e]...)
				chars = scratch
				last = e - next
				cur = e
				if p := padEnd(b, e); p != e {
					cur = p
					break
				}
			}
			if wrapped || cur != j {
				j, k = cur, cur
			}
		}
		if len(chars) >= minBase64 && !fn(run{lo: lo, hi: max(j, k), chars: chars}) {
			return scratch
		}
		i = max(j, k)
	}
	return scratch
}

// segmentEnd is the end of the base64 characters starting at b[i].
func segmentEnd(b []byte, i int) int {
	for i < len(b) && b64Value[b[i]] != 0xff {
		i++
	}
	return i
}

// padEnd is the end of the (at most two) '=' of padding at b[i].
func padEnd(b []byte, i int) int {
	for n := 0; n < 2 && i < len(b) && b[i] == '='; n++ {
		i++
	}
	return i
}

// lineStart returns where the next line's text starts when b[i:] is a
// line break (CRLF or LF) and its indentation, or -1.
func lineStart(b []byte, i int) int {
	switch {
	case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
		i += 2
	case i < len(b) && b[i] == '\n':
		i++
	default:
		return -1
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i >= len(b) {
		return -1
	}
	return i
}

// eachHexRun calls fn with each run of hex digits of b long enough to
// hold a secret, until fn returns false.
func eachHexRun(b []byte, fn func(run) bool) {
	for i := 0; i < len(b); {
		if !isHex(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isHex(b[j]) {
			j++
		}
		if j-i >= minHex && !fn(run{lo: i, hi: j, chars: b[i:j]}) {
			return
		}
		i = j
	}
}

// stretch is a run of UTF-16 text whose characters are all one byte wide
// (U+0001 to U+00FF), the only ones a secret or an encoding of one uses:
// character i is the pair at lo+2i, and its low byte is at lo+2i (LE) or
// lo+2i+1 (BE).
type stretch struct {
	lo, n int
	kind  layer
	// other is true for the second reading of a run whose byte order
	// nothing tells (see utf16Stretches).
	other bool
}

// utf16Stretches appends the stretches of b at least minUTF16 characters
// long: in each run of bytes that alternate between zero and not, the
// pairs of one byte order. The order is the one a byte-order mark says, at
// the start of b or just before the run. Without one, a run that starts
// with a zero byte is big-endian, one that starts with a non-zero byte and
// ends with a zero is little-endian, and one that starts and ends with a
// non-zero byte ('"', 0, 's', 0, 'k', '"') is either a little-endian text
// and the byte after it or a byte before and a big-endian text: both
// readings are returned, the big-endian one marked other.
func utf16Stretches(b []byte, out []stretch) []stretch {
	order := layer(0)
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe {
		order = layerUTF16LE
	} else if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		order = layerUTF16BE
	}
	add := func(lo, e int, kind layer, other bool) {
		if n := (e - lo) / 2; n >= minUTF16 {
			out = append(out, stretch{lo: lo, n: n, kind: kind, other: other})
		}
	}
	for s := 0; s+1 < len(b); {
		if (b[s] == 0) == (b[s+1] == 0) {
			s++
			continue
		}
		e := s + 2
		for e < len(b) && (b[e] == 0) != (b[e-1] == 0) {
			e++
		}
		kind := order
		switch {
		case s >= 2 && b[s-2] == 0xff && b[s-1] == 0xfe:
			kind = layerUTF16LE
		case s >= 1 && b[s-1] == 0xfe && b[s] == 0xff:
			kind = layerUTF16BE
		}
		switch {
		case kind == 0 && b[s] != 0 && b[e-1] != 0:
			add(s, e, layerUTF16LE, false)
			add(s+1, e, layerUTF16BE, true)
		case kind == 0 && b[s] == 0:
			add(s, e, layerUTF16BE, false)
		case kind == 0:
			add(s, e, layerUTF16LE, false)
		default:
			// A little-endian pair is (x, 0), a big-endian one (0, x).
			lo := s
			if (kind == layerUTF16BE) != (b[s] == 0) {
				lo++
			}
			add(lo, e, kind, false)
		}
		s = e
	}
	return out
}
