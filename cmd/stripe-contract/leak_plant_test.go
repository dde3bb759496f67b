package main_test

import (
	"bytes"
	"compress/gzip"
	"compress/lzw"
	"compress/zlib"
	"crypto/rand"
	"encoding/base64"
	endian "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf16"

	"github.com/andybalholm/brotli"
	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// What the leak check plants, written from the issue ("no secret on disk,
// in a log or in a message: every Stripe secret family, in every encoding")
// and Stripe's docs on API keys, client secrets, ephemeral keys and OAuth:
// the families of secrets, the places a secret travels in, and the
// encodings it may wear there.

// familyKind says how a family is recognised, and so where it can be
// planted.
type familyKind int

const (
	prefixed    familyKind = iota // by its prefix, anywhere: sk_live_...
	fielded                       // by the name of the field holding it, in structured bodies
	echoed                        // a credential the request carried, echoed back by the server
	publishable                   // pk_...: not a secret, must be kept
)

// family is one kind of Stripe secret.
type family struct {
	name string
	kind familyKind
	// field is the form or JSON field holding it, for fielded families; the
	// object names the JSON object it sits in.
	field, object string
	// responseOnly families appear only in Stripe's answers (an ephemeral
	// key's secret is created by the API, never sent to it).
	responseOnly bool
	mint         func() secret
	// named matches how a refusal may name the family.
	named string
}

// secret is one planted value, fresh for each cell and each run.
type secret struct {
	value  string // as planted, before encoding
	needle string // what must never be read back: the part after the prefix
	// auth and cookie are the credentials an echoed family's request carries.
	auth, cookie string
}

// rnd is n random letters and digits, a letter first: a key's body,
// unique to this run. (A digit first would survive an encoding of the
// first character: \u0033 ends in the 3 it encodes.)
func rnd(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i, c := range b {
		if i == 0 {
			b[i] = alphabet[int(c)%52]
		} else {
			b[i] = alphabet[int(c)%len(alphabet)]
		}
	}
	return string(b)
}

// keyed mints prefix + a random body, the body being the needle.
func keyed(prefix string, n int) func() secret {
	return func() secret {
		body := rnd(n)
		return secret{value: prefix + body, needle: body}
	}
}

// clientSecret mints an object's id and its secret, OBJECT_ID_secret_BODY:
// the id is not secret, the body is.
func clientSecret(idPrefix string) func() secret {
	return func() secret {
		body := rnd(24)
		return secret{value: idPrefix + rnd(24) + "_secret_" + body, needle: body}
	}
}

func opaque() secret { v := rnd(40); return secret{value: v, needle: v} }

var families = []family{
	{name: "sk_live", kind: prefixed, mint: keyed("sk_live_51", 96), named: `sk_live|secret key`},
	{name: "sk_test", kind: prefixed, mint: keyed("sk_test_51", 96), named: `sk_test|secret key`},
	{name: "rk_live", kind: prefixed, mint: keyed("rk_live_51", 96), named: `rk_live|restricted key`},
	{name: "rk_test", kind: prefixed, mint: keyed("rk_test_51", 96), named: `rk_test|restricted key`},
	{name: "whsec", kind: prefixed, mint: keyed("whsec_", 32), named: `whsec|webhook`},
	{name: "pi_client_secret", kind: prefixed, mint: clientSecret("pi_3"), named: `pi_|payment.?intent|client.?secret`},
	{name: "seti_client_secret", kind: prefixed, mint: clientSecret("seti_1"), named: `seti_|setup.?intent|client.?secret`},
	{name: "cs_client_secret", kind: prefixed, mint: clientSecret("cs_test_a1"), named: `cs_|checkout|client.?secret`},
	{name: "accs_secret", kind: prefixed, mint: keyed("accs_secret__", 40), named: `accs_|account.?session|client.?secret`},
	{name: "cuss_secret", kind: prefixed, mint: keyed("cuss_secret_", 40), named: `cuss_|customer.?session|client.?secret`},
	{name: "ek_test", kind: prefixed, mint: keyed("ek_test_", 64), named: `ek_|ephemeral`},
	{name: "rt", kind: prefixed, mint: keyed("rt_", 48), named: `rt_|refresh`},
	{name: "ac", kind: prefixed, mint: keyed("ac_", 32), named: `ac_|authori[sz]ation.?code`},

	{name: "client_secret_field", kind: fielded, field: "client_secret", object: "financial_connections.session", mint: opaque, named: `client.?secret`},
	{name: "ephemeral_key_secret", kind: fielded, field: "secret", object: "ephemeral_key", responseOnly: true, mint: opaque, named: `ephemeral|secret`},
	{name: "refresh_token_field", kind: fielded, field: "refresh_token", mint: opaque, named: `refresh.?token`},
	{name: "access_token_field", kind: fielded, field: "access_token", mint: opaque, named: `access.?token`},
	{name: "oauth_code", kind: fielded, field: "code", mint: opaque, named: `code|authori[sz]ation`},

	{name: "bearer_echo", kind: echoed, mint: func() secret {
		body := rnd(96)
		key := "sk_test_51" + body
		return secret{value: key, needle: body, auth: "Bearer " + key}
	}, named: `authori[sz]ation|bearer|sk_test|credential|secret key`},
	{name: "basic_password_echo", kind: echoed, mint: func() secret {
		pw := rnd(32)
		return secret{value: pw, needle: pw, auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("leak-user:"+pw))}
	}, named: `authori[sz]ation|basic|password|credential`},
	{name: "basic_key_header_echo", kind: echoed, mint: func() secret {
		// curl -u sk_test_...: is how Stripe's docs authenticate; the
		// server quotes the whole header back.
		body := rnd(96)
		auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("sk_test_51"+body+":"))
		return secret{value: auth, needle: body, auth: auth}
	}, named: `authori[sz]ation|basic|sk_test|credential|secret key`},
	{name: "cookie_echo", kind: echoed, mint: func() secret {
		v := rnd(40)
		return secret{value: v, needle: v, cookie: "__stripe_sid=" + v}
	}, named: `cookie|credential`},

	{name: "pk_live", kind: publishable, mint: keyed("pk_live_51", 96)},
	{name: "pk_test", kind: publishable, mint: keyed("pk_test_51", 96)},
}

