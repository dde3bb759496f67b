package pipeline

import (
	"bytes"
	"errors"
	"io"
	"os"
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
	lines      int // lines starting in the range, blank ones included; set before counted closes
	base       int // lines before the range; set before counted closes
	counted    chan struct{}
	err        error // the read error, if any
}

// A range reads past its end, following its last line, firstBlock bytes,
// then twice as many each time, up to readBlock: most lines end within the
// first block, which the batch's buffer has room for.
const (
	firstBlock = 4 << 10
	readBlock  = 64 << 10
)

// fill reads the range into b.arena and adds a document for each non-blank
// line that starts in it (too long ones with their size and no data), then
// numbers them once the lines before the range are counted. It always
// closes r.counted.
func (r *fileRange) fill(b *batch, maxSize int) {
	defer close(r.counted)
	n, err := r.read(b, maxSize)
	r.lines = n
	if r.prev != nil {
		<-r.prev.counted
		r.base = r.prev.base + r.prev.lines
	}
	if err != nil {
		r.err = err
	}
	for i := range b.docs {
		b.docs[i].Line += r.base
	}
}

// read reads the range and appends its documents, numbered from 1 within
// the range; it returns how many lines start in the range.
func (r *fileRange) read(b *batch, maxSize int) (int, error) {
	f := r.file
	from := max(r.start-1, 0) // the byte before the range says whether a line starts at it
	buf, err := readAt(f.f, b.arena[:0], from, r.end-from)
	b.arena = buf
	if err != nil {
		return 0, err
	}
	pos := 0 // where the first line starts, in buf
	if r.start > 0 {
		if len(buf) == 0 {
			return 0, nil
		}
		nl := bytes.IndexByte(buf, '\n')
		if nl < 0 {
			return 0, nil // inside a line that started before the range
		}
		pos = nl + 1
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
		if over {
			b.docs = append(b.docs, Document{Source: f.source, Line: lines, Size: overSize})
			b.spans = append(b.spans, [2]int{0, 0})
			continue
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

// extend reads past the end of buf, from the file, until the line that
// starts at start in buf ends (nl: its newline's offset from start) or the
// file does. Once the line holds more than maxSize bytes and its line end,
// it stops keeping it: over is set, overSize counts its bytes up to its
// newline, and buf is cut back to start.
func (r *fileRange) extend(buf []byte, start, maxSize int) (_ []byte, over bool, overSize int64, nl int, err error) {
	f := r.file
	from := max(r.start-1, 0)
	at := from + int64(len(buf)) // the file offset buf ends at
	block := int64(firstBlock)
	for ; ; block = min(2*block, readBlock) {
		if len(buf)-start > maxSize+2 { // +2: the line end is not part of the document
			break
		}
		n := len(buf)
		buf, err = readAt(f.f, buf, at, block)
		if err != nil {
			return buf, false, 0, -1, err
		}
		if len(buf) == n {
			return buf, false, 0, -1, nil // the file ends the line
		}
		at += int64(len(buf) - n)
		if i := bytes.IndexByte(buf[n:], '\n'); i >= 0 {
			return buf, false, 0, n + i - start, nil
		}
	}
	// Over the limit: count the rest of the line without holding it.
	overSize = int64(len(buf) - start)
	buf = buf[:start]
	scratch := make([]byte, readBlock)
	for {
		k, err := f.f.ReadAt(scratch, at)
		if i := bytes.IndexByte(scratch[:k], '\n'); i >= 0 {
			return buf, true, overSize + int64(i), -1, nil
		}
		overSize += int64(k)
		at += int64(k)
		if errors.Is(err, io.EOF) || k == 0 {
			return buf, true, overSize, -1, nil
		}
		if err != nil {
			return buf, false, 0, -1, err
		}
	}
}

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
