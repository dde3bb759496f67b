package pii

import (
	"bufio"
	"mime"
	"net/textproto"
	"strings"
)

// MaskMultipart masks the personal data of a multipart/form-data body with
// the given boundary, as a file upload sends it (POST /v1/files: purpose,
// file, file_link_data[metadata][...]): each text field's value as
// MaskValue masks it under its field name, and emails and phone numbers in
// a file's name. A file's content is kept: it is binary (an identity
// document's scan) and no pattern can read it. Every other byte (the
// boundaries, headers, preamble and epilogue) is kept. ok is false, and
// body is returned as it was, when nothing was masked or body is not
// multipart with that boundary.
func MaskMultipart(body, boundary string) (string, bool) {
	delim := "\r\n--" + boundary
	if boundary == "" || !strings.HasPrefix(body, "--"+boundary) && !strings.Contains(body, delim) {
		return body, false
	}
	// Read body as "\r\n" + body so that the first delimiter, which may
	// start the body, looks like every other.
	s := "\r\n" + body
	var out strings.Builder
	changed := false
	pos := strings.Index(s, delim)
	out.WriteString(s[:pos])
	for pos >= 0 {
		start := pos + len(delim)
		if strings.HasPrefix(s[start:], "--") {
			out.WriteString(s[pos:]) // the close delimiter and the epilogue
			break
		}
		next := strings.Index(s[start:], delim)
		end := len(s)
		if next >= 0 {
			end = start + next
		}
		part := s[start:end]
		if masked, ok := maskPart(part); ok {
			part = masked
			changed = true
		}
		out.WriteString(s[pos:start])
		out.WriteString(part)
		if next < 0 {
			break
		}
		pos = end
	}
	if !changed {
		return body, false
	}
	return strings.TrimPrefix(out.String(), "\r\n"), true
}

// maskPart masks one part: the bytes between a delimiter and the next, a
// line ending, headers, an empty line and the content.
func maskPart(part string) (string, bool) {
	head, content, ok := strings.Cut(part, "\r\n\r\n")
	if !ok {
		return part, false
	}
	h, err := textproto.NewReader(bufio.NewReader(strings.NewReader(strings.TrimPrefix(head, "\r\n") + "\r\n\r\n"))).ReadMIMEHeader()
	if err != nil {
		return part, false
	}
	_, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil {
		return part, false
	}
	if filename, isFile := params["filename"]; isFile {
		if masked := MaskText(filename); masked != filename && strings.Contains(head, filename) {
			return strings.Replace(head, filename, masked, 1) + "\r\n\r\n" + content, true
		}
		return part, false
	}
	if enc := h.Get("Content-Transfer-Encoding"); enc != "" && !strings.EqualFold(enc, "7bit") && !strings.EqualFold(enc, "8bit") && !strings.EqualFold(enc, "binary") {
		return part, false // encoded: what a pattern reads is not the value
	}
	if ct := h.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "text/") {
		return part, false
	}
	if masked := MaskValue(params["name"], content); masked != content {
		return head + "\r\n\r\n" + masked, true
	}
	return part, false
}
