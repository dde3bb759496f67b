package validators

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// decoded is a parsed document, in the form jsonschema/v5 validates:
// map[string]any, []any, string, json.Number (exact), bool and nil.
type decoded struct {
	value any
	// oddNumbers are pointers to numbers written with a fraction or an
	// exponent, or integers beyond 64 bits: JSON Schema calls 2000.0 an
	// integer, typed SDKs do not (checks.go).
	oddNumbers []string
}

// decodeError is a document that is not one well-formed JSON value.
type decodeError struct {
	rule      string
	pointer   string
	offset    int64
	message   string
	truncated bool // the input ended inside the value
}

// frame is an object or array being built.
type frame struct {
	obj     map[string]any
	arr     []any
	key     string
	haveKey bool // inside an object: the next token is the value of key
}

// openPointer is the pointer of the innermost value still open: where a
// truncated document stops.
func openPointer(stack []frame) string {
	var b []byte
	for _, f := range stack {
		switch {
		case f.obj != nil && f.haveKey:
			b = append(b, '/')
			b = append(b, pointer.Escape(f.key)...)
		case f.arr != nil:
			b = append(b, '/')
			b = strconv.AppendInt(b, int64(len(f.arr)), 10)
		}
	}
	return string(b)
}

var decoders = sync.Pool{New: func() any { return new(decoderState) }}

type decoderState struct {
	r   bytes.Reader
	dec *jsontext.Decoder
}

// decode parses data strictly: RFC 8259 syntax (no NaN, no Infinity, no
// trailing data), valid UTF-8, no duplicate object keys, at most maxDepth
// levels of nesting. It builds the tree iteratively, so depth costs no stack.
func decode(data []byte, maxDepth int) (decoded, *decodeError) {
	st := decoders.Get().(*decoderState)
	defer decoders.Put(st)
	st.r.Reset(data)
	if st.dec == nil {
		st.dec = jsontext.NewDecoder(&st.r)
	} else {
		st.dec.Reset(&st.r)
	}
	dec := st.dec

	var (
		stack []frame
		root  any
		done  bool
		odd   []string
	)
	attach := func(v any) {
		if len(stack) == 0 {
			root, done = v, true
			return
		}
		top := &stack[len(stack)-1]
		if top.obj != nil {
			top.obj[top.key] = v
			top.haveKey = false
		} else {
			top.arr = append(top.arr, v)
		}
	}
	for !done {
		tok, err := dec.ReadToken()
		if err != nil {
			if len(stack) >= maxDepth {
				// At MaxDepthLimit the decoder refuses the opening token
				// before the check below can see it.
				if derr := tooDeepAt(data, err, maxDepth); derr != nil {
					return decoded{}, derr
				}
			}
			derr := classify(data, dec, err)
			if derr.truncated {
				derr.pointer = openPointer(stack)
			}
			return decoded{}, derr
		}
		switch kind := tok.Kind(); kind {
		case '{', '[':
			if len(stack) >= maxDepth {
				return decoded{}, tooDeep(string(dec.StackPointer()), dec.InputOffset(), maxDepth)
			}
			if kind == '{' {
				stack = append(stack, frame{obj: map[string]any{}})
			} else {
				stack = append(stack, frame{arr: []any{}})
			}
		case '}', ']':
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.obj != nil {
				attach(top.obj)
			} else {
				attach(top.arr)
			}
		case '"':
			s := tok.String()
			if n := len(stack); n > 0 && stack[n-1].obj != nil && !stack[n-1].haveKey {
				stack[n-1].key, stack[n-1].haveKey = s, true
			} else {
				attach(s)
			}
		case '0':
			lit := tok.String()
			if problem := numberOutOfRange(lit); problem != "" {
				return decoded{}, &decodeError{rule: RuleNumberRange, pointer: string(dec.StackPointer()), offset: dec.InputOffset(), message: problem}
			}
			if !plainInt64(lit) {
				odd = append(odd, string(dec.StackPointer()))
			}
			attach(json.Number(lit))
		case 't':
			attach(true)
		case 'f':
			attach(false)
		case 'n':
			attach(nil)
		}
	}
	// One document is one value: anything after it but white space is an error.
	if _, err := dec.ReadToken(); err != io.EOF {
		if err != nil {
			return decoded{}, classify(data, dec, err)
		}
		return decoded{}, &decodeError{
			rule: RuleSyntax, offset: dec.InputOffset(),
			message: "has more than one JSON value; a document is exactly one",
		}
	}
	return decoded{value: root, oddNumbers: odd}, nil
}

func tooDeep(pointer string, offset int64, maxDepth int) *decodeError {
	return &decodeError{
		rule: RuleTooDeep, pointer: pointer, offset: offset,
		message: fmt.Sprintf("nests deeper than %d levels; no Stripe object comes close, and deep nesting exhausts parsers", maxDepth),
	}
}

