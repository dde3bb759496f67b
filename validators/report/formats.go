package report

import (
	"bufio"
	"encoding/json"
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

// renderer is one format: it renders a case to bytes (concurrently, without
// state), writes the rendered cases in order, and writes what follows them.
type renderer interface {
	// filters reports whether the format hides rows below the minimum
	// severity (text, github); the others keep every row.
	filters() bool
	appendCase(dst []byte, c *Case) []byte
	write(c caseMeta, b []byte) error
	close(t *Trailer) error
}

// caseMeta is what writing a rendered case needs to know of it.
type caseMeta struct {
	suite           string
	failed, skipped bool
	// resource is what the case is about, for the HTML format's counts:
	// a validated document's kind, a replayed request's resource.
	resource string
	// Its findings, for the HTML format's counts: a validated document's
	// violations, or a written case's rows (every one, unfiltered).
	violations []validators.Violation
	rows       []Row
}

// text writes a line per row,
//
//	source:line (label): severity: pointer: message [rule]
//
// and, at the end, the summary and the count of each rule broken with the
// doc text it comes from.
type text struct {
	w     io.Writer
	opts  Options
	wrote bool
}

func (t *text) filters() bool { return true }

func (t *text) appendCase(dst []byte, c *Case) []byte {
	for i := range c.Rows {
		dst = c.Rows[i].appendText(dst)
	}
	return dst
}

func (t *text) write(_ caseMeta, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	t.wrote = true
	_, err := t.w.Write(b)
	return err
}

func (t *text) close(tr *Trailer) error {
	bw := bufio.NewWriter(t.w)
	if t.wrote {
		bw.WriteString("\n")
	}
	fmt.Fprintln(bw, tr.Summary)
	if len(tr.Rules) > 0 {
		version := ""
		if t.opts.Catalogue != nil && t.opts.Catalogue.APIVersion() != "" {
			version = " " + t.opts.Catalogue.APIVersion()
		}
		if t.opts.Catalogue != nil {
			for _, vc := range tr.APIVersions {
				if vc.APIVersion != t.opts.Catalogue.APIVersion() {
					// The catalogue is one version's: say so rather than
					// cite it silently for documents judged at another.
					version += "; each row's message is that of the version its document was judged at"
					break
				}
			}
		}
		fmt.Fprintf(bw, "\nrules broken (count, severity, rule; the documentation each comes from, Stripe API%s):\n", version)
		for _, rc := range tr.Rules {
			fmt.Fprintf(bw, "%8d  %-7s  %s\n", rc.Count, rc.Severity, rc.Rule)
			if t.opts.Catalogue == nil {
				continue
			}
			if r, ok := t.opts.Catalogue.Rule(rc.Rule); ok {
				fmt.Fprintf(bw, "%19s%s\n", "", r.Summary)
				fmt.Fprintf(bw, "%19s\"%s\" (%s)\n", "", oneLine(r.Doc), r.Source)
			}
		}
	}
	return bw.Flush()
}

// jsonLines writes one JSON object per case, in order: for a validated
// document
//
//	{"source":"path:line","kind":"invoice_payment","api_version":"2026-08-26.dahlia","valid":false,"violations":[{"rule":...,"path":...,"message":...,"severity":...}]}
//
// and for a replayed interaction
//
//	{"source":"docs/a.yaml#1","file":"cassettes/docs/a.yaml","line":40,"request":{"method":"GET","url":"/v1/..."},"response":{"code":200},"deviations":[{"rule":...,"path":...,"message":...,"severity":...,"status":"new"}]}
//
// then the trailer's JSON, if any.
type jsonLines struct{ w io.Writer }

func (j *jsonLines) filters() bool { return false }

func (j *jsonLines) appendCase(dst []byte, c *Case) []byte {
	dst = appendSource(dst, c.Source, c.SourceLine)
	key := `,"violations":[`
	if c.Request != nil {
		key = `,"deviations":[`
		if c.File != "" {
			dst = append(dst, `,"file":`...)
			dst = appendJSONString(dst, c.File)
		}
		if c.Line > 0 {
			dst = append(dst, `,"line":`...)
			dst = strconv.AppendInt(dst, int64(c.Line), 10)
		}
		dst = append(dst, `,"request":{"method":`...)
		dst = appendJSONString(dst, c.Request.Method)
		dst = append(dst, `,"url":`...)
		dst = appendJSONString(dst, c.Request.URL)
		dst = append(dst, '}')
		if c.Code != 0 {
			dst = append(dst, `,"response":{"code":`...)
			dst = strconv.AppendInt(dst, int64(c.Code), 10)
			dst = append(dst, '}')
		}
		if c.Skipped != "" {
			dst = append(dst, `,"skipped":`...)
			dst = appendJSONString(dst, c.Skipped)
		}
	} else {
		dst = append(dst, `,"kind":`...)
		dst = appendJSONString(dst, c.Kind)
		dst = append(dst, `,"api_version":`...)
		dst = appendJSONString(dst, c.APIVersion)
		dst = append(dst, `,"valid":`...)
		dst = strconv.AppendBool(dst, !c.Failed())
	}
	dst = append(dst, key...)
	for i := range c.Rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = c.Rows[i].appendJSON(dst)
	}
	return append(dst, "]}\n"...)
}

