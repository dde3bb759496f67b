package secret

import (
	"bytes"
	"html"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// layer is one encoding a view was decoded from.
type layer uint8

const (
	layerPlain layer = iota
	// Character encodings, in the canonical order in which Scan nests
	// decodings that do not touch each other (see charChildren).
	layerPercent
	layerJSON
	layerHTML
	layerQP
	layerUTF16LE
	layerUTF16BE
	layerBase64
	layerHex
	// Compressed containers: found by Scan, never Redactable.
	layerGzip
	layerZlib
	layerDeflate
	layerBrotli
	layerZstd
	layerXZ
	layerBzip2
)

// layerNames are the words of Finding.Encoding, one per layer.
var layerNames = [...]string{
	layerPlain:   "",
	layerPercent: "percent-encoded",
	layerJSON:    `JSON \u escapes`,
	layerHTML:    "HTML entities",
	layerQP:      "quoted-printable",
	layerUTF16LE: "UTF-16LE",
	layerUTF16BE: "UTF-16BE",
	layerBase64:  "base64",
	layerHex:     "hex",
	layerGzip:    "gzip",
	layerZlib:    "zlib",
	layerDeflate: "deflate",
	layerBrotli:  "brotli",
	layerZstd:    "zstd",
	layerXZ:      "xz",
	layerBzip2:   "bzip2",
}

func (l layer) String() string { return layerNames[l] }

// char reports whether l decodes character by character, so that a
// decoded secret maps back to exactly the bytes that encoded it.
func (l layer) char() bool { return layerPercent <= l && l <= layerQP }

// block reports whether l decodes groups of characters (base64, hex): a
// secret inside maps back to the whole token.
func (l layer) block() bool { return l == layerBase64 || l == layerHex }

// packed reports whether l is a compressed container.
func (l layer) packed() bool { return l >= layerGzip }

// escape is one escape sequence of a character encoding: the en bytes at e
// in the encoded text decode to the dn bytes at d. A soft line break of
// quoted-printable decodes to nothing (dn 0).
type escape struct {
	d, dn, e, en int
}

// charCodec decodes one character encoding: at returns the length of the
// escape starting at src[i] (0 when there is none) and appends what it
// decodes to.
type charCodec struct {
	kind    layer
	trigger byte
	at      func(src []byte, i int, out []byte) (int, []byte)
}

var charCodecs = [...]charCodec{
	{layerPercent, '%', percentAt},
	{layerJSON, '\\', jsonAt},
	{layerHTML, '&', entityAt},
	{layerQP, '=', qpAt},
}

// decodeChars appends src, decoded by c, to dst, and the escapes it
// decoded (none when src holds no escape of c) to esc, placed as if src
// started at offset off of the text it is part of.
func decodeChars(c *charCodec, src []byte, off int, dst []byte, esc []escape) ([]byte, []escape) {
	// Decoding never lengthens text much (an escape is at least as long
	// as what it decodes to, but for a few named HTML entities), and a
	// view's escapes are at most its triggers: growing once, not by
	// doubling, keeps a long region from allocating twice its size.
	dst = slices.Grow(dst, len(src))
	esc = slices.Grow(esc, bytes.Count(src, []byte{c.trigger}))
	base := len(dst)
	var scratch [8]byte
	pos := 0
	for pos < len(src) {
		j := bytes.IndexByte(src[pos:], c.trigger)
		if j < 0 {
			break
		}
		j += pos
		n, out := c.at(src, j, scratch[:0])
		if n == 0 {
			dst = append(dst, src[pos:j+1]...)
			pos = j + 1
			continue
		}
		dst = append(dst, src[pos:j]...)
		esc = append(esc, escape{d: len(dst) - base, dn: len(out), e: off + j, en: n})
		dst = append(dst, out...)
		pos = j + n
	}
	return append(dst, src[pos:]...), esc
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// hexByte decodes the two hex digits at src[i:].
func hexByte(src []byte, i int) (byte, bool) {
	if i+1 >= len(src) {
		return 0, false
	}
	h, ok1 := unhex(src[i])
	l, ok2 := unhex(src[i+1])
	return h<<4 | l, ok1 && ok2
}

// percentAt decodes %XX. A '+' stays '+': as a space it could only end a
// secret, and kept it leaves a base64 token whole.
func percentAt(src []byte, i int, out []byte) (int, []byte) {
	if b, ok := hexByte(src, i+1); ok {
		return 3, append(out, b)
	}
	return 0, out
}

// qpAt decodes quoted-printable's =XX and its soft line breaks (=\r\n, =\n).
func qpAt(src []byte, i int, out []byte) (int, []byte) {
	if b, ok := hexByte(src, i+1); ok {
		return 3, append(out, b)
	}
	switch {
	case i+2 < len(src) && src[i+1] == '\r' && src[i+2] == '\n':
		return 3, out
	case i+1 < len(src) && src[i+1] == '\n':
		return 2, out
	}
	return 0, out
}

// hex4 decodes the four hex digits at src[i:].
func hex4(src []byte, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range src[i : i+4] {
		v, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// jsonAt decodes a JSON string escape: \uXXXX (a surrogate pair as one
// character) and \" \\ \/ \b \f \n \r \t, so that a JSON-escaped JSON text
// decodes one level at a time.
func jsonAt(src []byte, i int, out []byte) (int, []byte) {
	if i+1 >= len(src) {
		return 0, out
	}
	switch c := src[i+1]; c {
	case '"', '\\', '/':
		return 2, append(out, c)
	case 'b':
		return 2, append(out, '\b')
	case 'f':
		return 2, append(out, '\f')
	case 'n':
		return 2, append(out, '\n')
	case 'r':
		return 2, append(out, '\r')
	case 't':
		return 2, append(out, '\t')
	case 'u':
		r, ok := hex4(src, i+2)
		if !ok {
			return 0, out
		}
		if utf16.IsSurrogate(r) && i+11 < len(src) && src[i+6] == '\\' && src[i+7] == 'u' {
			if r2, ok := hex4(src, i+8); ok {
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					return 12, utf8.AppendRune(out, pair)
				}
			}
		}
		return 6, utf8.AppendRune(out, r)
	}
	return 0, out
}

// entityAt decodes an HTML character reference: &#115; &#x73; (the
// semicolon optional, as browsers read them) and named ones (&lowbar;).
func entityAt(src []byte, i int, out []byte) (int, []byte) {
	j := i + 1
	if j < len(src) && src[j] == '#' {
		j++
		base := 10
		if j < len(src) && (src[j] == 'x' || src[j] == 'X') {
			base = 16
			j++
		}
		start := j
		for j < len(src) && j-start < 8 {
			if _, ok := unhex(src[j]); !ok || base == 10 && src[j] > '9' {
				break
			}
			j++
		}
		if j == start {
			return 0, out
		}
		n, err := strconv.ParseUint(string(src[start:j]), base, 32)
		r := rune(n)
		if err != nil || r == 0 || r > utf8.MaxRune || utf16.IsSurrogate(r) {
			r = utf8.RuneError
		}
		if j < len(src) && src[j] == ';' {
			j++
		}
		return j - i, utf8.AppendRune(out, r)
	}
	for j < len(src) && j-i <= 32 && isKey(src[j]) {
		j++
	}
	if j == i+1 || j >= len(src) || src[j] != ';' {
		return 0, out
	}
	ref := string(src[i : j+1])
	if plain := html.UnescapeString(ref); plain != ref {
		return j + 1 - i, append(out, plain...)
	}
	return 0, out
}

// encodeFor encodes repl so that decoding it with l gives repl back: the
// replacement of a secret found under l. Printable ASCII (all of Redacted)
// stands for itself in every character encoding; other bytes (the NULs of
// UTF-16) are escaped.
func encodeFor(l layer, repl []byte) []byte {
	plain := true
	for _, c := range repl {
		if c < 0x20 || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return repl
	}
	const digits = "0123456789ABCDEF"
	var out []byte
	for _, c := range repl {
		if c >= 0x20 && c < 0x7f {
			out = append(out, c)
			continue
		}
		switch l {
		case layerPercent:
			out = append(out, '%', digits[c>>4], digits[c&15])
		case layerQP:
			out = append(out, '=', digits[c>>4], digits[c&15])
		case layerJSON:
			out = append(out, '\\', 'u', '0', '0', digits[c>>4], digits[c&15])
		case layerHTML:
			out = append(out, "&#"...)
			out = strconv.AppendInt(out, int64(c), 10)
			out = append(out, ';')
		}
	}
	return out
}

// utf16Of encodes ASCII repl as UTF-16 in the byte order of l.
func utf16Of(l layer, repl []byte) []byte {
	out := make([]byte, 0, 2*len(repl))
	for _, c := range repl {
		if l == layerUTF16BE {
			out = append(out, 0, c)
		} else {
			out = append(out, c, 0)
		}
	}
	return out
}

// b64Value maps a byte of either base64 alphabet (standard +/ and URL -_)
// to its 6 bits, or 0xff.
var b64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(std) {
		t[std[i]] = byte(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// decodeBase64 appends chars (base64 of either alphabet, no padding, no
// line breaks) decoded to dst; a trailing lone character is dropped.
func decodeBase64(chars, dst []byte) []byte {
	i := 0
	for ; i+4 <= len(chars); i += 4 {
		v := uint32(b64Value[chars[i]])<<18 | uint32(b64Value[chars[i+1]])<<12 |
			uint32(b64Value[chars[i+2]])<<6 | uint32(b64Value[chars[i+3]])
		dst = append(dst, byte(v>>16), byte(v>>8), byte(v))
	}
	switch len(chars) - i {
	case 2:
		v := uint32(b64Value[chars[i]])<<18 | uint32(b64Value[chars[i+1]])<<12
		dst = append(dst, byte(v>>16))
	case 3:
		v := uint32(b64Value[chars[i]])<<18 | uint32(b64Value[chars[i+1]])<<12 | uint32(b64Value[chars[i+2]])<<6
		dst = append(dst, byte(v>>16), byte(v>>8))
	}
	return dst
}

// decodeHex appends chars (hex digits, either case) decoded to dst; a
// trailing lone digit is dropped.
func decodeHex(chars, dst []byte) []byte {
	for i := 0; i+2 <= len(chars); i += 2 {
		b, _ := hexByte(chars, i)
		dst = append(dst, b)
	}
	return dst
}
