package recorder

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"

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
	// when it was found in the file's bytes (Line says where).
	Interaction int
	Field       string // where in the interaction: "response.body", "request.headers[X-Key]", ...
	Line        int    // 1-based line in the file, when Interaction is -1
	// Family is the secret's family in the catalogue (secret.Families):
	// "secret-key", "payment-intent-client-secret", ..., or "credential"
	// for a credential the request carried.
	Family string
	// Encoding is how it was hidden, outermost first ("base64 of xz",
	// "zstd"), or "" when it is plain text (which redaction replaces, so a
	// plain one means a hook put it back).
	Encoding string
}

// Error says where the secret is and that nothing was written.
func (e *SecretError) Error() string {
	where := fmt.Sprintf("interaction %d %s", e.Interaction, e.Field)
	if e.Interaction < 0 {
		where = fmt.Sprintf("line %d", e.Line)
	}
	how := "in plain text"
	if e.Encoding != "" {
		how = "encoded as " + e.Encoding
	}
	return fmt.Sprintf("refusing to write cassette %s: %s still holds a Stripe secret (%s, %s) that redaction cannot reach; nothing was written, and the previous cassette is unchanged",
		e.Cassette, where, familyLabel(e.Family), how)
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
// scan decodes, as the last check before they are written.
func checkBytes(name string, data []byte) error {
	fs := secret.Scan(data)
	if len(fs) == 0 {
		return nil
	}
	return &SecretError{
		Cassette:    name,
		Interaction: -1,
		Line:        bytes.Count(data[:fs[0].Start], []byte("\n")) + 1,
		Family:      fs[0].Family,
		Encoding:    fs[0].Encoding,
	}
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