// appendSource writes a line's "source": its file, and :line when set.
func appendSource(dst []byte, source string, line int) []byte {
	dst = append(dst, `{"source":`...)
	dst = appendJSONString(dst, source)
	if line > 0 {
		dst = dst[:len(dst)-1] // reopen the string: "source:line"
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(line), 10)
		dst = append(dst, '"')
	}
	return dst
}

// appendDocument is appendCase of the case caseOf makes of a validated
// document's outcome (rows down to min), written from the outcome itself:
// a log's millions of lines are written without a Case each, and without
// the rows' places in the file, which JSON lines do not name.
func (j *jsonLines) appendDocument(dst []byte, o *pipeline.Outcome, min int) []byte {
	dst = appendSource(dst, o.Doc.Source, o.Doc.Line)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, string(o.Result.Kind))
	dst = append(dst, `,"api_version":`...)
	dst = appendJSONString(dst, o.Result.APIVersion)
	valid := true
	for _, v := range o.Result.Violations {
		if r := (Row{Severity: v.Severity}); r.Fails() { // an error, which no minimum hides
			valid = false
		}
	}
	dst = append(dst, `,"valid":`...)
	dst = strconv.AppendBool(dst, valid)
	dst = append(dst, `,"violations":[`...)
	n := 0
	for _, v := range o.Result.Violations {
		if int(v.Severity) > min {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		// Redacted as caseOf redacts a row's (a message quotes the value).
		r := Row{Rule: v.Rule, Pointer: redact(v.Pointer), Severity: v.Severity, Message: redact(v.Message)}
		dst = r.appendJSON(dst)
	}
	return append(dst, "]}\n"...)
}

func (j *jsonLines) write(_ caseMeta, b []byte) error {
	_, err := j.w.Write(b)
	return err
}

func (j *jsonLines) close(t *Trailer) error {
	if t.JSON == nil {
		return nil
	}
	b, err := json.Marshal(t.JSON)
	if err != nil {
		return err
	}
	_, err = j.w.Write(append(b, '\n'))
	return err
}

// github writes workflow commands that GitHub Actions shows as annotations
// on the file and line, ::error file=F,line=L,title=RULE::message, and the
// summary as a notice.
type github struct {
	w    io.Writer
	opts Options
}

func (g *github) filters() bool { return true }

func (g *github) appendCase(dst []byte, c *Case) []byte {
	for i := range c.Rows {
		dst = c.Rows[i].appendGitHub(dst)
	}
	return dst
}

func (g *github) write(_ caseMeta, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := g.w.Write(b)
	return err
}

