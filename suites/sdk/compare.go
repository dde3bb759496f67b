package sdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	jsonpointer "github.com/stripe-contract/stripe-contract/validators/pointer"
)

// Kind is a way an SDK's decoding loses or changes what the API sent.
type Kind string

// The kinds of loss Compare reports.
const (
	// NullAsZero: a JSON null decoded into a field that cannot be nil (an
	// int64, a string, a bool, a struct value): it reads as 0, "" or false,
	// the same as a real zero.
	NullAsZero Kind = "sdk.null-as-zero"
	// AbsentAsZero: a member the SDK's type declares as always present
	// (its json tag has no omitempty) was absent; the field reads as its
	// zero value, the same as null or 0.
	AbsentAsZero Kind = "sdk.absent-as-zero"
	// NoField: a JSON member the SDK's type has no field for; decoding
	// drops it.
	NoField Kind = "sdk.no-field"
	// ValueChanged: the decoded value differs from the recorded one (a
	// number rounded, an expanded object reduced to its ID, a list cut
	// short, a string where an object was).
	ValueChanged Kind = "sdk.value-changed"
)

// Kinds lists every Kind, in the order the README explains them, in a
// fresh slice.
func Kinds() []Kind { return []Kind{NullAsZero, AbsentAsZero, NoField, ValueChanged} }

// Loss is one place where what an SDK decoded does not say what the
// recorded JSON said.
type Loss struct {
	Kind Kind
	// Where names the place in the SDK's types, from the decoded value's
	// type: "InvoicePayment.StatusTransitions.PaidAt"; a member without a
	// field by its JSON name, `InvoicePaymentList["object"]`. Elements of a
	// list's Data start again from their own type ("InvoicePayment.AmountPaid"),
	// so a list's items are named as retrieved ones are; other slice
	// elements are "Field[]".
	Where string
	// Pointer is the RFC 6901 pointer of the value in the recorded JSON.
	Pointer string
	// Recorded is the recorded JSON value, compacted.
	Recorded string
	// Decoded is what the SDK holds there, as Go prints it ("" for NoField).
	Decoded string
}

// String is the loss in a line: "sdk.null-as-zero: InvoicePayment.AmountPaid
// at /amount_paid: recorded null, decoded 0".
func (l Loss) String() string {
	if l.Kind == NoField {
		return fmt.Sprintf("%s: %s at %s: recorded %s, no field to hold it", l.Kind, l.Where, l.Pointer, l.Recorded)
	}
	return fmt.Sprintf("%s: %s at %s: recorded %s, decoded %s", l.Kind, l.Where, l.Pointer, l.Recorded, l.Decoded)
}

// Compare walks the recorded JSON and the value an SDK decoded from it
// side by side, matching object members to struct fields by their json
// tags as encoding/json does (embedded structs promoted, names matched
// exactly, then case-insensitively), and returns every Loss, in the order
// of the JSON (members sorted by name). decoded is a pointer to the SDK's
// struct (stripe-go's *stripe.InvoicePayment) or any value of that shape.
// A recorded body that is not JSON is an error.
func Compare(recorded []byte, decoded any) ([]Loss, error) {
	dec := json.NewDecoder(bytes.NewReader(recorded))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("recorded body: %w", err)
	}
	v := reflect.ValueOf(decoded)
	c := &comparer{}
	c.walk(doc, v, typeName(v.Type()), "")
	return c.losses, nil
}

type comparer struct{ losses []Loss }

func (c *comparer) add(k Kind, where, pointer string, recorded any, decoded reflect.Value) {
	l := Loss{Kind: k, Where: where, Pointer: pointer, Recorded: jsonpointer.Describe(recorded)}
	if k != NoField {
		l.Decoded = show(decoded)
	}
	c.losses = append(c.losses, l)
}

