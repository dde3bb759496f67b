package disk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// WriteFile replaces the file name with data, or leaves it as it was:
// temporary file in the same folder (so the rename does not cross file
// systems), fsync, rename, fsync of the folder so the rename itself
// survives a power cut. (os.WriteFile truncates in place, so a crash leaves
// a torn file.) A missing folder is created. An existing file keeps its
// permissions, a new one gets 0644. A name that is a symbolic link is
// written through to the file the link ends at, and stays a link (renaming
// over the link would replace it with a regular file, and its target would
// keep the old content). The temporary file is named .NAME.tmp-*: hidden,
// and without NAME's extension, so that no walk reads a leftover one.
func WriteFile(name string, data []byte) error {
	target, err := resolveLink(name)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := replace(target, data); err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	return nil
}

func replace(name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if info, err := os.Stat(name); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, tempPattern(name))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // best effort: not every file system can sync a folder
		d.Close()
	}
	return nil
}

// resolveLink follows name through symbolic links to the file they end at,
// which may not exist yet (a dangling link).
func resolveLink(name string) (string, error) {
	for range 40 { // as many as Linux follows
		// What cannot be looked at is no link to follow; writing it says why.
		if info, err := os.Lstat(name); err != nil || info.Mode()&fs.ModeSymlink == 0 {
			return name, nil
		}
		dest, err := os.Readlink(name)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(name), dest)
		}
		name = dest
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", name)
}

// tempPattern is os.CreateTemp's pattern for the temporary files of name:
// .NAME.tmp-* next to it, * being digits.
func tempPattern(name string) string { return "." + filepath.Base(name) + ".tmp-*" }

// isTempOf reports whether entry is named as a temporary file of the file
// named base.
func isTempOf(entry, base string) bool {
	digits, ok := strings.CutPrefix(entry, "."+base+".tmp-")
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// CheckWritable makes sure WriteFile can replace name, before the work
// that produces its content is done: a temporary file is created and
// removed where WriteFile will create one (in the folder it would create,
// the nearest folder that exists). Finding out at the end loses the work.
func CheckWritable(name string) error {
	target, err := resolveLink(name)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	existing := dir
	for {
		info, err := os.Stat(existing)
		if err == nil {
			if !info.IsDir() {
				return fmt.Errorf("%s is not a folder", existing)
			}
			break
		}
		parent := filepath.Dir(existing)
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) || parent == existing {
			return err
		}
		existing = parent
	}
	if existing != dir {
		probe, err := os.MkdirTemp(existing, ".stripe-contract-probe-*")
		if err != nil {
			return err
		}
		return os.Remove(probe)
	}
	probe, err := os.CreateTemp(dir, tempPattern(target))
	if err != nil {
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// RemoveStaleTemps removes the temporary files (.NAME.tmp-*) that
// WriteFile calls for name left behind when they were killed, next to the
// file or, for a symbolic link, next to its target, and returns their
// paths. Only files last modified before the time given are removed, so
// that a write under way in another process keeps its own.
func RemoveStaleTemps(name string, before time.Time) ([]string, error) {
	places := []string{name}
	if target, err := resolveLink(name); err == nil && target != name {
		places = append(places, target)
	}
	var removed []string
	for _, p := range places {
		entries, err := os.ReadDir(filepath.Dir(p))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, err
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || !isTempOf(e.Name(), filepath.Base(p)) {
				continue
			}
			info, err := e.Info()
			if err != nil || !info.ModTime().Before(before) {
				continue
			}
			stale := filepath.Join(filepath.Dir(p), e.Name())
			if err := os.Remove(stale); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, err
			}
			removed = append(removed, stale)
		}
	}
	return removed, nil
}
