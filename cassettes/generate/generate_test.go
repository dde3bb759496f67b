package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestBundledCassettesMatchTheGenerator regenerates every bundled cassette
// (running the real stripe-mock) into a temporary folder and fails when a
// file differs from the one in the repository, or is missing or extra:
// the cassettes are derived copies and must not drift from their source.
// Run go generate ./cassettes and review the diff when it fails.
func TestBundledCassettesMatchTheGenerator(t *testing.T) {
	if testing.Short() {
		t.Skip("runs stripe-mock several times; skipped with -short")
	}
	out, violations := t.TempDir(), t.TempDir()
	if err := generate(options{out: out, violations: violations}); err != nil {
		t.Fatal(err)
	}
	compareTrees(t, out, "..", func(rel string) bool {
		return filepath.Ext(rel) == ".yaml" || rel == "README.md"
	})
	compareTrees(t, violations, filepath.Join("..", "..", "recorder", "testdata", "violations"), func(string) bool { return true })
}

// compareTrees fails for every file under want (as keep selects it) that
// differs from, or is missing in, got, and for every file in got that want
// lacks.
func compareTrees(t *testing.T, got, want string, keep func(rel string) bool) {
	t.Helper()
	list := func(root string) []string {
		var files []string
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			if d.IsDir() {
				if rel == "generate" {
					return filepath.SkipDir
				}
				return nil
			}
			if keep(filepath.ToSlash(rel)) {
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		slices.Sort(files)
		return files
	}
	gotFiles, wantFiles := list(got), list(want)
	if !slices.Equal(gotFiles, wantFiles) {
		t.Errorf("files differ under %s:\n generated: %v\n in the repository: %v\nrun go generate ./cassettes", want, gotFiles, wantFiles)
	}
	for _, rel := range gotFiles {
		g, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.ReadFile(filepath.Join(want, rel))
		if err != nil {
			continue // reported above
		}
		if string(g) != string(w) {
			t.Errorf("%s drifted from what the generator writes; run go generate ./cassettes and review the diff", filepath.Join(want, rel))
		}
	}
}
