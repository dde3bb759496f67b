package secret_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// A secret is planted after a byte that is not a letter or digit: most
// families need that boundary. Secrets are assembled at run time, so that no secret-shaped string is in
// the repository for a scanner (GitHub's, ours) to flag.

const keyChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// keyString maps any bytes to n key characters (n at least 1).
func keyString(seed []byte, n int) string {
	var b strings.Builder
	for i := range n {
		c := byte(i * 7)
		if len(seed) > 0 {
			c += seed[i%len(seed)] + byte(i/len(seed))
		}
		b.WriteByte(keyChars[int(c)%len(keyChars)])
	}
	return b.String()
}

// shapedFamilies are the families with a value shape, in catalogue order.
func shapedFamilies() []secret.Family {
	var out []secret.Family
	for _, f := range secret.Families() {
		if !f.FieldOnly {
			out = append(out, f)
		}
	}
	return out
}

// sampleSecret builds a value of the named family from seed; live picks
// the mode of the families that have one.
func sampleSecret(family string, seed []byte, live bool) string {
	mode := "test_"
	if live {
		mode = "live_"
	}
	tail := keyString(seed, 24+len(seed)%9)
	id := "3Q" + keyString(append([]byte("id"), seed...), 22)
	switch family {
	case "secret-key":
		return "sk_" + mode + tail
	case "restricted-key":
		return "rk_" + mode + tail
	case "webhook-signing-secret":
		return "whsec_" + tail
	case "payment-intent-client-secret":
		return "pi_" + id + "_secret_" + tail
	case "setup-intent-client-secret":
		return "seti_" + id + "_secret_" + tail
	case "checkout-session-client-secret":
		return "cs_" + mode + "a1" + id + "_secret_" + tail
	case "account-session-client-secret":
		return "accs_secret__" + tail
	case "customer-session-client-secret":
		return "cuss_secret_" + tail
	case "source-client-secret":
		return "src_client_secret_" + tail
	case "identity-verification-session-client-secret":
		return "vs_" + id + "_secret_" + mode + tail
	case "financial-connections-session-client-secret":
		return "fcsess_client_secret_" + tail
	case "ephemeral-key":
		return "ek_" + mode + tail + "_00" + keyString(seed, 8)
	case "terminal-connection-token":
		return "pst_" + mode + tail
	case "oauth-refresh-token":
		return "rt_" + tail
	case "oauth-authorization-code":
		return "ac_" + tail
	}
	panic("no sample for family " + family)
}

// encoding turns text into one encoding of it.
type encoding struct {
	name string // as Finding.Encoding names the layer
	// char is true when Redact replaces the secret's exact encoded bytes.
	char bool
	enc  func(string) string
}

