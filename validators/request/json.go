package request

import (
	"strconv"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// Reading the parsed schema file and instances: JSON values as
// encoding/json decodes them.

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func props(m map[string]any) map[string]any {
	p, _ := m["properties"].(map[string]any)
	return p
}

// child returns the schema of property name of object schema m.
func child(m map[string]any, name string) map[string]any {
	c, _ := props(m)[name].(map[string]any)
	return c
}

func itemsEnum(m map[string]any) []string {
	items, _ := m["items"].(map[string]any)
	var out []string
	for _, v := range asList(items["enum"]) {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// resolve follows an RFC 6901 pointer ("" is the whole value) through
// objects and arrays; nil when it leads nowhere.
func resolve(v any, ptr string) any {
	for _, tok := range pointer.Split(ptr) {
		switch n := v.(type) {
		case map[string]any:
			v = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			v = n[i]
		default:
			return nil
		}
	}
	return v
}
