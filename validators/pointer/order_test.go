package pointer_test

import (
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// comparePointers must be a total order, or sorting violations found in
// different orders (the fast path's and the full path's) gives different
// lists. FuzzFastPath found "0"/"00" and "2" < "0011810" < "1A" < "2".
func TestCompareOrdersViolationsTotally(t *testing.T) {
	segs := []string{"", "0", "00", "01", "1", "1A", "2", "9", "10", "0011810", "-1", "+1", "a", "data", "~0", "99999999999999999999"}
	var ptrs []string
	for _, a := range segs {
		ptrs = append(ptrs, "/"+a)
		for _, b := range segs[:6] {
			ptrs = append(ptrs, "/"+a+"/"+b)
		}
	}
	sign := func(c int) int {
		switch {
		case c < 0:
			return -1
		case c > 0:
			return 1
		}
		return 0
	}
	for _, a := range ptrs {
		for _, b := range ptrs {
			ab, ba := sign(pointer.Compare(a, b)), sign(pointer.Compare(b, a))
			if ab != -ba {
				t.Fatalf("compare(%q, %q) = %d but compare(%q, %q) = %d", a, b, ab, b, a, ba)
			}
			if (ab == 0) != (a == b) {
				t.Fatalf("compare(%q, %q) = 0 for different pointers", a, b)
			}
			for _, c := range ptrs {
				if ab < 0 && sign(pointer.Compare(b, c)) < 0 && sign(pointer.Compare(a, c)) >= 0 {
					t.Fatalf("not transitive: %q < %q < %q but not %q < %q", a, b, c, a, c)
				}
			}
		}
	}
	for _, tc := range []struct{ a, b string }{{"/data/2", "/data/10"}, {"/0", "/00"}, {"/9", "/1A"}, {"/data/1/id", "/data/1A"}} {
		if pointer.Compare(tc.a, tc.b) >= 0 {
			t.Errorf("%s should sort before %s", tc.a, tc.b)
		}
	}
}