// walk compares the JSON value j with the Go value v at where/pointer.
func (c *comparer) walk(j any, v reflect.Value, where, pointer string) {
	if !v.IsValid() {
		if j != nil {
			c.add(ValueChanged, where, pointer, j, v)
		}
		return
	}
	// Through pointers and interfaces to the value they hold.
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			if j != nil {
				c.add(ValueChanged, where, pointer, j, v)
			}
			return
		}
		if v.Kind() == reflect.Interface {
			c.walkDynamic(j, v.Elem(), where, pointer)
			return
		}
		v = v.Elem()
	}
	if j == nil {
		switch v.Kind() {
		case reflect.Slice, reflect.Map:
			if !v.IsNil() {
				c.add(ValueChanged, where, pointer, j, v)
			}
		default:
			// A pointer would have been nil: this field cannot say null.
			c.add(NullAsZero, where, pointer, j, v)
		}
		return
	}
	switch jv := j.(type) {
	case map[string]any:
		switch v.Kind() {
		case reflect.Struct:
			c.walkStruct(jv, v, where, pointer)
		case reflect.Map:
			for _, k := range slices.Sorted(maps.Keys(jv)) {
				mv := v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key()))
				c.walk(jv[k], mv, where+"["+strconv.Quote(k)+"]", pointer+"/"+jsonpointer.Escape(k))
			}
			if v.Len() != len(jv) {
				c.add(ValueChanged, where, pointer, j, v)
			}
		default:
			// An expanded object held as a string (its ID) or a number.
			c.add(ValueChanged, where, pointer, j, v)
		}
	case []any:
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			c.add(ValueChanged, where, pointer, j, v)
			return
		}
		if v.Len() != len(jv) {
			c.add(ValueChanged, where, pointer, j, v)
			return
		}
		for i := range jv {
			c.walk(jv[i], v.Index(i), where+"[]", pointer+"/"+strconv.Itoa(i))
		}
	case string:
		switch v.Kind() {
		case reflect.String:
			if v.String() != jv {
				c.add(ValueChanged, where, pointer, j, v)
			}
		case reflect.Struct:
			// An expandable reference, not expanded: the SDK holds an object
			// with only its ID set.
			id := v.FieldByName("ID")
			if !id.IsValid() || id.Kind() != reflect.String || id.String() != jv {
				c.add(ValueChanged, where, pointer, j, v)
			}
		default:
			c.add(ValueChanged, where, pointer, j, v)
		}
	case json.Number:
		if !numberEqual(jv, v) {
			c.add(ValueChanged, where, pointer, j, v)
		}
	case bool:
		if v.Kind() != reflect.Bool || v.Bool() != jv {
			c.add(ValueChanged, where, pointer, j, v)
		}
	}
}

// walkDynamic compares a value held in an interface (map[string]any,
// []any, ...) by its JSON encoding: its shape is the JSON's own.
func (c *comparer) walkDynamic(j any, v reflect.Value, where, pointer string) {
	b, err := json.Marshal(v.Interface())
	if err != nil || compactBytes(b) != compact(j) {
		c.add(ValueChanged, where, pointer, j, v)
	}
}

func (c *comparer) walkStruct(obj map[string]any, v reflect.Value, where, pointer string) {
	fields := fieldsOf(v.Type())
	seen := make(map[int]bool, len(fields))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		i := lookup(fields, k)
		if i < 0 {
			c.add(NoField, where+"["+strconv.Quote(k)+"]", pointer+"/"+jsonpointer.Escape(k), obj[k], reflect.Value{})
			continue
		}
		seen[i] = true
		f := fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok {
			fv = reflect.Value{}
		}
		child, ptr := where+"."+f.goName, pointer+"/"+jsonpointer.Escape(k)
		if items, ok := obj[k].([]any); ok && isListData(v, f) && fv.Kind() == reflect.Slice && fv.Len() == len(items) {
			// The items of a list start again from their own type, so that
			// an item is named the same whether listed or retrieved.
			for i := range items {
				c.walk(items[i], fv.Index(i), typeName(f.typ.Elem()), ptr+"/"+strconv.Itoa(i))
			}
			continue
		}
		c.walk(obj[k], fv, child, ptr)
	}
	for i, f := range fields {
		if seen[i] || f.omitempty {
			continue
		}
		fv, ok := fieldByIndex(v, f.index)
		if ok && fv.IsZero() {
			c.losses = append(c.losses, Loss{Kind: AbsentAsZero, Where: where + "." + f.goName, Pointer: pointer + "/" + jsonpointer.Escape(f.name), Recorded: "(absent)", Decoded: show(fv)})
		}
	}
}

