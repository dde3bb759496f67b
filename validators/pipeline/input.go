package pipeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
)

// Document is one payload to validate and where it came from.
type Document struct {
	Source string // the file's path as given or found, or "stdin"
	Line   int    // 1-based line where the document stands in NDJSON; 0 for a whole file
	Data   []byte // the document; nil when Size is over the limit
	Size   int64  // its size in bytes
	// Prefix is prepended to violation pointers, for documents inside a
	// larger file (a response body inside a cassette).
	Prefix string
	// Label names the document when Line cannot (an interaction of a cassette).
	Label string
	// APIVersion is the API version the request the document answers asked
	// for (a cassette interaction's Stripe-Version header), or "": the
	// version it is judged at when it names none itself
	// (validators.Validator.ValidateRequested).
	APIVersion string

	// problem is set for a file a Reader found invalid as a whole (an
	// *InvalidFileError): the violation reported instead of validating Data.
	problem *validators.Violation
}

// Location is "source" or "source:line".
func (d Document) Location() string {
	if d.Line > 0 {
		return d.Source + ":" + strconv.Itoa(d.Line)
	}
	return d.Source
}

// Stdin is the path that reads standard input; its documents' Source is StdinName.
const (
	Stdin     = "-"
	StdinName = "stdin"
)

// Layout says how a file holds documents.
type Layout int

// Layouts of input files.
const (
	LayoutAuto   Layout = iota // one pretty-printed document, or NDJSON: decided from the first line
	LayoutJSON                 // the whole file is one document
	LayoutNDJSON               // one document per line
)

// ParseLayout reads "auto", "json" or "ndjson".
func ParseLayout(s string) (Layout, error) {
	switch s {
	case "auto":
		return LayoutAuto, nil
	case "json":
		return LayoutJSON, nil
	case "ndjson", "jsonl":
		return LayoutNDJSON, nil
	}
	return 0, fmt.Errorf("unknown input layout %q (want auto, json or ndjson)", s)
}

// Reader splits a file into documents. Extra readers (cassettes) register by
// file extension with WithReader. A document's Data is valid only until
// emit returns: readers reuse their buffers.
type Reader func(source string, r io.Reader, maxSize int, emit func(Document) error) error

// input is one file to read, with the reader its extension selects.
type input struct {
	path  string
	read  Reader
	split bool // NDJSON read by the pipeline's own reader: a regular file is read in ranges
}

// InvalidFileError is what a Reader returns for a file whose content is not
// what its extension says (a .yaml file that is not a go-vcr cassette, or
// one over the size limit on cassettes): the file is then one invalid result
// row, at Line, with Violation, as a document that is not JSON is, and not an
// unreadable path. Documents emitted before it stand. Err is the reason, for
// callers outside a pipeline (errors.Is and errors.As reach it).
type InvalidFileError struct {
	Line      int // 1-based line in the file where the problem stands; 0 when not known
	Violation validators.Violation
	Err       error
}

// Error is why the file is invalid.
func (e *InvalidFileError) Error() string { return e.Err.Error() }

// Unwrap is the reason, for errors.Is and errors.As.
func (e *InvalidFileError) Unwrap() error { return e.Err }

// UsageError is a problem with the paths given: nothing there to read.
type UsageError struct {
	Path string
	Err  error
}

// Error names the path and what is wrong with it.
func (e *UsageError) Error() string { return fmt.Sprintf("%s: %v", disk.DisplayName(e.Path), e.Err) }

// Unwrap is the reason, for errors.Is and errors.As.
func (e *UsageError) Unwrap() error { return e.Err }

// ErrNoDocuments is returned when the paths hold no file to validate.
var ErrNoDocuments = errors.New("no .json, .ndjson or .jsonl files found")

