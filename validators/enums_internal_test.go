package validators

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// currencyEnums lists the enums over 100 values reached from s within its
// file: the ISO currency codes, in the embedded files.
func currencyEnums(s *jsonschema.Schema) [][]any {
	var out [][]any
	seen := map[*jsonschema.Schema]bool{}
	var walk func(*jsonschema.Schema)
	walk = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if len(s.Enum) > 100 {
			out = append(out, s.Enum)
		}
		eachSubschema(s, walk)
	}
	walk(s)
	return out
}

func TestEqualEnumsAreHeldOnce(t *testing.T) {
	_, a := checkedValidator(t, schemas.Newest())
	c := a.c
	var v5 [][]any
	var fast []*fnode
	for _, kind := range []Kind{"charge", "invoice", "payment_intent"} {
		s, err := c.schema(kind)
		if err != nil {
			t.Fatal(err)
		}
		enums := currencyEnums(s)
		if len(enums) == 0 {
			t.Fatalf("%s: no currency enum reached", kind)
		}
		v5 = append(v5, enums...)
		seen := map[*fnode]bool{}
		var walk func(n *fnode)
		walk = func(n *fnode) {
			if n == nil || seen[n] {
				return
			}
			seen[n] = true
			if len(n.enum) > 100 {
				fast = append(fast, n)
			}
			for _, p := range n.props.slots {
				walk(p.node)
			}
			for _, l := range [][]*fnode{n.allOf, n.anyOf, {n.items, n.not, n.ifn, n.then, n.els, n.ref}} {
				for _, c := range l {
					walk(c)
				}
			}
		}
		walk(a.fast.root(kind))
	}
	// Every equal enum shares the first one's values, in both graphs.
	for _, e := range v5[1:] {
		if reflect.DeepEqual(e, v5[0]) && &e[0] != &v5[0][0] {
			t.Fatalf("two equal enums of %d values are held twice by jsonschema/v5", len(e))
		}
	}
	if len(fast) < 2 {
		t.Fatalf("%d fast nodes with a currency enum", len(fast))
	}
	for _, n := range fast[1:] {
		if slices.Equal(n.enum, fast[0].enum) && (&n.enum[0] != &fast[0].enum[0] ||
			reflect.ValueOf(n.enumSet).UnsafePointer() != reflect.ValueOf(fast[0].enumSet).UnsafePointer()) {
			t.Fatalf("two equal enums of %d values are held twice by the fast path", len(n.enum))
		}
	}
}

func TestEnumKeysTellValuesApart(t *testing.T) {
	key := func(values ...any) (string, bool) {
		var b strings.Builder
		ok := enumKey(&b, values)
		return b.String(), ok
	}
	lists := [][]any{{"true"}, {true}, {"false", "n"}, {false, nil}, {"a", "b"}, {"a\x00b"}, {"a\x00sb"}, {"ab"}, {"a1:b"}, {"n"}, {nil}}
	seen := map[string][]any{}
	for _, l := range lists {
		k, ok := key(l...)
		if !ok {
			t.Fatalf("%v: no key", l)
		}
		if prev, dup := seen[k]; dup {
			t.Errorf("%#v and %#v have the same key %q", prev, l, k)
		}
		seen[k] = l
	}
	if _, ok := key("a", json.Number("1")); ok {
		t.Error("an enum with a number has a key: numbers are not shared")
	}
}
