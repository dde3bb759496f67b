package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-mock/embedded"
)

// specSchema is what this test reads of a components.schemas entry.
type specSchema struct {
	Required   []string              `json:"required"`
	Properties map[string]specSchema `json:"properties"`
	Enum       []any                 `json:"enum"`
	Type       string                `json:"type"`
	Nullable   bool                  `json:"nullable"`
	Ref        string                `json:"$ref"`
	AnyOf      []specSchema          `json:"anyOf"`
}

// refName is the components.schemas name a $ref points to.
func refName(ref string) string { return strings.TrimPrefix(ref, "#/components/schemas/") }

// TestFlowFixturesAreWrittenFromTheSpec checks the flow's objects against
// the pinned spec stripe-mock embeds (components.schemas.<object>), at every
// depth where an object names its type: each field the spec marks required
// is there, no field the spec does not document is, a string field with an
// enum holds one of its values, scalars have their documented type, and a
// currency is a lowercase ISO 4217 code, never stripe-mock's placeholder.
func TestFlowFixturesAreWrittenFromTheSpec(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas map[string]specSchema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(embedded.OpenAPISpec, &spec); err != nil {
		t.Fatal(err)
	}
	schemas := spec.Components.Schemas
	objects := map[string]object{}
	for name, o := range flowResources(customerCreated()) {
		objects[name] = o
	}
	for _, e := range []object{customerCreated(), chargeSucceeded(), intentSucceeded(), invoicePaid()} {
		objects["event "+e["type"].(string)] = e
	}
	currency := regexp.MustCompile(`^[a-z]{3}$`)
	var checked int
	var walk func(where string, v any, ref string)
	walk = func(where string, v any, ref string) {
		switch v := v.(type) {
		case map[string]any:
			name, _ := v["object"].(string)
			if v["deleted"] == true {
				name = "deleted_" + name
			}
			if _, typed := schemas[name]; !typed && ref != "" {
				name = ref // an untyped object (billing_details, outcome): the schema its field refers to
			}
			s, ok := schemas[name]
			if ok && s.Properties != nil {
				checked++
				for _, r := range s.Required {
					if _, ok := v[r]; !ok {
						t.Errorf("%s: %s lacks %s, which the spec requires", where, name, r)
					}
				}
				for k, x := range v {
					p, ok := s.Properties[k]
					if !ok {
						t.Errorf("%s/%s: %s has no such field in the spec", where, k, name)
						continue
					}
					checkScalar(t, fmt.Sprintf("%s/%s", where, k), p, x)
				}
			}
			for k, x := range v {
				if c, ok := x.(string); ok && k == "currency" && !currency.MatchString(c) {
					t.Errorf("%s/%s: %q is not a lowercase ISO 4217 code", where, k, c)
				}
				var inner string
				if p, ok := s.Properties[k]; ok && p.Ref != "" {
					inner = refName(p.Ref)
				} else if ok && len(p.AnyOf) == 1 && p.AnyOf[0].Ref != "" {
					inner = refName(p.AnyOf[0].Ref) // a nullable reference
				}
				walk(where+"/"+k, x, inner)
			}
		case []any:
			for n, x := range v {
				walk(fmt.Sprintf("%s/%d", where, n), x, "")
			}
		}
	}
	for name, o := range objects {
		walk(name, o, "")
	}
	// customer, deleted customer, charge, its refunds list's owner, payment
	// intent, invoice, subscription, item, price, event and the objects the
	// events carry
	if checked < 15 {
		t.Errorf("checked %d typed objects, want at least 15", checked)
	}
}

// checkScalar checks a scalar field against its documented type and enum.
func checkScalar(t *testing.T, where string, p specSchema, x any) {
	t.Helper()
	if x == nil {
		if !p.Nullable && p.Type != "" {
			t.Errorf("%s: null, but the spec does not make it nullable", where)
		}
		return
	}
	var ok bool
	switch p.Type {
	case "string":
		var s string
		s, ok = x.(string)
		if ok && p.Enum != nil && !slices.Contains(p.Enum, any(s)) {
			t.Errorf("%s: %q is not one of %v", where, s, p.Enum)
		}
	case "integer":
		_, ok = x.(int)
	case "boolean":
		var b bool
		b, ok = x.(bool)
		if ok && p.Enum != nil && !slices.Contains(p.Enum, any(b)) {
			t.Errorf("%s: %v is not one of %v", where, b, p.Enum)
		}
	case "object":
		_, ok = x.(map[string]any)
	case "array":
		_, ok = x.([]any)
	default:
		return // anyOf, $ref: the walk checks the object itself
	}
	if !ok {
		t.Errorf("%s: %v (%T) is not of the documented type %s", where, x, x, p.Type)
	}
}
