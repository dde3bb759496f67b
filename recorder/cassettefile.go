package recorder

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// ErrNotCassette is returned for a YAML file that is not a go-vcr v4 cassette.
var ErrNotCassette = errors.New("not a go-vcr cassette")

// ErrCassetteTooLarge is returned, as a *CassetteTooLargeError, for a
// cassette file over the size limit.
var ErrCassetteTooLarge = errors.New("cassette over the size limit")

// DefaultMaxCassetteSize is the largest cassette file read, in bytes,
// unless a caller raises it. A cassette is read whole and decoded into a
// tree many times its size: a 200 MB one took 3.5 GB of memory, and a
// .yaml that is /dev/zero ran the process out of memory.
const DefaultMaxCassetteSize = 64 << 20

// CassetteTooLargeError is a cassette file over the size limit. It was not
// read past the limit, so its size is not known.
type CassetteTooLargeError struct {
	File  string
	Limit int64
}

func (e *CassetteTooLargeError) Error() string {
	return fmt.Sprintf("cassette %s %s", pipeline.DisplayPath(e.File), e.found())
}

func (e *CassetteTooLargeError) found() string {
	return fmt.Sprintf("is more than %d bytes, over the limit on a cassette file", e.Limit)
}

func (e *CassetteTooLargeError) Is(target error) bool { return target == ErrCassetteTooLarge }

// Rules about cassette files themselves, reported by validate as one
// invalid result row for the file (see CassetteRules).
const (
	RuleCassetteUnreadable = "cassette.unreadable"
	RuleCassetteTooLarge   = "cassette.too-large"
)

// CassetteRules are the rules about cassette files, for
// validators.WithRules: a file that is not a go-vcr v4 cassette, or is over
// the size limit, breaks one of them instead of having its payloads checked.
func CassetteRules() []validators.Rule { return []validators.Rule{ruleUnreadable, ruleTooLarge} }

var (
	ruleUnreadable = validators.Rule{ID: RuleCassetteUnreadable, Severity: validators.Error, Check: "go",
		Summary: "a .yaml file read as a cassette is a go-vcr v4 cassette: YAML, version: 2, and a list of interactions with parseable URLs",
		Doc:     "CassetteFormatVersion is the supported cassette version. Version: Cassette format version. Interactions: Interactions between client and server.",
		Source:  "gopkg.in/dnaeon/go-vcr.v4/pkg/cassette (CassetteFormatVersion = 2, type Cassette)"}
	ruleTooLarge = validators.Rule{ID: RuleCassetteTooLarge, Severity: validators.Error, Check: "go",
		Summary: "a cassette file is no larger than the size limit (64 MiB unless raised with --max-cassette-size)",
		Doc:     "A cassette is read whole and decoded into a tree many times its size, so its size is bounded, as a document's is: an implementation may set limits on the size of texts that it accepts.",
		Source:  "recorder.DefaultMaxCassetteSize; RFC 8259 section 9"}
)

// invalidCassette makes err, about the file at line, a result row for
// validate breaking rule r: what was found (err's message), then the rule.
func invalidCassette(r validators.Rule, line int, err error) error {
	found := err.Error()
	if tl := (*CassetteTooLargeError)(nil); errors.As(err, &tl) {
		found = tl.found() // the row names the file already
	}
	return &pipeline.InvalidFileError{Line: line, Err: err,
		Violation: validators.Violation{Rule: r.ID, Message: found + "; " + r.Summary, Severity: r.Severity, Doc: r.Doc}}
}

// notCassetteError is a file that is not a go-vcr v4 cassette, and where.
type notCassetteError struct {
	line int // 0: not known
	err  error
}

func (e *notCassetteError) Error() string {
	if e.line > 0 && !e.mentionsLine() {
		return fmt.Sprintf("%v: line %d: %v", ErrNotCassette, e.line, e.err)
	}
	return fmt.Sprintf("%v: %v", ErrNotCassette, e.err)
}

// mentionsLine: YAML's own errors say where already, when they know.
func (e *notCassetteError) mentionsLine() bool { return yamlLine(e.err) > 0 }

func (e *notCassetteError) Is(target error) bool { return target == ErrNotCassette }
func (e *notCassetteError) Unwrap() error        { return e.err }

