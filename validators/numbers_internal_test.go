package validators

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/stripe/stripe-mock/embedded"
)

// Numbers written with a fraction or an exponent are the fast path's to
// decide where the contract takes any number (a tax rate's percentage, a
// coupon's percent_off), and the full path's where it asks for an integer
// (2000.0 is one to JSON Schema, in a form typed SDKs reject: RuleIntegerForm).
// Every stripe-mock fixture, each of its numbers written in turn as 2.5,
// 2000.0 and 1e3, gets the whole-document path's result, and the fast path
// decides the documents it passes.
func TestFastPathDecidesNumbersWithFractions(t *testing.T) {
	if RaceDetector {
		t.Skip("thousands of whole-document validations: run without -race (go test ./validators; CI does)")
	}
	fast, full := bothPaths(t)
	var file struct {
		Resources map[string]json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(embedded.OpenAPIFixtures, &file); err != nil {
		t.Fatal(err)
	}
	decided, integerForm, compared := 0, 0, 0
	for _, name := range slices.Sorted(maps.Keys(file.Resources)) {
		for _, doc := range withNumbersRewritten(t, file.Resources[name], "2.5", "2000.0", "1e3") {
			compared++
			got, want := fast.Validate(doc), full.Validate(doc)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: fast and full paths disagree on\n%s\nfast: %v\nfull: %v", name, doc, got.Violations, want.Violations)
			}
			if res, ok := fast.validateFast(doc, ""); ok {
				decided++
				if !res.Valid() || !reflect.DeepEqual(res, want) {
					t.Fatalf("%s: the fast path decided %v on\n%s\nthe full path %v", name, res.Violations, doc, want.Violations)
				}
			}
			for _, v := range want.Violations {
				if v.Rule == RuleIntegerForm {
					integerForm++
				}
			}
		}
	}
	t.Logf("%d documents compared: %d decided on the fast path, %d integer-form violations", compared, decided, integerForm)
	if decided < 50 || integerForm < 100 {
		t.Fatalf("%d documents decided on the fast path and %d integer-form violations: the comparison says little", decided, integerForm)
	}
}

// withNumbersRewritten returns copies of the JSON document raw, one for
// each of its numbers and each replacement, that number written as the
// replacement.
func withNumbersRewritten(t *testing.T, raw []byte, replacements ...string) [][]byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	var walk func(v any, set func(any))
	walk = func(v any, set func(any)) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				walk(sub, func(x any) { v[k] = x })
			}
		case []any:
			for i, sub := range v {
				walk(sub, func(x any) { v[i] = x })
			}
		case json.Number:
			for _, r := range replacements {
				set(json.Number(r))
				b, err := json.Marshal(doc)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
			set(v)
		}
	}
	walk(doc, func(any) {})
	return out
}

// bothPaths returns a validator with the fast path and one without it
// (the whole-document path), for tests that compare the two.
func bothPaths(t testing.TB) (fast, full *Validator) {
	t.Helper()
	fast, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if full, err = New(WithFastPath(false)); err != nil {
		t.Fatal(err)
	}
	return fast, full
}
