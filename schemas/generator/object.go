package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// object is a JSON object that keeps its keys in insertion order, so the
// generated files read top-down ($schema, $id, title, ..., $defs) and diff
// cleanly between generations.
type object struct {
	keys []string
	vals map[string]any
	// byLine names members whose own members render one per line, compact
	// (render): the request file's operations, subschemas and rules, which
	// indented would be a quarter larger and diff no better.
	byLine []string
}

func newObject() *object { return &object{vals: map[string]any{}} }

// set adds or replaces key; a new key goes last.
func (o *object) set(key string, v any) *object {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
	return o
}

// moveLast moves key to the end, where annotations read best.
func (o *object) moveLast(key string) {
	i := slices.Index(o.keys, key)
	if i < 0 {
		return
	}
	o.keys = append(slices.Delete(o.keys, i, i+1), key)
}

func (o *object) get(key string) (any, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// MarshalJSON writes the members in insertion order.
func (o *object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshal encodes v without HTML escaping: descriptions quote code with
// backticks and angle brackets that should stay readable in the files.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// renderByLine marks members of o whose own members render one per line.
func (o *object) renderByLine(keys ...string) *object {
	o.byLine = append(o.byLine, keys...)
	return o
}

// render writes a schema file: two-space indentation and a final newline;
// the members of a member marked renderByLine each on a line of its own.
func render(o *object) ([]byte, error) {
	if len(o.byLine) > 0 {
		return renderLines(o)
	}
	raw, err := marshal(o)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// renderLines writes o with two-space indentation, except that each member
// of a member named in byLine (an object or an array) is one compact line.
func renderLines(o *object) ([]byte, error) {
	var out bytes.Buffer
	out.WriteString("{\n")
	for i, k := range o.keys {
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		out.WriteString("  ")
		out.Write(kb)
		out.WriteString(": ")
		v := o.vals[k]
		switch {
		case !slices.Contains(o.byLine, k):
			raw, err := marshal(v)
			if err != nil {
				return nil, err
			}
			if err := json.Indent(&out, raw, "  ", "  "); err != nil {
				return nil, err
			}
		default:
			if err := writeLines(&out, v); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
		if i < len(o.keys)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.WriteString("}\n")
	return out.Bytes(), nil
}

// writeLines writes an object's or an array's members one per line.
func writeLines(out *bytes.Buffer, v any) error {
	var lines [][]byte
	open, closing := "{", "}"
	switch v := v.(type) {
	case *object:
		for _, k := range v.keys {
			kb, err := marshal(k)
			if err != nil {
				return err
			}
			vb, err := marshal(v.vals[k])
			if err != nil {
				return err
			}
			lines = append(lines, append(append(kb, ':', ' '), vb...))
		}
	case []any:
		open, closing = "[", "]"
		for _, e := range v {
			b, err := marshal(e)
			if err != nil {
				return err
			}
			lines = append(lines, b)
		}
	default:
		return fmt.Errorf("renders by line, but is neither an object nor an array")
	}
	if len(lines) == 0 {
		out.WriteString(open + closing)
		return nil
	}
	out.WriteString(open + "\n")
	for i, l := range lines {
		out.WriteString("    ")
		out.Write(l)
		if i < len(lines)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.WriteString("  " + closing)
	return nil
}
