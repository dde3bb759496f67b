package pipeline

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// A regular NDJSON file is not read by one goroutine that hands lines to
// the workers: it is cut into byte ranges, and each worker reads its range
// itself (ReadAt, which is safe for concurrent use), finds the lines that
// start in it, validates and formats them. A line belongs to the range its
// first byte stands in, so a range's first line starts after the first
// newline at or after the range's start (or at the start, when the byte
// before it is a newline), and its last line runs past the range's end to
// its newline. The documents stay in the bytes read, without a copy.
//
// Output needs line numbers, and a range knows only how many lines start
// in it: each range publishes that count as soon as it has read its bytes,
// and the next one waits for it (and its predecessors') before it formats.
// Reading and counting are the short part of a range's work, so the chain
// holds little back, and no range waits for one that is not being worked
// on: ranges are handed out in file order.

// rangeFile is a file being read in ranges: it is closed when the last of
// them has been read and the dispatcher has handed out all of them.
type rangeFile struct {
	f       *os.File
	path    string
	source  string
	size    int64
	pending atomic.Int64 // the dispatcher's hold, and one per range not yet read
	failed  atomic.Bool  // a read error has been reported: later ranges say nothing more
}

func (rf *rangeFile) release() {
	if rf.pending.Add(-1) == 0 {
		rf.f.Close()
	}
}

// fileRange is one range of a rangeFile, the work of one batch.
type fileRange struct {
	file       *rangeFile
	start, end int64 // nominal: the lines that start in [start, end)
	prev       *fileRange
	lines      int // lines starting in the range, blank ones included; set by fill, before counted closes
	base       int // lines before the range; set before counted closes
	counted    chan struct{}
	err        error // the read error, if any
}

// A range reads past its end, following its last line, firstBlock bytes,
// where most lines end and which the batch's buffer has room for; a longer
// line is measured in blocks of readBlock.
const (
	firstBlock = 4 << 10
	readBlock  = 64 << 10
)

// fill reads the range into b.arena and adds a document for each non-blank
// line that starts in it (too long ones with their size and no data),
// numbered from 1 within the range, and sees to it that r.counted closes
// once the lines before the range are counted: at once if its
// predecessor's are, else by a goroutine that waits for them, so that the
// worker validates the range's documents meanwhile (number waits, before
// they are formatted), rather than wait here for the range before its
// own, which the other worker reads at the same moment.
func (r *fileRange) fill(b *batch, maxSize int) {
	n, err := r.read(b, maxSize)
	r.lines, r.err = n, err
	switch {
	case r.prev == nil:
		close(r.counted)
	case isClosed(r.prev.counted):
		r.base = r.prev.base + r.prev.lines
		close(r.counted)
	default:
		go func() {
			<-r.prev.counted
			r.base = r.prev.base + r.prev.lines
			close(r.counted)
		}()
	}
}

// number waits until the lines before the range are counted and numbers
// b's documents, read by fill, from the file's start.
func (r *fileRange) number(b *batch) {
	<-r.counted
	for i := range b.docs {
		b.docs[i].Line += r.base
	}
}

// isClosed reports whether c, a channel only ever closed, is.
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// read reads the range and appends its documents, numbered from 1 within
// the range; it returns how many lines start in the range.
func (r *fileRange) read(b *batch, maxSize int) (int, error) {
	f := r.file
	from := r.from()
	buf, err := readAt(f.f, b.arena[:0], from, r.end-from)
	b.arena = buf
	if err != nil {
		return 0, err
	}
	pos := 0 // where the first line starts, in buf
	if r.start > 0 {
		before := int(r.start - 1 - from) // the byte before the range, in buf
		if len(buf) <= before {
			return 0, nil
		}
		nl := bytes.IndexByte(buf[before:], '\n')
		if nl < 0 {
			return 0, nil // inside a line that started before the range
		}
		pos = before + nl + 1
	}
	rangeEnd := int(r.end - from) // the range's end, in buf
	lines := 0
	for pos < rangeEnd && pos < len(buf) {
		lines++
		start := pos
		nl := bytes.IndexByte(buf[start:], '\n')
		over := false
		var overSize int64
		if nl < 0 {
			// The line runs past the bytes read: read on to its end, keeping
			// it only while it could still be a document.
			buf, over, overSize, nl, err = r.extend(buf, start, maxSize)
			b.arena = buf
			if err != nil {
				return lines, err
			}
		}
		var line []byte
		ended := nl >= 0
		if ended {
			line = buf[start : start+nl]
			pos = start + nl + 1
		} else {
			line = buf[start:]
			pos = len(buf)
		}
		if over { // the range's last line: it ran past the range's end
			b.docs = append(b.docs, Document{Source: f.source, Line: lines, Size: overSize})
			b.spans = append(b.spans, [2]int{0, 0})
			break
		}
		size := int64(len(line))
		content := line
		if n := len(content); ended && n > 0 && content[n-1] == '\r' {
			content = content[:n-1]
			size--
		}
		if len(content) > maxSize {
			// As the streaming reader does: the size with the \r, if any.
			b.docs = append(b.docs, Document{Source: f.source, Line: lines, Size: int64(len(line))})
			b.spans = append(b.spans, [2]int{0, 0})
			continue
		}
		cstart := start
		if r.start == 0 && start == 0 && bytes.HasPrefix(content, bom) {
			content, cstart = content[len(bom):], cstart+len(bom)
		}
		if len(bytes.TrimSpace(content)) == 0 {
			continue
		}
		b.docs = append(b.docs, Document{Source: f.source, Line: lines, Size: size})
		b.spans = append(b.spans, [2]int{cstart, cstart + len(content)})
	}
	return lines, nil
}

