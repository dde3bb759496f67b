// Package disk holds how stripe-contract treats files on disk, for every
// command and generator alike: which files a folder walk reads (regular
// files, and links to them: Walkable, with a Skipped notice for the rest),
// how a file's name is shown to people (DisplayName), and how a file is
// replaced so that a crash or kill at any moment leaves the old version or
// the new one, never a truncated file (WriteFile, with CheckWritable and
// RemoveStaleTemps for its temporary files).
//
// It sits under recorder/ because cassettes are what most needs it, but it
// knows nothing of cassettes: the recorder's cassettes, the replay
// baselines and the generated schemas are all written with WriteFile, and
// validate's walk and the cassette sets use Walkable.
package disk

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DisplayName is a file name as messages and reports print it for people:
// as it is when every character in it is printable, else quoted as Go
// quotes strings ("a\nb.json"), so that a line break in a name cannot start
// a line of output of its own (where GitHub Actions would run "::error ..."
// as a workflow command, and a reader would take it for a result).
func DisplayName(name string) string {
	if !strings.HasPrefix(name, `"`) && !strings.ContainsFunc(name, func(r rune) bool { return r == utf8.RuneError || !strconv.IsPrint(r) }) {
		return name
	}
	return strconv.Quote(name)
}

// Skipped is a file a directory walk passed over although its extension is
// one read: it is not a regular file. A named pipe would wait for a writer
// forever, a device such as /dev/zero never ends; named as a PATH, such a
// file is read as cat would.
type Skipped struct {
	Path string
	Type fs.FileMode // the file's type bits (fs.ModeNamedPipe, ...), of its target for a symbolic link
}

// String is the notice: "DIR/x.yaml: skipped: a named pipe, not a regular
// file (name it as a PATH to read it)".
func (s Skipped) String() string {
	return fmt.Sprintf("%s: skipped: %s, not a regular file (name it as a PATH to read it)", DisplayName(s.Path), fileType(s.Type))
}

// fileType names a file type for people.
func fileType(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a device"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "an irregular file"
}

// Walkable reports whether a directory walk reads the entry d: a regular
// file, or a symbolic link whose target (stat follows it) is one. A link
// that cannot be followed is walkable, so that reading it reports why. It
// is the one definition of what walks read: validate's and the cassette
// sets' (package recorder/cassette).
func Walkable(d fs.DirEntry, stat func() (fs.FileInfo, error)) (typ fs.FileMode, ok bool) {
	typ = d.Type()
	if typ.IsRegular() {
		return typ, true
	}
	if typ&fs.ModeSymlink != 0 {
		info, err := stat()
		if err != nil {
			return typ, true
		}
		typ = info.Mode().Type()
	}
	return typ, typ.IsRegular()
}
