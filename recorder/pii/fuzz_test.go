package pii_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/recorder/pii"
)

// FuzzMaskJSON: whatever the document, MaskJSON never panics, and for
// valid JSON it returns valid JSON of the same shape, with no email left in
// any string, that masking again leaves as it is. Seeds are in
// testdata/fuzz/FuzzMaskJSON (go test -fuzz=FuzzMaskJSON); crashers land
// there too and run on every go test.
func FuzzMaskJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc string) {
		out, ok := pii.MaskJSON(doc)
		inShape, _, err := document(doc)
		if err != nil || !json.Valid([]byte(doc)) {
			if ok || out != doc {
				t.Fatalf("not JSON, yet masked:\n%q\n%q", doc, out)
			}
			return
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("invalid JSON out:\n%q\n%q", doc, out)
		}
		outShape, leaves, err := document(out)
		if err != nil {
			t.Fatalf("%v:\n%q", err, out)
		}
		if outShape != inShape {
			t.Fatalf("the shape changed:\n%s\n%s", inShape, outShape)
		}
		if ok != (out != doc) {
			t.Fatalf("ok is %v, but the document changed: %v", ok, out != doc)
		}
		for _, l := range leaves {
			if e := anyEmail.FindString(l.Value); l.String && e != "" {
				t.Fatalf("email %q left at %s:\n%q\n%q", e, l.Pointer, doc, out)
			}
		}
		if again, changed := pii.MaskJSON(out); changed || again != out {
			t.Fatalf("masking twice masked more:\n%q\n%q", out, again)
		}
	})
}

// FuzzMaskForm: whatever the form, MaskForm never panics, keeps its keys
// and their order byte for byte, leaves no email in any value that
// decodes, keeps a decodable form decodable, and masking again leaves it
// as it is. Seeds are in testdata/fuzz/FuzzMaskForm.
func FuzzMaskForm(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		out, ok := pii.MaskForm(raw)
		if ok != (out != raw) {
			t.Fatalf("ok is %v, but the form changed: %v", ok, out != raw)
		}
		if _, err := url.ParseQuery(raw); err == nil {
			if _, err := url.ParseQuery(out); err != nil {
				t.Fatalf("a decodable form no longer decodes (%v):\n%q\n%q", err, raw, out)
			}
		}
		in, got := strings.Split(raw, "&"), strings.Split(out, "&")
		if len(in) != len(got) {
			t.Fatalf("parts changed:\n%q\n%q", raw, out)
		}
		for i := range got {
			k, v, _ := strings.Cut(got[i], "=")
			if ik, _, _ := strings.Cut(in[i], "="); ik != k {
				t.Fatalf("key %q became %q", ik, k)
			}
			if dec, err := url.QueryUnescape(v); err == nil {
				if e := anyEmail.FindString(dec); e != "" {
					t.Fatalf("email %q left in %q:\n%q\n%q", e, k, raw, out)
				}
			}
		}
		if again, changed := pii.MaskForm(out); changed || again != out {
			t.Fatalf("masking twice masked more:\n%q\n%q", out, again)
		}
	})
}

// FuzzMaskText: whatever the text, MaskText never panics, leaves no email,
// keeps text with no @, %40 or digit byte for byte, and masking again
// leaves it as it is. Seeds are in testdata/fuzz/FuzzMaskText.
func FuzzMaskText(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		out := pii.MaskText(s)
		if e := anyEmail.FindString(out); e != "" {
			t.Fatalf("email %q left:\n%q\n%q", e, s, out)
		}
		if !strings.ContainsAny(s, "@0123456789") && !strings.Contains(s, "%40") && out != s {
			t.Fatalf("nothing to mask, yet changed:\n%q\n%q", s, out)
		}
		if again := pii.MaskText(out); again != out {
			t.Fatalf("masking twice masked more:\n%q\n%q\n%q", s, out, again)
		}
	})
}
