package request_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

// The cost of the request contract, which covers every GET and POST of the
// API (562 operations and 21,000 rules at 2026-08-26.dahlia, a 15 MB file):
// New, New with a first Check of a GET and of a POST, the whole catalogue,
// and, as the same-run baseline, what loading the file as the checker once
// did costs at this size: parse it whole and compile every operation's
// subschema with jsonschema/v5.
//
//	go test ./validators/request -run '^$' -bench . -benchmem
//
// The ratio New/Eager is the saving; the allocated bytes per op are the
// memory.

func BenchmarkNew(b *testing.B) {
	for _, version := range schemas.Versions() {
		b.Run(version, func(b *testing.B) {
			b.ReportAllocs()
			var held *request.Checker
			for range b.N {
				c, err := request.New(request.WithAPIVersion(version))
				if err != nil {
					b.Fatal(err)
				}
				held = c
			}
			b.ReportMetric(retained(held), "MB-held")
		})
	}
}

func BenchmarkNewAndFirstCheck(b *testing.B) {
	for _, tc := range []struct {
		name string
		req  func() *http.Request
	}{
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/v1/invoice_payments?limit=0", nil) }},
		{"POST", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/v1/payment_intents", strings.NewReader("amount=abc&currency=usd"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				c, err := request.New()
				if err != nil {
					b.Fatal(err)
				}
				if len(c.Check(tc.req())) == 0 {
					b.Fatal("no violation")
				}
			}
		})
	}
}

// BenchmarkCheck is a Check of an operation already compiled:
// POST /v1/payment_intents, the largest subschema.
func BenchmarkCheck(b *testing.B) {
	c, err := request.New()
	if err != nil {
		b.Fatal(err)
	}
	body := "amount=2000&currency=usd&confirm=true&payment_method_types[0]=card&metadata[order]=1&expand[0]=customer"
	check := func() {
		r := httptest.NewRequest(http.MethodPost, "/v1/payment_intents", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if vs := c.Check(r); len(vs) != 0 {
			b.Fatal(vs)
		}
	}
	check() // compiles the operation
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		check()
	}
}

func BenchmarkCatalogue(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		c, err := request.New()
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Rules()) < 20000 {
			b.Fatal("a short catalogue")
		}
	}
}

// BenchmarkEager is the baseline: the file parsed whole and every
// operation compiled up front, as New did when the file held four.
func BenchmarkEager(b *testing.B) {
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		raw, err := fs.ReadFile(files, schemas.RequestFile)
		if err != nil {
			b.Fatal(err)
		}
		var doc struct {
			ID         string `json:"$id"`
			Operations []struct {
				Schema string `json:"schema"`
			} `json:"x-operations"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			b.Fatal(err)
		}
		compiler := jsonschema.NewCompiler()
		compiler.Draft = jsonschema.Draft2020
		if err := compiler.AddResource(doc.ID, bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
		for _, op := range doc.Operations {
			if _, err := compiler.Compile(doc.ID + op.Schema); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCompileAll is every operation compiled, as a long-running serve
// that sees every endpoint ends up holding.
func BenchmarkCompileAll(b *testing.B) {
	b.ReportAllocs()
	var held *request.Checker
	for range b.N {
		c, err := request.New()
		if err != nil {
			b.Fatal(err)
		}
		if err := c.CompileAll(); err != nil {
			b.Fatal(err)
		}
		held = c
	}
	b.ReportMetric(retained(held), "MB-held")
}

// retained is the heap in use, in MB, while x is still reachable.
func retained(x any) float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	runtime.KeepAlive(x)
	return float64(m.HeapAlloc) / 1e6
}
