package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
)

func TestWritesTheArchiveOfADirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "2030-01-01.x"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := []byte(`{"type":"object"}`)
	if err := os.WriteFile(filepath.Join(dir, "2030-01-01.x", "customer.schema.json"), want, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-dir", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	raw, err := os.ReadFile(filepath.Join(dir, schemas.ArchiveFile))
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := schemas.OpenArchive(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := fsys.Open("2030-01-01.x/customer.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(f); err != nil || !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("read back %q, %v; want %q", got.Bytes(), err, want)
	}
}

func TestRefusesADirectoryWithoutSchemaFiles(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-dir", dir}, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if msg := stderr.String(); !strings.Contains(msg, dir) || !strings.Contains(msg, "no files match") {
		t.Fatalf("message %q names neither the directory nor the cause", msg)
	}
	if _, err := os.Stat(filepath.Join(dir, schemas.ArchiveFile)); !os.IsNotExist(err) {
		t.Fatalf("an archive was written: %v", err)
	}
}
