package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// The request file covers every operation of the API and is several MB
// long; a Checker reads it in parts, so that New costs what the operations
// list costs and a request compiles only its own operation:
//
//   - New reads the file's header ($id, x-stripe-api-version, x-operations,
//     which the generator writes before $defs), and stops there;
//   - the first Check scans the file once, without parsing it, for where
//     each subschema of $defs and each rule of x-rule-definitions stands
//     (index);
//   - an operation's subschema is read and compiled on its first request, a
//     rule read when a violation cites it, the whole catalogue only when
//     Rules asks for it.

// contractFile is the request file, read in parts.
type contractFile struct {
	r    io.ReaderAt
	size int64
}

// openFile opens schemas.RequestFile of files for reading in parts: through
// io.ReaderAt when the file system's files offer it (embed.FS, os.DirFS),
// else read whole.
func openFile(files fs.FS) (*contractFile, error) {
	f, err := files.Open(schemas.RequestFile)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read schema: %w", err)
	}
	if ra, ok := f.(io.ReaderAt); ok && info.Mode().IsRegular() {
		// Kept open for the Checker's life: embed.FS files hold no
		// descriptor, and an os.File stays valid while the Checker reads it.
		return &contractFile{r: ra, size: info.Size()}, nil
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	return &contractFile{r: bytes.NewReader(raw), size: int64(len(raw))}, nil
}

// read returns the bytes of s.
func (cf *contractFile) read(s span) ([]byte, error) {
	if s.start < 0 || s.end > cf.size || s.end < s.start {
		return nil, fmt.Errorf("%s: bytes %d to %d are outside the file", schemas.RequestFile, s.start, s.end)
	}
	b := make([]byte, s.end-s.start)
	if _, err := cf.r.ReadAt(b, s.start); err != nil && !(errors.Is(err, io.EOF) && s.end == cf.size) {
		return nil, fmt.Errorf("read %s: %w", schemas.RequestFile, err)
	}
	return b, nil
}

// header is what New reads of the file.
type header struct {
	id, apiVersion string
	operations     []operationEntry
}

// operationEntry is one entry of x-operations.
type operationEntry struct {
	Operation string   `json:"operation"`
	Method    string   `json:"method"`
	Path      string   `json:"path"`
	Schema    string   `json:"schema"`
	Body      string   `json:"body"`
	NotPaths  []string `json:"not-paths"`
}

// readHeader decodes the file's top-level members up to $defs: $id,
// x-stripe-api-version and x-operations. A file that puts them after $defs
// is still read, only slower.
func (cf *contractFile) readHeader() (*header, error) {
	dec := json.NewDecoder(io.NewSectionReader(cf.r, 0, cf.size))
	dec.UseNumber()
	bad := func(err error) error { return fmt.Errorf("parse schema %s: %w", schemas.RequestFile, err) }
	if t, err := dec.Token(); err != nil {
		return nil, bad(err)
	} else if t != json.Delim('{') {
		return nil, bad(errors.New("not a JSON object"))
	}
	h := &header{}
	var haveOps bool
	for dec.More() && (h.id == "" || h.apiVersion == "" || !haveOps) {
		t, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		key, _ := t.(string)
		switch key {
		case "$id":
			err = dec.Decode(&h.id)
		case "x-stripe-api-version":
			err = dec.Decode(&h.apiVersion)
		case "x-operations":
			err, haveOps = dec.Decode(&h.operations), true
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, bad(fmt.Errorf("%s: %w", key, err))
		}
	}
	switch {
	case h.id == "":
		return nil, fmt.Errorf("schema %s has no $id", schemas.RequestFile)
	case h.apiVersion == "":
		return nil, fmt.Errorf("schema %s names no API version (x-stripe-api-version)", schemas.RequestFile)
	case len(h.operations) == 0:
		return nil, fmt.Errorf("%s lists no operations (x-operations)", schemas.RequestFile)
	}
	return h, nil
}

// span is where a JSON value stands in the file: bytes [start, end).
type span struct{ start, end int64 }

