package report

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// text writes one line per violation,
//
//	source:line: severity: pointer: message [rule]
//
// and, at the end, the count of each rule broken with the doc text it
// comes from.
type text struct {
	w    io.Writer
	opts Options
}

func (t *text) Format(dst []byte, o *pipeline.Outcome) []byte {
	for _, v := range visible(o.Result.Violations, t.opts.MinSeverity) {
		dst = appendLocation(dst, o, v)
		dst = append(dst, ": "...)
		dst = append(dst, v.Severity.String()...)
		dst = append(dst, ": "...)
		dst = appendEscaped(dst, validators.DisplayPointer(v.Pointer))
		dst = append(dst, ": "...)
		dst = appendEscaped(dst, v.Message)
		dst = append(dst, " ["...)
		dst = append(dst, v.Rule...)
		dst = append(dst, "]\n"...)
	}
	return dst
}

func (t *text) Write(_ *pipeline.Outcome, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := t.w.Write(b)
	return err
}

func (t *text) Close(s *pipeline.Summary) error {
	bw := bufio.NewWriter(t.w)
	if s.Documents > 0 && (s.Violations[0]+s.Violations[1]+s.Violations[2]) > 0 {
		bw.WriteString("\n")
	}
	fmt.Fprintln(bw, summaryLine(s))
	counts := s.RuleCounts()
	if len(counts) > 0 {
		version := ""
		if t.opts.Validator != nil {
			version = " " + t.opts.Validator.APIVersion()
		}
		fmt.Fprintf(bw, "\nrules broken (count, severity, rule; the documentation each comes from, Stripe API%s):\n", version)
		for _, rc := range counts {
			fmt.Fprintf(bw, "%8d  %-7s  %s\n", rc.Count, rc.Severity, rc.Rule)
			if t.opts.Validator == nil {
				continue
			}
			if r, ok := t.opts.Validator.Rule(rc.Rule); ok {
				fmt.Fprintf(bw, "%19s%s\n", "", r.Summary)
				fmt.Fprintf(bw, "%19s\"%s\" (%s)\n", "", oneLine(r.Doc), r.Source)
			}
		}
	}
	return bw.Flush()
}

// jsonLines writes one JSON object per document, in input order:
//
//	{"source":"path:line","kind":"invoice_payment","valid":false,"violations":[{"rule":...,"path":...,"message":...,"severity":...}]}
type jsonLines struct{ w io.Writer }

