package generator

import "testing"

func TestCheckInfoVersion(t *testing.T) {
	for _, c := range []struct {
		spec, want, err string
	}{
		{`{"info":{"version":"2025-09-30.clover"}}`, "2025-09-30.clover", ""},
		{`{"info":{"version":"2025-09-30.preview; a_beta=v1"}}`, "2025-09-30.preview", ""},
		{`{"info":{"version":"2025-09-30.clover"}}`, "2026-08-26.dahlia", `spec3.json: info.version is "2025-09-30.clover", want "2026-08-26.dahlia"`},
		{`{"info":{"version":"2025-09-30.previews"}}`, "2025-09-30.preview", `spec3.json: info.version is "2025-09-30.previews", want "2025-09-30.preview"`},
		{`{"info":{}}`, "2025-09-30.clover", "spec3.json: info.version (the Stripe API version) is empty"},
		{`{"info":`, "2025-09-30.clover", "spec3.json: parse OpenAPI spec: unexpected end of JSON input"},
	} {
		err := checkInfoVersion([]byte(c.spec), "spec3.json", c.want)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("checkInfoVersion(%s, %q) = %q, want %q", c.spec, c.want, got, c.err)
		}
	}
}

func TestPreviewVersion(t *testing.T) {
	if got := previewVersion("2025-05-28.basil"); got != "2025-05-28.preview" {
		t.Errorf("previewVersion = %q", got)
	}
}
