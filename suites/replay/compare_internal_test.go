package replay

import (
	"testing"
)

// TestCompareBodiesDescribesValues pins how deviations show values: as
// every message of the module does (pointer.Describe), with the JSON type
// where the value alone would not show it.
func TestCompareBodiesDescribesValues(t *testing.T) {
	want, err := decodeJSON([]byte(`{"amount": 5, "status": "open", "lines": [1, 2], "gone": "x", "nulled": "y"}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeJSON([]byte(`{"amount": "5", "status": "paid", "lines": {"a": 1}, "nulled": null, "new": true}`))
	if err != nil {
		t.Fatal(err)
	}
	wantMessages := map[string]string{
		"/amount": `is "5", a string, recorded 5, a number`,
		"/status": `is "paid", recorded "open"`,
		"/lines":  `is {"a":1}, recorded [1,2]`,
		"/gone":   `is missing; recorded "x"`,
		"/nulled": `is null, recorded "y"`,
		"/new":    `is true, and the recording has no such field`,
	}
	findings := compareBodies("", want, got)
	if len(findings) != len(wantMessages) {
		t.Errorf("%d findings, want %d: %+v", len(findings), len(wantMessages), findings)
	}
	for _, f := range findings {
		if w, ok := wantMessages[f.pointer]; !ok || f.message != w {
			t.Errorf("%s: %q, want %q", f.pointer, f.message, w)
		}
	}
}
