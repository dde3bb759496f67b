// Package report writes what every command finds in the formats people and
// CI systems read: text (one line per finding and a summary that cites the
// rules' docs), JSON Lines (one object per case), JUnit XML (one testcase
// per case), GitHub Actions workflow annotations, and HTML (one
// self-contained page: counts per rule, resource and file, and each finding
// with its doc sentence and an excerpt of the document).
//
// A finding is a Row (source, line, label, rule, pointer, severity,
// message, status), whoever found it: validate's violations, replay's
// deviations, webhooks' failed deliveries, record's checks. Rows are grouped
// into Cases: a validated document, a replayed interaction. New adapts the
// formats to the validation pipeline; NewWriter writes cases one by one.
package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/jsonstring"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// Format writes validated documents' outcomes as a pipeline.Sink; Close
// writes what follows the last document.
type Format interface {
	pipeline.Sink
	Close(s *pipeline.Summary) error
}

// Names lists the formats New and NewWriter know, a fresh copy each call.
func Names() []string { return []string{"text", "json", "junit", "github", "html"} }

// Catalogue is where the text format finds the documentation of the rules
// it cites; *validators.Catalogue is one.
type Catalogue interface {
	Rule(id string) (validators.Rule, bool)
	APIVersion() string
}

// Options shape the output.
type Options struct {
	// MinSeverity hides rows less severe than it from the per-row output
	// (text, github); the summary still counts them.
	MinSeverity validators.Severity
	// Catalogue supplies the rules' documentation for the summary.
	Catalogue Catalogue
	// Name names the run in JUnit output and GitHub's summary notice.
	Name string
}

func (o Options) name() string {
	if o.Name == "" {
		return "stripe-contract"
	}
	return o.Name
}

// open returns the renderer called name, writing to w, and the least
// severe rows it shows: opts.MinSeverity for the formats that filter, every
// row for the others.
func open(name string, w io.Writer, opts Options) (renderer, validators.Severity, error) {
	r, err := newRenderer(name, w, opts)
	if err != nil {
		return nil, 0, err
	}
	if r.filters() {
		return r, opts.MinSeverity, nil
	}
	return r, validators.Notice, nil
}

