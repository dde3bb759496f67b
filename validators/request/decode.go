package request

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// pair is one key=value of a form-encoded string, its key split into the
// parameter name and its bracketed members: payment[type] is
// ["payment", "type"], expand[] is ["expand", ""].
type pair struct {
	path  []string
	value string
}

// parseForm splits a form-encoded string into pairs, in order.
func parseForm(raw string) ([]pair, error) {
	var out []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("value of %s: %w", key, err)
		}
		path, err := splitKey(key)
		if err != nil {
			return nil, err
		}
		out = append(out, pair{path: path, value: value})
	}
	return out, nil
}

// splitKey reads name[a][b] as [name, a, b].
func splitKey(key string) ([]string, error) {
	name, rest, found := strings.Cut(key, "[")
	if name == "" {
		return nil, fmt.Errorf("parameter %q has no name", key)
	}
	path := []string{name}
	if !found {
		return path, nil
	}
	rest = "[" + rest
	for rest != "" {
		if rest[0] != '[' {
			return nil, fmt.Errorf("parameter %q: %q after a closing bracket", key, rest)
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, fmt.Errorf("parameter %q: unclosed bracket", key)
		}
		path = append(path, rest[1:end])
		rest = rest[end+1:]
	}
	return path, nil
}

// conflict says that one parameter was given in two shapes that cannot
// both hold: payment=x and payment[type]=y.
type conflict struct{ path []string }

// build assembles pairs that share a prefix into the deepObject shape:
// strings, objects (map[string]any) and arrays ([]any). Members named ""
// (expand[]) or by a number (expand[0]) make an array, in the order they
// first appear; a repeated plain value keeps the last one, as Stripe does.
func build(pairs []pair, at []string) (any, *conflict) {
	var scalars, nested int
	for _, p := range pairs {
		if len(p.path) == 0 {
			scalars++
		} else {
			nested++
		}
	}
	switch {
	case nested == 0:
		return pairs[len(pairs)-1].value, nil
	case scalars > 0:
		return nil, &conflict{path: at}
	}
	array := true
	for _, p := range pairs {
		if !isIndex(p.path[0]) {
			array = false
			break
		}
	}
	var order []string
	groups := map[string][]pair{}
	for n, p := range pairs {
		key := p.path[0]
		if array && key == "" {
			key = "#" + strconv.Itoa(n) // each expand[] is its own element
		}
		if _, seen := groups[key]; !seen {
			order = append(order, key)
		}
		groups[key] = append(groups[key], pair{path: p.path[1:], value: p.value})
	}
	if array {
		out := make([]any, 0, len(order))
		for i, key := range order {
			v, c := build(groups[key], append(slices.Clip(at), strconv.Itoa(i)))
			if c != nil {
				return nil, c
			}
			out = append(out, v)
		}
		return out, nil
	}
	out := make(map[string]any, len(order))
	for _, key := range order {
		v, c := build(groups[key], append(slices.Clip(at), key))
		if c != nil {
			return nil, c
		}
		out[key] = v
	}
	return out, nil
}

func isIndex(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(s) < 10
}

// paramName shows a pointer's parameter as it is written in a request:
// /query/payment/type is payment[type], /query/expand/0 is expand[0].
func paramName(ptr string) string {
	parts := pointer.Split(ptr)
	if len(parts) < 2 {
		return ""
	}
	var b strings.Builder
	b.WriteString(parts[1])
	for _, p := range parts[2:] {
		b.WriteString("[" + p + "]")
	}
	return b.String()
}

func pointerOf(path []string) string { return pointer.Join(path...) }
