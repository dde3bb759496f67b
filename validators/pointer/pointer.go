// Package pointer is the one home of JSON Pointers (RFC 6901) in this
// module: every violation, deviation and request parameter is located by
// one, and they are escaped, split, joined and ordered here only. The value
// a message shows at a pointer is described here too (Describe).
//
//	p := pointer.Join("data", "0", "a/b")   // "/data/0/a~1b"
//	pointer.Split(p)                        // ["data" "0" "a/b"]
//	pointer.Compare("/data/2", "/data/10")  // -1: indexes by value
//	pointer.Describe("open")                 // "\"open\"", as messages show it
//
// The order is total whatever names a document uses: a token written as
// an array index ("0", or digits without a leading zero) sorts before any
// other, indexes among themselves by value, other tokens by their text.
package pointer

import (
	"cmp"
	"strings"
)

// Root is the pointer to the whole document, "" (RFC 6901, section 5).
const Root = ""

var (
	escaper   = strings.NewReplacer("~", "~0", "/", "~1")
	unescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// Escape writes a reference token as it stands in a pointer: "~" as "~0",
// "/" as "~1".
func Escape(token string) string {
	if !strings.ContainsAny(token, "~/") {
		return token
	}
	return escaper.Replace(token)
}

// Unescape reads a reference token of a pointer back: "~1" as "/", "~0" as
// "~" (in that order, as RFC 6901 section 4 requires: "~01" is "~1").
func Unescape(token string) string {
	if !strings.Contains(token, "~") {
		return token
	}
	return unescaper.Replace(token)
}

// Join is the pointer to the tokens, each escaped; no tokens is Root.
func Join(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(Escape(t))
	}
	return b.String()
}

// Append is p extended by the tokens.
func Append(p string, tokens ...string) string { return p + Join(tokens...) }

// Split returns the unescaped reference tokens of p; none for Root. A p
// that does not start with "/" is read as if it did.
func Split(p string) []string {
	if p == Root {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range parts {
		parts[i] = Unescape(t)
	}
	return parts
}

// IsIndex reports whether a reference token is written as an array index
// (RFC 6901, section 4: "0", or digits without a leading zero).
func IsIndex(token string) bool {
	if token == "" || token[0] == '0' && len(token) > 1 {
		return false
	}
	for i := 0; i < len(token); i++ {
		if token[i] < '0' || token[i] > '9' {
			return false
		}
	}
	return true
}

// Compare orders pointers token by token (see the package doc); a pointer
// before its own descendants. It returns -1, 0 or +1.
func Compare(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		ai, bi := IsIndex(as[i]), IsIndex(bs[i])
		switch {
		case ai && bi: // digits without leading zeros: the shorter is smaller
			if c := cmp.Compare(len(as[i]), len(bs[i])); c != 0 {
				return c
			}
		case ai:
			return -1
		case bi:
			return 1
		}
		return strings.Compare(as[i], bs[i])
	}
	return cmp.Compare(len(as), len(bs))
}

// Display is p as a message shows it: the root as "/" (an empty string
// reads as nothing at all), any other pointer as it is.
func Display(p string) string {
	if p == Root {
		return "/"
	}
	return p
}
