// Package cassette is the Stripe view of a go-vcr v4 cassette
// (gopkg.in/dnaeon/go-vcr.v4/pkg/cassette): the one reader of cassette
// files for the recorder, the replay server, the replay engine, the webhook
// replayer, validate and the cassette generator.
//
// It holds the set of cassettes under a folder (Files, Walk: regular *.yaml
// files in lexical order, hidden ones skipped), loading one with the line
// of each interaction and of its bodies (Load, Parse: bounded by MaxSize,
// refusing what is not go-vcr v4's format with an error naming the line),
// what an interaction means to Stripe (IsWebhookDelivery, PayloadOf,
// IsJSON), the comments at a cassette's top saying where it came from
// (CommentBlock, ReadProvenance), and the crash-safe FS that writes
// cassettes for go-vcr's recorder.
//
//	files, err := cassette.Files(os.DirFS("cassettes"))
//	for _, f := range files {
//		c, err := cassette.Load(os.DirFS("cassettes"), f, cassette.DefaultMaxSize)
//		for _, i := range c.Interactions {
//			if p := cassette.PayloadOf(i.Interaction); p.IsJSON() { ... }
//		}
//	}
package cassette

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

// ErrNotCassette is returned, as a *FormatError, for a file that is not a
// go-vcr v4 cassette.
var ErrNotCassette = errors.New("not a go-vcr cassette")

// ErrTooLarge is returned, as a *TooLargeError, for a cassette file over
// the size limit.
var ErrTooLarge = errors.New("cassette over the size limit")

// DefaultMaxSize is the largest cassette file read, in bytes, unless a
// caller raises it. A cassette is read whole and decoded into a tree many
// times its size: a 200 MB one took 3.5 GB of memory, and a .yaml that is
// /dev/zero ran the process out of memory.
const DefaultMaxSize = 64 << 20

// TooLargeError is a cassette file over the size limit. It was not read
// past the limit, so its size is not known.
type TooLargeError struct {
	File  string
	Limit int64
}

// Error names the file and the limit.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("cassette %s %s", disk.DisplayName(e.File), e.Found())
}