// isListData reports whether f is the Data of a list object: a struct
// with HasMore beside it (stripe-go's ListMeta).
func isListData(parent reflect.Value, f field) bool {
	return f.goName == "Data" && f.typ.Kind() == reflect.Slice && parent.FieldByName("HasMore").IsValid()
}

type field struct {
	name      string // the JSON name
	goName    string
	index     []int
	omitempty bool
	typ       reflect.Type
}

// fieldsOf lists a struct's JSON fields as encoding/json sees them:
// embedded structs without a tag name are promoted, "-" is skipped, and a
// shallower field hides a deeper one of the same name.
func fieldsOf(t reflect.Type) []field {
	var out []field
	names := map[string]int{}
	var visit func(t reflect.Type, index []int)
	type queued struct {
		t     reflect.Type
		index []int
	}
	var next []queued
	visit = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			ft := sf.Type
			if sf.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					next = append(next, queued{ft, idx})
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if _, dup := names[name]; dup {
				continue
			}
			names[name] = len(out)
			out = append(out, field{name: name, goName: sf.Name, index: idx, omitempty: strings.Contains(","+opts+",", ",omitempty,"), typ: sf.Type})
		}
	}
	visit(t, nil)
	for len(next) > 0 {
		level := next
		next = nil
		for _, q := range level {
			visit(q.t, q.index)
		}
	}
	return out
}

// lookup finds the field for a JSON member: its exact name, or else one
// that matches ignoring case, as encoding/json does.
func lookup(fields []field, key string) int {
	for i, f := range fields {
		if f.name == key {
			return i
		}
	}
	for i, f := range fields {
		if strings.EqualFold(f.name, key) {
			return i
		}
	}
	return -1
}

// fieldByIndex is v.FieldByIndex, without panicking on a nil embedded
// pointer (ok is then false).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for n, i := range index {
		if n > 0 {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(i)
	}
	return v, true
}

func numberEqual(n json.Number, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil && v.Int() == i
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(string(n), 10, 64)
		return err == nil && v.Uint() == u
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(string(n), 64)
		return err == nil && (v.Float() == f || (math.IsNaN(f) && math.IsNaN(v.Float())))
	}
	return false
}

func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

func compact(j any) string {
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Sprint(j)
	}
	return string(b)
}

func compactBytes(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

// show prints a decoded Go value briefly: strings, numbers and booleans as
// messages show JSON values (jsonpointer.Describe), a nil as nil, structs and
// collections by their Go type.
func show(v reflect.Value) string {
	if !v.IsValid() {
		return "nothing"
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "nil"
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return jsonpointer.Describe(v.String())
	case reflect.Bool:
		return jsonpointer.Describe(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return jsonpointer.Describe(json.Number(fmt.Sprint(v.Interface())))
	case reflect.Struct:
		if id := v.FieldByName("ID"); id.IsValid() && id.Kind() == reflect.String && id.String() != "" {
			return fmt.Sprintf("%s{ID: %q, ...}", v.Type().Name(), id.String())
		}
		if v.IsZero() {
			return v.Type().Name() + "{}"
		}
		return v.Type().Name() + "{...}"
	case reflect.Slice, reflect.Map:
		if v.IsNil() {
			return "nil"
		}
		return fmt.Sprintf("%s (%d)", v.Type(), v.Len())
	}
	return fmt.Sprint(v.Interface())
}
