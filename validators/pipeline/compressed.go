package pipeline

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Compressed input. Production logs are kept compressed, so a file whose
// name ends in .gz or .zst after an extension a reader is registered for
// (logs/a.ndjson.gz, logs/b.jsonl.zst, one.json.gz) is decompressed as it is
// read, by the reader of that extension; standard input, and a file named
// explicitly with another extension, are decompressed when they start with
// the gzip or zstd magic bytes, and read as they are otherwise. Neither
// magic can open JSON text (0x1f is a control character, 0x28 is "(").
//
// The decompressed stream goes through the same bounded readers as a plain
// file (a line over the document size limit is counted and dropped, a whole
// document read no further than the limit), so a decompression bomb costs
// time, never memory; a zstd frame may not ask for a window over
// maxZstdWindow. Line numbers are those of the decompressed text.

// compression is one format compressed input comes in.
type compression struct {
	name  string // as messages name it: "gzip", "zstd"
	ext   string // the file name suffix that selects it
	magic []byte // the bytes every such stream starts with
	// open returns the decompressed stream of r and what releases the
	// decoder once it is read.
	open func(r *bufio.Reader) (io.Reader, func(), error)
}

// maxZstdWindow bounds the memory a zstd frame may make the decoder
// allocate for its window (the header asks, the decoder allocates): the
// zstd command's levels 1 to 19 ask for at most 8 MiB and --ultra -20 for
// 32 MiB, while -21, -22 and --long ask for 64 to 128 MiB, which would be
// most of a run's memory budget.
const maxZstdWindow = 32 << 20

// compressions are the formats read: gzip with the standard library (its
// reader reads every member of a multi-member file, as cat a.gz b.gz
// makes), zstd with github.com/klauspost/compress/zstd (every frame).
var compressions = [...]compression{
	{name: "gzip", ext: ".gz", magic: []byte{0x1f, 0x8b}, open: func(r *bufio.Reader) (io.Reader, func(), error) {
		zr, err := gzip.NewReader(r) // r is an io.ByteReader: no buffer of gzip's own
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	}},
	{name: "zstd", ext: ".zst", magic: []byte{0x28, 0xb5, 0x2f, 0xfd}, open: func(r *bufio.Reader) (io.Reader, func(), error) {
		// Synchronous decoding, no goroutine of its own: decompressing
		// is a small part of a run (BenchmarkCompressed: 840-970 MB/s
		// alone, the whole run 40-100 MB/s), not worth more blocks
		// buffered ahead.
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderMaxMemory(maxZstdWindow))
		if err != nil {
			if d != nil { // a decoder whose first frame header is bad
				d.Close()
			}
			return nil, nil, err
		}
		return d, d.Close, nil
	}},
}

// compressionOf is the compression a file name's suffix selects, or nil.
func compressionOf(name string) *compression {
	for i := range compressions {
		if strings.HasSuffix(strings.ToLower(name), compressions[i].ext) {
			return &compressions[i]
		}
	}
	return nil
}

// CorruptError is compressed input that does not decompress: corrupt,
// truncated, empty, or a zstd frame asking for a window over the limit.
// The documents read before it stand.
type CorruptError struct {
	Compression string // "gzip" or "zstd"
	// AfterLine is the last line read before the problem (0: none, or a
	// file read as one document).
	AfterLine int
	Err       error // the decoder's error
}

// errEmptyCompressed is a compressed file of no bytes at all.
var errEmptyCompressed = errors.New("empty file")

// Error says the input is corrupt or truncated, where, and the decoder's words.
func (e *CorruptError) Error() string {
	switch {
	case errors.Is(e.Err, errEmptyCompressed):
		return fmt.Sprintf("the file is empty: no %s data, not even its header", e.Compression)
	case errors.Is(e.Err, zstd.ErrWindowSizeExceeded), errors.Is(e.Err, zstd.ErrDecoderSizeExceeded):
		return fmt.Sprintf("zstd data asks for a window over the %d MiB limit (as zstd --long or --ultra levels over 20 make); recompress it with a level from 1 to 20 without --long",
			maxZstdWindow>>20)
	}
	where := ""
	if e.AfterLine > 0 {
		where = " after line " + strconv.Itoa(e.AfterLine)
	}
	return fmt.Sprintf("%s data is corrupt or truncated%s: %v", e.Compression, where, e.Err)
}

// Unwrap is the decoder's error.
func (e *CorruptError) Unwrap() error { return e.Err }

// sourceReader keeps the error of the compressed bytes' own reader, to tell
// a file that cannot be read from one that does not decompress.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		s.err = err
	}
	return n, err
}

// decompressed is the stream a decoder makes, its errors made *CorruptError.
type decompressed struct {
	r       io.Reader
	src     *sourceReader
	c       *compression
	corrupt *CorruptError // the first error returned, for its line
}

func (d *decompressed) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err == nil || errors.Is(err, io.EOF) {
		return n, err
	}
	if d.src.err != nil { // the file, not its content: say it as for a plain file
		return n, d.src.err
	}
	if d.corrupt == nil {
		d.corrupt = &CorruptError{Compression: d.c.name, Err: err}
	}
	return n, d.corrupt
}

// reader is a Reader that decompresses its input and reads the result with read.
func (c *compression) reader(read Reader) Reader {
	return func(source string, r io.Reader, maxSize int, emit func(Document) error) error {
		src := &sourceReader{r: r}
		br := readBuffers.Get().(*bufio.Reader)
		br.Reset(src)
		defer func() { br.Reset(nil); readBuffers.Put(br) }()
		return c.read(source, br, src, read, maxSize, emit)
	}
}

// read decompresses br, which reads src, and reads the result with read.
func (c *compression) read(source string, br *bufio.Reader, src *sourceReader, read Reader, maxSize int, emit func(Document) error) error {
	if _, err := br.Peek(1); err != nil {
		if errors.Is(err, io.EOF) {
			return &CorruptError{Compression: c.name, Err: errEmptyCompressed}
		}
		return err
	}
	dr, release, err := c.open(br)
	if err != nil {
		if src.err != nil {
			return src.err
		}
		if errors.Is(err, io.EOF) { // a header cut short
			err = io.ErrUnexpectedEOF
		}
		return &CorruptError{Compression: c.name, Err: err}
	}
	defer release()
	d := &decompressed{r: dr, src: src, c: c}
	last := 0
	err = read(source, d, maxSize, func(doc Document) error {
		last = doc.Line
		return emit(doc)
	})
	if d.corrupt != nil {
		d.corrupt.AfterLine = last
	}
	return err
}

// sniffed is a Reader that decompresses input starting with the magic bytes
// of a compression and reads the result with read, and reads other input
// with read as it is.
func sniffed(read Reader) Reader {
	return func(source string, r io.Reader, maxSize int, emit func(Document) error) error {
		src := &sourceReader{r: r}
		br := readBuffers.Get().(*bufio.Reader)
		br.Reset(src)
		defer func() { br.Reset(nil); readBuffers.Put(br) }()
		// One byte decides for JSON text: waiting for four on a terminal
		// or a pipe would hold back a first line shorter than that.
		first, err := br.Peek(1)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		for i := range compressions {
			c := &compressions[i]
			if len(first) == 0 || first[0] != c.magic[0] {
				continue
			}
			if head, err := br.Peek(len(c.magic)); bytes.Equal(head, c.magic) {
				return c.read(source, br, src, read, maxSize, emit)
			} else if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
		}
		return read(source, br, maxSize, emit)
	}
}
