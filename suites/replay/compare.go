package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// finding is a deviation before it is placed in an interaction.
type finding struct {
	pointer, rule, message string
	severity               validators.Severity
}

// decodeJSON decodes a body keeping numbers exact.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// compareBodies lists how got differs from the recorded want, structurally:
// fields, JSON types, nullness and values, except the values of
// volatileFields. Pointers are prefixed with prefix.
func compareBodies(prefix string, want, got any) []finding {
	var out []finding
	compareValue(&out, prefix, "", "", want, got)
	return out
}

func compareValue(out *[]finding, ptr, parent, name string, want, got any) {
	vf, isVolatile := volatile(parent, name)
	if want == nil || got == nil {
		if (want == nil) != (got == nil) && !(isVolatile && vf.anyNullness) {
			*out = append(*out, finding{ptr, RuleNullness,
				fmt.Sprintf("is %s, recorded %s", pointer.Describe(got), pointer.Describe(want)), validators.Error})
		}
		return
	}
	if jsonType(want) != jsonType(got) {
		*out = append(*out, finding{ptr, RuleType,
			fmt.Sprintf("is %s, recorded %s", pointer.DescribeTyped(got), pointer.DescribeTyped(want)), validators.Error})
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(w)) {
			child := ptr + "/" + pointer.Escape(k)
			gv, ok := g[k]
			if !ok {
				*out = append(*out, finding{child, RuleMissingField,
					fmt.Sprintf("is missing; recorded %s", pointer.Describe(w[k])), validators.Error})
				continue
			}
			compareValue(out, child, name, k, w[k], gv)
		}
		for _, k := range slices.Sorted(maps.Keys(g)) {
			if _, ok := w[k]; !ok {
				*out = append(*out, finding{ptr + "/" + pointer.Escape(k), RuleExtraField,
					fmt.Sprintf("is %s, and the recording has no such field", pointer.Describe(g[k])), validators.Warning})
			}
		}
	case []any:
		g := got.([]any)
		if len(w) != len(g) {
			*out = append(*out, finding{ptr, RuleLength,
				fmt.Sprintf("has %d items, recorded %d", len(g), len(w)), validators.Error})
		}
		for i := range min(len(w), len(g)) {
			compareValue(out, ptr+"/"+strconv.Itoa(i), "", "", w[i], g[i])
		}
	default:
		if isVolatile || sameScalar(want, got) {
			return
		}
		*out = append(*out, finding{ptr, RuleValue,
			fmt.Sprintf("is %s, recorded %s", pointer.Describe(got), pointer.Describe(want)), validators.Error})
	}
}

// sameScalar compares strings, booleans and numbers (2000 equals 2000.0:
// their JSON types agree, the integer form is the validators' concern).
func sameScalar(want, got any) bool {
	if wn, ok := want.(json.Number); ok {
		gn := got.(json.Number)
		if wn == gn {
			return true
		}
		wr, ok1 := new(big.Rat).SetString(string(wn))
		gr, ok2 := new(big.Rat).SetString(string(gn))
		return ok1 && ok2 && wr.Cmp(gr) == 0
	}
	return want == got
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}