// yamlLine is the line a YAML error names, or 0.
func yamlLine(err error) int {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return le.Mark.Line
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		return les.Errors[0].Mark.Line
	}
	return 0
}

// payload is the Stripe JSON an interaction carries: the response body, or
// for a webhook delivery (a request signed with Stripe-Signature, which
// Stripe sends to an endpoint) the request body, since there the response
// is the endpoint's own reply and not Stripe's.
func payload(i *cassette.Interaction) (body, pointer string, ok bool) {
	if i.Request.Headers.Get("Stripe-Signature") != "" {
		if IsJSON(i.Request.Body, i.Request.Headers.Get("Content-Type")) {
			return i.Request.Body, "/request/body", true
		}
		return "", "", false
	}
	if IsJSON(i.Response.Body, i.Response.Headers.Get("Content-Type")) {
		return i.Response.Body, "/response/body", true
	}
	return "", "", false
}

// IsJSON reports whether a body is meant as JSON: its media type says so,
// or it has none and starts like a JSON object or array. A body that says
// it is JSON is validated even if it is not (that is a finding).
func IsJSON(body, contentType string) bool {
	trimmed := strings.TrimSpace(body)
	if trimmed == "" {
		return false
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		return true
	}
	return mt == "" && (trimmed[0] == '{' || trimmed[0] == '[')
}

// interactionLabel names an interaction for people: "interaction 3: GET /v1/invoice_payments/inpay_1".
func interactionLabel(n int, method, rawURL string) string {
	return "interaction " + strconv.Itoa(n) + ": " + method + " " + recordedDisplayURL(rawURL)
}

// ReadCassette is a pipeline.Reader for go-vcr cassettes (register it with
// pipeline.WithReader(".yaml", recorder.ReadCassette)): CassetteReader
// with the default size limit.
func ReadCassette(source string, r io.Reader, maxSize int, emit func(pipeline.Document) error) error {
	return CassetteReader{}.Read(source, r, maxSize, emit)
}

// CassetteReader reads go-vcr cassettes for package pipeline.
type CassetteReader struct {
	// MaxSize is the largest cassette file read, in bytes; 0 means
	// DefaultMaxCassetteSize. Nothing past it is read.
	MaxSize int64
}

// Read is a pipeline.Reader. It emits the Stripe JSON of every interaction
// (see payload) with its pointer prefixed by the interaction's place in the
// file, /interactions/N/response/body, its label naming the request, and the
// line of the body in the file. Interactions without a JSON body are
// skipped. A file that is not YAML, or not a version 2 cassette, is an error
// naming the line (errors.Is ErrNotCassette); a file over the size limit is a
// *CassetteTooLargeError. Both are *pipeline.InvalidFileError, so that
// validate reports the file as an invalid result row (rules
// cassette.unreadable and cassette.too-large).
func (cr CassetteReader) Read(source string, r io.Reader, maxSize int, emit func(pipeline.Document) error) error {
	limit := cr.MaxSize
	if limit <= 0 {
		limit = DefaultMaxCassetteSize
	}
	data, err := readBounded(r, limit)
	if errors.Is(err, ErrCassetteTooLarge) {
		return invalidCassette(ruleTooLarge, 0, &CassetteTooLargeError{File: source, Limit: limit})
	}
	if err != nil {
		return err
	}
	c, lines, err := parseCassette(data)
	if err != nil {
		line := 0
		if nc := (*notCassetteError)(nil); errors.As(err, &nc) {
			line = nc.line
		}
		return invalidCassette(ruleUnreadable, line, err)
	}
	for n, i := range c.Interactions {
		body, pointer, ok := payload(i)
		if !ok {
			continue
		}
		doc := pipeline.Document{
			Source: source,
			Line:   lines[n][pointer],
			Size:   int64(len(body)),
			Prefix: "/interactions/" + strconv.Itoa(n) + pointer,
			Label:  interactionLabel(n, i.Request.Method, i.Request.URL),
		}
		if len(body) <= maxSize {
			doc.Data = []byte(body)
		}
		if err := emit(doc); err != nil {
			return err
		}
	}
	return nil
}

// readBounded reads r to the end, or fails with ErrCassetteTooLarge once
// past limit bytes, reading no further.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, ErrCassetteTooLarge
	}
	return data, nil
}