func (j *jsonLines) Format(dst []byte, o *pipeline.Outcome) []byte {
	dst = append(dst, `{"source":`...)
	dst = appendJSONString(dst, o.Doc.Source)
	if o.Doc.Line > 0 {
		dst = dst[:len(dst)-1] // reopen the string: "source:line"
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(o.Doc.Line), 10)
		dst = append(dst, '"')
	}
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, string(o.Result.Kind))
	dst = append(dst, `,"valid":`...)
	dst = strconv.AppendBool(dst, o.Result.Valid())
	dst = append(dst, `,"violations":[`...)
	for i, v := range o.Result.Violations {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"rule":`...)
		dst = appendJSONString(dst, v.Rule)
		dst = append(dst, `,"path":`...)
		dst = appendJSONString(dst, v.Pointer)
		dst = append(dst, `,"message":`...)
		dst = appendJSONString(dst, v.Message)
		dst = append(dst, `,"severity":`...)
		dst = appendJSONString(dst, v.Severity.String())
		dst = append(dst, '}')
	}
	return append(dst, "]}\n"...)
}

func (j *jsonLines) Write(_ *pipeline.Outcome, b []byte) error {
	_, err := j.w.Write(b)
	return err
}

func (j *jsonLines) Close(*pipeline.Summary) error { return nil }

// github writes workflow commands that GitHub Actions shows as annotations
// on the file and line: ::error file=F,line=L,title=RULE::message.
type github struct {
	w    io.Writer
	opts Options
}

func (g *github) Format(dst []byte, o *pipeline.Outcome) []byte {
	for _, v := range visible(o.Result.Violations, g.opts.MinSeverity) {
		src, line := location(o, v)
		dst = append(dst, "::"...)
		dst = append(dst, v.Severity.String()...)
		dst = append(dst, " file="...)
		dst = append(dst, escapeProperty(src)...)
		if line > 0 {
			dst = append(dst, ",line="...)
			dst = strconv.AppendInt(dst, int64(line), 10)
		}
		dst = append(dst, ",title="...)
		dst = append(dst, escapeProperty(v.Rule)...)
		dst = append(dst, "::"...)
		dst = append(dst, escapeData(validators.DisplayPointer(v.Pointer)+": "+v.Message)...)
		dst = append(dst, '\n')
	}
	return dst
}

func (g *github) Write(_ *pipeline.Outcome, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := g.w.Write(b)
	return err
}

func (g *github) Close(s *pipeline.Summary) error {
	_, err := fmt.Fprintln(g.w, summaryLine(s))
	return err
}

// escapeData and escapeProperty follow the workflow command syntax
// (actions/toolkit, packages/core/src/command.ts).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// junit writes one <testsuite> per input file and one <testcase> per
// document, failed when the document is invalid. Test cases are spooled to
// a temporary file so that the counts can head each suite whatever the
// number of documents.
type junit struct {
	w      io.Writer
	name   string
	spool  *os.File
	suites []suite
	offset int64
}

type suite struct {
	name            string
	tests, failures int64
	start, end      int64
}

func newJUnit(w io.Writer, opts Options) (*junit, error) {
	f, err := os.CreateTemp("", "stripe-contract-junit-*.xml")
	if err != nil {
		return nil, fmt.Errorf("junit spool: %w", err)
	}
	name := opts.Name
	if name == "" {
		name = "stripe-contract"
	}
	return &junit{w: w, name: name, spool: f}, nil
}

func (j *junit) Format(dst []byte, o *pipeline.Outcome) []byte {
	name := o.Doc.Location()
	if o.Doc.Label != "" {
		name += " (" + o.Doc.Label + ")"
	}
	dst = append(dst, `    <testcase classname="`...)
	dst = appendXML(dst, o.Doc.Source)
	dst = append(dst, `" name="`...)
	dst = appendXML(dst, name+" "+string(o.Result.Kind))
	dst = append(dst, `">`...)
	var failures, others []byte
	nfail := 0
	for _, v := range o.Result.Violations {
		line := validators.DisplayPointer(v.Pointer) + ": " + v.Message + " [" + v.Rule + "]\n"
		if v.Severity == validators.Error {
			nfail++
			failures = append(failures, line...)
		} else {
			others = append(others, (v.Severity.String() + ": " + line)...)
		}
	}
	if nfail > 0 {
		dst = append(dst, "\n      <failure type=\"contract\" message=\""...)
		dst = appendXML(dst, plural(int64(nfail), "contract violation", "contract violations"))
		dst = append(dst, `">`...)
		dst = appendXML(dst, string(failures))
		dst = append(dst, "</failure>"...)
	}
	if len(others) > 0 {
		dst = append(dst, "\n      <system-out>"...)
		dst = appendXML(dst, string(others))
		dst = append(dst, "</system-out>"...)
	}
	if nfail > 0 || len(others) > 0 {
		dst = append(dst, "\n    "...)
	}
	return append(dst, "</testcase>\n"...)
}

func (j *junit) Write(o *pipeline.Outcome, b []byte) error {
	if n := len(j.suites); n == 0 || j.suites[n-1].name != o.Doc.Source {
		j.suites = append(j.suites, suite{name: o.Doc.Source, start: j.offset, end: j.offset})
	}
	s := &j.suites[len(j.suites)-1]
	s.tests++
	if !o.Result.Valid() {
		s.failures++
	}
	n, err := j.spool.Write(b)
	j.offset += int64(n)
	s.end = j.offset
	return err
}

func (j *junit) Close(sum *pipeline.Summary) error {
	defer os.Remove(j.spool.Name())
	defer j.spool.Close()
	bw := bufio.NewWriter(j.w)
	bw.WriteString(xml.Header)
	fmt.Fprintf(bw, "<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n", string(appendXML(nil, j.name)), sum.Documents, sum.Invalid)
	for _, s := range j.suites {
		fmt.Fprintf(bw, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">\n", string(appendXML(nil, s.name)), s.tests, s.failures)
		if _, err := io.Copy(bw, io.NewSectionReader(j.spool, s.start, s.end-s.start)); err != nil {
			return fmt.Errorf("junit spool: %w", err)
		}
		bw.WriteString("  </testsuite>\n")
	}
	bw.WriteString("</testsuites>\n")
	return bw.Flush()
}

// appendXML appends s as XML text or attribute value. Characters XML 1.0
// cannot carry at all, not even as references (most C0 controls, invalid
// UTF-8), are written as Go escapes (\x01) instead of U+FFFD, so a name
// stays recognisable; line breaks and tabs become references (&#xA;).
func appendXML(dst []byte, s string) []byte {
	if strings.ContainsFunc(s, notXMLChar) {
		var b []byte
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, '\\', 'x', hexDigits[s[i]>>4], hexDigits[s[i]&0xf])
			case notXMLChar(r):
				q := strconv.QuoteRune(r)
				b = append(b, q[1:len(q)-1]...)
			default:
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
		s = string(b)
	}
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return append(dst, b.String()...)
}

// notXMLChar reports a rune outside XML 1.0's Char production (section
// 2.2), or U+FFFD, which stands for invalid UTF-8 as strings decode.
func notXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE || r == 0xFFFF, r == utf8.RuneError:
		return true
	}
	return r > 0x10FFFF
}
