package validators_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
)

// FuzzValidate feeds the validator arbitrary bytes, starting from the
// bundled examples and known bad inputs (go test -fuzz=FuzzValidate). Crashers
// land in testdata/fuzz/FuzzValidate and run on every go test.
func FuzzValidate(f *testing.F) {
	v, err := validators.New()
	if err != nil {
		f.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join("..", "schemas", "examples", "*.json"))
	for _, path := range examples {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"object":"invoice_payment","amount_paid":NaN}`, `{"a":1,"a":2}`, "{\"id\":\"\xff\"}", `[[[[[[]]]]]]`,
		`{"object":"event","type":"invoice_payment.paid","data":{"object":{"object":"invoice_payment"}}}`,
		`{"object":"list","data":[1,"x",null,{}],"has_more":true,"url":""}`, `{"error":{}}`, `{"object":"invoice","payments":7}`,
		`{"object":"invoice_payment","amount_requested":2000.0,"created":1e400}`, `{"object":"invoice_payment","x y/~":{}}`,
	} {
		f.Add([]byte(s))
	}
	for _, body := range flowBodies(f) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		res := v.Validate(doc)
		if again := v.Validate(doc); !reflect.DeepEqual(res, again) {
			t.Fatalf("two runs disagree:\n%v\n%v", res, again)
		}
		syntax := false
		for _, viol := range res.Violations {
			if viol.Rule == validators.RuleInternal || viol.Rule == validators.RuleSchemaKeyword {
				t.Fatalf("internal failure: %v", viol)
			}
			if _, ok := v.Rule(viol.Rule); !ok {
				t.Fatalf("violation of an unknown rule: %v", viol)
			}
			if viol.Pointer != "" && !strings.HasPrefix(viol.Pointer, "/") {
				t.Fatalf("not a JSON pointer: %q", viol.Pointer)
			}
			if viol.Message == "" || viol.Severity < validators.Error || viol.Severity > validators.Notice {
				t.Fatalf("incomplete violation: %#v", viol)
			}
			if strings.HasPrefix(viol.Rule, "json.") && viol.Rule != validators.RuleIntegerForm {
				syntax = true
			}
			_ = validators.LineOf(doc, viol.Pointer) // must not panic
		}
		if res.Kind == validators.KindUnknown && len(res.Violations) != 1 {
			t.Fatalf("an unknown document has one violation saying why, got %v", res.Violations)
		}
		// Differential: what encoding/json rejects, we reject as JSON.
		if !json.Valid(doc) && !syntax {
			t.Fatalf("encoding/json rejects the document but the validator found no JSON problem: %v", res.Violations)
		}
		// What encoding/json accepts, we reject only for what it lets
		// through: invalid UTF-8, duplicate keys, lone surrogates, depth.
		if json.Valid(doc) && syntax {
			for _, viol := range res.Violations {
				if viol.Rule == validators.RuleSyntax && !bytes.Contains(doc, []byte(`\u`)) {
					t.Fatalf("encoding/json accepts the document but the validator calls it malformed: %v", viol)
				}
			}
		}
	})
}
