package secret_test

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Scan and Redact stay linear on input built to make them work: nested
// escapes, runs of one byte, signatures everywhere, thousands of secrets.
func TestScanIsBoundedOnAdversarialInput(t *testing.T) {
	if testing.Short() {
		t.Skip("256 KiB inputs")
	}
	const size = 256 << 10
	r := rand.New(rand.NewPCG(1, 2))
	rnd := make([]byte, size)
	for i := range rnd {
		rnd[i] = byte(r.Uint32())
	}
	nested := "sk_" + "live_abc"
	for range 5 {
		nested = percentEncode(nested)
	}
	inputs := map[string][]byte{
		"random":    rnd,
		"base64":    []byte(base64.StdEncoding.EncodeToString(rnd[:size*3/4])),
		"A":         bytes.Repeat([]byte("A"), size),
		"pct":       bytes.Repeat([]byte("%25"), size/4),
		"json":      bytes.Repeat([]byte(`\u005c`), size/6),
		"amp":       []byte("&" + strings.Repeat("amp;", size/4)),
		"keys":      bytes.Repeat([]byte("sk_live_x "), size/8),
		"utf16":     bytes.Repeat([]byte("s\x00k\x00_\x00"), size/8),
		"qp":        bytes.Repeat([]byte("=3D"), size/4),
		"nested":    bytes.Repeat([]byte(nested+" "), size/len(nested)),
		"mixed":     bytes.Repeat([]byte(`%5Cu0025&#x25;=25 `), size/16),
		"zlibmagic": bytes.Repeat([]byte("x\x9c"), size/2),
		"hex":       bytes.Repeat([]byte("0123456789abcdef"), size/16),
		"b64lines":  []byte(wrap(base64.StdEncoding.EncodeToString(rnd[:size*3/4]), 76, "\r\n")),
	}
	for name, in := range inputs {
		start := time.Now()
		fs := secret.Scan(in)
		d := time.Since(start)
		start = time.Now()
		secret.Redact(string(in))
		d2 := time.Since(start)
		t.Logf("%-10s %8d bytes: Scan %v (%d findings), Redact %v", name, len(in), d, len(fs), d2)
		if d > 10*time.Second || d2 > 10*time.Second {
			t.Errorf("%s: Scan took %v and Redact %v on %d bytes", name, d, d2, len(in))
		}
	}
}
