package validators

import (
	"encoding/json"
	"reflect"
	"testing"
)

// quickParse reads every embedded file exactly as encoding/json does, and
// gives up, rather than differ, on what it does not read.
func TestQuickParseIsEncodingJSON(t *testing.T) {
	if RaceDetector {
		t.Skip("a single-threaded check of every file of every version: run without -race (go test ./validators; CI does)")
	}
	eachEmbeddedFile(t, func(version, name string, raw []byte) {
		doc, defs, ok := quickParse(raw)
		if !ok {
			t.Errorf("%s/%s: quickParse gave up", version, name)
			return
		}
		wantDoc, wantDefs, err := decodeSchemaFile(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(doc, wantDoc) || !reflect.DeepEqual(defs, wantDefs) {
			t.Errorf("%s/%s: quickParse and encoding/json differ", version, name)
		}
	})
	// A catalogue alone, as the request contract's is read (ReadCatalogue).
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{` {"r.a":{"severity":"notice","doc":"d\u00e9"},"r.b":{}} `, true},
		{`{"r.a":{"severity":"notice"}} x`, false},
		{`{"r.a":{"severity":"fatal"}}`, false},
	} {
		defs, ok := quickCatalogue([]byte(tc.text))
		want := map[string]ruleDefinition{}
		err := json.Unmarshal([]byte(tc.text), &want)
		if ok != tc.ok || ok && (err != nil || !reflect.DeepEqual(defs, want)) {
			t.Errorf("%s: quickCatalogue %v %v, encoding/json %v (%v)", tc.text, defs, ok, want, err)
		}
	}
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{`{"a":"x\n\"\\\/\u00e9\u4e2d\t\b\f\r","b":[1,-2.5e+3,0,1E2,true,false,null,{}],"c":{"d":[]}}`, true},
		{`{"description":"Caf\u00e9 \u2014 \"quoted\"","x-rule-definitions":{"r.a":{"severity":"warning","aspect":"enum","check":"schema","summary":"s","doc":"d\n","source":"#/x"}}}`, true},
		{` {"a" : [ 1 , 2 ] } `, true},
		{`{"a":"\ud83d\ude00"}`, false},                              // a surrogate pair: encoding/json's to read
		{`{"x-rule-definitions":{"r":{"severity":"fatal"}}}`, false}, // its error is encoding/json's
		{`{"x-rule-definitions":{"r":{"Summary":"s"}}}`, false},      // encoding/json matches names without case
		{`{"x-rule-definitions":{"r":{"summary":null}}}`, false},     // and skips nulls
		{`{"a":01}`, false}, {`{"a":1.}`, false}, {`{"a":-}`, false}, // not JSON
		{`{"a":1 "b":2}`, false}, {`{"a":[1 2]}`, false}, {`{"a":{"b":1 "c":2}}`, false},
		{`{"x-rule-definitions":{}}`, true},
		{`{"x-rule-definitions":{"r":{"doc":"a" "summary":"b"}}}`, false}, {`{"x-rule-definitions":{"r":[]}}`, false},
		{`{"x-rule-definitions":{"r":{}},"x-rule-definitions":{"s":{}}}`, false}, // encoding/json merges the two
		{`{"a":1}x`, false}, {`{"a":1,}`, false}, {`[1]`, false}, {`{`, false}, // not JSON, or not an object
	} {
		doc, defs, ok := quickParse([]byte(tc.text))
		if ok != tc.ok {
			t.Errorf("%s: quickParse ok %v, want %v", tc.text, ok, tc.ok)
			continue
		}
		wantDoc, wantDefs, err := decodeSchemaFile([]byte(tc.text))
		if ok && (err != nil || !reflect.DeepEqual(doc, wantDoc) || !reflect.DeepEqual(defs, wantDefs)) {
			t.Errorf("%s: quickParse %v %v, encoding/json %v %v (%v)", tc.text, doc, defs, wantDoc, wantDefs, err)
		}
	}
}
