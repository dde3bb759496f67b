package secret_test

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Baseline (go test -bench . -benchtime 2s ./recorder/secret, 2 shared
// cores, Go 1.26): BenchmarkScan and BenchmarkRedact over the 2.5 KB
// response body of invoice_expand_payments, BenchmarkScanCassetteFile over
// the 6.3 KB cassette file; the figures are in the package's commit log.

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
