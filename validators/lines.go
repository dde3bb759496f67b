package validators

import (
	"bytes"

	"github.com/go-json-experiment/json/jsontext"
)

// LineOf returns the 1-based line of doc where the value at pointer starts.
// For a pointer that does not resolve (a missing property), it returns the
// line of the nearest enclosing value that does. Malformed JSON gives the
// line of the last value read.
func LineOf(doc []byte, pointer string) int {
	offsets := map[string]int64{}
	dec := jsontext.NewDecoder(bytes.NewReader(doc), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	last := int64(0)
	for {
		before := dec.InputOffset()
		tok, err := dec.ReadToken()
		if err != nil {
			break
		}
		kind := tok.Kind()
		if kind == '}' || kind == ']' {
			continue
		}
		p := string(dec.StackPointer())
		if _, seen := offsets[p]; !seen {
			// The value's first byte: skip the separator and white space before it.
			start := before + int64(len(doc[before:dec.InputOffset()])-len(bytes.TrimLeft(doc[before:dec.InputOffset()], " \t\r\n,:")))
			offsets[p] = start
		}
		last = before
	}
	for p := pointer; ; {
		if off, ok := offsets[p]; ok {
			return 1 + bytes.Count(doc[:off], []byte{'\n'})
		}
		i := bytes.LastIndexByte([]byte(p), '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 1 + bytes.Count(doc[:min(last, int64(len(doc)))], []byte{'\n'})
}
