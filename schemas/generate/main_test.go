package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

func TestGenerateFromSpecFile(t *testing.T) {
	raw, _ := generator.PinnedSpec()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "spec3.json")
	if err := os.WriteFile(specPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-spec", specPath, "-out", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range schemas.AllFiles() {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s not written: %v", name, err)
		}
		if !strings.Contains(string(b), `"x-generated-from": "spec file spec3.json, sha256:`) {
			t.Errorf("%s does not record the spec file it came from", name)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".generate-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestGenerateReportsBadSpec(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-spec", filepath.Join(dir, "missing.json"), "-out", dir}, &stderr); code != 2 {
		t.Errorf("missing spec file: exit %d, want 2", code)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"openapi":"3.0.0","info":{"version":"x"}}`), 0o644)
	stderr.Reset()
	if code := run([]string{"-spec", bad, "-out", dir}, &stderr); code != 1 || !strings.Contains(stderr.String(), "components.schemas is empty") {
		t.Errorf("spec without components: exit %d, stderr %q", code, stderr.String())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".schema.json") {
			t.Errorf("a failed generation wrote %s", e.Name())
		}
	}
}

func TestGenerateFromEmbeddedVersion(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-api-version", "2025-09-30.clover", "-out", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, schemas.InvoicePaymentFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"x-stripe-api-version": "2025-09-30.clover"`,
		`"x-generated-from": "github.com/stripe/stripe-mock@v0.197.0 embedded/openapi/spec3.json, sha256:`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not contain %s", schemas.InvoicePaymentFile, want)
		}
	}
}

func TestGenerateRefusesUnknownVersion(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	code := run([]string{"-api-version", "2024-06-20", "-out", dir}, &stderr)
	want := "generate: API version not embedded: \"2024-06-20\" (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia)\n"
	if code != 2 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 2, %q", code, stderr.String(), want)
	}
	stderr.Reset()
	code = run([]string{"-api-version", "2025-09-30.clover", "-spec", "spec3.json", "-out", dir}, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "-spec and -api-version name two specs") {
		t.Errorf("both -spec and -api-version: exit %d, stderr %q", code, stderr.String())
	}
}