// Found is what was found, without the file's name: "is more than N bytes,
// over the limit on a cassette file".
func (e *TooLargeError) Found() string {
	return fmt.Sprintf("is more than %d bytes, over the limit on a cassette file", e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// FormatError is a file that is not a go-vcr v4 cassette, and where.
type FormatError struct {
	Line int // 1-based line where the problem stands; 0 when not known
	Err  error
}

// Error says what is wrong and, when YAML's own error does not, the line.
func (e *FormatError) Error() string {
	if e.Line > 0 && yamlLine(e.Err) == 0 {
		return fmt.Sprintf("%v: line %d: %v", ErrNotCassette, e.Line, e.Err)
	}
	return fmt.Sprintf("%v: %v", ErrNotCassette, e.Err)
}

// Is makes errors.Is(err, ErrNotCassette) hold.
func (e *FormatError) Is(target error) bool { return target == ErrNotCassette }

// Unwrap is the reason.
func (e *FormatError) Unwrap() error { return e.Err }

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

// Cassette is a cassette file as loaded: go-vcr's interactions, each with
// where it stands in the file.
type Cassette struct {
	File         string // the file, as given to Load
	Interactions []Interaction
}

// Interaction is one recorded request and its answer, with its place in
// the cassette file.
type Interaction struct {
	*vcr.Interaction
	Index int // its index in the cassette: /interactions/N
	// Line is the 1-based line where the interaction starts in the file;
	// RequestBodyLine and ResponseBodyLine those of its bodies (0 when the
	// body is not written).
	Line, RequestBodyLine, ResponseBodyLine int
}

// Label names the interaction for people: "interaction 3: GET
// /v1/invoice_payments/inpay_1".
func (i Interaction) Label() string {
	return "interaction " + strconv.Itoa(i.Index) + ": " + i.Request.Method + " " + DisplayURL(i.Request.URL)
}

// PayloadLine is the line of the interaction's payload (see PayloadOf).
func (i Interaction) PayloadLine() int {
	if IsWebhookDelivery(i.Interaction) {
		return i.RequestBodyLine
	}
	return i.ResponseBodyLine
}

// IsWebhookDelivery reports whether an interaction is a webhook delivery:
// a POST carrying Stripe-Signature, which Stripe sends to an endpoint and
// which is not an API request. Stripe sends every event to an endpoint as
// a POST, signed in that header ("Stripe sends webhook events ... as a POST
// request", "Stripe-Signature header included in each signed event"); a
// request of another method that happens to carry the header is not one.
// It is the one definition for validate, replay, webhooks and the
// generator.
func IsWebhookDelivery(i *vcr.Interaction) bool {
	return i.Request.Method == http.MethodPost && i.Request.Headers.Get(SignatureHeader) != ""
}

// SignatureHeader is the header Stripe signs webhook deliveries with.
const SignatureHeader = "Stripe-Signature"

// VersionHeader is the request header that sets the API version of an API
// request and its response, over the account's default
// (https://docs.stripe.com/api/versioning).
const VersionHeader = "Stripe-Version"

// Payload is the Stripe JSON an interaction carries, and where.
type Payload struct {
	Body        string
	ContentType string
	Pointer     string // in the interaction: "/request/body" or "/response/body"
	// APIVersion is the version the request asked for in its
	// Stripe-Version header, for a response body; "" when it names none,
	// and for a webhook delivery, whose event carries its own api_version.
	APIVersion string
}

// PayloadOf is what Stripe sent in an interaction: for a webhook delivery
// (see IsWebhookDelivery) the request body, since there the response is
// the endpoint's own reply and not Stripe's; otherwise the response body.
func PayloadOf(i *vcr.Interaction) Payload {
	if IsWebhookDelivery(i) {
		return Payload{Body: i.Request.Body, ContentType: i.Request.Headers.Get("Content-Type"), Pointer: "/request/body"}
	}
	return Payload{Body: i.Response.Body, ContentType: i.Response.Headers.Get("Content-Type"), Pointer: "/response/body",
		APIVersion: i.Request.Headers.Get(VersionHeader)}
}

// IsJSON reports whether the payload is meant as JSON (see IsJSON).
func (p Payload) IsJSON() bool { return IsJSON(p.Body, p.ContentType) }

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

// DisplayURL is a recorded URL's path and query as people read it (the
// query unescaped); a URL that does not parse is shown as it is.
func DisplayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return DisplayPathQuery(u.Path, u.RawQuery)
}

// DisplayPathQuery is a request's path and query as people read it.
func DisplayPathQuery(path, rawQuery string) string {
	if rawQuery == "" {
		return path
	}
	if q, err := url.QueryUnescape(rawQuery); err == nil {
		rawQuery = q
	}
	return path + "?" + rawQuery
}

// Load reads the cassette name from fsys, no further than limit bytes (0
// means DefaultMaxSize: a larger file, or an endless one such as /dev/zero,
// is a *TooLargeError), and parses it (see Parse). Its errors name the
// file.
func Load(fsys fs.FS, name string, limit int64) (*Cassette, error) {
	data, err := ReadFile(fsys, name, limit)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("cassette %s: %w", disk.DisplayName(name), err)
	}
	c.File = name
	return c, nil
}

// ReadFile reads the cassette name from fsys whole, but no more than limit
// bytes (0 means DefaultMaxSize): a larger file is a *TooLargeError.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return readFrom(name, f, limit)
}

// Read reads a cassette from r, no further than limit bytes (0 means
// DefaultMaxSize; over it, a *TooLargeError naming name), and parses it.
func Read(name string, r io.Reader, limit int64) (*Cassette, error) {
	data, err := readFrom(name, io.NopCloser(r), limit)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data)
	if err != nil {
		return nil, err
	}
	c.File = name
	return c, nil
}

