// Package report writes validation outcomes in the formats people and CI
// systems read: text (one line per violation and a summary that cites the
// docs), JSON Lines (one object per document), JUnit XML (one testcase per
// document) and GitHub Actions workflow annotations.
package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// Format writes outcomes as a pipeline.Sink; Close writes what follows the
// last document.
type Format interface {
	pipeline.Sink
	Close(s *pipeline.Summary) error
}

// Names of the formats New knows.
var Names = []string{"text", "json", "junit", "github"}

// Options shape the output.
type Options struct {
	// MinSeverity hides violations less severe than it from the per-violation
	// output (text, github); the summary still counts them.
	MinSeverity validators.Severity
	// Validator supplies the rules' documentation for the summary.
	Validator *validators.Validator
	// Name names the run in JUnit output.
	Name string
}

// New returns the format called name, writing to w.
func New(name string, w io.Writer, opts Options) (Format, error) {
	switch name {
	case "text":
		return &text{w: w, opts: opts}, nil
	case "json":
		return &jsonLines{w: w}, nil
	case "junit":
		return newJUnit(w, opts)
	case "github":
		return &github{w: w, opts: opts}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", name, strings.Join(Names, ", "))
}

// location is where a violation stands: source:line for NDJSON, the line of
// the offending value in a whole-file JSON document.
func location(o *pipeline.Outcome, v validators.Violation) (string, int) {
	if o.Doc.Line > 0 {
		return o.Doc.Source, o.Doc.Line
	}
	if o.Doc.Data != nil && o.Doc.Prefix == "" {
		return o.Doc.Source, validators.LineOf(o.Doc.Data, v.Pointer)
	}
	return o.Doc.Source, 0
}

// appendLocation writes source:line (label) for people, the name as
// disk.DisplayName shows it and the label escaped.
func appendLocation(dst []byte, o *pipeline.Outcome, v validators.Violation) []byte {
	src, line := location(o, v)
	dst = append(dst, disk.DisplayName(src)...)
	if line > 0 {
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(line), 10)
	}
	if o.Doc.Label != "" {
		dst = append(dst, " ("...)
		dst = appendEscaped(dst, o.Doc.Label)
		dst = append(dst, ')')
	}
	return dst
}

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
func summaryLine(s *pipeline.Summary) string {
	return fmt.Sprintf("%s checked: %d valid, %d invalid; %s, %s, %s",
		plural(s.Documents, "document", "documents"), s.Valid, s.Invalid,
		plural(s.Violations[validators.Error], "error", "errors"),
		plural(s.Violations[validators.Warning], "warning", "warnings"),
		plural(s.Violations[validators.Notice], "notice", "notices"))
}

// oneLine folds a doc text's white space so it prints on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hex = hexDigits
	dst = append(dst, '"')
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		dst = append(dst, s...)
		return append(dst, '"')
	}
	for i := 0; i < len(s); {
		c := s[i]
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
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// visible returns the violations at or above the minimum severity.
func visible(vs []validators.Violation, min validators.Severity) []validators.Violation {
	if min >= validators.Notice {
		return vs
	}
	return slices.DeleteFunc(slices.Clone(vs), func(v validators.Violation) bool { return v.Severity > min })
}
