package recorder

import (
	"io"
	"net/url"
	"slices"
	"strings"

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

// redactJSONFields replaces the string values of secret fields in a JSON
// text (secret.IsSecretField, with the object's own "object" member as its
// context, wherever in the object that member stands). ok is false when
// nothing changed or body is not JSON.
func redactJSONFields(body string) (string, bool) {
	trimmed := strings.TrimLeft(body, " \t\r\n\ufeff")
	if trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return body, false
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
		kind    string
		name    string // the member whose value comes next
		members []member
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
			return body, false
		}
		switch tok.Kind() {
		case '{':
			stack = append(stack, &object{})
		case '[':
			stack = append(stack, nil)
		case '}':
			top := stack[len(stack)-1]
			for _, m := range top.members {
				if secret.IsSecretField(top.kind, m.name) {
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
			if top.name == "object" {
				top.kind = tok.String()
			}
			start := before + len(trimmed[before:]) - len(strings.TrimLeft(trimmed[before:], " \t\r\n:,"))
			top.members = append(top.members, member{name: top.name, at: span{base + start, base + int(dec.InputOffset())}})
		}
	}
	if len(spans) == 0 {
		return body, false
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	return splice(body, spans, `"`+Redacted+`"`), true
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
