package generator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// spec is the part of a Stripe OpenAPI 3.0 document the generator reads.
type spec struct {
	version    string
	components map[string]map[string]any
	paths      map[string]any
}

func parseSpec(raw []byte) (*spec, error) {
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Version string `json:"version"`
		} `json:"info"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
		Paths map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse OpenAPI spec: %w", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, fmt.Errorf("parse OpenAPI spec: openapi version %q, want 3.x", doc.OpenAPI)
	}
	if doc.Info.Version == "" {
		return nil, errors.New("parse OpenAPI spec: info.version (the Stripe API version) is empty")
	}
	if len(doc.Components.Schemas) == 0 {
		return nil, errors.New("parse OpenAPI spec: components.schemas is empty")
	}
	return &spec{version: doc.Info.Version, components: doc.Components.Schemas, paths: doc.Paths}, nil
}

// idVersion is the version as the files' $id names it: a preview spec's
// version lists its beta headers after the release
// ("2026-08-26.preview; embedded_connect_beta=v2; ..."), which a URI cannot
// hold; the $id takes the release, x-stripe-api-version the whole.
func (s *spec) idVersion() string {
	release, _, _ := strings.Cut(s.version, ";")
	return url.PathEscape(strings.TrimSpace(release))
}

// component returns components.schemas[name].
func (s *spec) component(name string) (map[string]any, error) {
	c, ok := s.components[name]
	if !ok {
		return nil, fmt.Errorf("spec has no components.schemas.%s", name)
	}
	return c, nil
}

const refPrefix = "#/components/schemas/"

// refName returns the component a {"$ref": "#/components/schemas/X"} points at.
func refName(node map[string]any) (string, bool) {
	ref, ok := node["$ref"].(string)
	if !ok {
		return "", false
	}
	return strings.TrimPrefix(ref, refPrefix), strings.HasPrefix(ref, refPrefix)
}

// lookup follows a path of object keys from root, for reading operations
// (paths./v1/invoice_payments.get...). Keys are literal, not JSON pointers,
// because Stripe's path keys contain slashes.
func lookup(root any, keys ...string) (any, error) {
	cur := root
	for i, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("spec: %s is not an object", strings.Join(keys[:i], "."))
		}
		if cur, ok = m[k]; !ok {
			return nil, fmt.Errorf("spec: no %s", strings.Join(keys[:i+1], "."))
		}
	}
	return cur, nil
}

func lookupObject(root any, keys ...string) (map[string]any, error) {
	v, err := lookup(root, keys...)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("spec: %s is not an object", strings.Join(keys, "."))
	}
	return m, nil
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func properties(m map[string]any) map[string]map[string]any {
	props, _ := m["properties"].(map[string]any)
	out := make(map[string]map[string]any, len(props))
	for k, v := range props {
		if pm, ok := v.(map[string]any); ok {
			out[k] = pm
		}
	}
	return out
}
