package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// NewAtomicFS returns a cassette.FS, for go-vcr's recorder.WithFS, that
// writes a cassette through a temporary file in the cassette's folder,
// syncs it and renames it over the old file: a crash or kill at any moment
// leaves either the old cassette or the new one, never a truncated file.
// (go-vcr's own disk FS writes with os.Create in place.) A cassette that is
// a symbolic link is written through to the link's target, and stays a
// link. It refuses, with a *SecretError, bytes that hold a Stripe secret,
// and, with an error naming the file, bytes that would not read back as a
// cassette (as serve and validate read one).
func NewAtomicFS() cassette.FS { return &atomicFS{} }

type atomicFS struct {
	// header is a comment block written before the cassette (where it came
	// from); when empty, the comment block heading the existing file is kept.
	header string
}

// ReadFile reads a cassette for go-vcr to load, no further than the size
// limit, and refuses another format version naming the version found and
// the one supported (go-vcr's own error names only the latter: "unsupported
// cassette version format: 2").
func (f *atomicFS) ReadFile(name string) ([]byte, error) {
	file, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	data, err := readCassetteFrom(name, file, DefaultMaxCassetteSize)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(data); err != nil {
		return nil, err
	}
	return data, nil
}

func (f *atomicFS) IsFileExists(name string) bool {
	_, err := os.Stat(name)
	return !errors.Is(err, fs.ErrNotExist)
}

func (f *atomicFS) WriteFile(name string, data []byte) error {
	header := f.header
	if header == "" {
		if old, err := os.ReadFile(name); err == nil {
			header = leadingComments(old)
		}
	}
	out := append([]byte(header), data...)
	if err := checkBytes(name, out); err != nil {
		return err
	}
	// The last check before the rename: what is written is what serve,
	// replay and validate will read, so read it as they do.
	if _, _, err := parseCassette(out); err != nil {
		return fmt.Errorf("write cassette %s: it would not read back: %w; nothing was written", name, err)
	}
	target, err := resolveLink(name)
	if err != nil {
		return fmt.Errorf("write cassette %s: %w", name, err)
	}
	return writeAtomic(target, out)
}

// resolveLink follows name through symbolic links to the file they end at,
// which may not exist yet (a dangling link): renaming over the link itself would replace it
// with a regular file, and the file it pointed to would keep the old
// cassette.
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

// writeAtomic replaces name with data: temporary file in the same folder
// (so the rename does not cross file systems), fsync, rename, fsync of the
// folder so the rename itself survives a power cut. The temporary file is
// named .NAME.tmp-*: hidden, and without the .yaml extension, so neither
// validate nor serve reads a leftover one as a cassette.
func writeAtomic(name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write cassette %s: %w", name, err)
	}
	mode := fs.FileMode(0o644)
	if info, err := os.Stat(name); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, tempPattern(name))
	if err != nil {
		return fmt.Errorf("write cassette %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write cassette %s: %w", name, err)
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

// tempPattern is os.CreateTemp's pattern for the temporary files of a
// cassette: .NAME.tmp-* next to it, * being digits.
func tempPattern(name string) string { return "." + filepath.Base(name) + ".tmp-*" }

// isTempOf reports whether entry is named as a temporary file of the
// cassette named base.
func isTempOf(entry, base string) bool {
	digits, ok := strings.CutPrefix(entry, "."+base+".tmp-")
	return ok && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// checkWritable makes sure a cassette can be saved at file before anything
// is recorded for it: a temporary file is created and removed where the
// save will write one (in the folder the save would create, the nearest
// folder that exists). Finding out at the end loses the session.
func checkWritable(file string) error {
	target, err := resolveLink(file)
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

// RemoveStaleTemps removes the temporary files (.NAME.tmp-*) that saves of
// the cassette at file left behind when they were killed, next to the file
// or, for a symbolic link, next to its target, and returns their paths.
// Only files last modified before the time given are removed, so that a
// save under way in another process keeps its own.
func RemoveStaleTemps(file string, before time.Time) ([]string, error) {
	places := []string{file}
	if target, err := resolveLink(file); err == nil && target != file {
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

// leadingComments returns the block of # comment lines heading a file.
func leadingComments(data []byte) string {
	end := 0
	for end < len(data) {
		line := data[end:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		if !bytes.HasPrefix(line, []byte("#")) {
			break
		}
		end += len(line)
	}
	header := string(data[:end])
	if header != "" && !strings.HasSuffix(header, "\n") {
		header += "\n"
	}
	return header
}

// commentBlock turns text into YAML comment lines, its secrets redacted.
// A line break YAML knows (CR, LF, NEL, LS, PS: YAML 1.2, section 5.4)
// starts a new comment line, so no part of the text can fall outside the
// comments and break the cassette.
func commentBlock(text string) string {
	text = yamlLineBreaks.Replace(redactText(text))
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return ""
	}
	var b strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		b.WriteString(strings.TrimRight("# "+line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// yamlLineBreaks maps every line break YAML reads to "\n".
var yamlLineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

// ReadProvenance returns the comments heading a cassette file, without
// their "# " marks: where its interactions came from. It is "" for a
// cassette without them.
func ReadProvenance(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var lines []string
	for line := range strings.SplitSeq(strings.TrimSuffix(leadingComments(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		line = strings.TrimPrefix(line, "#")
		lines = append(lines, strings.TrimPrefix(line, " "))
	}
	return strings.Join(lines, "\n"), nil
}

// ReadCassetteFile reads the cassette name from fsys whole, but no more than
// limit bytes (0 means DefaultMaxCassetteSize): a larger file, or an endless
// one such as /dev/zero, is a *CassetteTooLargeError. It is for readers of
// cassette sets (the replay server, the suites) to bound what they read.
func ReadCassetteFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return readCassetteFrom(name, f, limit)
}

func readCassetteFrom(name string, f io.ReadCloser, limit int64) ([]byte, error) {
	defer f.Close()
	if limit <= 0 {
		limit = DefaultMaxCassetteSize
	}
	data, err := readBounded(f, limit)
	if errors.Is(err, ErrCassetteTooLarge) {
		return nil, &CassetteTooLargeError{File: name, Limit: limit}
	}
	return data, err
}

// CassetteFiles lists the cassettes (*.yaml files) under fsys, in lexical
// order, as paths relative to its root; hidden files and folders are
// skipped, and so are files that are not regular files nor links to one (a
// named pipe would block the reader forever, /dev/zero never ends). It is
// the one definition of a cassette set that serve, replay and webhooks read.
func CassetteFiles(fsys fs.FS) ([]string, error) {
	return WalkCassettes(fsys, nil)
}

// WalkCassettes is CassetteFiles, calling skipped (when not nil) with each
// *.yaml file passed over for not being a regular file, so that a command
// can say so.
func WalkCassettes(fsys fs.FS, skipped func(pipeline.Skipped)) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || path.Ext(p) != ".yaml" {
			return nil
		}
		if typ, ok := pipeline.Walkable(d, func() (fs.FileInfo, error) { return fs.Stat(fsys, p) }); !ok {
			if skipped != nil {
				skipped(pipeline.Skipped{Path: p, Type: typ})
			}
			return nil
		}
		files = append(files, p)
		return nil
	})
	return files, err // WalkDir visits in lexical order
}
