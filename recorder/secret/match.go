package secret

import "bytes"

// shape recognises the values of one family: a head (the letters before
// the first underscore, "sk", "pi", "whsec") and the parts after it.
type shape struct {
	head string
	// boundary is true when the head must not follow a letter or digit:
	// "token=rt_…" and "_rt_…" hold a refresh token, "start_…" does not.
	boundary bool
	parts    []part
}

// part is one piece of a shape after its head: one of some literals, or a
// run of key characters.
type part struct {
	lit         []string // lower case; nil for a run
	min         int      // a run's fewest characters
	underscores bool     // a run may hold single underscores between key characters
}

// isKey reports whether c is a key character: an ASCII letter or digit.
func isKey(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// lower is c in lower case when it is an ASCII letter.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasLit reports whether b[i:] starts with lit (lower case), ignoring the
// case of b when fold is set.
func hasLit(b []byte, i int, lit string, fold bool) bool {
	if len(b)-i < len(lit) {
		return false
	}
	if !fold {
		return string(b[i:i+len(lit)]) == lit
	}
	for j := 0; j < len(lit); j++ {
		if lower(b[i+j]) != lit[j] {
			return false
		}
	}
	return true
}

// end returns where a value of the shape that starts with its head at
// b[:i] (i is just past the head) ends, or -1.
func (s *shape) end(b []byte, i int, fold bool) int {
	for _, p := range s.parts {
		if p.lit != nil {
			ok := false
			for _, l := range p.lit {
				if hasLit(b, i, l, fold) {
					i += len(l)
					ok = true
					break
				}
			}
			if !ok {
				return -1
			}
			continue
		}
		start := i
		for i < len(b) && isKey(b[i]) {
			i++
		}
		for p.underscores && i+1 < len(b) && b[i] == '_' && isKey(b[i+1]) && i > start {
			i++
			for i < len(b) && isKey(b[i]) {
				i++
			}
		}
		if i-start < p.min {
			return -1
		}
	}
	return i
}

// shapeRef is a family's shape with its place in the catalogue.
type shapeRef struct {
	*shape
	family int
}

// byLastHead lists the shapes by the last letter of their head, longest
// head first, so that the leftmost value wins where heads overlap
// ("accs_" and "cs_").
var byLastHead = func() (t [256][]shapeRef) {
	for i, c := range catalogue {
		if c.shape == nil {
			continue
		}
		last := c.shape.head[len(c.shape.head)-1]
		t[last] = append(t[last], shapeRef{c.shape, i})
	}
	for i := range t {
		refs := t[i]
		for a := 1; a < len(refs); a++ {
			for b := a; b > 0 && len(refs[b].head) > len(refs[b-1].head); b-- {
				refs[b], refs[b-1] = refs[b-1], refs[b]
			}
		}
	}
	return t
}()

// eachValue calls fn for every value of a family in b, leftmost first and
// not overlapping, with its span and the family's index in the catalogue.
// With fold set, the letters of prefixes match in either case.
func eachValue(b []byte, fold bool, fn func(start, end, family int)) {
	pos := 0
	for pos < len(b) {
		u := bytes.IndexByte(b[pos:], '_')
		if u < 0 {
			return
		}
		u += pos
		next := u + 1
		if u > 0 {
			last := b[u-1]
			if fold {
				last = lower(last)
			}
			for _, ref := range byLastHead[last] {
				start := u - len(ref.head)
				if start < pos || !hasLit(b, start, ref.head, fold) {
					continue
				}
				if ref.boundary && start > 0 && isKey(b[start-1]) {
					continue
				}
				if end := ref.end(b, u, fold); end > 0 {
					fn(start, end, ref.family)
					next = end
					break
				}
			}
		}
		pos = next
	}
}

// lowerASCII returns b with its ASCII letters in lower case and every other
// byte where it was, so that offsets into it are offsets into b.
func lowerASCII(dst, b []byte) []byte {
	dst = append(dst[:0], b...)
	for i, c := range dst {
		dst[i] = lower(c)
	}
	return dst
}

// eachCredential calls fn for every occurrence of a credential in b; the
// credentials are longest first, so a token is found before a part of it.
func eachCredential(b []byte, creds [][]byte, fn func(start, end int)) {
	for _, c := range creds {
		for pos := 0; pos <= len(b)-len(c); {
			i := bytes.Index(b[pos:], c)
			if i < 0 {
				break
			}
			fn(pos+i, pos+i+len(c))
			pos += i + len(c)
		}
	}
}
