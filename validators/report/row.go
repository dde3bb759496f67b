package report

import (
	"strconv"

	"github.com/stripe-contract/stripe-contract/validators"
)

// Row is one finding as every format writes it, whatever command found it:
// a violation of a validated document, a deviation of a replayed
// interaction, a failed webhook delivery, a stale baseline entry.
type Row struct {
	// Source is the file the finding stands in, as the user named it.
	Source string
	// Line is its line in Source; 0 when unknown.
	Line int
	// Label names what the finding is about within Source, for people:
	// "interaction 3: GET /v1/invoice_payments/inpay_1"; "" for none.
	Label string
	// Rule is the finding's rule ID, as the catalogue lists it.
	Rule string
	// Pointer is an RFC 6901 JSON pointer into the document or interaction
	// ("" for the whole of it); JSON output names it "path".
	Pointer  string
	Severity validators.Severity
	Message  string
	// Doc is the documentation the rule comes from, when the finder has
	// it at hand (a violation carries it); the HTML format quotes it
	// beside the row. "" for none: the formats that cite docs look the
	// rule up in the catalogue.
	Doc string
	// Status is what a verdict made of the finding (StatusNew, StatusKnown,
	// StatusMinor, StatusStale); "" where no verdict applies, as in
	// validate, whose rows fail by their severity.
	Status string
}

// Statuses a verdict gives a row.
const (
	// StatusNew is a finding the baseline does not hold: it fails the run.
	StatusNew = "new"
	// StatusKnown is a finding the baseline holds: reported, not failing.
	StatusKnown = "known"
	// StatusMinor is a warning or a notice: reported, never failing.
	StatusMinor = "minor"
	// StatusStale is a baseline entry that no longer occurs: it fails the
	// run, so that the baseline is rewritten.
	StatusStale = "stale"
)

// Fails reports whether the row fails the run: a new finding or a stale
// entry under a verdict, an error without one.
func (r *Row) Fails() bool {
	switch r.Status {
	case StatusNew, StatusStale:
		return true
	case "":
		return r.Severity == validators.Error
	}
	return false
}

// word is how the text and JUnit formats qualify a row: its status when a
// verdict gave it one that says more than the severity, else the severity.
func (r *Row) word() string {
	if r.Status == "" || r.Status == StatusMinor {
		return r.Severity.String()
	}
	return r.Status
}

// level is the GitHub annotation level of a row.
func (r *Row) level() string {
	switch r.Status {
	case StatusNew, StatusStale:
		return "error"
	case StatusKnown:
		return "notice"
	}
	return r.Severity.String()
}

// appendText writes the row for people:
//
//	source:line (label): word: pointer: message [rule]
func (r *Row) appendText(dst []byte) []byte {
	dst = appendLocation(dst, displaySource(r.Source), r.Line, r.Label, appendEscaped)
	dst = append(dst, ": "...)
	dst = append(dst, r.word()...)
	dst = append(dst, ": "...)
	dst = appendEscaped(dst, validators.DisplayPointer(r.Pointer))
	dst = append(dst, ": "...)
	dst = appendEscaped(dst, r.Message)
	dst = append(dst, " ["...)
	dst = append(dst, r.Rule...)
	return append(dst, "]\n"...)
}

// appendGitHub writes the row as a workflow command that GitHub Actions
// shows as an annotation on the file and line:
//
//	::error file=F,line=L,title=RULE::label: pointer: message
func (r *Row) appendGitHub(dst []byte) []byte {
	dst = append(dst, "::"...)
	dst = append(dst, r.level()...)
	dst = append(dst, " file="...)
	dst = append(dst, escapeProperty(r.Source)...)
	if r.Line > 0 {
		dst = append(dst, ",line="...)
		dst = strconv.AppendInt(dst, int64(r.Line), 10)
	}
	dst = append(dst, ",title="...)
	title := r.Rule
	if r.Status == StatusKnown || r.Status == StatusStale {
		title = r.Status + ": " + r.Rule
	}
	dst = append(dst, escapeProperty(title)...)
	dst = append(dst, "::"...)
	msg := validators.DisplayPointer(r.Pointer) + ": " + r.Message
	if r.Label != "" {
		msg = r.Label + ": " + msg
	}
	dst = append(dst, escapeData(msg)...)
	return append(dst, '\n')
}

// appendJSON writes the row as a JSON object:
//
//	{"rule":"...","path":"/pointer","message":"...","severity":"error","status":"new"}
//
// with "status" only when a verdict gave one.
func (r *Row) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"rule":`...)
	dst = appendJSONString(dst, r.Rule)
	dst = append(dst, `,"path":`...)
	dst = appendJSONString(dst, r.Pointer)
	dst = append(dst, `,"message":`...)
	dst = appendJSONString(dst, r.Message)
	dst = append(dst, `,"severity":`...)
	dst = appendJSONString(dst, r.Severity.String())
	if r.Status != "" {
		dst = append(dst, `,"status":`...)
		dst = appendJSONString(dst, r.Status)
	}
	return append(dst, '}')
}

// junitLine is the row in a JUnit failure or system-out: "pointer: message
// [rule]", qualified by its word when it does not fail.
func (r *Row) junitLine() string {
	line := validators.DisplayPointer(r.Pointer) + ": " + r.Message + " [" + r.Rule + "]\n"
	if r.Fails() {
		return line
	}
	return r.word() + ": " + line
}

// appendLocation writes where a finding is, as every format names it:
// source:line (label), the line and label when known, each string written
// by esc (escaped for text, or for XML).
func appendLocation(dst []byte, source string, line int, label string, esc func([]byte, string) []byte) []byte {
	dst = esc(dst, source)
	if line > 0 {
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(line), 10)
	}
	if label != "" {
		dst = append(dst, " ("...)
		dst = esc(dst, label)
		dst = append(dst, ')')
	}
	return dst
}
