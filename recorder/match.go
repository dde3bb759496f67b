package recorder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// DefaultMatchHeaders returns the request headers a Matcher always
// compares: they change what Stripe answers (a connected account's data,
// an organization's context). Every other header varies per run or per
// SDK (Idempotency-Key, User-Agent, X-Stripe-Client-User-Agent,
// Authorization, Stripe-Version, Accept-Encoding, ...) and is ignored
// unless asked for. The slice is the caller's own.
func DefaultMatchHeaders() []string { return []string{"Stripe-Account", "Stripe-Context"} }

// Difference is one way a request differs from a recorded one.
type Difference struct {
	// Part is "method", "path", "query", "body" or "header NAME".
	Part string
	// Recorded is what the recording has and the request lacks ("" when nothing).
	Recorded string
	// Sent is what the request has and the recording lacks ("" when nothing).
	Sent string
	// Masked is true when every recorded value the difference names was
	// masked when recorded (WithMaskPII): a recorded Masked matches any
	// value, so what differs is a masked parameter the request lacks.
	Masked bool
}

// String says the difference in words: "query: recorded expand[]=invoice, sent expand[]=payment".
func (d Difference) String() string {
	var s string
	switch {
	case d.Recorded != "" && d.Sent != "":
		s = fmt.Sprintf("%s: recorded %s, sent %s", d.Part, d.Recorded, d.Sent)
	case d.Recorded != "":
		s = fmt.Sprintf("%s: recorded %s, not sent", d.Part, d.Recorded)
	default:
		s = fmt.Sprintf("%s: sent %s, not recorded", d.Part, d.Sent)
	}
	if d.Masked {
		s += " (masked when recorded: " + Masked + " stands for any value, but the parameter must be sent)"
	}
	return s
}

// Matcher decides whether a request is the one a cassette recorded: same
// method, same path, the same form-encoded query and body compared as
// multisets of key=value pairs, and the same values for the headers it
// compares. Array indexes in keys are ignored (expand[0]=x matches
// expand[]=x) because Stripe's SDKs write arrays either way; a JSON body
// (a webhook delivery) is compared as JSON; any other body byte for byte.
//
// A value recorded as Masked (a cassette recorded WithMaskPII) matches any
// value of its parameter, query or form pair, JSON member or path
// segment, and a Masked inside a value ('[MASKED]' in a Search API query
// clause, an email in a description) stands for any text there.
//
// Authorization, when compared (WithMatchHeaders("Authorization")), is
// compared by credential, never as text: the recording names it by a label
// and a fingerprint (CredentialHeader), and a request matches when its
// credential has that fingerprint under the recording's salt, or when it
// sends the recorded label itself ("Bearer [REDACTED key 1]").
type Matcher struct {
	headers []string
	// credential is true when Authorization is among headers.
	credential bool
}

// NewMatcher returns a Matcher that compares DefaultMatchHeaders and the
// headers named (for example "Stripe-Version").
func NewMatcher(headers ...string) *Matcher {
	m := &Matcher{}
	for _, h := range append(DefaultMatchHeaders(), headers...) {
		h = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(h))
		if h != "" && !slices.Contains(m.headers, h) {
			m.headers = append(m.headers, h)
		}
	}
	m.credential = slices.Contains(m.headers, "Authorization")
	return m
}

// Match reports whether r matches the recorded request. Its signature is
// go-vcr's cassette.MatcherFunc, so m.Match can be given to go-vcr's
// recorder.WithMatcher.
func (m *Matcher) Match(r *http.Request, recorded cassette.Request) bool {
	return len(m.Diff(r, recorded)) == 0
}

// Diff lists how r differs from the recorded request; none when they match.
func (m *Matcher) Diff(r *http.Request, recorded cassette.Request) []Difference {
	return m.diff(m.requestShape(r), m.recordedShape(recorded))
}

// shape is what the matcher compares of a request.
type shape struct {
	method string
	path   string
	query  []string // normalized key=value pairs, sorted
	body   bodyShape
	header map[string][]string // the compared headers only (not Authorization), values sorted
	cred   credential          // Authorization, as the Server and the matcher compare it
}

type bodyKind int

const (
	bodyEmpty bodyKind = iota
	bodyForm
	bodyJSON
	bodyRaw
)

type bodyShape struct {
	kind  bodyKind
	pairs []string // bodyForm
	value any      // bodyJSON
	text  string
}

// requestShape reads r (its body is read and put back).
func (m *Matcher) requestShape(r *http.Request) shape {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	s := shape{method: r.Method, header: m.pickHeaders(r.Header), cred: sentCredential(r.Header)}
	if r.URL != nil {
		s.path = r.URL.Path
		s.query = queryPairs(r.URL.RawQuery)
	}
	s.body = shapeBody(string(body), r.Header.Get("Content-Type"))
	return s
}

func (m *Matcher) recordedShape(rec cassette.Request) shape {
	s := shape{method: rec.Method, header: m.pickHeaders(rec.Headers), cred: recordedCredential(rec.Headers)}
	if u, err := url.Parse(rec.URL); err == nil {
		s.path = u.Path
		s.query = queryPairs(u.RawQuery)
	} else {
		s.path = rec.URL
	}
	s.body = shapeBody(rec.Body, rec.Headers.Get("Content-Type"))
	return s
}

func (m *Matcher) pickHeaders(h http.Header) map[string][]string {
	out := map[string][]string{}
	for _, name := range m.headers {
		if name == "Authorization" {
			continue // compared as a credential: see credentialDiff
		}
		if vals := h.Values(name); len(vals) > 0 {
			vals = slices.Clone(vals)
			slices.Sort(vals)
			out[name] = vals
		}
	}
	return out
}

