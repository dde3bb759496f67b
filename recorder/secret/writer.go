package secret

import (
	"bytes"
	"io"
	"sync"
)

// Writer redacts what passes through it, a line at a time, before it
// reaches the writer underneath: for logs and reports of tools that handle
// credentials, so that nothing they print can hold a secret whatever the
// code that printed it forgot. Safe for concurrent use; call Flush at the
// end for a last line without a newline.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	scan *Scanner
	line []byte
}

// maxLine bounds what Writer holds while waiting for a newline.
const maxLine = 1 << 20

// NewWriter returns a Writer that redacts with scan (nil: every family, no
// credentials) and writes to w.
func NewWriter(w io.Writer, scan *Scanner) *Writer {
	return &Writer{w: w, scan: scan}
}

// Write redacts each complete line of p and writes it; the rest waits for
// its newline (or Flush). It reports len(p) written unless w fails.
func (rw *Writer) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.line = append(rw.line, p...)
	end := bytes.LastIndexByte(rw.line, '\n')
	if end < 0 && len(rw.line) < maxLine {
		return len(p), nil
	}
	if end < 0 {
		end = len(rw.line) - 1
	}
	if err := rw.emit(rw.line[:end+1]); err != nil {
		return 0, err
	}
	rw.line = append(rw.line[:0], rw.line[end+1:]...)
	return len(p), nil
}

// Flush writes what waits for a newline.
func (rw *Writer) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.line) == 0 {
		return nil
	}
	err := rw.emit(rw.line)
	rw.line = rw.line[:0]
	return err
}

func (rw *Writer) emit(b []byte) error {
	_, err := io.WriteString(rw.w, rw.scan.Redact(string(b)))
	return err
}