// parseCassette decodes a cassette file and, for each interaction, the
// line of its request and response bodies. Its errors are
// *notCassetteError, with the line when known.
func parseCassette(data []byte) (*cassette.Cassette, []map[string]int, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := yamlLine(err)
		if line == 0 {
			line = badCharLine(data)
		}
		return nil, nil, &notCassetteError{line: line, err: err}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode || mappingValue(doc, "interactions") == nil {
		return nil, nil, &notCassetteError{line: max(doc.Line, 1), err: errors.New("no interactions list (a go-vcr cassette has version: 2 and interactions:)")}
	}
	c := &cassette.Cassette{}
	if err := doc.Decode(c); err != nil {
		return nil, nil, &notCassetteError{line: yamlLine(err), err: err}
	}
	if c.Version != cassette.CassetteFormatVersion {
		return nil, nil, unsupportedVersion(doc, c.Version)
	}
	lines := make([]map[string]int, len(c.Interactions))
	seq := mappingValue(doc, "interactions")
	itemLine := func(n int) int {
		if seq.Kind != yaml.SequenceNode || n >= len(seq.Content) {
			return seq.Line
		}
		return seq.Content[n].Line
	}
	for n := range c.Interactions {
		lines[n] = map[string]int{}
		if seq.Kind != yaml.SequenceNode || n >= len(seq.Content) {
			continue
		}
		item := seq.Content[n]
		for _, part := range []string{"request", "response"} {
			if body := mappingValue(mappingValue(item, part), "body"); body != nil {
				lines[n]["/"+part+"/body"] = body.Line
			}
		}
	}
	for n, i := range c.Interactions {
		if i == nil {
			return nil, nil, &notCassetteError{line: itemLine(n), err: fmt.Errorf("interaction %d is empty", n)}
		}
		if _, err := url.Parse(i.Request.URL); err != nil {
			return nil, nil, &notCassetteError{line: itemLine(n), err: fmt.Errorf("interaction %d: request url: %w", n, err)}
		}
		// HTTP status codes are three digits (RFC 9110, section 15); a
		// server cannot send another (Go's panics), so the file is broken.
		// 0 is go-vcr's "not set", replayed as 200.
		if c := i.Response.Code; c != 0 && (c < 100 || c > 599) {
			return nil, nil, &notCassetteError{line: itemLine(n), err: fmt.Errorf("interaction %d: response code %d is not an HTTP status (100-599)", n, c)}
		}
	}
	return c, lines, nil
}

// badCharLine is the line of the first character YAML cannot read (YAML
// 1.2, section 5.1: C0 controls other than tab and line breaks, DEL, C1
// controls, surrogates, invalid UTF-8), for the YAML errors that name no
// position ("control characters are not allowed"); 0 when there is none.
func badCharLine(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == '\n':
			line++
		case r == '\t' || r == '\r' || r == 0x85 || r == 0xFEFF:
		case r == utf8.RuneError && n == 1, r < 0x20, r == 0x7f, 0x80 <= r && r <= 0x9f, r == 0xFFFE, r == 0xFFFF:
			return line
		}
		i += n
	}
	return 0
}

// versionError is a cassette of another format version than go-vcr v4's;
// errors.Is(err, cassette.ErrUnsupportedCassetteFormat) holds.
type versionError struct{ found int }

func (e *versionError) Error() string {
	return fmt.Sprintf("version %d, want %d (go-vcr v4)", e.found, cassette.CassetteFormatVersion)
}

func (e *versionError) Is(target error) bool { return target == cassette.ErrUnsupportedCassetteFormat }

// unsupportedVersion is the error for the cassette doc of version found,
// at the line of its version field.
func unsupportedVersion(doc *yaml.Node, found int) error {
	line := doc.Line
	if v := mappingValue(doc, "version"); v != nil {
		line = v.Line
	}
	return &notCassetteError{line: line, err: &versionError{found: found}}
}

// checkVersion refuses a cassette whose version field is not go-vcr v4's;
// anything else it leaves to go-vcr's loader to judge, as before.
func checkVersion(data []byte) error {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return nil
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	var version int
	if v := mappingValue(doc, "version"); v == nil || v.Decode(&version) != nil || version == cassette.CassetteFormatVersion {
		return nil
	}
	return unsupportedVersion(doc, version)
}

// mappingValue is the value of key in a YAML mapping node, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
