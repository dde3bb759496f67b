package schemas

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestABrokenArchiveIsAnErrorNotAPanic(t *testing.T) {
	saved := embedded
	defer func() { embedded = saved }()
	embedded = openEmbedded("not a zip archive")

	if vs := Versions(); len(vs) != 0 {
		t.Errorf("Versions() = %v from a broken archive", vs)
	}
	if v := Newest(); v != "" {
		t.Errorf("Newest() = %q from a broken archive", v)
	}
	_, err := Version("2026-08-26.dahlia")
	if err == nil || !strings.Contains(err.Error(), "the embedded contract (contract.zip) is unreadable") {
		t.Errorf("Version: %v; want the archive named as unreadable", err)
	}
	if _, err := fs.ReadFile(embedded, "2026-08-26.dahlia/index.json"); err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a read: %v; want the archive's error, not a missing file", err)
	}
}
