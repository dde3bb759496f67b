package pii

import (
	"net/url"
	"strings"
)

// MaskValue masks one decoded form or query value given its key: the whole
// value when a bracket segment of the key is personal
// (shipping[address][line1], metadata[email], customer_details[phone]), the
// personal clauses of a Search API query when the key is query
// (MaskSearchQuery), and emails and phone numbers anywhere else (MaskText).
// An empty value stays empty.
func MaskValue(key, value string) string {
	switch {
	case value == "" || value == Masked:
		return value
	case formKeyScope(key).personal:
		return Masked
	case lastSegment(key) == "query":
		return MaskSearchQuery(value)
	}
	return MaskText(value)
}

// lastSegment is the last bracket segment of a form key: query for
// query, line1 for shipping[address][line1].
func lastSegment(key string) string {
	key = strings.TrimSuffix(key, "]")
	if i := strings.LastIndexByte(key, '['); i >= 0 {
		return key[i+1:]
	}
	return key
}

// MaskForm masks the personal data of an application/x-www-form-urlencoded
// body or a URL's raw query, value by value as MaskValue does. Keys, their
// order and every value that holds nothing personal are kept byte for byte;
// a masked value is written percent-encoded (%5BMASKED%5D decodes to
// Masked), so the result stays form-decodable. A value that is not validly
// percent-encoded is read leniently (a stray % stays a %), so bad escaping
// does not hide an email. ok is false, and raw is returned as it was, when
// nothing was masked.
func MaskForm(raw string) (string, bool) {
	if raw == "" {
		return raw, false
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, p := range parts {
		k, v, hasValue := strings.Cut(p, "=")
		if !hasValue || v == "" {
			continue
		}
		value := unescape(v, true)
		if masked := MaskValue(unescape(k, true), value); masked != value {
			parts[i] = k + "=" + url.QueryEscape(masked)
			changed = true
		}
	}
	if !changed {
		return raw, false
	}
	return strings.Join(parts, "&"), true
}

// unescape decodes percent-escapes (and, in a query, + as a space),
// leaving a % that does not start a valid escape as it is.
func unescape(s string, query bool) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if query {
		if u, err := url.QueryUnescape(s); err == nil {
			return u
		}
	} else if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case s[i] == '+' && query:
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
