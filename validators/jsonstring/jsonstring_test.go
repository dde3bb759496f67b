package jsonstring

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// Stops marks the first byte of a word that is not Plain, whatever the
// bytes around it.
func TestStopsFindsTheFirstByteToLookAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(w [8]byte) {
		first := 8
		for k, c := range w {
			if !Plain[c] {
				first = k
				break
			}
		}
		stop := Stops(binary.LittleEndian.Uint64(w[:]))
		got := 8
		if stop != 0 {
			got = bits.TrailingZeros64(stop) >> 3
		}
		if got != first {
			t.Fatalf("Stops(%q): first byte to look at %d, want %d", w[:], got, first)
		}
	}
	for c := range 256 { // every byte at every place, among plain bytes and then any
		for k := range 8 {
			w := [8]byte{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}
			w[k] = byte(c)
			check(w)
			for range 64 {
				for j := range w {
					if j != k {
						w[j] = byte(rng.IntN(256))
					}
				}
				check(w)
			}
		}
	}
}

// PlainPrefix ends at the first byte that is not Plain, at every length
// and place, for strings and byte slices alike.
func TestPlainPrefix(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for at := 0; at <= n; at++ {
			for _, c := range []byte{'"', '\\', 0x00, 0x1f, 0x80, 0xff} {
				s := []byte(strings.Repeat("x", n))
				want := n
				if at < n {
					s[at], want = c, at
				}
				if got := PlainPrefix(s); got != want {
					t.Fatalf("PlainPrefix(%q) = %d, want %d", s, got, want)
				}
				if got := PlainPrefix(string(s)); got != want {
					t.Fatalf("PlainPrefix(string %q) = %d, want %d", s, got, want)
				}
			}
		}
	}
}
