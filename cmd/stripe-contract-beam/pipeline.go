package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/stripe-contract/stripe-contract/validators/report"
)

// The DoFns and the combine are registered for Beam's generated call paths,
// so that no runner falls back on reflection to call them.
func init() {
	register.DoFn4x0[context.Context, fileio.ReadableFile, func(Doc), func(string)](&readFn{})
	register.DoFn3x0[Doc, func(string), func(Verdict)](&validateFn{})
	register.Combiner2[Counts, Verdict](&countsFn{})
	register.DoFn3x1[context.Context, []byte, func(*string) bool, error](&writeLinesFn{})
	register.DoFn4x1[context.Context, []byte, func(*Counts) bool, func(*string) bool, error](&writeSummaryFn{})
	register.Emitter1[Doc]()
	register.Emitter1[Verdict]()
	register.Emitter1[string]()
	register.Iter1[string]()
	register.Iter1[Counts]()
}

// Output file names under --output.
const (
	InvalidFile    = "invalid.ndjson"
	CountsFile     = "counts.ndjson"
	SummaryFile    = "summary.json"
	SummaryText    = "summary.txt"
	UnreadableFile = "unreadable.ndjson"
)

// Config is one run: what to read, where to write, how to judge.
type Config struct {
	Input  string // a glob: local, gs:// or s3://
	Output string // a directory or prefix the output files go under
	Options
	// Reshuffle redistributes the documents of each file to every
	// worker before they are validated; without it the worker that reads
	// a file validates all of its documents.
	Reshuffle bool
}

// outPath is the output file called name.
func (c Config) outPath(name string) string {
	return strings.TrimSuffix(c.Output, "/") + "/" + name
}

// Build adds the run's transforms to s:
//
//	match glob → reshuffle files → read each file (one worker a file) →
//	reshuffle documents (Config.Reshuffle) → validate → invalid rows, and
//	verdicts → combine → counts and summary.
func Build(s beam.Scope, c Config) {
	// The glob is matched by one worker, in one bundle: without a fusion
	// break every file would be read in that bundle, one after the other.
	// The file list is small, so reshuffling it costs nothing.
	matches := beam.Reshuffle(s, fileio.MatchFiles(s, c.Input, fileio.MatchEmptyDisallow()))
	files := fileio.ReadMatches(s, matches)
	docs, unreadable := beam.ParDo2(s, &readFn{MaxSize: c.MaxSize}, files)
	if c.Reshuffle {
		docs = beam.Reshuffle(s, docs)
	}
	invalid, verdicts := beam.ParDo2(s, &validateFn{Options: c.Options}, docs)
	counts := beam.Combine(s, &countsFn{}, verdicts)

	// Each file is written from an impulse with its lines as a side input,
	// so that it exists, empty, when there is nothing to write.
	once := beam.Impulse(s)
	beam.ParDo0(s.Scope("write invalid"), &writeLinesFn{Filename: c.outPath(InvalidFile)}, once, beam.SideInput{Input: invalid})
	beam.ParDo0(s.Scope("write unreadable"), &writeLinesFn{Filename: c.outPath(UnreadableFile)}, once, beam.SideInput{Input: unreadable})
	beam.ParDo0(s.Scope("write counts"), &writeSummaryFn{Output: c.Output}, once, beam.SideInput{Input: counts}, beam.SideInput{Input: unreadable})
}

// writeLinesFn writes its side input's lines to one file, each followed by
// a newline, through Beam's file systems.
type writeLinesFn struct {
	Filename string
}

// ProcessElement writes the file.
func (fn *writeLinesFn) ProcessElement(ctx context.Context, _ []byte, lines func(*string) bool) error {
	return writeFile(ctx, fn.Filename, func(w *bufio.Writer) error {
		var line string
		for lines(&line) {
			w.WriteString(line)
			w.WriteByte('\n')
		}
		return nil
	})
}