// expand turns the paths given into files: directories are walked (in
// lexical order) for the regular files with the extensions readers are
// registered for, or one of them followed by .gz or .zst; a file named
// explicitly is read whatever its extension and its type.
func (p *Pipeline) expand(paths []string) ([]input, []error) {
	var out []input
	var errs []error
	for _, path := range paths {
		if path == Stdin {
			out = append(out, input{path: Stdin, read: sniffed(p.layoutReader(p.stdinLayout))})
			continue
		}
		info, err := os.Stat(path)
		if err != nil {
			errs = append(errs, &UsageError{Path: path, Err: unwrapPathError(err)})
			continue
		}
		if !info.IsDir() {
			out = append(out, input{path: path, read: p.readerFor(path, true), split: p.splits(path)})
			continue
		}
		found := 0
		err = filepath.WalkDir(path, func(file string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &UsageError{Path: file, Err: unwrapPathError(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if file != path && strings.HasPrefix(d.Name(), ".") {
					return fs.SkipDir
				}
				return nil
			}
			r := p.readerFor(file, false)
			if r == nil {
				return nil
			}
			if typ, ok := disk.Walkable(d, func() (fs.FileInfo, error) { return os.Stat(file) }); !ok {
				p.onSkip(disk.Skipped{Path: file, Type: typ})
				return nil
			}
			out = append(out, input{path: file, read: r, split: p.splits(file)})
			found++
			return nil
		})
		if err != nil {
			errs = append(errs, &UsageError{Path: path, Err: err})
		}
		if found == 0 {
			errs = append(errs, &UsageError{Path: path, Err: fmt.Errorf("%w in this directory (extensions read: %s)", ErrNoDocuments, strings.Join(p.extensions(), ", "))})
		}
	}
	return out, errs
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// extensions are the file name endings a directory walk reads: each a
// reader is registered for, also followed by each compression's.
func (p *Pipeline) extensions() []string {
	exts := make([]string, 0, len(p.readers)*(1+len(compressions)))
	for e := range p.readers {
		exts = append(exts, e)
		for _, c := range compressions {
			exts = append(exts, e+c.ext)
		}
	}
	slices.Sort(exts)
	return exts
}

// readerFor selects by extension, the one before .gz or .zst for a
// compressed file (see compressed.go); a file named explicitly with another
// extension is read with the stdin layout (auto by default), decompressed
// if it starts with the magic bytes of a compression.
func (p *Pipeline) readerFor(path string, explicit bool) Reader {
	name := strings.ToLower(path)
	c := compressionOf(name)
	if c != nil {
		name = strings.TrimSuffix(name, c.ext)
	}
	r, ok := p.readers[filepath.Ext(name)]
	switch {
	case !ok && !explicit:
		return nil
	case c != nil && !ok:
		return c.reader(p.layoutReader(p.stdinLayout))
	case c != nil:
		return c.reader(r)
	case !ok:
		return sniffed(p.layoutReader(p.stdinLayout))
	}
	return r
}

// splits reports whether path's documents are NDJSON lines, uncompressed,
// that the pipeline's own line reader would read (its extension is one
// ReadNDJSON is registered for, not one given to WithReader): then a
// regular file is read in ranges by the workers. A file of another
// extension may be compressed (its bytes decide, sniffed) and is streamed.
func (p *Pipeline) splits(path string) bool {
	return compressionOf(path) == nil && p.ndjsonExts[strings.ToLower(filepath.Ext(path))]
}

func (p *Pipeline) layoutReader(l Layout) Reader {
	switch l {
	case LayoutJSON:
		return ReadJSON
	case LayoutNDJSON:
		return ReadNDJSON
	}
	return ReadAuto
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// ReadJSON reads the whole input as one document. A leading UTF-8 byte order
// mark is dropped (RFC 8259 section 8.1 lets parsers ignore it).
func ReadJSON(source string, r io.Reader, maxSize int, emit func(Document) error) error {
	data, size, err := readLimited(r, maxSize)
	if err != nil {
		return err
	}
	data = bytes.TrimPrefix(data, bom)
	return emit(Document{Source: source, Data: data, Size: size})
}

// readLimited reads r to the end, keeping at most maxSize bytes: past that,
// the rest is counted and dropped, and data is nil.
func readLimited(r io.Reader, maxSize int) (data []byte, size int64, err error) {
	data, err = io.ReadAll(io.LimitReader(r, int64(maxSize)+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) <= maxSize {
		return data, int64(len(data)), nil
	}
	rest, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, 0, err
	}
	return nil, int64(len(data)) + rest, nil
}

// ReadNDJSON reads one document per line, skipping blank lines. A line
// longer than maxSize is emitted with its size and no data, and reading
// goes on with the next line.
func ReadNDJSON(source string, r io.Reader, maxSize int, emit func(Document) error) error {
	lr := newLineReader(r, maxSize)
	defer lr.release()
	return lr.each(func(line []byte, size int64, n int) error {
		return emit(Document{Source: source, Line: n, Data: line, Size: size})
	})
}

// ReadAuto reads NDJSON, unless the first line does not hold a whole JSON
// value but starts one that goes on (a pretty-printed document, as curl
// shows a Stripe response): then the whole input is one document. The whole
// first line decides, however long, up to maxSize: a first line longer than
// that cannot be a document's opening (the document would be over the limit
// too), so the input is read as NDJSON and that line reported too large.
func ReadAuto(source string, r io.Reader, maxSize int, emit func(Document) error) error {
	br := readBuffers.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() { br.Reset(nil); readBuffers.Put(br) }()
	head, overLimit, err := readHead(br, maxSize)
	if err != nil {
		return err
	}
	rest := io.MultiReader(bytes.NewReader(head), br)
	if !overLimit && pretty(head) {
		return ReadJSON(source, rest, maxSize, emit)
	}
	return ReadNDJSON(source, rest, maxSize, emit)
}

// readHead reads br up to the end of its first non-blank line, or to the end
// of input, and returns every byte read. It stops early, with overLimit,
// once it holds more than limit bytes (the line end aside) without having
// reached that line's end.
func readHead(br *bufio.Reader, limit int) (head []byte, overLimit bool, err error) {
	lineStart := 0
	for {
		chunk, err := br.ReadSlice('\n')
		head = append(head, chunk...)
		switch {
		case err == nil:
			if len(bytes.TrimSpace(head[lineStart:])) > 0 {
				return head, false, nil
			}
			lineStart = len(head)
		case errors.Is(err, io.EOF):
			return head, false, nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, false, err
		}
		if len(head) > limit+2 { // +2: the line end is not part of the document
			return head, true, nil
		}
	}
}

// pretty reports whether head starts with a JSON value that its first
// non-blank line leaves open.
func pretty(head []byte) bool {
	head = bytes.TrimPrefix(head, bom)
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			continue
		}
		if trimmed[0] != '{' && trimmed[0] != '[' {
			return false
		}
		// Open at the end of the line (it goes on), not broken in the middle.
		// (Unmarshal checks the syntax before decoding anything.)
		var se *json.SyntaxError
		return errors.As(json.Unmarshal(trimmed, new(json.RawMessage)), &se) && se.Offset >= int64(len(trimmed))
	}
	return false
}

// lineReader splits input into lines of bounded size.
type lineReader struct {
	r       *bufio.Reader
	pooled  bool // r came from readBuffers
	maxSize int
	buf     []byte
}

// readBuffers holds the line readers' 256 KiB buffers between files: one
// allocated per file is, over 40,000 small files, 10 GB of garbage, and the
// heap grows with it.
var readBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 256<<10) }}

