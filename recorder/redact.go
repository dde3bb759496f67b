package recorder

import (
	"encoding/base64"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/pii"
)

// Redacted replaces credentials and Stripe secrets in saved cassettes.
// It is not itself shaped like a secret, so a redacted cassette passes the
// secret check.
const Redacted = "[REDACTED]"

// Masked replaces personal data in saved cassettes when WithMaskPII is on
// (package pii decides what is personal).
const Masked = pii.Masked

// secretPattern is a Stripe secret: a secret or restricted API key, live or
// test, or a webhook endpoint's signing secret, followed by key characters.
// It is not anchored to a word boundary: "key_sk_live_..." holds a secret too.
var secretPattern = regexp.MustCompile(`(?:sk|rk)_(?:live|test)_[0-9A-Za-z]+|whsec_[0-9A-Za-z]+`)

// redactText replaces every Stripe secret in s by Redacted.
func redactText(s string) string {
	if !strings.Contains(s, "_") {
		return s
	}
	return secretPattern.ReplaceAllLiteralString(s, Redacted)
}

// credentialHeaders are replaced whole, whatever they hold: a Basic
// credential is base64 and no pattern would see the key inside.
var credentialHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
}

// redactor is the BeforeSaveHook that removes secrets, credentials and,
// when asked, personal data from an interaction.
type redactor struct {
	maskPII bool
	known   []string // credentials of the interaction being redacted
}

func (rd redactor) interaction(i *cassette.Interaction) error {
	req, resp := &i.Request, &i.Response
	// A server may echo a credential it was sent (stripe-mock's 401 quotes
	// the Authorization header, base64 and all): the values of the
	// credential headers are replaced wherever else they appear.
	rd.known = credentials(req.Headers, req.Trailer, resp.Headers)
	req.URL = rd.url(req.URL)
	req.RequestURI = rd.url(req.RequestURI)
	req.Host = rd.text(req.Host)
	req.RemoteAddr = rd.text(req.RemoteAddr)
	req.Headers = rd.headers(req.Headers)
	req.Trailer = rd.headers(req.Trailer)
	req.Form = rd.values(req.Form)
	if body := rd.body(req.Body, req.Headers.Get("Content-Type")); body != req.Body {
		req.ContentLength = fixLength(req.Headers, req.ContentLength, len(req.Body), len(body))
		req.Body = body
	}
	resp.Status = rd.text(resp.Status)
	resp.Headers = rd.headers(resp.Headers)
	resp.Trailer = rd.headers(resp.Trailer)
	if body := rd.body(resp.Body, resp.Headers.Get("Content-Type")); body != resp.Body {
		resp.ContentLength = fixLength(resp.Headers, resp.ContentLength, len(resp.Body), len(body))
		resp.Body = body
	}
	return nil
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
					add(token)
					if strings.EqualFold(scheme, "Basic") {
						if plain, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token)); err == nil {
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

// text replaces every Stripe secret and known credential in s by Redacted.
func (rd redactor) text(s string) string {
	s = redactText(s)
	for _, c := range rd.known {
		if strings.Contains(s, c) {
			s = strings.ReplaceAll(s, c, Redacted)
		}
	}
	return s
}

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
				if scheme, _, ok := strings.Cut(strings.TrimSpace(v), " "); ok && !secretPattern.MatchString(scheme) {
					redacted[i] = scheme + " " + Redacted
				} else {
					redacted[i] = Redacted
				}
			default:
				redacted[i] = Redacted
			}
		}
		out[rd.text(name)] = redacted
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

func (rd redactor) values(v url.Values) url.Values {
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
	return out
}

func (rd redactor) body(body, contentType string) string {
	out := rd.text(body)
	if !rd.maskPII || out == "" {
		return out
	}
	mt, params, _ := mime.ParseMediaType(contentType)
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
