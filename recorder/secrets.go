package recorder

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// SecretError is a cassette refused because a Stripe secret would still be
// in it after redaction: redaction replaces every secret it can reach, so
// what is left is one it cannot (inside a compressed payload, say).
// Nothing was written: the previous file, if any, is unchanged. The secret
// itself is never part of the error.
type SecretError struct {
	Cassette string // the cassette's file
	// Interaction is the index of the interaction holding the secret, or -1
	// when it was found in the file's header (Line says where).
	Interaction int
	// Field is where in the interaction: "response.body",
	// "request.headers[X-Key]", ..., "file" when it was found by the last
	// check, of the file's bytes, in the interaction's part (Line says
	// where), or "" in the file's header.
	Field string
	Line  int // 1-based line in the file, when Field is "file" or Interaction is -1
	// Family is the secret's family in the catalogue (secret.Families):
	// "secret-key", "payment-intent-client-secret", ..., "credential" for
	// a credential the request carried, or secret.FamilyUnscanned for a
	// part the scan could not finish within its bounds (a decompressed
	// payload too large, say), refused because it could hide one.
	Family string
	// Encoding is how it was hidden, outermost first ("base64 of xz",
	// "zstd"), or "" when it is plain text (which redaction replaces, so a
	// plain one means a hook put it back).
	Encoding string
}

// Error says where the secret is and that nothing was written.
func (e *SecretError) Error() string {
	return fmt.Sprintf("refusing to write cassette %s: %s; nothing was written, and the previous cassette is unchanged",
		e.Cassette, e.what())
}

// what says where the secret is and how it was hidden, without the value.
func (e *SecretError) what() string {
	where := fmt.Sprintf("interaction %d %s", e.Interaction, e.Field)
	switch {
	case e.Interaction < 0:
		where = fmt.Sprintf("line %d", e.Line)
	case e.Field == "file":
		where = fmt.Sprintf("interaction %d (line %d of the file)", e.Interaction, e.Line)
	}
	how := "in plain text"
	if e.Encoding != "" {
		how = "encoded as " + e.Encoding
	}
	if e.Family == secret.FamilyUnscanned {
		return fmt.Sprintf("%s holds a part the secret scan could not finish within its bounds (%s), which could hide a Stripe secret", where, how)
	}
	return fmt.Sprintf("%s still holds a Stripe secret (%s, %s) that redaction cannot reach", where, familyLabel(e.Family), how)
}

// familyLabel names a family as a reader recognises it: its name and, when
// it has one, the shape of its values ("secret-key: sk_live_ or sk_test_").
func familyLabel(name string) string {
	for _, f := range secret.Families() {
		if f.Name == name && f.Prefix != "" {
			return name + ": " + f.Prefix
		}
	}
	return name
}

// checkInteraction finds a secret left anywhere in an interaction: in
// every field, in each encoding the scan decodes (see secret.Scanner.Scan),
// and the credentials of scan among them.
func checkInteraction(scan *secret.Scanner, i *cassette.Interaction) (field string, f secret.Finding, found bool) {
	check := func(name, s string) bool {
		if s == "" {
			return false
		}
		if fs := scan.Scan([]byte(s)); len(fs) > 0 {
			field, f, found = name, fs[0], true
		}
		return found
	}
	headers := func(prefix string, h http.Header) bool {
		for _, name := range slices.Sorted(maps.Keys(h)) {
			if fs := scan.ScanName(name); len(fs) > 0 {
				field, f, found = prefix+"[name]", fs[0], true
				return true
			}
			for _, v := range h[name] {
				if check(prefix+"["+name+"]", v) {
					return true
				}
			}
		}
		return false
	}
	req, resp := &i.Request, &i.Response
	_ = check("request.url", req.URL) ||
		check("request.request_uri", req.RequestURI) ||
		check("request.host", req.Host) ||
		check("request.remote_addr", req.RemoteAddr) ||
		check("request.proto", req.Proto) ||
		headers("request.headers", req.Headers) ||
		headers("request.trailer", req.Trailer) ||
		headers("request.form", http.Header(req.Form)) ||
		check("request.body", req.Body) ||
		check("response.status", resp.Status) ||
		check("response.proto", resp.Proto) ||
		headers("response.headers", resp.Headers) ||
		headers("response.trailer", resp.Trailer) ||
		check("response.body", resp.Body)
	return
}

// checkBytes finds a secret in a cassette file's bytes, in any encoding the
// scan decodes, as the last check before they are written. Each
// interaction's part of the file is scanned on its own, with its own
// bounds (see secret.Scanner.Scan): scanned whole, the interactions would
// share one budget of decompressed output, so that two file uploads that
// each scan clean could leave the file "unscanned", refusing every
// interaction for what none of them holds. A finding names the interaction
// whose part holds it (its id as written), or -1 for the file's header.
func checkBytes(name string, data []byte) error {
	for _, part := range interactionParts(data) {
		fs := secret.Scan(data[part.lo:part.hi])
		if len(fs) == 0 {
			continue
		}
		field := "file"
		if part.id < 0 {
			field = ""
		}
		return &SecretError{
			Cassette:    name,
			Interaction: part.id,
			Field:       field,
			Line:        bytes.Count(data[:part.lo+fs[0].Start], []byte("\n")) + 1,
			Family:      fs[0].Family,
			Encoding:    fs[0].Encoding,
		}
	}
	return nil
}

// part is the bytes [lo, hi) of a cassette file that hold one interaction
// (id is the id written for it), or the header before the first (id -1).
type part struct {
	id, lo, hi int
}

// interactionItem starts each interaction of a cassette written by go-vcr:
// an item of the top-level interactions list, whose lines nothing inside
// an interaction can start (its values are indented deeper).
const interactionItem = "\n    - id: "

// interactionParts splits a cassette file written by go-vcr into the parts
// of its interactions.
func interactionParts(data []byte) []part {
	var parts []part
	cur := part{id: -1}
	for pos := 0; ; {
		k := bytes.Index(data[pos:], []byte(interactionItem))
		if k < 0 {
			break
		}
		at := pos + k + 1 // the item's line
		digits := at + len(interactionItem) - 1
		end := digits
		for end < len(data) && '0' <= data[end] && data[end] <= '9' {
			end++
		}
		id, err := strconv.Atoi(string(data[digits:end]))
		if err != nil {
			pos = at
			continue
		}
		cur.hi = at
		parts = append(parts, cur)
		cur = part{id: id, lo: at}
		pos = end
	}
	cur.hi = len(data)
	return append(parts, cur)
}

// NewAtomicFS returns a cassette.FS, for go-vcr's recorder.WithFS, that
// writes cassettes crash-safely (see package recorder/cassette's FS) and
// refuses, with a *SecretError, bytes that hold a Stripe secret.
func NewAtomicFS() cassette.FS { return newFS("") }

// newFS is the FS every cassette of the recorder is written through,
// headed by the provenance text, redacted, as comments.
func newFS(provenance string) *stripecassette.FS {
	return &stripecassette.FS{Header: stripecassette.CommentBlock(redactText(provenance)), Check: checkBytes}
}
