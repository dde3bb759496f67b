package recorder

import (
	"encoding/binary"
	"errors"
	"io"
	"mime"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Some secrets are known by the field that holds them rather than by their
// shape: a client_secret whose format Stripe changes, an access_token, the
// code of an OAuth token exchange. Their values are replaced by Redacted
// wherever the field stands in a JSON body, a form body or a query, with
// every other byte kept as it was.

// span is a byte range of a text to replace.
type span struct{ start, end int }

// splice replaces each span of s (in order, not overlapping) by repl.
func splice(s string, spans []span, repl string) string {
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		b.WriteString(repl)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactJSONText is redactJSONFields for a body of any JSON-bearing kind:
// one document, NDJSON (line by line when the whole does not read), or
// either in UTF-16, which is read as UTF-8 and written back as it came.
func redactJSONText(body, path string) (string, bool) {
	if order, ok := utf16Order(body); ok {
		plain, bom := decodeUTF16(body, order)
		out, changed := redactJSONText(plain, path)
		if !changed {
			return body, false
		}
		return encodeUTF16(out, order, bom), true
	}
	if out, changed, err := redactJSONFields(body, path); err == nil || !strings.Contains(body, "\n") {
		return out, changed
	}
	lines := strings.SplitAfter(body, "\n")
	changed := false
	for i, l := range lines {
		if out, ok, _ := redactJSONFields(l, path); ok {
			lines[i], changed = out, true
		}
	}
	if !changed {
		return body, false
	}
	return strings.Join(lines, ""), true
}

// utf16Order says whether s is UTF-16 text and in which byte order: by its
// byte-order mark, or by the NULs that ASCII characters leave beside them.
func utf16Order(s string) (binary.ByteOrder, bool) {
	switch {
	case strings.HasPrefix(s, "\xff\xfe"):
		return binary.LittleEndian, true
	case strings.HasPrefix(s, "\xfe\xff"):
		return binary.BigEndian, true
	case len(s) >= 4 && len(s)%2 == 0 && s[0] != 0 && s[1] == 0 && s[2] != 0 && s[3] == 0:
		return binary.LittleEndian, true
	case len(s) >= 4 && len(s)%2 == 0 && s[0] == 0 && s[1] != 0 && s[2] == 0 && s[3] != 0:
		return binary.BigEndian, true
	}
	return nil, false
}

func decodeUTF16(s string, order binary.ByteOrder) (plain string, bom bool) {
	units := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		units = append(units, order.Uint16([]byte(s[i:i+2])))
	}
	if len(units) > 0 && units[0] == 0xfeff {
		units, bom = units[1:], true
	}
	return string(utf16.Decode(units)), bom
}

func encodeUTF16(s string, order binary.ByteOrder, bom bool) string {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	b := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(b[2*i:], u)
	}
	return string(b)
}

// redactJSONFields replaces the string values of secret fields in a JSON
// text (secret.IsSecretField, with the object's own "object" member as its
// context, wherever in the object that member stands; for an object
// without one, an OAuth token exchange's grant_type, or for a request
// body the object its path names, see formObject). ok is false when
// nothing changed; err says the text is not JSON (nothing changed then).
func redactJSONFields(body, path string) (out string, ok bool, err error) {
	trimmed := strings.TrimLeft(body, " \t\r\n\ufeff")
	if trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return body, false, errNotJSON
	}
	base := len(body) - len(trimmed) // the decoder's offsets start at the first bracket
	dec := jsontext.NewDecoder(strings.NewReader(trimmed), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	type member struct {
		name string
		at   span
	}
	// An object's string members wait for its end: its "object" member,
	// which says what it is, may come after them.
	type object struct {
		kind      string
		grantType string
		name      string // the member whose value comes next
		members   []member
	}
	var stack []*object // nil entries are arrays
	var spans []span
	for {
		before := int(dec.InputOffset())
		tok, err := dec.ReadToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return body, false, err
		}
		switch tok.Kind() {
		case '{':
			stack = append(stack, &object{})
		case '[':
			stack = append(stack, nil)
		case '}':
			top := stack[len(stack)-1]
			kind := top.kind
			switch {
			case kind != "":
			case top.grantType == "authorization_code" || top.grantType == "refresh_token":
				kind = secret.OAuthToken
			case len(stack) == 1:
				kind = formObject(path)
			}
			for _, m := range top.members {
				if secret.IsSecretField(kind, m.name) {
					spans = append(spans, m.at)
				}
			}
			stack = stack[:len(stack)-1]
		case ']':
			stack = stack[:len(stack)-1]
		case '"':
			top := (*object)(nil)
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			}
			if top == nil {
				break
			}
			if _, n := dec.StackIndex(dec.StackDepth()); n%2 == 1 {
				top.name = tok.String()
				break
			}
			switch top.name {
			case "object":
				top.kind = tok.String()
			case "grant_type":
				top.grantType = tok.String()
			}
			start := before + len(trimmed[before:]) - len(strings.TrimLeft(trimmed[before:], " \t\r\n:,"))
			top.members = append(top.members, member{name: top.name, at: span{base + start, base + int(dec.InputOffset())}})
		}
	}
	if len(spans) == 0 {
		return body, false, nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	return splice(body, spans, `"`+Redacted+`"`), true, nil
}