// tooDeepAt is the too-deep error for the decoder's refusal of an object or
// array that opens one level past its own limit, or nil for another error.
func tooDeepAt(data []byte, err error, maxDepth int) *decodeError {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) || se.ByteOffset < 0 || se.ByteOffset >= int64(len(data)) {
		return nil
	}
	if c := data[se.ByteOffset]; c != '{' && c != '[' {
		return nil
	}
	return tooDeep(string(se.JSONPointer), se.ByteOffset, maxDepth)
}

// Bounds on number literals: exact arithmetic on 1e1000000 (which
// jsonschema/v5 does for every number) takes a tenth of a second, so a
// document of such numbers would take minutes.
const (
	maxNumberLength   = 1000
	maxNumberExponent = 1000
)

// numberOutOfRange says what is wrong with a number no Stripe SDK can
// decode, or returns "": longer than maxNumberLength characters, an exponent
// beyond maxNumberExponent, or beyond the range of a 64-bit float.
func numberOutOfRange(lit string) string {
	if len(lit) > maxNumberLength {
		return fmt.Sprintf("is a number %d characters long", len(lit))
	}
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		digits := strings.TrimLeft(strings.TrimLeft(lit[i+1:], "+-"), "0")
		if exp, err := strconv.Atoi(digits); len(digits) > 4 || err == nil && exp > maxNumberExponent {
			return fmt.Sprintf("is %s, with an exponent beyond ±%d", pointer.Describe(json.Number(lit)), maxNumberExponent)
		}
	}
	if _, err := strconv.ParseFloat(lit, 64); errors.Is(err, strconv.ErrRange) {
		return fmt.Sprintf("is %s, beyond the range of a 64-bit floating-point number", pointer.Describe(json.Number(lit)))
	}
	return ""
}

// plainInt64 reports whether a number literal is an integer written as plain
// digits that fits in a signed 64-bit integer.
func plainInt64(lit string) bool {
	for i := 0; i < len(lit); i++ {
		if c := lit[i]; c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	if len(lit) < 19 {
		return true
	}
	_, err := strconv.ParseInt(lit, 10, 64)
	return err == nil
}

func classify(data []byte, dec *jsontext.Decoder, err error) *decodeError {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if len(bytes.TrimSpace(data)) == 0 {
				return &decodeError{rule: RuleSyntax, message: "is empty; a document is one JSON value"}
			}
			return &decodeError{rule: RuleSyntax, offset: int64(len(data)), truncated: true,
				message: "ends before the JSON value does (truncated)"}
		}
		return &decodeError{rule: RuleSyntax, message: err.Error()}
	}
	d := &decodeError{rule: RuleSyntax, pointer: string(se.JSONPointer), offset: se.ByteOffset}
	switch {
	case errors.Is(se.Err, jsontext.ErrDuplicateName):
		d.rule = RuleDuplicateKey
		d.message = "is a duplicate key, so the document is ambiguous"
	case invalidUTF8At(data, se.ByteOffset):
		d.rule = RuleInvalidUTF8
		d.message = fmt.Sprintf("holds bytes that are not UTF-8 (at byte %d); JSON exchanged between systems is UTF-8", se.ByteOffset)
	case errors.Is(se.Err, io.ErrUnexpectedEOF):
		d.truncated = true
		d.message = fmt.Sprintf("ends before the JSON value does (truncated at byte %d)", se.ByteOffset)
	case strings.HasPrefix(se.Err.Error(), "invalid escape sequence"):
		// jsontext quotes as much of the escape as it has buffered, which
		// depends on the decoder's state (its buffer may come from a pool):
		// quote the escape from the document itself, so that the message is
		// the same whichever path and decoder read it.
		d.message = fmt.Sprintf("is not valid JSON at byte %d: invalid escape sequence `%s` in string", se.ByteOffset, escapeAt(data, se.ByteOffset))
	default:
		d.message = fmt.Sprintf("is not valid JSON at byte %d: %v", se.ByteOffset, se.Err)
	}
	return d
}

// escapeAt is the escape sequence that starts at the first backslash at or
// after off in data: the backslash and the character after it, or for \u
// the four characters that should be hex digits (fewer at the end).
func escapeAt(data []byte, off int64) string {
	rest := data[min(max(off, 0), int64(len(data))):]
	if i := bytes.IndexByte(rest, '\\'); i >= 0 {
		rest = rest[i:]
	}
	n := 2
	if len(rest) > 1 && rest[1] == 'u' {
		n = 6
	}
	return string(rest[:min(n, len(rest))])
}

// invalidUTF8At reports whether the error offset lands in a string whose
// bytes are not UTF-8. jsontext reports the offset of the string or of the
// offending byte, so look at the bytes from there to the string's end.
func invalidUTF8At(data []byte, off int64) bool {
	if off < 0 || off >= int64(len(data)) {
		return false
	}
	rest := data[off:]
	if len(rest) > 0 && rest[0] == '"' {
		rest = rest[1:]
	}
	for len(rest) > 0 {
		c := rest[0]
		if c == '"' {
			return false
		}
		if c == '\\' && len(rest) > 1 {
			rest = rest[2:]
			continue
		}
		r, size := utf8.DecodeRune(rest)
		if r == utf8.RuneError && size <= 1 {
			return true
		}
		rest = rest[size:]
	}
	return false
}