// expectation is what the issue asks of a cell besides "no leak".
type expectation int

const (
	mustWrite  expectation = iota // redacted, and the cassette written
	mayRefuse                     // redacted and written, or refused: either keeps it off disk
	mustRefuse                    // refused: exit 2, nothing written, a message naming it
	logsOnly                      // nothing is recorded (an upstream fault): only logs matter
	// notRecorded: the proxy refuses the response (a 502 fault naming the
	// encoding, for a Content-Encoding it cannot decode) and records
	// nothing of it; the rest of the session is saved.
	notRecorded
)

// encoding is how a secret is dressed. A value encoding rewrites the secret
// alone; a body encoding rewrites the whole body the plain secret is in.
type encoding struct {
	name   string
	value  func(string) string
	body   func([]byte) []byte
	header http.Header // set on the response (or request) whose body is encoded
	// crlf: the encoded value has line breaks (not for headers or URLs).
	crlf bool
	// token: the encoded value is a valid header name (RFC 9110 tchar).
	token bool
	// compresses: the body encoding is a compressor.
	compresses bool
	expect     expectation
	named      string // how a refusal names the encoding, for mustRefuse
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// qp writes s as quoted-printable: underscores as =5F, a soft line break
// every few characters (RFC 2045 section 6.7).
func qp(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 && i%11 == 0 {
			b.WriteString("=\r\n")
		}
		if s[i] == '_' || s[i] == '=' {
			fmt.Fprintf(&b, "=%02X", s[i])
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// wrap76 is base64 of a paragraph holding s, in lines of 76 as MIME wants.
func wrap76(s string) string {
	text := "Evidence for the dispute, as the customer sent it. Reference: " + s + ". Nothing else follows; this line pads the paragraph out."
	enc := b64(text)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	return b.String()
}

func utf16Body(order endian.AppendByteOrder, bom []byte) func([]byte) []byte {
	return func(p []byte) []byte {
		out := append([]byte(nil), bom...)
		for _, u := range utf16.Encode([]rune(string(p))) {
			out = order.AppendUint16(out, u)
		}
		return out
	}
}

// writeCloser is what a compressor is.
type writeCloser interface {
	Write([]byte) (int, error)
	Close() error
}

func compressWith(open func(*bytes.Buffer) writeCloser) func([]byte) []byte {
	return func(p []byte) []byte {
		var buf bytes.Buffer
		w := open(&buf)
		w.Write(p)
		w.Close()
		return buf.Bytes()
	}
}

var (
	gzipBody    = compressWith(func(b *bytes.Buffer) writeCloser { return gzip.NewWriter(b) })
	deflateBody = compressWith(func(b *bytes.Buffer) writeCloser { return zlib.NewWriter(b) }) // HTTP's deflate is zlib (RFC 9110 section 8.4.1.2)
	brBody      = compressWith(func(b *bytes.Buffer) writeCloser { return brotli.NewWriter(b) })
	zstdBody    = compressWith(func(b *bytes.Buffer) writeCloser { w, _ := zstd.NewWriter(b); return w })
	xzBody      = compressWith(func(b *bytes.Buffer) writeCloser { w, _ := xz.NewWriter(b); return w })
	bz2Body     = compressWith(func(b *bytes.Buffer) writeCloser { w, _ := bzip2.NewWriter(b, nil); return w })
	lzwBody     = compressWith(func(b *bytes.Buffer) writeCloser { return lzw.NewWriter(b, lzw.LSB, 8) })
)

func ce(name string) http.Header { return http.Header{"Content-Encoding": {name}} }

var encodings = []encoding{
	{name: "plain", value: func(s string) string { return s }, token: true, expect: mustWrite},
	{name: "json_escape", value: func(s string) string { return fmt.Sprintf(`\u%04x`, s[0]) + s[1:] }, expect: mayRefuse},
	{name: "percent", value: percentAll, token: true, expect: mayRefuse},
	{name: "base64", value: b64, expect: mayRefuse},
	{name: "base64_at1", value: func(s string) string { return b64("=" + s) }, expect: mayRefuse},
	{name: "base64_at2", value: func(s string) string { return b64("k=" + s) }, expect: mayRefuse},
	{name: "base64url", value: func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }, expect: mayRefuse},
	{name: "base64_wrapped76", value: wrap76, crlf: true, expect: mayRefuse},
	{name: "hex", value: func(s string) string { return hex.EncodeToString([]byte(s)) }, token: true, expect: mayRefuse},
	{name: "html_entity", value: func(s string) string { return fmt.Sprintf("&#%d;", s[0]) + s[1:] }, expect: mayRefuse},
	{name: "quoted_printable", value: qp, crlf: true, expect: mayRefuse},
	{name: "percent_of_base64", value: func(s string) string { return percentAll(b64(s)) }, token: true, expect: mayRefuse},
	{name: "base64_of_json_escape", value: func(s string) string {
		return b64(`{"secret":"` + fmt.Sprintf(`\u%04x`, s[0]) + s[1:] + `"}`)
	}, expect: mayRefuse},

	{name: "utf16le", body: utf16Body(endian.LittleEndian, []byte{0xff, 0xfe}), expect: mayRefuse},
	{name: "utf16be", body: utf16Body(endian.BigEndian, []byte{0xfe, 0xff}), expect: mayRefuse},
	// The recorder decodes these and records the decoded body.
	{name: "gzip", body: gzipBody, header: ce("gzip"), compresses: true, expect: mustWrite},
	{name: "deflate", body: deflateBody, header: ce("deflate"), compresses: true, expect: mustWrite},
	{name: "br", body: brBody, header: ce("br"), compresses: true, expect: mustWrite},
	{name: "zstd", body: zstdBody, header: ce("zstd"), compresses: true, expect: mustWrite},
	// These it cannot redact: the cassette is refused.
	{name: "xz_payload", body: xzBody, compresses: true, expect: mustRefuse, named: `\bxz\b`},
	{name: "bzip2_payload", body: bz2Body, compresses: true, expect: mustRefuse, named: `bzip2|\bbz2\b`},
	{name: "unknown_content_encoding", body: lzwBody, header: ce("compress"), compresses: true, expect: notRecorded, named: `compress`},
}

// exchange is one request through the recorder and the upstream's answer.
type exchange struct {
	method, path, query     string // sent verbatim as the request target
	reqHeader, reqTrailer   http.Header
	reqBody                 []byte
	status                  int
	respHeader, respTrailer http.Header
	respBody                []byte
	fault                   bool // the upstream drops the connection instead
}

// place is where a secret travels, and how one is planted there.
type place struct {
	name string
	// accepts says which encodings make sense here (a header value has no
	// line breaks, a body encoding needs a body).
	accepts func(encoding) bool
	// takes says which families can be there.
	takes func(family) bool
	// plant fills x with s (already encoded by a value encoding; plain for
	// a body encoding, which the caller then applies).
	plant func(x *exchange, f family, s, ordinary string)
	// encodedBody is the body a body encoding applies to.
	encodedBody func(x *exchange) *[]byte
	// request: the place is in what the client sends, so encoding headers
	// (Content-Type charset) go on the request.
	request bool
}

func valueEncodings(crlf, tokenOnly bool) func(encoding) bool {
	return func(e encoding) bool {
		return e.value != nil && (crlf || !e.crlf) && (!tokenOnly || e.token)
	}
}

func bodyOrValue(allowBody func(encoding) bool) func(encoding) bool {
	return func(e encoding) bool {
		if e.value != nil {
			return true
		}
		return allowBody(e)
	}
}

func named(names ...string) func(encoding) bool {
	return func(e encoding) bool {
		for _, n := range names {
			if e.name == n {
				return true
			}
		}
		return false
	}
}

var (
	contentEncodings = []string{"gzip", "deflate", "br", "zstd"}
	textual          = append([]string{"utf16le", "utf16be"}, contentEncodings...)
)

func anyFamily(f family) bool     { return f.kind != fielded }
func requestFamily(f family) bool { return f.kind == prefixed || f.kind == publishable }
func structured(f family) bool    { return f.kind != echoed && !f.responseOnly }
func structuredResponse(f family) bool {
	return f.kind != fielded || f.name != "oauth_code"
}

// escapeURL percent-escapes what cannot stand in a request target, keeping
// an encoding's own % escapes and the characters in keep.
func escapeURL(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~%", c) >= 0, strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func escapePath(s string) string { return escapeURL(s, "!$'()*+,;=:@/&") }

// escapeQuery keeps no semicolon: Go's form and query parsers refuse one
// (since Go 1.17), and a request record cannot parse is not recorded.
func escapeQuery(s string) string { return escapeURL(s, "!$'()*,:@/?") }

// jsonValue is s as a JSON string. A value that is itself JSON escapes
// (\u0073k_...) goes in as written, so the document decodes to the secret.
func jsonValue(s string) string {
	if strings.Contains(s, `\u`) && !strings.ContainsAny(s, "\"\r\n") {
		return `"` + s + `"`
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// fieldName is where a family sits in a form or JSON object: its own field,
// or metadata a developer filled in.
func fieldName(f family) (form, key string) {
	if f.kind == fielded {
		return f.field, f.field
	}
	return "metadata[note]", "note"
}

// filler makes a body compressible: a compressor given a short body may
// store it raw (an xz, zstd or brotli stored block), the secret readable,
// and then the cell would not test a compressed secret at all.
var filler = strings.Repeat("Invoice lines: monthly subscription for the team plan, seats added mid-cycle, "+
	"prorated credit applied, tax calculated at the standard rate, payment collected on the first business day. ", 4)

// jsonObject is a Stripe-like object holding s where f would be.
func jsonObject(f family, s, ordinary string) string {
	switch {
	case f.kind == fielded && f.object != "":
		return fmt.Sprintf(`{"id":"obj_1","object":%q,"livemode":false,"description":%q,"statement":%q,%q:%s}`, f.object, ordinary, filler, f.field, jsonValue(s))
	case f.kind == fielded:
		// An OAuth token answer (connect/oauth-reference): no object field.
		return fmt.Sprintf(`{"token_type":"bearer","scope":"read_write","livemode":false,"stripe_user_id":"acct_1","description":%q,"statement":%q,%q:%s}`, ordinary, filler, f.field, jsonValue(s))
	default:
		return fmt.Sprintf(`{"id":"cus_1","object":"customer","livemode":false,"description":%q,"statement":%q,"metadata":{"note":%s}}`, ordinary, filler, jsonValue(s))
	}
}

func jsonAnswer(x *exchange, body string) {
	x.status = 200
	x.respHeader.Set("Content-Type", "application/json")
	x.respBody = []byte(body)
}

func plainAnswer(x *exchange) {
	jsonAnswer(x, `{"id":"cus_1","object":"customer","livemode":false,"description":"an ordinary answer"}`)
}

// formRequest is a form POST to the endpoint a family is sent to.
func formTarget(f family) (path, lead string) {
	switch f.name {
	case "oauth_code":
		return "/oauth/token", "grant_type=authorization_code&"
	case "refresh_token_field":
		return "/oauth/token", "grant_type=refresh_token&"
	}
	return "/v1/customers", ""
}

const multipartBoundary = "leak-check-boundary-7MA4YWxkTrZu0gW"

var places = []place{
	{name: "url_path", accepts: valueEncodings(false, false), takes: requestFamily, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.method, x.path, x.query = "GET", "/v1/customers/"+escapePath(s), "description="+ordinary
			plainAnswer(x)
		}},
	{name: "query", accepts: valueEncodings(false, false), takes: structured, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			path, lead := formTarget(f)
			form, _ := fieldName(f)
			x.method, x.path, x.query = "GET", path, lead+"description="+ordinary+"&"+escapeQuery(form)+"="+escapeQuery(s)
			if path == "/oauth/token" {
				x.method = "POST"
			}
			plainAnswer(x)
		}},
	{name: "form_body", accepts: valueEncodings(false, false), takes: structured, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			path, lead := formTarget(f)
			form, _ := fieldName(f)
			x.method, x.path = "POST", path
			x.reqHeader.Set("Content-Type", "application/x-www-form-urlencoded")
			x.reqBody = []byte(lead + "description=" + ordinary + "&" + escapeQuery(form) + "=" + escapeQuery(s))
			plainAnswer(x)
		}},
	{name: "json_request_body", accepts: bodyOrValue(named("utf16le", "utf16be")), takes: structured, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			_, key := fieldName(f)
			x.method, x.path = "POST", "/v2/core/accounts"
			x.reqHeader.Set("Content-Type", "application/json")
			if path, lead := formTarget(f); lead != "" {
				// A token exchange sent as JSON: its grant_type says so.
				grant, _ := strings.CutPrefix(strings.TrimSuffix(lead, "&"), "grant_type=")
				x.path = path
				x.reqBody = fmt.Appendf(nil, `{"grant_type":%q,"description":%q,%q:%s}`, grant, ordinary, key, jsonValue(s))
			} else if f.kind == fielded {
				x.reqBody = fmt.Appendf(nil, `{"description":%q,%q:%s}`, ordinary, key, jsonValue(s))
			} else {
				x.reqBody = fmt.Appendf(nil, `{"description":%q,"metadata":{"note":%s}}`, ordinary, jsonValue(s))
			}
			plainAnswer(x)
		},
		encodedBody: func(x *exchange) *[]byte { return &x.reqBody }},
	// No OAuth token exchange is multipart: an authorization code is no
	// secret in a file upload's "code" field.
	{name: "multipart_body", accepts: valueEncodings(true, false), takes: func(f family) bool { return structured(f) && f.name != "oauth_code" }, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.method, x.path = "POST", "/v1/files"
			x.reqHeader.Set("Content-Type", "multipart/form-data; boundary="+multipartBoundary)
			var b strings.Builder
			part := func(headers, content string) {
				b.WriteString("--" + multipartBoundary + "\r\n" + headers + "\r\n" + content + "\r\n")
			}
			part("Content-Disposition: form-data; name=\"purpose\"\r\n", "dispute_evidence")
			part("Content-Disposition: form-data; name=\"description\"\r\n", ordinary)
			cte := ""
			if strings.Contains(s, "\r\n") && !strings.Contains(s, "=\r\n") {
				cte = "Content-Transfer-Encoding: base64\r\n"
			} else if strings.Contains(s, "=\r\n") {
				cte = "Content-Transfer-Encoding: quoted-printable\r\n"
			}
			if f.kind == fielded {
				part("Content-Disposition: form-data; name=\""+f.field+"\"\r\n"+cte, s)
			} else {
				part("Content-Disposition: form-data; name=\"file\"; filename=\"evidence.txt\"\r\nContent-Type: text/plain\r\n"+cte, s)
			}
			b.WriteString("--" + multipartBoundary + "--\r\n")
			x.reqBody = []byte(b.String())
			plainAnswer(x)
		}},
	{name: "request_header", accepts: valueEncodings(false, false), takes: requestFamily, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.method, x.path = "GET", "/v1/customers/cus_1"
			x.reqHeader.Set("X-Leak-Note", s)
			x.reqHeader.Set("X-Leak-Ordinary", ordinary)
			plainAnswer(x)
		}},
	{name: "request_header_name", accepts: valueEncodings(false, true), takes: requestFamily, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.method, x.path = "GET", "/v1/customers/cus_1"
			x.reqHeader["X-"+s] = []string{"1"} // sent as written; Go's server canonicalises its case
			x.reqHeader.Set("X-Leak-Ordinary", ordinary)
			plainAnswer(x)
		}},
	// go-vcr captures a request before its body, and so its trailers, is
	// read: a cassette keeps the trailer's names with empty values. A pk_
	// key has nowhere to be kept there, so only secrets are planted.
	{name: "request_trailer", accepts: valueEncodings(false, false), takes: func(f family) bool { return f.kind == prefixed }, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.method, x.path = "POST", "/v1/customers"
			x.reqHeader.Set("Content-Type", "application/x-www-form-urlencoded")
			x.reqBody = []byte("description=" + ordinary)
			x.reqTrailer = http.Header{"X-Leak-Note": {s}}
			plainAnswer(x)
		}},

	{name: "json_response_body", accepts: bodyOrValue(named(append(textual, "unknown_content_encoding")...)), takes: structuredResponse,
		plant: func(x *exchange, f family, s, ordinary string) {
			jsonAnswer(x, jsonObject(f, s, ordinary))
		}},
	{name: "json_bom_body", accepts: bodyOrValue(named(contentEncodings...)), takes: structuredResponse,
		plant: func(x *exchange, f family, s, ordinary string) {
			jsonAnswer(x, "\ufeff"+jsonObject(f, s, ordinary))
		}},
	{name: "ndjson_body", accepts: bodyOrValue(named(textual...)), takes: structuredResponse,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.status = 200
			x.respHeader.Set("Content-Type", "application/x-ndjson")
			x.respBody = []byte(`{"id":"evt_1","object":"event","type":"customer.created"}` + "\n" + jsonObject(f, s, ordinary) + "\n")
		}},
	{name: "text_body", accepts: bodyOrValue(named(textual...)), takes: anyFamily,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.status = 200
			x.respHeader.Set("Content-Type", "text/plain; charset=utf-8")
			x.respBody = []byte("Request log\r\nordinary: " + ordinary + "\r\nvalue: " + s + "\r\n" + filler + "\r\nend\r\n")
		}},
	{name: "html_body", accepts: bodyOrValue(named(textual...)), takes: anyFamily,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.status = 200
			x.respHeader.Set("Content-Type", "text/html; charset=utf-8")
			x.respBody = []byte("<!doctype html><html><body><h1>Dashboard</h1><p>" + ordinary + "</p><p>Your key: <code>" + s + "</code></p><p>" + filler + "</p></body></html>")
		}},
	{name: "octet_stream_body", accepts: bodyOrValue(named(append(contentEncodings, "xz_payload", "bzip2_payload")...)), takes: anyFamily,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.status = 200
			x.respHeader.Set("Content-Type", "application/octet-stream")
			// "key: ", not "key=": under a quoted-printable value, "=ac"
			// would itself be an escape (0xAC), which no QP encoder writes.
			x.respBody = []byte("EXPORT\x00\x01\x02 " + ordinary + " key: " + s + "\n" + filler + "\x00")
		}},
	{name: "error_401_body", accepts: bodyOrValue(named(append(textual, "unknown_content_encoding")...)), takes: anyFamily,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.status = 401
			x.respHeader.Set("Content-Type", "application/json")
			x.respBody = fmt.Appendf(nil, `{"error":{"type":"invalid_request_error","code":"api_key_invalid","doc_url":%q,"hint":%q,"message":%s}}`,
				"https://stripe.com/docs/error-codes/"+ordinary, filler, jsonValue("Invalid API Key provided: "+s))
		}},
	{name: "response_header", accepts: valueEncodings(false, false), takes: anyFamily,
		plant: func(x *exchange, f family, s, ordinary string) {
			plainAnswer(x)
			x.respHeader.Set("X-Leak-Note", s)
			x.respHeader.Set("X-Leak-Ordinary", ordinary)
		}},
	{name: "response_header_name", accepts: valueEncodings(false, true), takes: anyFamily,
		plant: func(x *exchange, f family, s, ordinary string) {
			plainAnswer(x)
			x.respHeader["X-"+s] = []string{"1"}
			x.respHeader.Set("X-Leak-Ordinary", ordinary)
		}},
	{name: "response_trailer", accepts: valueEncodings(false, false), takes: anyFamily,
		plant: func(x *exchange, f family, s, ordinary string) {
			plainAnswer(x)
			x.respHeader.Set("X-Leak-Ordinary", ordinary)
			x.respTrailer = http.Header{"X-Leak-Note": {s}}
		}},
	{name: "upstream_fault_url", accepts: named("plain", "percent", "base64", "json_escape"), takes: requestFamily, request: true,
		plant: func(x *exchange, f family, s, ordinary string) {
			x.method, x.path, x.query = "GET", "/v1/customers/"+escapePath(s), "description="+ordinary+"&q="+escapeQuery(s)
			x.fault = true
		}},
}

// notePlace is the --note flag, written as comments atop the cassette.
const notePlace = "note_flag"

var noteEncodings = named("plain", "percent", "base64", "json_escape", "hex")

// defaultBody applies where a place's body encoding goes.
func defaultBody(x *exchange) *[]byte { return &x.respBody }

// applyBody encodes the body a place planted in, and says so in headers.
// It reports false when a compressor left the needle readable.
func applyBody(p place, e encoding, x *exchange, needle string) bool {
	target := defaultBody
	if p.encodedBody != nil {
		target = p.encodedBody
	}
	body := target(x)
	*body = e.body(*body)
	if e.compresses && bytes.Contains(*body, []byte(needle)) {
		return false
	}
	h := x.respHeader
	if p.request {
		h = x.reqHeader
	}
	for k, v := range e.header {
		h[k] = v
	}
	if strings.HasPrefix(e.name, "utf16") {
		ct := h.Get("Content-Type")
		if i := strings.Index(ct, ";"); i >= 0 {
			ct = ct[:i]
		}
		h.Set("Content-Type", ct+"; charset=utf-16"+strings.TrimPrefix(e.name, "utf16"))
	}
	return true
}
