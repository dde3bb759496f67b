package recorder

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// SecretError is a cassette refused because a Stripe secret would still be
// in it after redaction. Nothing was written: the previous file, if any, is
// unchanged. The secret itself is never part of the error.
type SecretError struct {
	Cassette string // the cassette's file
	// Interaction is the index of the interaction holding the secret, or -1
	// when it was found in the file's bytes (Line says where).
	Interaction int
	Field       string // where in the interaction: "response.body", "request.headers[X-Key]", ...
	Line        int    // 1-based line in the file, when Interaction is -1
	Kind        string // the secret's prefix: "sk_live_", "rk_test_", "whsec_", ...
	// Encoding says why redaction could not reach it: "JSON-escaped",
	// "percent-encoded", "base64-encoded", "gzip-compressed", or "" when
	// it is plain text
	// (which redaction replaces, so a plain one means a hook put it back).
	Encoding string
}

// Error says where the secret is and that nothing was written.
func (e *SecretError) Error() string {
	where := fmt.Sprintf("interaction %d %s", e.Interaction, e.Field)
	if e.Interaction < 0 {
		where = fmt.Sprintf("line %d", e.Line)
	}
	how := ""
	if e.Encoding != "" {
		how = " " + e.Encoding
	}
	return fmt.Sprintf("refusing to write cassette %s: %s still holds a%s Stripe secret (%s...) after redaction; nothing was written, and the previous cassette is unchanged",
		e.Cassette, where, how, e.Kind)
}

// secretKind is the prefix of a secret: "sk_live_", "whsec_".
func secretKind(match string) string {
	if strings.HasPrefix(match, "whsec_") {
		return "whsec_"
	}
	if len(match) >= 8 {
		return match[:8]
	}
	return match
}

// findSecret looks for a secret in s as written and as a decoder would
// reveal it: percent-decoded, JSON-unescaped, gunzipped. It returns the
// secret's kind and the encoding that hid it ("" when in plain text).
func findSecret(s string) (kind, encoding string, found bool) {
	return findSecretDepth(s, 0)
}

func findSecretDepth(s string, depth int) (kind, encoding string, found bool) {
	if m := secretPattern.FindString(s); m != "" {
		return secretKind(m), "", true
	}
	if depth > 3 {
		return "", "", false
	}
	if strings.Contains(s, "%") {
		if k, _, ok := findSecretDepth(percentDecode(s), depth+1); ok {
			return k, "percent-encoded", true
		}
	}
	if strings.Contains(s, `\`) {
		trimmed := strings.TrimSpace(s)
		if trimmed != "" && strings.ContainsRune(`{["`, rune(trimmed[0])) {
			for _, str := range jsonStrings(trimmed) {
				if k, _, ok := findSecretDepth(str, depth+1); ok {
					return k, "JSON-escaped", true
				}
			}
		}
	}
	for _, tok := range base64Token.FindAllString(s, -1) {
		plain, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			plain, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(tok, "="))
		}
		if err == nil {
			if k, _, ok := findSecretDepth(string(plain), depth+1); ok {
				return k, "base64-encoded", true
			}
		}
	}
	if len(s) > 2 && s[0] == 0x1f && s[1] == 0x8b {
		if zr, err := gzip.NewReader(strings.NewReader(s)); err == nil {
			plain, _ := io.ReadAll(io.LimitReader(zr, 64<<20))
			if k, _, ok := findSecretDepth(string(plain), depth+1); ok {
				return k, "gzip-compressed", true
			}
		}
	}
	return "", "", false
}

// base64Token is a run of base64 long enough to hold a secret's prefix.
var base64Token = regexp.MustCompile(`[A-Za-z0-9+/]{12,}={0,2}`)

// percentDecode decodes every valid %XX escape and keeps the rest as written.
func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		if s[i] == '+' {
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// jsonStrings returns every string (names and values) of a JSON text,
// unescaped; as many as could be read when the text is not valid JSON.
func jsonStrings(s string) []string {
	dec := jsontext.NewDecoder(strings.NewReader(s), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	var out []string
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return out
		}
		if tok.Kind() == '"' {
			out = append(out, tok.String())
		}
	}
}

// checkInteraction finds a secret left anywhere in an interaction.
func checkInteraction(i *cassette.Interaction) (field, kind, encoding string, found bool) {
	check := func(f, s string) bool {
		if s == "" {
			return false
		}
		if k, e, ok := findSecret(s); ok {
			field, kind, encoding, found = f, k, e, true
		}
		return found
	}
	headers := func(prefix string, h http.Header) bool {
		for _, name := range slices.Sorted(maps.Keys(h)) {
			if check(prefix+"[name]", name) {
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

// checkBytes finds a secret in a cassette file's bytes, as the last check
// before they are written.
func checkBytes(name string, data []byte) error {
	loc := secretPattern.FindIndex(data)
	if loc == nil {
		return nil
	}
	return &SecretError{
		Cassette:    name,
		Interaction: -1,
		Line:        bytes.Count(data[:loc[0]], []byte("\n")) + 1,
		Kind:        secretKind(string(data[loc[0]:loc[1]])),
	}
}
