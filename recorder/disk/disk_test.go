package disk_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

func TestDisplayName(t *testing.T) {
	for _, c := range []struct{ what, name, shown string }{
		{"printable: as they are", "logs/2026 é.ndjson", "logs/2026 é.ndjson"},
		{"a line break: quoted as Go quotes", "a\n::error::b.json", `"a\n::error::b.json"`},
		{"a tab, an escape, a C1 control", "a\tb\x1b[31m\u0085.json", `"a\tb\x1b[31m\u0085.json"`},
		{"invalid UTF-8", "a\xffb.json", `"a\xffb.json"`},
		{"a leading quote, so that quoting stays unambiguous", `"a.json`, `"\"a.json"`},
	} {
		if got := disk.DisplayName(c.name); got != c.shown {
			t.Errorf("%s: DisplayName(%q) = %s, want %s", c.what, c.name, got, c.shown)
		}
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "c.yaml")
	old := time.Now().Add(-time.Hour)
	for _, f := range []string{".c.yaml.tmp-123", ".c.yaml.tmp-4", ".c.yaml.tmp-999" /* fresh */, ".c.yaml.tmp-x1", ".d.yaml.tmp-1", "c.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if f != ".c.yaml.tmp-999" {
			if err := os.Chtimes(filepath.Join(dir, f), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	removed, err := disk.RemoveStaleTemps(name, time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, ".c.yaml.tmp-123"), filepath.Join(dir, ".c.yaml.tmp-4")}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q (only the stale temporary files of c.yaml)", removed, want)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{".c.yaml.tmp-999", ".c.yaml.tmp-x1", ".d.yaml.tmp-1", "c.yaml"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "nested", "baseline.json")
	if err := disk.WriteFile(name, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(name); err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("a new file is 0644 (os.CreateTemp's own 0600 would hide a baseline from CI users): %v %v", info.Mode(), err)
	}
	if err := os.Chmod(name, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(name, link); err != nil {
		t.Fatal(err)
	}
	if err := disk.WriteFile(link, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(name); string(data) != "two" {
		t.Errorf("the link's target holds %q, want %q", data, "two")
	}
	if info, _ := os.Lstat(link); info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a regular file")
	}
	if info, _ := os.Stat(name); info.Mode().Perm() != 0o600 {
		t.Errorf("the file's mode is %v, want it kept at 0600", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(name))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := disk.WriteFile(filepath.Join(dir, "file", "x.json"), []byte("x")); err == nil || !strings.HasPrefix(err.Error(), "write "+filepath.Join(dir, "file", "x.json")+": ") {
		t.Errorf("writing under a file: %v, want an error naming the file", err)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{filepath.Join(dir, "c.yaml"), filepath.Join(dir, "new", "deeper", "c.yaml")} {
		if err := disk.CheckWritable(name); err != nil {
			t.Errorf("CheckWritable(%s): %v, want nil", name, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("CheckWritable left %v behind", entries)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{filepath.Join(dir, "file", "c.yaml"), filepath.Join(dir, "file", "deeper", "c.yaml")} {
		if err := disk.CheckWritable(name); err == nil {
			t.Errorf("CheckWritable(%s) under a regular file: nil, want an error", name)
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		if err := disk.CheckWritable(filepath.Join(ro, "c.yaml")); err == nil {
			t.Errorf("CheckWritable in a read-only folder: nil, want an error")
		}
	}
}
