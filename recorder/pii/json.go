package pii

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// maskedJSON is Masked as a JSON string.
const maskedJSON = `"` + Masked + `"`

// MaskJSON masks the personal data of a JSON document. Every string and
// number under a personal key (IsPersonalKey), and under every object or
// array below one, becomes "[MASKED]"; empty strings, null and booleans are
// kept, since they hold nothing. Emails and phone numbers in any other
// string (a description, a metadata value, a URL) are replaced in place as
// MaskText does. Member names are kept, even a metadata key that is an
// email address: the structure of the document does not change.
//
// Only the masked values change: every other byte of body (member order,
// Stripe's two-space indentation, escapes, numbers as written) is kept. ok
// is false, and body is returned as it was, when body is not one JSON value
// or nothing was masked.
func MaskJSON(body string) (string, bool) {
	dec := jsontext.NewDecoder(strings.NewReader(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	m := jsonMasker{dec: dec, body: body}
	if err := m.value(scope{}); err != nil {
		return body, false
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return body, false // more than one value
	}
	if m.out == nil {
		return body, false
	}
	m.out = append(m.out, body[m.done:]...)
	return string(m.out), true
}

// jsonMasker walks a document and writes it out with its personal values
// replaced.
type jsonMasker struct {
	dec  *jsontext.Decoder
	body string
	out  []byte // nil until the first replacement
	done int    // body[:done] is written to out
}

// replace writes body up to the value ending at the decoder's offset, then
// with instead of the value's n bytes.
func (m *jsonMasker) replace(n int, with []byte) {
	end := int(m.dec.InputOffset())
	m.out = append(m.out, m.body[m.done:end-n]...)
	m.out = append(m.out, with...)
	m.done = end
}

// value masks the next value, in scope s.
func (m *jsonMasker) value(s scope) error {
	switch m.dec.PeekKind() {
	case '{', '[':
		open, err := m.dec.ReadToken()
		if err != nil {
			return err
		}
		for m.dec.PeekKind() != '}' && m.dec.PeekKind() != ']' {
			child := s
			if open.Kind() == '{' {
				name, err := m.dec.ReadToken()
				if err != nil {
					return err
				}
				child = s.child(name.String())
			}
			if err := m.value(child); err != nil {
				return err
			}
		}
		_, err = m.dec.ReadToken()
		return err
	case '"':
		raw, err := m.dec.ReadValue()
		if err != nil {
			return err
		}
		switch {
		case s.personal:
			if string(raw) == `""` || string(raw) == maskedJSON {
				return nil
			}
			if bytes.IndexByte(raw, '\\') >= 0 {
				if text, _ := jsontext.AppendUnquote(nil, raw); string(text) == Masked {
					return nil // an escaped Masked
				}
			}
			m.replace(len(raw), []byte(maskedJSON))
		case bytes.ContainsAny(raw, `@\0123456789`):
			// Only text with an @, a digit or an escape (which may hide
			// either) can hold what MaskText masks.
			text, _ := jsontext.AppendUnquote(nil, raw) // invalid UTF-8 reads as U+FFFD
			if masked := MaskText(string(text)); masked != string(text) {
				quoted, _ := jsontext.AppendQuote(nil, masked)
				m.replace(len(raw), quoted)
			}
		}
		return nil
	case '0':
		raw, err := m.dec.ReadValue()
		if err != nil {
			return err
		}
		if s.personal {
			m.replace(len(raw), []byte(maskedJSON))
		}
		return nil
	case 0:
		_, err := m.dec.ReadToken()
		if err == nil {
			err = errors.New("no value")
		}
		return err
	default: // null, true, false
		_, err := m.dec.ReadToken()
		return err
	}
}
