package secret_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

func TestWriterRedactsEachLineBeforeItIsWritten(t *testing.T) {
	var out strings.Builder
	w := secret.NewWriter(&out, secret.NewScanner("opaque-credential-1"))
	key := "sk_test_" + strings.Repeat("Ab9", 8)
	// A key split across writes is whole by the time its line is.
	w.Write([]byte("fault: GET /v1/x?k=" + key[:10]))
	if out.Len() != 0 {
		t.Fatalf("a line without its newline was written: %q", out.String())
	}
	w.Write([]byte(key[10:] + " (percent: " + strings.ReplaceAll(key, "_", "%5F") + ")\nsent opaque-credential-1\ntail " + key))
	if strings.Contains(out.String(), "tail") {
		t.Fatalf("the last line was written before Flush: %q", out.String())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, leak := range []string{key[8:], "opaque-credential-1", "Ab9Ab9"} {
		if strings.Contains(got, leak) {
			t.Errorf("output holds %q: %q", leak, got)
		}
	}
	if want := "fault: GET /v1/x?k=[REDACTED] (percent: [REDACTED])\nsent [REDACTED]\ntail [REDACTED]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWriterIsSafeForConcurrentLines(t *testing.T) {
	var out strings.Builder
	w := secret.NewWriter(&out, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				w.Write([]byte("line whsec_abcdefghijklmnop\n"))
			}
		})
	}
	wg.Wait()
	if n := strings.Count(out.String(), "line [REDACTED]\n"); n != 800 {
		t.Fatalf("%d whole redacted lines, want 800", n)
	}
}
