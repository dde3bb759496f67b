package validators

import (
	"encoding/json"
	"unicode/utf8"
)

// Reading a schema file is most of the cost of a resource's first use
// (payment_intent's is 3 MB), and encoding/json decodes generic JSON at
// about 55 MB/s. quickParse reads the files as the generator writes them,
// several times faster, with the tape's string scanner; anything it does
// not read exactly as encoding/json would (a \u escape of a surrogate, a
// catalogue entry of another shape, nesting deeper than it recurses, any
// error) makes it give up, and the file is parsed by encoding/json, whose
// result and errors are the reference (TestQuickParseIsEncodingJSON).

// quickDepth bounds quickParse's recursion; the files nest about 30 deep.
const quickDepth = 200

// quickParse parses a schema file's text as decodeSchemaFile does, or
// reports false.
func quickParse(raw []byte) (doc map[string]any, defs map[string]ruleDefinition, ok bool) {
	q := quickReader{data: raw}
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, nil, false
	}
	doc = map[string]any{}
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] != '}' {
		if raw[i] != '"' {
			return nil, nil, false
		}
		key, ok := q.str(i + 1)
		if !ok {
			return nil, nil, false
		}
		if i = skipSpace(raw, q.end); i >= len(raw) || raw[i] != ':' {
			return nil, nil, false
		}
		i = skipSpace(raw, i+1)
		if key == catalogueKey {
			if defs != nil { // a second catalogue: encoding/json merges them
				return nil, nil, false
			}
			if defs, ok = q.catalogue(i); !ok {
				return nil, nil, false
			}
		} else {
			v, ok := q.value(i, 0)
			if !ok {
				return nil, nil, false
			}
			doc[key] = v
		}
		if i = skipSpace(raw, q.end); i >= len(raw) {
			return nil, nil, false
		}
		if raw[i] == ',' {
			if i = skipSpace(raw, i+1); i >= len(raw) || raw[i] != '"' {
				return nil, nil, false // a trailing comma
			}
		} else if raw[i] != '}' {
			return nil, nil, false
		}
	}
	if i >= len(raw) || skipSpace(raw, i+1) != len(raw) {
		return nil, nil, false
	}
	return doc, defs, true
}

// catalogue reads the catalogue at offset i straight into definitions: an
// object of rule IDs, each an object whose members are all strings named
// exactly as ruleDefinition's fields, with a known severity (anything
// else is encoding/json's to read); q.end is then the offset after it.
func (q *quickReader) catalogue(i int) (map[string]ruleDefinition, bool) {
	data := q.data
	defs := map[string]ruleDefinition{}
	members := func(i int, member func(key string, at int) bool) bool {
		if i >= len(data) || data[i] != '{' {
			return false
		}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == '}' {
			q.end = i + 1
			return true
		}
		for {
			if i >= len(data) || data[i] != '"' {
				return false
			}
			key, ok := q.str(i + 1)
			if !ok {
				return false
			}
			if i = skipSpace(data, q.end); i >= len(data) || data[i] != ':' {
				return false
			}
			if !member(key, skipSpace(data, i+1)) {
				return false
			}
			if i = skipSpace(data, q.end); i >= len(data) {
				return false
			}
			switch data[i] {
			case ',':
				i = skipSpace(data, i+1)
			case '}':
				q.end = i + 1
				return true
			default:
				return false
			}
		}
	}
	ok := members(i, func(id string, at int) bool {
		var d ruleDefinition
		ok := members(at, func(field string, at int) bool {
			if at >= len(data) || data[at] != '"' {
				return false
			}
			v, ok := q.str(at + 1)
			if !ok {
				return false
			}
			switch field {
			case "severity":
				sev, err := ParseSeverity(v)
				d.Severity = sev
				return err == nil
			case "aspect":
				d.Aspect = v
			case "check":
				d.Check = v
			case "summary":
				d.Summary = v
			case "doc":
				d.Doc = v
			case "source":
				d.Source = v
			default:
				return false
			}
			return true
		})
		defs[id] = d
		return ok
	})
	return defs, ok
}