// errNotJSON is a text that does not start as JSON does.
var errNotJSON = errors.New("not JSON")

// redactMultipartFields replaces the content of each part of a multipart
// body whose field name (Content-Disposition's name) is a secret field,
// keeping the part's headers and every other byte.
func redactMultipartFields(body, boundary, path string) (string, bool) {
	if boundary == "" {
		return body, false
	}
	delim := "--" + boundary
	var spans []span
	context := formObject(path)
	for at := strings.Index(body, delim); at >= 0; {
		start := at + len(delim)
		next := strings.Index(body[start:], delim)
		if next < 0 {
			break
		}
		end := start + next
		part := body[start:end]
		// Headers end at the first blank line; the content runs to the
		// line break before the next delimiter.
		sep, n := "\r\n\r\n", 4
		h := strings.Index(part, sep)
		if lf := strings.Index(part, "\n\n"); lf >= 0 && (h < 0 || lf < h) {
			sep, n, h = "\n\n", 2, lf
		}
		if h >= 0 && secret.IsSecretField(context, lastSegment(partName(part[:h]))) {
			cstart := start + h + n
			cend := end
			if strings.HasSuffix(body[:cend], "\r\n") {
				cend -= 2
			} else if strings.HasSuffix(body[:cend], "\n") {
				cend--
			}
			if cend > cstart {
				spans = append(spans, span{cstart, cend})
			}
		}
		at = end
	}
	if len(spans) == 0 {
		return body, false
	}
	return splice(body, spans, Redacted), true
}

// partName is the field name of a multipart part's headers.
func partName(headers string) string {
	for line := range strings.SplitSeq(headers, "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "Content-Disposition") {
			continue
		}
		if _, params, err := mime.ParseMediaType(strings.TrimSpace(value)); err == nil {
			return params["name"]
		}
	}
	return ""
}

// formObject is the object a request's form parameters describe, for the
// fields that are secret only in one (secret.Field.Object): the parameters
// of POST /v1/apps/secrets are an Apps secret's (its payload is the
// secret), and those of Connect's POST /oauth/token a token exchange's
// (its code is the authorization code). Other requests: "".
func formObject(path string) string {
	switch {
	case strings.HasSuffix(path, "/oauth/token"):
		return secret.OAuthToken
	case path == "/v1/apps/secrets" || strings.HasPrefix(path, "/v1/apps/secrets/"):
		return "apps.secret"
	}
	return ""
}

// redactFormFields replaces the values of secret fields in a form body or
// query string (a key's last bracket segment names the field:
// payment_intent_data[client_secret]) sent to path; the code of an OAuth
// token exchange (also known by grant_type=authorization_code) too. Every
// other byte is kept. ok is false when nothing changed.
func redactFormFields(raw, path string) (string, bool) {
	if raw == "" {
		return raw, false
	}
	parts := strings.Split(raw, "&")
	context := formObject(path)
	for _, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(k); err == nil && key == "grant_type" {
			if val, err := url.QueryUnescape(v); err == nil && (val == "authorization_code" || val == "refresh_token") {
				context = secret.OAuthToken
			}
		}
	}
	changed := false
	for i, p := range parts {
		k, v, hasValue := strings.Cut(p, "=")
		if !hasValue || v == "" {
			continue
		}
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if secret.IsSecretField(context, lastSegment(key)) {
			parts[i] = k + "=" + url.QueryEscape(Redacted)
			changed = true
		}
	}
	if !changed {
		return raw, false
	}
	return strings.Join(parts, "&"), true
}

// redactValuesFields is redactFormFields for parsed form values.
func redactValuesFields(v url.Values, path string) {
	context := formObject(path)
	if gt := v.Get("grant_type"); gt == "authorization_code" || gt == "refresh_token" {
		context = secret.OAuthToken
	}
	for k, vals := range v {
		if secret.IsSecretField(context, lastSegment(k)) {
			for i, s := range vals {
				if s != "" {
					vals[i] = Redacted
				}
			}
		}
	}
}

// lastSegment is the field a form key names: client_secret for
// payment_intent_data[client_secret], expand[] for expand[].
func lastSegment(key string) string {
	if !strings.HasSuffix(key, "]") {
		return key
	}
	open := strings.LastIndexByte(key, '[')
	if open < 0 || open == len(key)-2 {
		return key
	}
	return key[open+1 : len(key)-1]
}
