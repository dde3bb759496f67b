package recorder

import (
	"encoding/base64"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"

	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/pii"
	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Redacted replaces credentials and Stripe secrets in saved cassettes.
// It is not itself shaped like a secret, so a redacted cassette passes the
// secret check.
const Redacted = secret.Redacted

// Masked replaces personal data in saved cassettes when WithMaskPII is on
// (package pii decides what is personal).
const Masked = pii.Masked

// redactText replaces every Stripe secret in s, plain or encoded, by
// Redacted: for text printed or kept outside an interaction (captures'
// messages, provenance notes).
func redactText(s string) string { return secret.Redact(s) }

// credentialHeaders are replaced whole, whatever they hold: a Basic
// credential is base64 and no pattern would see the key inside.
var credentialHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
}

// redactor removes secrets, credentials and, when asked, personal data
// from an interaction: the BeforeSaveHook of every cassette written.
type redactor struct {
	maskPII bool
	// creds labels the credentials of the session's requests (nil: the
	// Authorization is redacted without a label).
	creds *credentialBook
	// scan knows the credentials of the interaction being redacted, and
	// every secret family; nil outside an interaction.
	scan *secret.Scanner
}

// newRedactor is the redactor of one recording session: a Recorder or a
// WriteCassette call, whose credentials it labels in order of first use.
func newRedactor(cfg config) redactor {
	return redactor{maskPII: cfg.maskPII, creds: newCredentialBook(cfg.credentialSalt)}
}

// scannerFor is the scanner that knows the credentials an interaction's
// request carried (and any credential header of its response).
func scannerFor(i *cassette.Interaction) *secret.Scanner {
	return secret.NewScanner(credentials(i.Request.Headers, i.Request.Trailer, i.Response.Headers)...)
}

// interaction redacts i in place and returns the scanner its secret check
// must use: one that knows the credentials i carried before redaction.
func (rd redactor) interaction(i *cassette.Interaction) *secret.Scanner {
	req, resp := &i.Request, &i.Response
	// A server may echo a credential it was sent (stripe-mock's 401 quotes
	// the Authorization header, base64 and all): the values of the
	// credential headers are replaced wherever else they appear, in every
	// encoding the scanner knows.
	rd.scan = scannerFor(i)
	req.URL = rd.url(req.URL)
	req.RequestURI = rd.url(req.RequestURI)
	req.Host = rd.text(req.Host)
	req.RemoteAddr = rd.text(req.RemoteAddr)
	sent := req.Headers
	req.Headers = rd.headers(req.Headers)
	if rd.creds != nil {
		rd.creds.labelCredential(sent, req.Headers)
	}
	reduceTelemetry(req.Headers)
	req.Trailer = rd.headers(req.Trailer)
	path := ""
	if u, err := url.Parse(req.URL); err == nil {
		path = u.Path
	}
	req.Form = rd.values(req.Form, path)
	if body := rd.body(req.Body, req.Headers.Get("Content-Type"), path); body != req.Body {
		req.ContentLength = fixLength(req.Headers, req.ContentLength, len(req.Body), len(body))
		req.Body = body
	}
	resp.Status = rd.text(resp.Status)
	resp.Headers = rd.headers(resp.Headers)
	resp.Trailer = rd.headers(resp.Trailer)
	if body := rd.body(resp.Body, resp.Headers.Get("Content-Type"), ""); body != resp.Body {
		resp.ContentLength = fixLength(resp.Headers, resp.ContentLength, len(resp.Body), len(body))
		resp.Body = body
	}
	return rd.scan
}

// minCredential is the shortest credential value replaced wherever it
// appears; shorter ones would replace ordinary text.
const minCredential = 8

// credentials collects the values of credential headers: the token after
// an Authorization scheme (and, for Basic, the user and password inside
// it), and cookie values.
func credentials(hs ...http.Header) []string {
	var out []string
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) >= minCredential && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, h := range hs {
		for name, vals := range h {
			canon := textproto.CanonicalMIMEHeaderKey(name)
			if !credentialHeaders[canon] {
				continue
			}
			for _, v := range vals {
				switch canon {
				case "Authorization", "Proxy-Authorization":
					scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
					if !ok {
						token = scheme
					}
					if isRedactedToken(strings.TrimSpace(token)) {
						continue // a recording saved again: its label is no credential
					}
					add(token)
					if strings.EqualFold(scheme, "Basic") {
						if plain, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token)); err == nil {
							add(string(plain))
							user, pass, _ := strings.Cut(string(plain), ":")
							add(user)
							add(pass)
						}
					}
				default: // Cookie, Set-Cookie
					for part := range strings.SplitSeq(v, ";") {
						if _, value, ok := strings.Cut(part, "="); ok {
							add(value)
						}
					}
				}
			}
		}
	}
	// Longest first, so a token is replaced before a part of it.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// text replaces every Stripe secret and known credential in s, plain or
