package validators_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// The fast path (and the guided explanation behind it) must give exactly
// the result of the whole-document path: same kind, same violations (rule,
// pointer, severity, message), for every input.
var (
	withFast    = mustValidator()
	withoutFast = mustValidator(validators.WithFastPath(false))
)

func sameResult(t testing.TB, doc []byte) {
	t.Helper()
	got, want := withFast.Validate(doc), withoutFast.Validate(doc)
	if len(got.Violations) == 0 && len(want.Violations) == 0 {
		got.Violations, want.Violations = nil, nil
	}
	if got.Kind != want.Kind || !slices.Equal(got.Violations, want.Violations) {
		t.Fatalf("fast and full paths disagree on\n%s\nfast: %s %v\nfull: %s %v", abbreviated(doc), got.Kind, got.Violations, want.Kind, want.Violations)
	}
}

func abbreviated(doc []byte) string {
	if len(doc) > 2000 {
		return string(doc[:2000]) + "…"
	}
	return string(doc)
}

// pointers lists every pointer into a decoded document.
func pointers(v any, at string, out *[]string) {
	*out = append(*out, at)
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pointers(v[k], at+"/"+k, out)
		}
	case []any:
		for i, x := range v {
			pointers(x, fmt.Sprintf("%s/%d", at, i), out)
		}
	}
}

// mutations breaks an example at every place, in every way a field can be
// wrong: absent, null, of another type, an unknown string, an escaped string,
// an integer in another form, and extra members.
func mutations(doc map[string]any) [][]byte {
	var ptrs []string
	pointers(doc, "", &ptrs)
	replacements := []any{nil, "", "x", "Paid", "in\u00e9\n", json.Number("0"), json.Number("-1"), json.Number("2.5"), json.Number("1e3"),
		true, map[string]any{}, []any{}, map[string]any{"object": "invoice", "id": "in_x"}, "inpay_" + string(bytes.Repeat([]byte("x"), 5000))}
	var out [][]byte
	for _, p := range ptrs {
		if p == "" {
			continue
		}
		out = append(out, encode(without(doc, p)))
		for _, r := range replacements {
			out = append(out, encode(set(doc, p, r)))
		}
		if len(p) > 0 {
			out = append(out, encode(set(doc, p+"/zz_undocumented", 1)))
		}
	}
	return out
}

func examplesRaw(t testing.TB) [][]byte {
	paths, _ := filepath.Glob(filepath.Join("..", "schemas", "examples", "*.json"))
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestFastPathAgreesOnGeneratedLines(t *testing.T) {
	g := bench.New(2)
	for range 20000 {
		line, _ := g.Line()
		sameResult(t, line)
	}
}

func TestFastPathAgreesOnBrokenExamples(t *testing.T) {
	n := 0
	for _, base := range []map[string]any{paidPI, paidCharge, paidRecord, openPayment, canceled, partial, expanded, list, invoice, notFound, paidEvent, fullError} {
		for _, doc := range mutations(base) {
			sameResult(t, doc)
			n++
		}
	}
	for _, raw := range examplesRaw(t) {
		sameResult(t, raw)
		n++
	}
	for _, body := range flowBodies(t) {
		sameResult(t, body)
		n++
	}
	t.Logf("%d documents compared", n)
}

func TestFastPathAgreesOnEditedBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	raws := examplesRaw(t)
	alphabet := []byte(`{}[]",:0123456789.eE-+ \ntrufalsn\u00ff` + "\\")
	for range 20000 {
		doc := slices.Clone(raws[rng.IntN(len(raws))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(doc))
			switch rng.IntN(3) {
			case 0:
				doc[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				doc = slices.Delete(doc, i, min(len(doc), i+1+rng.IntN(8)))
			default:
				doc = slices.Insert(doc, i, alphabet[rng.IntN(len(alphabet))])
			}
			if len(doc) == 0 {
				break
			}
		}
		sameResult(t, doc)
	}
}

// FuzzFastPath compares the two paths on any input (go test -fuzz=FuzzFastPath).
func FuzzFastPath(f *testing.F) {
	for _, raw := range examplesRaw(f) {
		f.Add(raw)
	}
	for _, line := range bench.Lines(200, 5) {
		f.Add(line)
	}
	for _, body := range flowBodies(f) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, doc []byte) { sameResult(t, doc) })
}
