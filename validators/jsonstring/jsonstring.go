// Package jsonstring finds, eight bytes at a time, the bytes of a JSON
// string's text that cannot stand in it as they are: a quote, a backslash,
// a control byte or a byte of a multi-byte UTF-8 sequence. The fast path's
// scanner skips the bytes before one (validators), and the reports copy
// them without escaping (report).
package jsonstring

import "math/bits"

// Plain marks the bytes that may stand in a JSON string as they are, and
// need no look of their own: ASCII from the space on, but the quote and
// the backslash.
var Plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Bytes of a word, each the same: the word's low bit and high bit of
// every byte.
const (
	eachLow  = 0x0101010101010101
	eachHigh = 0x8080808080808080
)

// Stops marks, by its high bit, each byte of the eight in x (read
// little-endian) that is not Plain. The lowest byte marked is the first
// such byte; a byte above it may be marked without being one (a borrow of
// the subtractions), which only means a look that finds nothing.
func Stops(x uint64) uint64 {
	zero := func(v uint64) uint64 { return (v - eachLow) & ^v } // high bit: v's byte was 0
	return (zero(x^(eachLow*'"')) | zero(x^(eachLow*'\\')) | (x-eachLow*0x20)&^x | x) & eachHigh
}

// PlainPrefix is the length of the longest prefix of s whose bytes are
// all Plain.
func PlainPrefix[T string | []byte](s T) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if stop := Stops(word(s, i)); stop != 0 {
			return i + bits.TrailingZeros64(stop)>>3
		}
	}
	for i < len(s) && Plain[s[i]] {
		i++
	}
	return i
}

// word is the eight bytes of s from i, little-endian (the compiler makes
// one load of the shifts).
func word[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}