// encoded, by Redacted.
func (rd redactor) text(s string) string {
	if rd.scan == nil {
		return secret.Redact(s)
	}
	return rd.scan.Redact(s)
}

// name redacts a header name. Go canonicalises a name's case, so a key
// sent as a header name ("sk_test_...: 1") arrives as "Sk_test_...": a name
// that holds a secret once lowercased is redacted too.
func (rd redactor) name(n string) string { return rd.scan.RedactName(n) }

// fixLength keeps Content-Length true to a body whose length changed, so a
// replayed response is not cut short or left waiting.
func fixLength(h http.Header, declared int64, before, after int) int64 {
	if h.Get("Content-Length") != "" {
		h.Set("Content-Length", strconv.Itoa(after))
	}
	if declared == int64(before) {
		return int64(after)
	}
	return declared
}

func (rd redactor) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, vals := range h {
		canon := textproto.CanonicalMIMEHeaderKey(name)
		redacted := make([]string, len(vals))
		for i, v := range vals {
			switch {
			case !credentialHeaders[canon] || v == "":
				redacted[i] = rd.text(v)
			case canon == "Authorization" || canon == "Proxy-Authorization":
				// Keep the scheme: it says how the client authenticated.
				if scheme, _, ok := strings.Cut(strings.TrimSpace(v), " "); ok && rd.text(scheme) == scheme {
					redacted[i] = scheme + " " + Redacted
				} else {
					redacted[i] = Redacted
				}
			default:
				redacted[i] = Redacted
			}
		}
		out[rd.name(name)] = redacted
	}
	return out
}

// url redacts a URL: userinfo is dropped, secrets in the path or query are
// replaced, and with maskPII personal data in the path and query is masked.
func (rd redactor) url(raw string) string {
	if raw == "" {
		return raw
	}
	if u, err := url.Parse(raw); err == nil {
		if u.User != nil {
			u.User = nil
			raw = u.String()
		}
		if q, changed := redactFormFields(u.RawQuery, u.Path); changed {
			u.RawQuery = q
			raw = u.String()
		}
		if rd.maskPII {
			query, masked := pii.MaskForm(u.RawQuery)
			if path := pii.MaskPath(u.EscapedPath()); path != u.EscapedPath() {
				if unescaped, err := url.PathUnescape(path); err == nil {
					u.Path, u.RawPath = unescaped, path
					masked = true
				}
			}
			if masked {
				u.RawQuery = query
				raw = u.String()
			}
		}
	}
	return rd.text(raw)
}

func (rd redactor) values(v url.Values, path string) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vals := range v {
		redacted := make([]string, len(vals))
		for i, s := range vals {
			if rd.maskPII {
				s = pii.MaskValue(k, s)
			}
			redacted[i] = rd.text(s)
		}
		out[rd.text(k)] = redacted
	}
	redactValuesFields(out, path)
	return out
}

// body redacts a body: secret fields of a JSON or form body, then every
// secret and credential wherever it stands, then personal data if asked.
func (rd redactor) body(body, contentType, path string) string {
	if body == "" {
		return body
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	out := body
	switch {
	case mt == "application/x-www-form-urlencoded":
		out, _ = redactFormFields(out, path)
	case strings.HasPrefix(mt, "multipart/"):
		out, _ = redactMultipartFields(out, params["boundary"], path)
	default: // JSON, NDJSON, either in UTF-16, whatever the type says; others are left alone
		out, _ = redactJSONText(out, path)
	}
	out = rd.text(out)
	if !rd.maskPII || out == "" {
		return out
	}
	trimmed := strings.TrimSpace(out)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && trimmed != "" && (trimmed[0] == '{' || trimmed[0] == '[')):
		if masked, ok := pii.MaskJSON(out); ok {
			return masked
		}
	case mt == "application/x-www-form-urlencoded":
		if masked, ok := pii.MaskForm(out); ok {
			return masked
		}
	case mt == "multipart/form-data":
		if masked, ok := pii.MaskMultipart(out, params["boundary"]); ok {
			return masked
		}
	case strings.HasPrefix(mt, "text/") && utf8.ValidString(out):
		// A report's CSV or an error page; not a compressed body, which
		// is not UTF-8 and which a text replacement would corrupt.
		return pii.MaskText(out)
	}
	return out
}
