package secret_test

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Baseline (go test -run '^$' -bench . -benchmem -count 5 ./recorder/secret;
// Go 1.26, two shared cores under load, best of five):
//
//	BenchmarkScan               4.2 KB body     ~170 µs/op   ~25 MB/s   110 KB/op  71 allocs/op
//	BenchmarkRedact             4.2 KB body      ~86 µs/op   ~49 MB/s    18 KB/op  44 allocs/op
//	BenchmarkScanCassetteFile   6.3 KB file     ~320 µs/op   ~20 MB/s   112 KB/op  92 allocs/op
//
// Most of Scan's time is the four decodings of each base64-looking word
// (every identifier is one in the URL alphabet), most of its memory the
// deflate and brotli readers it tries on the three long ones.

// cassetteBody is the longest response body of a bundled cassette: a
// realistic Stripe payload, with IDs, nested objects and URLs.
func cassetteBody(b *testing.B) []byte {
	b.Helper()
	c, err := cassette.Load(filepath.Join("..", "..", "cassettes", "stripe-mock", "invoice_expand_payments"))
	if err != nil {
		b.Fatal(err)
	}
	var body string
	for _, i := range c.Interactions {
		if len(i.Response.Body) > len(body) {
			body = i.Response.Body
		}
	}
	return []byte(body)
}

func BenchmarkScan(b *testing.B) {
	body := cassetteBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if found := secret.Scan(body); len(found) != 0 {
			b.Fatal(found)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	body := string(cassetteBody(b))
	sc := secret.NewScanner("Basic-credential-value", "cookie-value-0123456789")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if sc.Redact(body) != body {
			b.Fatal("changed")
		}
	}
}

func BenchmarkScanCassetteFile(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "cassettes", "stripe-mock", "invoice_expand_payments.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if found := secret.Scan(data); len(found) != 0 {
			b.Fatal(found)
		}
	}
}
