package pointer_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

func TestEscapeRoundTrips(t *testing.T) {
	for _, tok := range []string{"", "a", "a/b", "~", "~1", "~01", "/~/", "m~0n"} {
		if got := pointer.Unescape(pointer.Escape(tok)); got != tok {
			t.Errorf("Unescape(Escape(%q)) = %q", tok, got)
		}
	}
	// RFC 6901, section 4: "~01" is "~1", not "/".
	if got := pointer.Unescape("~01"); got != "~1" {
		t.Errorf(`Unescape("~01") = %q, want "~1"`, got)
	}
	if got := pointer.Join("data", "0", "a/b", "m~n"); got != "/data/0/a~1b/m~0n" {
		t.Errorf("Join = %q", got)
	}
	if got := pointer.Split("/data/0/a~1b/m~0n"); !slices.Equal(got, []string{"data", "0", "a/b", "m~n"}) {
		t.Errorf("Split = %q", got)
	}
	if pointer.Split(pointer.Root) != nil || pointer.Join() != pointer.Root {
		t.Error("the root has no tokens")
	}
	if got := pointer.Split("/"); !slices.Equal(got, []string{""}) {
		t.Errorf(`Split("/") = %q, want the empty member name`, got)
	}
}

func TestIsIndex(t *testing.T) {
	for tok, want := range map[string]bool{"0": true, "7": true, "10": true, "": false, "00": false, "01": false, "1a": false, "-1": false} {
		if got := pointer.IsIndex(tok); got != want {
			t.Errorf("IsIndex(%q) = %v", tok, got)
		}
	}
}

func TestCompareIsATotalOrder(t *testing.T) {
	if pointer.Compare("/data/2", "/data/10") >= 0 {
		t.Error("/data/2 sorts before /data/10")
	}
	if pointer.Compare("/a", "/a/b") >= 0 {
		t.Error("a pointer sorts before its descendants")
	}
	// The cases that broke the old request checker's comparator, which
	// read tokens with strconv.Atoi: cmp("1","01") was 0, and
	// "1" < "0a" < "01" < "1" was a cycle.
	toks := []string{"0", "00", "01", "1", "1A", "2", "0011810", "0a", "10", "a", "", "-1", "+1"}
	ps := make([]string, len(toks))
	for i, tk := range toks {
		ps[i] = "/x/" + tk
	}
	for _, a := range ps {
		for _, b := range ps {
			ab, ba := pointer.Compare(a, b), pointer.Compare(b, a)
			if ab != -ba {
				t.Errorf("Compare(%q,%q)=%d but Compare(%q,%q)=%d", a, b, ab, b, a, ba)
			}
			if (ab == 0) != (a == b) {
				t.Errorf("Compare(%q,%q)=%d: distinct pointers compare unequal", a, b, ab)
			}
			for _, c := range ps {
				if ab < 0 && pointer.Compare(b, c) < 0 && pointer.Compare(a, c) >= 0 {
					t.Errorf("not transitive: %q < %q < %q but not %q < %q", a, b, c, a, c)
				}
			}
		}
	}
	slices.SortFunc(ps, pointer.Compare)
	want := []string{"/x/0", "/x/1", "/x/2", "/x/10", "/x/", "/x/+1", "/x/-1", "/x/00", "/x/0011810", "/x/01", "/x/0a", "/x/1A", "/x/a"}
	if !slices.Equal(ps, want) {
		t.Errorf("sorted: %s", strings.Join(ps, " "))
	}
}

func TestDisplay(t *testing.T) {
	if pointer.Display(pointer.Root) != "/" || pointer.Display("/a") != "/a" {
		t.Error("the root shows as /, others as they are")
	}
}

func ExampleCompare() {
	ps := []string{"/data/10/id", "/data/2/id", "/data/2", "/object"}
	slices.SortFunc(ps, pointer.Compare)
	fmt.Println(strings.Join(ps, " "))
	// Output: /data/2 /data/2/id /data/10/id /object
}