func newRenderer(name string, w io.Writer, opts Options) (renderer, error) {
	switch name {
	case "text":
		return &text{w: w, opts: opts}, nil
	case "json":
		return &jsonLines{w: w}, nil
	case "junit":
		return newJUnit(w, opts)
	case "github":
		return &github{w: w, opts: opts}, nil
	case "html":
		return newHTML(w, opts)
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", name, strings.Join(Names(), ", "))
}

// New returns the format called name (one of Names), writing validated
// documents to w.
func New(name string, w io.Writer, opts Options) (Format, error) {
	r, min, err := open(name, w, opts)
	if err != nil {
		return nil, err
	}
	return &outcomes{r: r, min: min}, nil
}

// outcomes adapts a renderer to the pipeline: each outcome a case.
type outcomes struct {
	r   renderer
	min validators.Severity
	// cases are reused from document to document: Format runs on every
	// worker, once per document of logs of millions.
	cases sync.Pool
}

func (f *outcomes) Format(dst []byte, o *pipeline.Outcome) []byte {
	if j, ok := f.r.(*jsonLines); ok {
		return j.appendDocument(dst, o, int(f.min))
	}
	c, _ := f.cases.Get().(*Case)
	if c == nil {
		c = &Case{}
	}
	caseOf(c, o, int(f.min))
	dst = f.r.appendCase(dst, c)
	clear(c.Rows)
	c.Rows = c.Rows[:0]
	f.cases.Put(c)
	return dst
}

func (f *outcomes) Write(o *pipeline.Outcome, b []byte) error {
	return f.r.write(caseMeta{suite: o.Doc.Source, failed: !o.Result.Valid(), resource: string(o.Result.Kind), violations: o.Result.Violations}, b)
}

func (f *outcomes) Close(s *pipeline.Summary) error {
	return f.r.close(&Trailer{Summary: summaryLine(s), Rules: s.RuleCounts(), APIVersions: s.VersionCounts()})
}

// Writer writes cases one by one in one of the formats: the report of a
// replay, or of anything else whose findings are rows.
type Writer struct {
	r    renderer
	min  validators.Severity
	rows []Row
	buf  []byte
}

// NewWriter returns a Writer of the format called name (one of Names),
// writing to w.
func NewWriter(name string, w io.Writer, opts Options) (*Writer, error) {
	r, min, err := open(name, w, opts)
	if err != nil {
		return nil, err
	}
	return &Writer{r: r, min: min}, nil
}

// Write writes one case.
func (w *Writer) Write(c *Case) error {
	shown := *c
	if w.min < validators.Notice {
		w.rows = w.rows[:0]
		for _, r := range c.Rows {
			if r.Severity <= w.min {
				w.rows = append(w.rows, r)
			}
		}
		shown.Rows = w.rows
	}
	w.buf = w.r.appendCase(w.buf[:0], &shown)
	return w.r.write(caseMeta{suite: c.Suite, failed: c.Failed(), skipped: c.Skipped != "", resource: c.resource(), rows: c.Rows}, w.buf)
}

// Close writes what follows the last case.
func (w *Writer) Close(t Trailer) error { return w.r.close(&t) }

// location is where a violation stands: source:line for NDJSON, the line of
// the offending value in a whole-file JSON document.
func location(o *pipeline.Outcome, pointer string) (string, int) {
	if o.Doc.Line > 0 {
		return o.Doc.Source, o.Doc.Line
	}
	if o.Doc.Data != nil && o.Doc.Prefix == "" {
		return o.Doc.Source, validators.LineOf(o.Doc.Data, pointer)
	}
	return o.Doc.Source, 0
}

// displaySource is a file name as people read it (disk.DisplayName).
func displaySource(name string) string { return disk.DisplayName(name) }

// appendEscaped appends s with its control characters (C0, DEL, C1, the
// Unicode line and paragraph separators) and invalid bytes written as Go
// escapes (\n, \x1b, \u2028): text from the input (a document's keys, a
// value quoted in a message, a cassette's label) then cannot break the
// line it stands on, nor drive a terminal.
func appendEscaped(dst []byte, s string) []byte {
	for len(s) > 0 {
		plain := 0
		for plain < len(s) && s[plain] >= 0x20 && s[plain] < 0x7f {
			plain++
		}
		dst = append(dst, s[:plain]...)
		if s = s[plain:]; s == "" {
			break
		}
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'x', hexDigits[s[0]>>4], hexDigits[s[0]&0xf])
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			dst = append(dst, q[1:len(q)-1]...)
		default:
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return dst
}

const hexDigits = "0123456789abcdef"

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// summaryLine is the run in one sentence.
// The API versions the documents were judged at follow "checked":
// "15 documents checked at 2026-08-26.dahlia (12), 2025-09-30.clover (3): ...".
func summaryLine(s *pipeline.Summary) string {
	at := ""
	for i, vc := range s.VersionCounts() {
		if i == 0 {
			at = " at "
		} else {
			at += ", "
		}
		at += vc.APIVersion + " (" + strconv.FormatInt(vc.Documents, 10) + ")"
	}
	return fmt.Sprintf("%s checked%s: %d valid, %d invalid; %s, %s, %s",
		plural(s.Documents, "document", "documents"), at, s.Valid, s.Invalid,
		plural(s.Violations[validators.Error], "error", "errors"),
		plural(s.Violations[validators.Warning], "warning", "warnings"),
		plural(s.Violations[validators.Notice], "notice", "notices"))
}

// oneLine folds a doc text's white space so it prints on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD. Runs of
// bytes that need no escape are copied whole.
func appendJSONString(dst []byte, s string) []byte {
	const hex = hexDigits
	dst = append(dst, '"')
	run := 0 // start of the bytes not yet copied
	for i := 0; i < len(s); {
		if i += jsonstring.PlainPrefix(s[i:]); i == len(s) {
			break
		}
		c := s[i]
		dst = append(dst, s[run:i]...)
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			default: // another control character
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
		}
		run = i
	}
	dst = append(dst, s[run:]...)
	return append(dst, '"')
}
