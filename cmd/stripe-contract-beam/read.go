package main

import (
	"bytes"
	"context"
	"encoding/json"
	pathpkg "path"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"

	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// Doc is one line of an input file on its way to a worker that validates it:
// pipeline.Document's fields that a line has, in a form Beam encodes.
type Doc struct {
	Source string // the file's path, as the glob matched it
	Line   int    // 1-based line in the (decompressed) file
	Data   []byte // the line; nil when Size is over the limit
	Size   int64  // its size in bytes
}

// readFn splits each file into its documents with the main module's reader
// for its name (readerFor: an NDJSON file's lines, numbered, blank ones
// skipped; a .json file whole), which reports a document over MaxSize by
// its size alone, so that no worker holds it. A file is read whole
// by one worker, because a line's number depends on every line before it;
// the lines are then reshuffled to the workers that validate them.
type readFn struct {
	// MaxSize is the largest line kept, in bytes: the validator's limit.
	MaxSize int
}

// ProcessElement emits the documents of one file, and the file to
// unreadable when it cannot be opened or read to its end (the documents
// read before the damage stand, as in validate).
func (fn *readFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, emit func(Doc), unreadable func(string)) {
	path := f.Metadata.Path
	if strings.HasSuffix(path, ".zst") {
		unreadable(unreadableRow(path, 0, "zstd is not read by Beam's file systems: recompress the file with gzip (.gz)"))
		return
	}
	rc, err := f.Open(ctx)
	if err != nil {
		unreadable(unreadableRow(path, 0, "open: "+err.Error()))
		return
	}
	defer rc.Close()
	last := 0
	err = readerFor(path)(path, rc, fn.MaxSize, func(d pipeline.Document) error {
		last = d.Line
		// The reader reuses its buffer: a Doc keeps its own copy.
		emit(Doc{Source: d.Source, Line: d.Line, Data: bytes.Clone(d.Data), Size: d.Size})
		return nil
	})
	if err != nil {
		unreadable(unreadableRow(path, last, err.Error()))
	}
}

// readerFor is the reader validate uses for a file named path that it is
// given by name: a .json file is one document, an .ndjson or .jsonl file one
// per line, and any other is told by its bytes (pipeline.ReadAuto); a .gz
// suffix is looked through (the file system decompresses it).
func readerFor(path string) pipeline.Reader {
	name := strings.ToLower(path)
	name = strings.TrimSuffix(name, ".gz")
	switch pathpkg.Ext(name) {
	case ".json":
		return pipeline.ReadJSON
	case ".ndjson", ".jsonl":
		return pipeline.ReadNDJSON
	}
	return pipeline.ReadAuto
}

// unreadableRow is the JSON line that names a file that could not be read:
// {"source":"path","after_line":N,"error":"..."}, after_line being the last
// line read before the problem (0: none).
func unreadableRow(path string, afterLine int, reason string) string {
	b, _ := json.Marshal(struct {
		Source    string `json:"source"`
		AfterLine int    `json:"after_line"`
		Error     string `json:"error"`
	}{path, afterLine, reason})
	return string(b)
}