func (g *github) close(t *Trailer) error {
	_, err := fmt.Fprintf(g.w, "::notice title=%s::%s\n", escapeProperty(g.opts.name()), escapeData(t.Summary))
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

// junit writes one <testsuite> per suite (input file, cassette, baseline)
// and one <testcase> per case, failed when a row fails it, skipped when
// the case was not run. Test cases are spooled to a temporary file so that
// the counts can head each suite whatever the number of cases.
type junit struct {
	w      io.Writer
	name   string
	spool  *os.File
	suites []suite
	offset int64
}

type suite struct {
	name                     string
	tests, failures, skipped int64
	start, end               int64
}

func newJUnit(w io.Writer, opts Options) (*junit, error) {
	f, err := os.CreateTemp("", "stripe-contract-junit-*.xml")
	if err != nil {
		return nil, fmt.Errorf("junit spool: %w", err)
	}
	return &junit{w: w, name: opts.name(), spool: f}, nil
}

func (j *junit) filters() bool { return false }

func (j *junit) appendCase(dst []byte, c *Case) []byte {
	class := c.Class
	if class == "" {
		class = c.Suite
	}
	dst = append(dst, `    <testcase classname="`...)
	dst = appendXML(dst, class)
	dst = append(dst, `" name="`...)
	dst = c.appendName(dst)
	dst = append(dst, '"')
	if c.File != "" {
		dst = append(dst, ` file="`...)
		dst = appendXML(dst, c.File)
		dst = append(dst, '"')
	}
	if c.Line > 0 {
		dst = append(dst, ` line="`...)
		dst = strconv.AppendInt(dst, int64(c.Line), 10)
		dst = append(dst, '"')
	}
	dst = append(dst, '>')
	var failures, others []byte
	nfail := 0
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.Fails() {
			nfail++
			failures = append(failures, r.junitLine()...)
		} else {
			others = append(others, r.junitLine()...)
		}
	}
	body := false
	switch {
	case c.Skipped != "":
		dst = append(dst, "\n      <skipped message=\""...)
		dst = appendXML(dst, c.Skipped)
		dst = append(dst, `"></skipped>`...)
		body = true
	case nfail > 0:
		msg, typ := c.Failure, c.FailureType
		if msg == "" {
			msg = plural(int64(nfail), "contract violation", "contract violations")
		}
		if typ == "" {
			typ = "contract"
		}
		dst = append(dst, "\n      <failure type=\""...)
		dst = appendXML(dst, typ)
		dst = append(dst, `" message="`...)
		dst = appendXML(dst, msg)
		dst = append(dst, `">`...)
		dst = appendXML(dst, string(failures))
		dst = append(dst, "</failure>"...)
		body = true
	}
	if len(others) > 0 {
		dst = append(dst, "\n      <system-out>"...)
		dst = appendXML(dst, string(others))
		dst = append(dst, "</system-out>"...)
		body = true
	}
	if body {
		dst = append(dst, "\n    "...)
	}
	return append(dst, "</testcase>\n"...)
}

func (j *junit) write(c caseMeta, b []byte) error {
	if n := len(j.suites); n == 0 || j.suites[n-1].name != c.suite {
		j.suites = append(j.suites, suite{name: c.suite, start: j.offset, end: j.offset})
	}
	s := &j.suites[len(j.suites)-1]
	s.tests++
	switch {
	case c.skipped:
		s.skipped++
	case c.failed:
		s.failures++
	}
	n, err := j.spool.Write(b)
	j.offset += int64(n)
	s.end = j.offset
	return err
}

func (j *junit) close(*Trailer) error {
	defer os.Remove(j.spool.Name())
	defer j.spool.Close()
	var tests, failures, skipped int64
	for _, s := range j.suites {
		tests, failures, skipped = tests+s.tests, failures+s.failures, skipped+s.skipped
	}
	bw := bufio.NewWriter(j.w)
	bw.WriteString(xml.Header)
	fmt.Fprintf(bw, "<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n", string(appendXML(nil, j.name)), tests, failures, skipped)
	for _, s := range j.suites {
		fmt.Fprintf(bw, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\">\n", string(appendXML(nil, s.name)), s.tests, s.failures, s.skipped)
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