// quickReader decodes JSON text into encoding/json's generic values
// (numbers as json.Number).
type quickReader struct {
	data []byte
	end  int // the offset after the value value last read
	buf  []byte
}

// value reads the value at offset i; q.end is then the offset after it.
func (q *quickReader) value(i, depth int) (any, bool) {
	data := q.data
	if i >= len(data) || depth > quickDepth {
		return nil, false
	}
	switch c := data[i]; {
	case c == '{':
		m := map[string]any{}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == '}' {
			q.end = i + 1
			return m, true
		}
		for {
			if i >= len(data) || data[i] != '"' {
				return nil, false
			}
			key, ok := q.str(i + 1)
			if !ok {
				return nil, false
			}
			i = skipSpace(data, q.end)
			if i >= len(data) || data[i] != ':' {
				return nil, false
			}
			v, ok := q.value(skipSpace(data, i+1), depth+1)
			if !ok {
				return nil, false
			}
			m[key] = v
			i = skipSpace(data, q.end)
			if i >= len(data) {
				return nil, false
			}
			switch data[i] {
			case ',':
				i = skipSpace(data, i+1)
			case '}':
				q.end = i + 1
				return m, true
			default:
				return nil, false
			}
		}
	case c == '[':
		a := []any{}
		i = skipSpace(data, i+1)
		if i < len(data) && data[i] == ']' {
			q.end = i + 1
			return a, true
		}
		for {
			v, ok := q.value(i, depth+1)
			if !ok {
				return nil, false
			}
			a = append(a, v)
			i = skipSpace(data, q.end)
			if i >= len(data) {
				return nil, false
			}
			switch data[i] {
			case ',':
				i = skipSpace(data, i+1)
			case ']':
				q.end = i + 1
				return a, true
			default:
				return nil, false
			}
		}
	case c == '"':
		return q.str(i + 1)
	case c == 't' && hasLiteral(data, i, "true"):
		q.end = i + 4
		return true, true
	case c == 'f' && hasLiteral(data, i, "false"):
		q.end = i + 5
		return false, true
	case c == 'n' && hasLiteral(data, i, "null"):
		q.end = i + 4
		return nil, true
	case c == '-' || c >= '0' && c <= '9':
		end, ok := scanNumber(data, i)
		if !ok {
			return nil, false
		}
		q.end = end
		return json.Number(data[i:end]), true
	}
	return nil, false
}

// str reads a string body from i (after the opening quote); q.end is then
// the offset after the closing quote.
func (q *quickReader) str(i int) (string, bool) {
	end, escaped, ok := scanString(q.data, i)
	if !ok {
		return "", false
	}
	q.end = end + 1
	if !escaped {
		return string(q.data[i:end]), true
	}
	// scanString checked every escape, and that none is of a surrogate.
	b := q.buf[:0]
	for j := i; j < end; {
		c := q.data[j]
		if c != '\\' {
			b = append(b, c)
			j++
			continue
		}
		switch e := q.data[j+1]; e {
		case 'u':
			var r rune
			for _, h := range q.data[j+2 : j+6] {
				switch {
				case h >= '0' && h <= '9':
					r = r<<4 | rune(h-'0')
				case h >= 'a' && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				default:
					r = r<<4 | rune(h-'A'+10)
				}
			}
			b = utf8.AppendRune(b, r)
			j += 6
			continue
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		default: // '"', '\\', '/'
			b = append(b, e)
		}
		j += 2
	}
	q.buf = b
	return string(b), true
}

// scanNumber scans a number of RFC 8259's grammar from i and returns the
// offset after it.
func scanNumber(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	switch n := digits(); {
	case n == 0, n > 1 && data[start] == '0':
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			return 0, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	return i, true
}
