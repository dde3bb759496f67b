package pointer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// A message names a place by its pointer and the value found there by
// Describe: "/amount_paid: is 2000 but status is \"open\"". Every message of
// the module that shows a JSON value writes it here, so a value reads the
// same in validate, request, replay and SDK reports.

// shortest is how many characters of a value a message shows: a longer
// string is cut, a longer array or object is summarised.
const shortest = 60

// Describe writes a decoded JSON value (as encoding/json decodes into any,
// numbers as json.Number or float64) briefly for a message: null, true, a
// number as written, a string quoted and cut at 60 characters ("…"); an
// array or object as compact JSON when that is at most 60 characters, else
// an array by its length ("an array of 12 items") and an object by the
// "object" it says it is (`an object with object "invoice"`) or by its size
// ("an object with 8 fields").
func Describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return abbreviate(string(v))
	case float64:
		return abbreviate(strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		return strconv.Quote(abbreviate(v))
	case []any:
		if s, ok := compact(v); ok {
			return s
		}
		return fmt.Sprintf("an array of %d %s", len(v), plural(len(v), "item"))
	case map[string]any:
		if s, ok := compact(v); ok {
			return s
		}
		if o, ok := v["object"].(string); ok {
			return fmt.Sprintf("an object with object %s", strconv.Quote(abbreviate(o)))
		}
		return fmt.Sprintf("an object with %d %s", len(v), plural(len(v), "field"))
	}
	return abbreviate(fmt.Sprint(v))
}

// DescribeTyped is Describe with the JSON type added where the value alone
// would not show it: "2000", a string is not 2000, a number.
func DescribeTyped(v any) string {
	switch v.(type) {
	case string:
		return Describe(v) + ", a string"
	case json.Number, float64:
		return Describe(v) + ", a number"
	case bool:
		return Describe(v) + ", a boolean"
	}
	return Describe(v)
}

// compact is v as compact JSON, if that is short enough to show.
func compact(v any) (string, bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", false
	}
	s := string(bytes.TrimRight(buf.Bytes(), "\n"))
	return s, utf8.RuneCountInString(s) <= shortest
}

func abbreviate(s string) string {
	if utf8.RuneCountInString(s) <= shortest {
		return s
	}
	r := []rune(s)
	return string(r[:shortest]) + "…"
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
