package cassette

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

// FS is a go-vcr cassette.FS, for go-vcr's recorder.WithFS, that writes a
// cassette crash-safely with disk.WriteFile (temporary file in the
// cassette's folder, fsync, rename, folder fsync): a crash or kill at any
// moment leaves either the old cassette or the new one, never a truncated
// file. (go-vcr's own disk FS writes with os.Create in place.) A cassette
// that is a symbolic link is written through to the link's target, and
// stays a link. Bytes that would not read back as a cassette (Parse) are
// refused with an error naming the file, and nothing is written. Its zero
// value is ready to use.
type FS struct {
	// Header is a comment block (see CommentBlock) written before the
	// cassette: where it came from. When empty, the comment block heading
	// the existing file is kept.
	Header string
	// Check, when set, is called with the bytes about to be written; an
	// error refuses them, and nothing is written. (The recorder refuses a
	// Stripe secret there.)
	Check func(name string, data []byte) error
}

// ReadFile reads a cassette for go-vcr to load, no further than
// DefaultMaxSize, and refuses another format version naming the version
// found and the one supported (go-vcr's own error names only the latter:
// "unsupported cassette version format: 2").
func (f *FS) ReadFile(name string) ([]byte, error) {
	file, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	data, err := readFrom(name, file, DefaultMaxSize)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(data); err != nil {
		return nil, err
	}
	return data, nil
}

// IsFileExists reports whether name exists (go-vcr's question).
func (f *FS) IsFileExists(name string) bool {
	_, err := os.Stat(name)
	return !errors.Is(err, fs.ErrNotExist)
}

// WriteFile writes data, headed by Header (or the existing file's comment
// block), as the cassette name, once Check and Parse accept it.
func (f *FS) WriteFile(name string, data []byte) error {
	header := f.Header
	if header == "" {
		if old, err := os.ReadFile(name); err == nil {
			header = leadingComments(old)
		}
	}
	out := append([]byte(header), data...)
	if f.Check != nil {
		if err := f.Check(name, out); err != nil {
			return err
		}
	}
	// The last check before the rename: what is written is what serve,
	// replay and validate will read, so read it as they do.
	if _, err := Parse(out); err != nil {
		return fmt.Errorf("write cassette %s: it would not read back: %w; nothing was written", name, err)
	}
	return disk.WriteFile(name, out)
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

// CommentBlock turns text into the YAML comment lines that head a
// cassette, saying where it came from (the caller redacts it first). A
// line break YAML knows (CR, LF, NEL, LS, PS: YAML 1.2, section 5.4)
// starts a new comment line, so no part of the text can fall outside the
// comments and break the cassette.
func CommentBlock(text string) string {
	text = yamlLineBreaks.Replace(text)
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

// Files lists the cassettes (*.yaml files) under fsys, in lexical order,
// as paths relative to its root; hidden files and folders are skipped, and
// so are files that are not regular files nor links to one (a named pipe
// would block the reader forever, /dev/zero never ends: disk.Walkable). It
// is the one definition of a cassette set, that serve, replay and webhooks
// read.
func Files(fsys fs.FS) ([]string, error) {
	return Walk(fsys, nil)
}

// Walk is Files, calling skipped (when not nil) with each *.yaml file
// passed over for not being a regular file, so that a command can say so.
func Walk(fsys fs.FS, skipped func(disk.Skipped)) ([]string, error) {
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
		if typ, ok := disk.Walkable(d, func() (fs.FileInfo, error) { return fs.Stat(fsys, p) }); !ok {
			if skipped != nil {
				skipped(disk.Skipped{Path: p, Type: typ})
			}
			return nil
		}
		files = append(files, p)
		return nil
	})
	return files, err // WalkDir visits in lexical order
}