// fileIndex says where each subschema and each rule stands.
type fileIndex struct {
	defs      map[string]span // $defs member -> its value
	rules     map[string]span // rule ID -> its x-rule-definitions entry
	catalogue span            // the whole x-rule-definitions object
}

// index scans the file once for its $defs and x-rule-definitions members,
// tracking only nesting and strings: no value is parsed.
func (cf *contractFile) index() (*fileIndex, error) {
	ix := &fileIndex{defs: map[string]span{}, rules: map[string]span{}, catalogue: span{-1, -1}}
	const chunk = 1 << 20
	buf := make([]byte, chunk)
	var (
		depth          int
		inString, esc  bool
		str            []byte // the string being read, at depth 1 and 2 (keys)
		last           string // the last string read at depth 1 or 2
		section        string // the top-level member being read
		key            string // the member of $defs or x-rule-definitions being read
		start          int64
		catalogueStart int64 = -1
	)
	sectionMap := func() map[string]span {
		switch section {
		case "$defs":
			return ix.defs
		case "x-rule-definitions":
			return ix.rules
		}
		return nil
	}
	for off := int64(0); off < cf.size; off += chunk {
		n, err := cf.r.ReadAt(buf, off)
		if n == 0 && err != nil {
			return nil, fmt.Errorf("read %s: %w", schemas.RequestFile, err)
		}
		data := buf[:n]
		// Most of the file is strings: their ends are found with
		// bytes.IndexByte, the next backslash remembered per chunk.
		nextBackslash := -1
		for i := 0; i < len(data); i++ {
			if inString {
				if esc {
					esc = false
					if depth <= 2 {
						str = append(str, data[i])
					}
					continue
				}
				if nextBackslash < i {
					if nextBackslash = bytes.IndexByte(data[i:], '\\'); nextBackslash >= 0 {
						nextBackslash += i
					} else {
						nextBackslash = len(data)
					}
				}
				end := bytes.IndexByte(data[i:nextBackslash], '"')
				if end < 0 {
					// No quote before the next backslash or the chunk's end.
					if depth <= 2 {
						str = append(str, data[i:nextBackslash]...)
					}
					i = nextBackslash
					if i < len(data) {
						esc = true
						if depth <= 2 {
							str = append(str, '\\')
						}
					}
					continue
				}
				if depth <= 2 {
					str = append(str, data[i:i+end]...)
					last = string(str)
				}
				i += end
				inString = false
				continue
			}
			switch b := data[i]; b {
			case '"':
				inString, str = true, str[:0]
			case ':':
				switch depth {
				case 1:
					section = unquote(last)
				case 2:
					key = unquote(last)
				}
			case '{', '[':
				depth++
				if depth == 2 && section == "x-rule-definitions" {
					catalogueStart = off + int64(i)
				}
				if depth == 3 {
					start = off + int64(i)
				}
			case '}', ']':
				pos := off + int64(i)
				if depth == 3 {
					if m := sectionMap(); m != nil {
						m[key] = span{start, pos + 1}
					}
				}
				if depth == 2 && section == "x-rule-definitions" {
					ix.catalogue = span{catalogueStart, pos + 1}
				}
				depth--
				if depth < 0 {
					return nil, fmt.Errorf("parse schema %s: unbalanced brackets at byte %d", schemas.RequestFile, pos)
				}
			}
		}
	}
	if depth != 0 || inString {
		return nil, fmt.Errorf("parse schema %s: the file ends inside a value", schemas.RequestFile)
	}
	if ix.catalogue.start < 0 || len(ix.rules) == 0 {
		return nil, fmt.Errorf("schema %s has no x-rule-definitions", schemas.RequestFile)
	}
	return ix, nil
}

// unquote reads the text of a JSON string whose quotes were dropped; one
// that is not valid stays as it was, to match nothing.
func unquote(s string) string {
	if !strings.ContainsRune(s, '\\') {
		return s
	}
	var u string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &u); err != nil {
		return s
	}
	return u
}