// arrayIndex is an array index in a form key: expand[0], items[1][price].
var arrayIndex = regexp.MustCompile(`\[[0-9]+\]`)

// queryPairs parses a form-encoded string into sorted key=value pairs,
// unescaped, with array indexes dropped from the keys. A pair that does
// not unescape is kept as written.
func queryPairs(raw string) []string {
	var out []string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, arrayIndex.ReplaceAllString(k, "[]")+"="+v)
	}
	slices.Sort(out)
	return out
}

func shapeBody(body, contentType string) bodyShape {
	if body == "" {
		return bodyShape{kind: bodyEmpty}
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil && !dec.More() {
			return bodyShape{kind: bodyJSON, value: v, text: body}
		}
	case mt == "application/x-www-form-urlencoded" || mt == "":
		return bodyShape{kind: bodyForm, pairs: queryPairs(body), text: body}
	}
	return bodyShape{kind: bodyRaw, text: body}
}

func (m *Matcher) diff(sent, rec shape) []Difference {
	return m.diffWith(sent, rec, nil)
}

// diffWith is diff with a cache of the request's credential fingerprints.
func (m *Matcher) diffWith(sent, rec shape, fps fingerprints) []Difference {
	var out []Difference
	if sent.method != rec.method {
		out = append(out, Difference{Part: "method", Recorded: rec.method, Sent: sent.method})
	}
	if !pathMatch(rec.path, sent.path) {
		out = append(out, Difference{Part: "path", Recorded: rec.path, Sent: sent.path})
	}
	if d, ok := pairsDiff("query", rec.query, sent.query); !ok {
		out = append(out, d)
	}
	if d, ok := bodyDiff(rec.body, sent.body); !ok {
		out = append(out, d)
	}
	for _, name := range m.headers {
		if name == "Authorization" {
			if d, ok := credentialDiff(rec.cred, sent.cred, fps); !ok {
				out = append(out, d)
			}
			continue
		}
		r, s := rec.header[name], sent.header[name]
		if !slices.Equal(r, s) {
			out = append(out, Difference{Part: "header " + name, Recorded: strings.Join(r, ", "), Sent: strings.Join(s, ", ")})
		}
	}
	return out
}

// pairsDiff compares two sorted multisets of pairs.
func pairsDiff(part string, rec, sent []string) (Difference, bool) {
	var missing, extra []string
	i, j := 0, 0
	for i < len(rec) || j < len(sent) {
		switch {
		case j == len(sent) || (i < len(rec) && rec[i] < sent[j]):
			missing = append(missing, rec[i])
			i++
		case i == len(rec) || sent[j] < rec[i]:
			extra = append(extra, sent[j])
			j++
		default:
			i++
			j++
		}
	}
	missing, extra = matchMasked(missing, extra)
	if len(missing) == 0 && len(extra) == 0 {
		return Difference{}, true
	}
	return Difference{Part: part, Recorded: strings.Join(missing, "&"), Sent: strings.Join(extra, "&"), Masked: allMasked(missing)}, false
}

func bodyDiff(rec, sent bodyShape) (Difference, bool) {
	switch {
	case rec.kind == bodyEmpty && sent.kind == bodyEmpty:
		return Difference{}, true
	case rec.kind == bodyForm && sent.kind == bodyForm:
		return pairsDiff("body", rec.pairs, sent.pairs)
	case rec.kind == bodyJSON && sent.kind == bodyJSON:
		if jsonMatch(rec.value, sent.value, false) {
			return Difference{}, true
		}
		return Difference{Part: "body", Recorded: abbreviate(rec.text), Sent: abbreviate(sent.text), Masked: jsonMatch(rec.value, sent.value, true)}, false
	case maskMatch(rec.text, sent.text):
		return Difference{}, true
	}
	return Difference{Part: "body", Recorded: abbreviate(rec.text), Sent: abbreviate(sent.text)}, false
}

// credentialDiff compares the credential a request sends with the one a
// recording names (see Matcher). Neither side is ever a credential in the
// Difference: the recording's label, and for the request its scheme.
func credentialDiff(rec, sent credential, fps fingerprints) (Difference, bool) {
	if !rec.present && !sent.present {
		return Difference{}, true
	}
	if sent.sameAs(rec, fps) {
		return Difference{}, true
	}
	d := Difference{Part: "header Authorization", Recorded: rec.display()}
	if sent.present {
		d.Sent = sent.otherDisplay()
	}
	return d, false
}

// abbreviate shortens a body for a message, on one line.
func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	if s == "" {
		return ""
	}
	return s
}

// score says how far apart two requests are, for finding the nearest
// recording: another method or resource weighs more than a parameter.
func score(diffs []Difference, sent, rec shape) int {
	n := 0
	for _, d := range diffs {
		switch d.Part {
		case "method":
			n += 1000
		case "path":
			n += 100 + pathDistance(sent.path, rec.path)
		default:
			n += max(1, strings.Count(d.Recorded, "&")+strings.Count(d.Sent, "&")+1)
		}
	}
	return n
}

// pathDistance counts differing segments; a different resource counts more.
func pathDistance(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for i := range max(len(as), len(bs)) {
		if i >= len(as) || i >= len(bs) || as[i] != bs[i] {
			n += 10
			if i <= 2 {
				n += 100
			}
		}
	}
	return n
}
