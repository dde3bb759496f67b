package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"

	"github.com/stripe/stripe-mock/embedded"
)

// writeFixtures writes stripe-mock's bundled fixtures with resources laid
// over them (top-level fields replaced), as a file for its -fixtures flag.
func writeFixtures(dir string, resources map[string]object) (string, error) {
	var fixtures struct {
		Resources map[string]object `json:"resources"`
	}
	if err := json.Unmarshal(embedded.OpenAPIFixtures, &fixtures); err != nil {
		return "", fmt.Errorf("stripe-mock's bundled fixtures: %w", err)
	}
	for name, overlay := range resources {
		base, ok := fixtures.Resources[name]
		if !ok {
			return "", fmt.Errorf("stripe-mock has no %q fixture to lay over", name)
		}
		merged := maps.Clone(base)
		maps.Copy(merged, overlay)
		fixtures.Resources[name] = merged
	}
	data, err := json.Marshal(fixtures)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "fixtures-*.json")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	return filepath.Clean(f.Name()), f.Close()
}
