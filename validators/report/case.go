package report

import (
	"hash/maphash"
	"strings"
	"sync/atomic"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// Case is what one JSON line and one JUnit test case stand for: a validated
// document, a replayed interaction, a delivered webhook, a baseline. Its
// rows are its findings.
type Case struct {
	// Source names the case in JSON output ("source"), followed by
	// ":SourceLine" when SourceLine is set: "file.ndjson:3",
	// "docs/list_two_pages.yaml#1".
	Source     string
	SourceLine int
	// File and Line place a replayed interaction in its cassette (JSON
	// "file" and "line", JUnit file and line attributes); "" and 0 for a
	// validated document, whose Source places it.
	File string
	Line int
	// Suite groups cases into JUnit test suites: the file they come from.
	Suite string
	// Class is the JUnit classname; "" for Suite.
	Class string
	// Name is the JUnit test case name; "" for Source[:SourceLine], then
	// Label in parentheses, then Kind.
	Name string
	// Label names a validated document when its line cannot (an
	// interaction of a cassette).
	Label string
	// Kind is the validated document's kind (JSON "kind" and "valid");
	// "" for a replayed interaction.
	Kind string
	// APIVersion is the API version the validated document was judged at
	// (JSON "api_version"); "" for a replayed interaction.
	APIVersion string
	// Request is the replayed request (JSON "request"); nil for a
	// validated document.
	Request *Request
	// Code is the HTTP status the target answered a replayed request with
	// (JSON "response": {"code": N}); 0 when it did not answer.
	Code int
	// Skipped says why the case was not run; "" when it was.
	Skipped string
	// Failure is the JUnit failure message; "" for "N contract violations".
	Failure string
	// FailureType is the JUnit failure type; "" for "contract".
	FailureType string
	// Document is the document the rows' pointers point into, standing at
	// DocumentAt within Source ("" when it is the whole of it): the HTML
	// format quotes the offending value from it. nil for none.
	Document   []byte
	DocumentAt string
	Rows       []Row
}

// Request is a replayed request as JSON output names it:
// {"method":"GET","url":"/v1/invoice_payments?limit=1"}.
type Request struct {
	Method string
	URL    string
}

// Failed reports whether any row of the case fails the run.
func (c *Case) Failed() bool {
	for i := range c.Rows {
		if c.Rows[i].Fails() {
			return true
		}
	}
	return false
}

// Trailer is what follows the last case.
type Trailer struct {
	// Summary is the run in one sentence, the last line of the text and
	// GitHub formats.
	Summary string
	// Rules are the rules broken, most often first: the text format cites
	// each with its documentation.
	Rules []pipeline.RuleCount
	// APIVersions are the versions the documents were judged at: the text
	// format says when some differ from the catalogue's, whose rules it
	// cites.
	APIVersions []pipeline.VersionCount
	// JSON, when set, is written by the JSON format as its last line; it is
	// marshalled with encoding/json.
	JSON any
}

// caseOf puts a validated document in the shape the formats write: a row
// per violation at or above min, placed on the line of the offending value
// in a whole-file JSON document.
// It builds no string: validate writes millions of cases.
func caseOf(c *Case, o *pipeline.Outcome, min int) {
	rows := c.Rows[:0]
	*c = Case{Source: o.Doc.Source, SourceLine: o.Doc.Line, Suite: o.Doc.Source, Kind: string(o.Result.Kind), APIVersion: o.Result.APIVersion, Label: o.Doc.Label,
		Document: o.Doc.Data, DocumentAt: o.Doc.Prefix}
	for _, v := range o.Result.Violations {
		if int(v.Severity) > min {
			continue
		}
		src, line := location(o, v.Pointer)
		// A message quotes the offending value, and a pointer names the
		// document's members: either may hold a secret the payload carried
		// (a webhook endpoint's whsec_, a key pasted into a field), which
		// must not reach a CI log or a report file.
		rows = append(rows, Row{Source: src, Line: line, Label: o.Doc.Label, Rule: v.Rule, Pointer: redact(v.Pointer),
			Severity: v.Severity, Message: redact(v.Message), Doc: v.Doc})
	}
	c.Rows = rows
}

// redact is secret.Redact, remembered for the texts a log repeats: most
// messages ("is missing; currency is required") and pointers recur on
// line after line, and scanning each for every family of secret and
// encoding costs microseconds. Texts under redactMemoLen bytes are kept in
// a table of redactSlots slots, by hash; the others are scanned every
// time. A text that recurs keeps its slot (a newcomer of its hash is
// refused once for each time it is met again), and one met once (a
// message quoting an ID) gives its slot to the next: finding a text costs
// a hash and a comparison.
func redact(s string) string {
	if len(s) >= redactMemoLen {
		return secret.Redact(s)
	}
	slot := &redacted[maphash.String(redactSeed, s)&(redactSlots-1)]
	m := slot.Load()
	if m != nil && m.text == s {
		if !m.met.Load() {
			m.met.Store(true)
		}
		return m.redacted
	}
	r := secret.Redact(s)
	if m == nil || !m.met.Load() {
		slot.Store(&redactMemo{text: s, redacted: r})
	} else {
		m.met.Store(false) // it keeps its slot if met again before the next newcomer
	}
	return r
}

const (
	redactSlots   = 16 << 10 // a power of two
	redactMemoLen = 512
)

// redactMemo is a text and its redaction; met: the text was met again
// since it took its slot, or since a newcomer was refused it.
type redactMemo struct {
	text, redacted string
	met            atomic.Bool
}

var (
	redacted   [redactSlots]atomic.Pointer[redactMemo]
	redactSeed = maphash.MakeSeed()
)

// resource is what the case is about: the validated document's kind, else
// the path of the replayed request with its IDs as {id}
// (/v1/customers/{id}), IDs told from resource names as the recorder's
// index tells them (a segment with a digit or an upper-case letter, past
// the version), else "".
func (c *Case) resource() string {
	if c.Kind != "" || c.Request == nil {
		return c.Kind
	}
	path, _, _ := strings.Cut(c.Request.URL, "?")
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if i > 1 && strings.ContainsAny(seg, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ@") {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// appendName appends the JUnit test case name.
func (c *Case) appendName(dst []byte) []byte {
	if c.Name != "" {
		return appendXML(dst, c.Name)
	}
	dst = appendLocation(dst, c.Source, c.SourceLine, c.Label, appendXML)
	dst = append(dst, ' ')
	return appendXML(dst, c.Kind)
}