func readFrom(name string, f io.ReadCloser, limit int64) ([]byte, error) {
	defer f.Close()
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{File: name, Limit: limit}
	}
	return data, nil
}

// Parse decodes a cassette file into go-vcr's types, noting for each
// interaction its line and those of its request and response bodies. A
// file that is not YAML, not a mapping with an interactions list, of
// another format version than go-vcr v4's, with an empty interaction, a
// request URL that does not parse or a response code that is no HTTP
// status, is a *FormatError naming the line when it is known.
func Parse(data []byte) (*Cassette, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := yamlLine(err)
		if line == 0 {
			line = badCharLine(data)
		}
		return nil, &FormatError{Line: line, Err: err}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode || mappingValue(doc, "interactions") == nil {
		return nil, &FormatError{Line: max(doc.Line, 1), Err: errors.New("no interactions list (a go-vcr cassette has version: 2 and interactions:)")}
	}
	c := &vcr.Cassette{}
	if err := doc.Decode(c); err != nil {
		return nil, &FormatError{Line: yamlLine(err), Err: err}
	}
	if c.Version != vcr.CassetteFormatVersion {
		return nil, unsupportedVersion(doc, c.Version)
	}
	seq := mappingValue(doc, "interactions")
	item := func(n int) *yaml.Node {
		if seq.Kind != yaml.SequenceNode || n >= len(seq.Content) {
			return nil
		}
		return seq.Content[n]
	}
	out := &Cassette{Interactions: make([]Interaction, len(c.Interactions))}
	for n, i := range c.Interactions {
		line := seq.Line
		it := item(n)
		if it != nil {
			line = it.Line
		}
		if i == nil {
			return nil, &FormatError{Line: line, Err: fmt.Errorf("interaction %d is empty", n)}
		}
		if _, err := url.Parse(i.Request.URL); err != nil {
			return nil, &FormatError{Line: line, Err: fmt.Errorf("interaction %d: request url: %w", n, err)}
		}
		// HTTP status codes are three digits (RFC 9110, section 15); a
		// server cannot send another (Go's panics), so the file is broken.
		// 0 is go-vcr's "not set", replayed as 200.
		if code := i.Response.Code; code != 0 && (code < 100 || code > 599) {
			return nil, &FormatError{Line: line, Err: fmt.Errorf("interaction %d: response code %d is not an HTTP status (100-599)", n, code)}
		}
		out.Interactions[n] = Interaction{Interaction: i, Index: n, Line: line,
			RequestBodyLine: bodyLine(it, "request"), ResponseBodyLine: bodyLine(it, "response")}
	}
	return out, nil
}

// bodyLine is the line of the body of part (request or response) of an
// interaction's node, or 0.
func bodyLine(item *yaml.Node, part string) int {
	if body := mappingValue(mappingValue(item, part), "body"); body != nil {
		return body.Line
	}
	return 0
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
// errors.Is(err, vcr.ErrUnsupportedCassetteFormat) holds.
type versionError struct{ found int }

func (e *versionError) Error() string {
	return fmt.Sprintf("version %d, want %d (go-vcr v4)", e.found, vcr.CassetteFormatVersion)
}

func (e *versionError) Is(target error) bool { return target == vcr.ErrUnsupportedCassetteFormat }

// unsupportedVersion is the error for the cassette doc of version found,
// at the line of its version field.
func unsupportedVersion(doc *yaml.Node, found int) error {
	line := doc.Line
	if v := mappingValue(doc, "version"); v != nil {
		line = v.Line
	}
	return &FormatError{Line: line, Err: &versionError{found: found}}
}

// checkVersion refuses a cassette whose version field is not go-vcr v4's;
// anything else it leaves to go-vcr's loader to judge.
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
	if v := mappingValue(doc, "version"); v == nil || v.Decode(&version) != nil || version == vcr.CassetteFormatVersion {
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
