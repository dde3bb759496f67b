package pii

import (
	"net/url"
	"strings"
)

// MaskPath masks the emails and phone numbers in the segments of an escaped
// URL path (url.URL.EscapedPath): /v1/customers/jane@example.com and
// /v1/customers/jane%40example.com both become /v1/customers/[MASKED].
// Each segment is decoded before it is read, so an escape does not hide an
// address; a masked segment is written escaped again, with Masked left as
// it is (brackets are allowed in a path as written, and url.Parse keeps
// them). Segments with nothing personal are kept byte for byte.
func MaskPath(path string) string {
	if !strings.ContainsAny(path, "@%0123456789") {
		return path
	}
	segs := strings.Split(path, "/")
	changed := false
	for i, seg := range segs {
		dec := unescape(seg, false)
		if masked := MaskText(dec); masked != dec {
			segs[i] = escapeSegment(masked)
			changed = true
		}
	}
	if !changed {
		return path
	}
	return strings.Join(segs, "/")
}

// escapeSegment escapes a decoded path segment, leaving Masked unescaped.
func escapeSegment(s string) string {
	parts := strings.Split(s, Masked)
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, Masked)
}