func newLineReader(r io.Reader, maxSize int) *lineReader {
	if br, ok := r.(*bufio.Reader); ok {
		return &lineReader{r: br, maxSize: maxSize}
	}
	br := readBuffers.Get().(*bufio.Reader)
	br.Reset(r)
	return &lineReader{r: br, pooled: true, maxSize: maxSize}
}

// release gives the read buffer back; the lines read are then invalid.
func (lr *lineReader) release() {
	if lr.pooled {
		lr.r.Reset(nil)
		readBuffers.Put(lr.r)
		lr.r, lr.pooled = nil, false
	}
}

// each calls fn for every non-blank line with its bytes (nil when longer
// than maxSize; valid until the next call), its size and its 1-based number.
func (lr *lineReader) each(fn func(line []byte, size int64, n int) error) error {
	n := 0
	for {
		line, size, err := lr.next()
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if line == nil && size == 0 && errors.Is(err, io.EOF) {
			return nil
		}
		n++
		if n == 1 && line != nil {
			line = bytes.TrimPrefix(line, bom)
		}
		if line == nil || len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(line, size, n); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// grow appends chunk to lr.buf, doubling its room as append would, but
// never past what the longest line kept needs (maxSize and its line end,
// the read buffer's size above it): a line near the limit holds one
// buffer of the limit's size, not a quarter more.
func (lr *lineReader) grow(chunk []byte) []byte {
	need := len(lr.buf) + len(chunk)
	if need <= cap(lr.buf) {
		return append(lr.buf, chunk...)
	}
	room := min(max(2*cap(lr.buf), need), lr.maxSize+2+lr.r.Size())
	buf := make([]byte, len(lr.buf), max(room, need))
	copy(buf, lr.buf)
	return append(buf, chunk...)
}

// next returns the next line without its end of line. At the end of input
// it returns io.EOF, with the last line if it had no newline. A line that
// fits the read buffer is returned in place, without a copy.
func (lr *lineReader) next() (line []byte, size int64, err error) {
	lr.buf = lr.buf[:0]
	over, copied := false, false
	var chunk []byte
	for {
		chunk, err = lr.r.ReadSlice('\n')
		size += int64(len(chunk))
		if errors.Is(err, bufio.ErrBufferFull) {
			if !over {
				if len(lr.buf)+len(chunk) > lr.maxSize+2 { // +2: the line end is not part of the document
					over, lr.buf = true, lr.buf[:0]
				} else {
					lr.buf, copied = lr.grow(chunk), true
				}
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, err
		}
		break
	}
	content := chunk
	if copied && !over {
		if len(lr.buf)+len(chunk) > lr.maxSize+2 {
			over = true
		} else {
			lr.buf = lr.grow(chunk)
			content = lr.buf
		}
	}
	end := int64(0)
	if n := len(content); n > 0 && content[n-1] == '\n' {
		content, end = content[:n-1], 1
		if n := len(content); n > 0 && content[n-1] == '\r' {
			content, end = content[:n-1], 2
		}
	}
	if over || len(content) > lr.maxSize {
		last := int64(0)
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			last = 1
		}
		return nil, size - last, err
	}
	if err != nil && size == 0 {
		return nil, 0, err
	}
	return content, size - end, err
}
