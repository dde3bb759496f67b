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
	doc, defs, _, ok = quickParseWith(raw, false)
	return doc, defs, ok
}

// quickParseDeferred is quickParse but for the catalogue, which it skips:
// at is where the catalogue's text is in raw (raw[at[0]:at[1]], what
// ReadCatalogue reads), or nil if the file has none.
func quickParseDeferred(raw []byte) (doc map[string]any, at []int, ok bool) {
	doc, _, at, ok = quickParseWith(raw, true)
	return doc, at, ok
}

// quickParseWith is quickParse, or with deferCatalogue quickParseDeferred:
// defs when the catalogue is read, span when it is skipped.
func quickParseWith(raw []byte, deferCatalogue bool) (doc map[string]any, defs map[string]ruleDefinition, span []int, ok bool) {
	q := quickReader{data: raw}
	doc = map[string]any{}
	ok = q.members(skipSpace(raw, 0), func(key string, at int) bool {
		if key != catalogueKey {
			v, ok := q.value(at, 0)
			doc[key] = v
			return ok
		}
		if defs != nil || span != nil { // a second catalogue: encoding/json merges them
			return false
		}
		if deferCatalogue {
			end, ok := skipObject(raw, at)
			q.end, span = end, []int{at, end}
			return ok
		}
		defs, ok = q.catalogue(at)
		return ok
	})
	if !ok || skipSpace(raw, q.end) != len(raw) {
		return nil, nil, nil, false
	}
	return doc, defs, span, true
}

// skipObject returns the offset after the object at offset i, found by
// its braces and brackets alone (its strings scanned, so that a brace in
// one does not count): what the object holds is read, and checked, when
// it is parsed.
func skipObject(data []byte, i int) (int, bool) {
	if i >= len(data) || data[i] != '{' {
		return 0, false
	}
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			end, _, ok := scanString(data, i+1)
			if !ok {
				return 0, false
			}
			i = end
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// quickCatalogue parses raw, the text of a catalogue alone, as
// encoding/json would into definitions, or reports false.
func quickCatalogue(raw []byte) (map[string]ruleDefinition, bool) {
	q := quickReader{data: raw}
	defs, ok := q.catalogue(skipSpace(raw, 0))
	return defs, ok && skipSpace(raw, q.end) == len(raw)
}

// catalogue reads the catalogue at offset i straight into definitions, its
// texts held once (text): an object of rule IDs, each an object whose
// members are all strings named exactly as ruleDefinition's fields, with a
// known severity (anything else is encoding/json's to read); q.end is then
// the offset after it.
func (q *quickReader) catalogue(i int) (map[string]ruleDefinition, bool) {
	data := q.data
	if q.texts == nil {
		q.texts = map[string]string{}
	}
	defs := map[string]ruleDefinition{}
	ok := q.members(i, func(id string, at int) bool {
		var d ruleDefinition
		ok := q.members(at, func(field string, at int) bool {
			if at >= len(data) || data[at] != '"' {
				return false
			}
			v, ok := q.text(at + 1)
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
	end  int // the offset after the value last read
	buf  []byte
	// texts are the catalogue's texts read so far, each held once: each
	// of a field's rules cites the field's doc.
	texts map[string]string
}

// text is str for a text of the catalogue: one read before is not
// allocated again.
func (q *quickReader) text(i int) (string, bool) {
	end, escaped, ok := scanString(q.data, i)
	if !ok {
		return "", false
	}
	if escaped {
		s, ok := q.str(i)
		if v, seen := q.texts[s]; seen {
			return v, ok
		}
		q.texts[s] = s
		return s, ok
	}
	q.end = end + 1
	if v, seen := q.texts[string(q.data[i:end])]; seen {
		return v, true
	}
	s := string(q.data[i:end])
	q.texts[s] = s
	return s, true
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
		ok := q.members(i, func(key string, at int) bool {
			v, ok := q.value(at, depth+1)
			m[key] = v
			return ok
		})
		return m, ok
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
			var done bool
			if i, done, ok = q.after(']'); !ok || done {
				return a, ok
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

// members reads the object at offset i, calling member with each name
// and the offset of its value, which member reads; q.end is then the
// offset after the object.
func (q *quickReader) members(i int, member func(key string, at int) bool) bool {
	data := q.data
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
		var done bool
		if i, done, ok = q.after('}'); !ok || done {
			return ok
		}
	}
}

// after reads what follows a member or an element that ends at q.end: a
// comma, and i is then the offset of the next, or closing, and q.end is
// then the offset after it.
func (q *quickReader) after(closing byte) (i int, done, ok bool) {
	i = skipSpace(q.data, q.end)
	switch {
	case i >= len(q.data):
		return 0, false, false
	case q.data[i] == ',':
		return skipSpace(q.data, i+1), false, true
	case q.data[i] == closing:
		q.end = i + 1
		return 0, true, true
	}
	return 0, false, false
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
			r, _ := hex4(q.data[j+2 : j+6])
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
