package pointer_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

func TestDescribe(t *testing.T) {
	long := strings.Repeat("é", 61)
	many := make([]any, 30)
	for i := range many {
		many[i] = json.Number("1000")
	}
	wide := map[string]any{}
	for _, k := range []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"} {
		wide[k] = k
	}
	for _, c := range []struct {
		v            any
		plain, typed string
	}{
		{nil, "null", "null"},
		{true, "true", "true, a boolean"},
		{json.Number("2000"), "2000", "2000, a number"},
		{2000.5, "2000.5", "2000.5, a number"},
		{"2000", `"2000"`, `"2000", a string`},
		{"<a&b>", `"<a&b>"`, `"<a&b>", a string`},
		{long, `"` + strings.Repeat("é", 60) + `…"`, `"` + strings.Repeat("é", 60) + `…", a string`},
		{[]any{"data.object"}, `["data.object"]`, `["data.object"]`},
		{map[string]any{"x": json.Number("1")}, `{"x":1}`, `{"x":1}`},
		{many, "an array of 30 items", "an array of 30 items"},
		{wide, "an object with 8 fields", "an object with 8 fields"},
		{map[string]any{"object": "invoice", "id": strings.Repeat("x", 60)}, `an object with object "invoice"`, `an object with object "invoice"`},
		{[]any{strings.Repeat("x", 70)}, "an array of 1 item", "an array of 1 item"},
	} {
		if got := pointer.Describe(c.v); got != c.plain {
			t.Errorf("Describe(%#v) = %s, want %s", c.v, got, c.plain)
		}
		if got := pointer.DescribeTyped(c.v); got != c.typed {
			t.Errorf("DescribeTyped(%#v) = %s, want %s", c.v, got, c.typed)
		}
	}
}