// from is the file offset a range is read from: at or before the byte
// before the range, which says whether a line starts at the range's start,
// and a multiple of readAlign.
func (r *fileRange) from() int64 {
	return max(r.start-1, 0) &^ (readAlign - 1)
}

// readAlign aligns the offsets ranges are read from: the kernel copies
// from the page cache several times slower from an offset that is not a
// multiple of the cache line (measured: 256 KB reads at offset 1 mod 64
// took 4-5 times as long as at 0 mod 64, on this project's bench machine).
const readAlign = 64

// extend reads past the end of buf, from the file, until the line that
// starts at start in buf ends (nl: its newline's offset from start) or the
// file does. It first reads firstBlock bytes, where most lines end; a line
// that goes on is measured with a scratch block, without being kept, and
// then read once into a buffer of its size, if it is no longer than
// maxSize and its line end. A longer one is not kept: over is set,
// overSize counts its bytes up to its newline, and buf is left as it was.
func (r *fileRange) extend(buf []byte, start, maxSize int) (_ []byte, over bool, overSize int64, nl int, err error) {
	f := r.file
	from := r.from()
	at := from + int64(len(buf)) // the file offset buf ends at
	n := len(buf)
	if buf, err = readAt(f.f, buf, at, firstBlock); err != nil {
		return buf, false, 0, -1, err
	}
	if i := bytes.IndexByte(buf[n:], '\n'); i >= 0 {
		return buf, false, 0, n + i - start, nil
	}
	if len(buf)-n < firstBlock {
		return buf, false, 0, -1, nil // the file ends the line
	}
	// Measure the rest of the line.
	had := int64(len(buf) - start) // the line's bytes in buf
	rest, err := measureLine(f.f, from+int64(len(buf)))
	if err != nil {
		return buf, false, 0, -1, err
	}
	if had+rest > int64(maxSize)+2 { // +2: the line end is not part of the document
		return buf[:n], true, had + rest, -1, nil
	}
	m := len(buf)
	if buf, err = readAt(f.f, buf, from+int64(m), rest+1); err != nil {
		return buf, false, 0, -1, err
	}
	if i := bytes.IndexByte(buf[m:], '\n'); i >= 0 {
		return buf[:m+i+1], false, 0, m + i - start, nil
	}
	return buf, false, 0, -1, nil
}

// measureLine counts the bytes from off to the next newline (not counted)
// or the end of the file, keeping none of them.
func measureLine(f *os.File, off int64) (size int64, err error) {
	scratch := scratchBlocks.Get().(*[]byte)
	defer scratchBlocks.Put(scratch)
	for {
		k, err := f.ReadAt(*scratch, off+size)
		if i := bytes.IndexByte((*scratch)[:k], '\n'); i >= 0 {
			return size + int64(i), nil
		}
		size += int64(k)
		if errors.Is(err, io.EOF) || k == 0 {
			return size, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// scratchBlocks holds the blocks long lines are measured with.
var scratchBlocks = sync.Pool{New: func() any { b := make([]byte, readBlock); return &b }}

// readAt appends up to n bytes of f from off to buf; fewer at the end of
// the file.
func readAt(f *os.File, buf []byte, off, n int64) ([]byte, error) {
	l := len(buf)
	if int64(cap(buf)-l) < n {
		grown := make([]byte, l, int64(l)+n)
		copy(grown, buf)
		buf = grown
	}
	k, err := f.ReadAt(buf[l:l+int(n)], off)
	buf = buf[:l+k]
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return buf, err
}