// percentEncode escapes every byte that is not a letter or digit, and
// every third letter too (lower-case hex), so that "%5F" and escaped
// letters are both there.
func percentEncode(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		switch {
		case c == '_':
			b.WriteString("%5F")
		case isAlnum(c) && i%3 != 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// jsonEscape writes every non-alphanumeric byte and every other letter
// as \u00XX.
func jsonEscape(s string) string {
	var b strings.Builder
	for i := range len(s) {
		if c := s[i]; isAlnum(c) && i%2 == 1 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\u%04x`, c)
		}
	}
	return b.String()
}

// entityEncode writes underscores as &lowbar; and every other byte as a
// decimal or hex character reference in turn.
func entityEncode(s string) string {
	var b strings.Builder
	for i := range len(s) {
		switch c := s[i]; {
		case c == '_':
			b.WriteString("&lowbar;")
		case i%3 == 0:
			fmt.Fprintf(&b, "&#%d;", c)
		case i%3 == 1:
			fmt.Fprintf(&b, "&#x%X;", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// qpEncode writes underscores and every fourth byte as =XX, with a soft
// line break every 9 bytes.
func qpEncode(s string) string {
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && i%9 == 0 {
			b.WriteString("=\r\n")
		}
		if c := s[i]; c == '_' || c == '=' || i%4 == 0 || c < 0x20 || c > 0x7e {
			fmt.Fprintf(&b, "=%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func utf16Encode(s string, bigEndian, bom bool) string {
	var b strings.Builder
	if bom && bigEndian {
		b.WriteString("\xfe\xff")
	} else if bom {
		b.WriteString("\xff\xfe")
	}
	for i := range len(s) {
		if bigEndian {
			b.WriteByte(0)
			b.WriteByte(s[i])
		} else {
			b.WriteByte(s[i])
			b.WriteByte(0)
		}
	}
	return b.String()
}

// wrap breaks s into lines of width joined by eol.
func wrap(s string, width int, eol string) string {
	var lines []string
	for len(s) > width {
		lines = append(lines, s[:width])
		s = s[width:]
	}
	return strings.Join(append(lines, s), eol)
}

// filler is ordinary text a long base64 token holds around a secret.
const filler = `{"object":"list","data":[{"id":"inpay_1QPaidPaymentIntent1","status":"paid"}],"has_more":false,"url":"/v1/invoice_payments"}`

// encodings are every encoding Redact replaces in place.
var encodings = []encoding{
	{"", true, func(s string) string { return s }},
	{"percent-encoded", true, percentEncode},
	{`JSON \u escapes`, true, jsonEscape},
	{"HTML entities", true, entityEncode},
	{"quoted-printable", true, qpEncode},
	{"base64", false, func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }},
	{"base64", false, func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(":" + s)) }},
	{"base64", false, func(s string) string { return base64.URLEncoding.EncodeToString([]byte("a=" + s)) }},
	{"base64", false, func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte("Bearer " + s + "\n")) }},
	{"base64", false, func(s string) string {
		return wrap(base64.StdEncoding.EncodeToString([]byte(filler+s+filler)), 76, "\r\n")
	}},
	{"base64", false, func(s string) string {
		return wrap(base64.StdEncoding.EncodeToString([]byte(filler+" "+s+filler)), 64, "\n")
	}},
	{"hex", false, func(s string) string { return hex.EncodeToString([]byte(s)) }},
	{"hex", false, func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(":" + s))) }},
	{"UTF-16LE", false, func(s string) string { return utf16Encode(s, false, true) }},
	{"UTF-16BE", false, func(s string) string { return utf16Encode(s, true, true) }},
	{"UTF-16LE", false, func(s string) string { return utf16Encode(s, false, false) }},
}

// nested is enc applied to what inner encoded: a two-level chain.
func nested(outer, inner encoding) encoding {
	name := outer.name
	if inner.name != "" {
		name += " of " + inner.name
	}
	return encoding{name, outer.char && inner.char, func(s string) string { return outer.enc(inner.enc(s)) }}
}

// context is text around an encoded secret.
type context struct {
	name   string
	before string
	after  string
	// base64 is true for a context that is itself a base64 layer (a
	// multipart part), whose encoding Redact replaces whole.
	base64 bool
}

var contexts = []context{
	{"URL path", "/v1/payment_intents/", "/confirm", false},
	{"query", "/v1/payment_intents/pi_3Abc?client_secret=", "&expand[]=customer&start_after=pi_3Abc", false},
	{"JSON body", `{"id":"pi_3Abc","object":"payment_intent","client_secret":"`, `","status":"requires_payment_method"}`, false},
	{"HTML page", `<html><head><title>Pay</title></head><body><script>var cs = "`, `";</script><p>Pay &amp; go</p></body></html>`, false},
	{"NDJSON", "{\"a\":1}\n{\"secret\":\"", "\"}\n{\"b\":2}\n", false},
	{"JSON with BOM", "\xef\xbb\xbf{\"secret\":\"", "\",\"livemode\":false}", false},
	{"header value", "Bearer ", "", false},
	{"multipart part", "", "", true},
}

// multipartBoundary is the boundary of the multipart context.
const multipartBoundary = "----stripe-contract-boundary"

// place puts encoded in the context; the multipart context holds it in a
// JSON document, base64-encoded and wrapped at 76 columns in a part.
func (c context) place(encoded string) string {
	if !c.base64 {
		return c.before + encoded + c.after
	}
	doc := `{"object":"ephemeral_key","secret":"` + encoded + `","livemode":false}`
	return "--" + multipartBoundary + "\r\n" +
		"Content-Disposition: form-data; name=\"file\"; filename=\"key.json\"\r\n" +
		"Content-Type: application/json\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		wrap(base64.StdEncoding.EncodeToString([]byte(doc)), 76, "\r\n") + "\r\n" +
		"--" + multipartBoundary + "--\r\n"
}