// writeFile creates filename (a local path, gs://, s3://) and writes it
// with fill.
func writeFile(ctx context.Context, filename string, fill func(*bufio.Writer) error) error {
	fs, err := filesystem.New(ctx, filename)
	if err != nil {
		return fmt.Errorf("write %s: %w", filename, err)
	}
	defer fs.Close()
	fd, err := fs.OpenWrite(ctx, filename)
	if err != nil {
		return fmt.Errorf("write %s: %w", filename, err)
	}
	w := bufio.NewWriterSize(fd, 1<<20)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := fd.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", filename, err)
	}
	return nil
}

// SummaryJSON is summary.json: the run's totals and validate's summary
// sentence.
type SummaryJSON struct {
	Documents       int64  `json:"documents"`
	Valid           int64  `json:"valid"`
	Invalid         int64  `json:"invalid"`
	Bytes           int64  `json:"bytes"`
	Errors          int64  `json:"errors"`
	Warnings        int64  `json:"warnings"`
	Notices         int64  `json:"notices"`
	UnreadableFiles int64  `json:"unreadable_files"`
	Summary         string `json:"summary"`
}

// CountRow is one line of counts.ndjson: a rule with its severity and
// violations, a resource (kind) with its documents and invalid ones, or an
// API version with its documents.
type CountRow struct {
	Rule       string `json:"rule,omitempty"`
	Severity   string `json:"severity,omitempty"`
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"api_version,omitempty"`
	Count      int64  `json:"count,omitempty"`
	Documents  int64  `json:"documents,omitempty"`
	Invalid    *int64 `json:"invalid,omitempty"`
}

// writeSummaryFn writes counts.ndjson, summary.json and summary.txt from
// the combined counts (none when no document was read) and the unreadable
// files.
type writeSummaryFn struct {
	Output string
}

// ProcessElement writes the three files.
func (fn *writeSummaryFn) ProcessElement(ctx context.Context, _ []byte, counts func(*Counts) bool, unreadable func(*string) bool) error {
	var c, part Counts
	for counts(&part) {
		c.merge(part)
	}
	var bad int64
	var line string
	for unreadable(&line) {
		bad++
	}
	sum := c.Summary()
	// validate's own text trailer: its summary sentence, then the rules
	// broken, most often first.
	var text bytes.Buffer
	tf, err := report.New("text", &text, report.Options{})
	if err != nil {
		return err
	}
	if err := tf.Close(&sum); err != nil {
		return err
	}
	sentence, _, _ := strings.Cut(text.String(), "\n")
	cfg := Config{Output: fn.Output}
	if err := writeFile(ctx, cfg.outPath(SummaryText), func(w *bufio.Writer) error {
		_, err := w.Write(text.Bytes())
		return err
	}); err != nil {
		return err
	}
	if err := writeFile(ctx, cfg.outPath(SummaryFile), func(w *bufio.Writer) error {
		b, err := json.Marshal(SummaryJSON{Documents: c.Documents, Valid: c.Valid, Invalid: c.Invalid, Bytes: c.Bytes,
			Errors: c.Errors, Warnings: c.Warnings, Notices: c.Notices, UnreadableFiles: bad, Summary: sentence})
		if err != nil {
			return err
		}
		w.Write(b)
		return w.WriteByte('\n')
	}); err != nil {
		return err
	}
	return writeFile(ctx, cfg.outPath(CountsFile), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		for _, rc := range sum.RuleCounts() {
			if err := enc.Encode(CountRow{Rule: rc.Rule, Severity: rc.Severity.String(), Count: rc.Count}); err != nil {
				return err
			}
		}
		for _, k := range sortedKeys(c.Kinds) {
			invalid := c.InvalidKinds[k]
			if err := enc.Encode(CountRow{Kind: k, Documents: c.Kinds[k], Invalid: &invalid}); err != nil {
				return err
			}
		}
		for _, vc := range sum.VersionCounts() {
			if err := enc.Encode(CountRow{APIVersion: vc.APIVersion, Documents: vc.Documents}); err != nil {
				return err
			}
		}
		return nil
	})
}
