package validators

import (
	"fmt"
	"os"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

// A trusted contract (the embedded versions') compiles without the
// meta-schema check and does not check its files' annotations against
// their catalogues; its verdicts, rules and messages are those of the same
// files read with every check.
func TestTrustedContractsGiveTheSameVerdicts(t *testing.T) {
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := bench.MixedLines(1500, 7)
	if err != nil {
		t.Fatal(err)
	}
	lines := append(bench.Lines(300, 7), mixed...)
	// Two contracts of their own, nothing read yet, one made trusted as
	// the embedded ones are.
	trusted, err := New(WithSchemas(files))
	if err != nil {
		t.Fatal(err)
	}
	trusted.versions[trusted.dflt].c.trusted = true
	checked, err := New(WithSchemas(files))
	if err != nil {
		t.Fatal(err)
	}
	invalid := 0
	for i, line := range lines {
		got, want := trusted.Validate(line), checked.Validate(line)
		if !want.Valid() {
			invalid++
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("line %d: trusted %+v, checked %+v", i+1, got, want)
		}
	}
	if invalid < 100 {
		t.Fatalf("%d of %d lines invalid: the comparison says little", invalid, len(lines))
	}
}

// A trusted contract reads a file's catalogue only when one of its rules
// is looked up (contract.rule): each rule, looked up alone in a contract
// that has read the files but no catalogue, is the rule the checked
// contract's catalogue holds, so the file a rule's ID names
// (fileOfRule) is always the one that defines it.
func TestDeferredCataloguesHoldEveryRule(t *testing.T) {
	if RaceDetector {
		t.Skip("a single-threaded read of every file of every version: run without -race (go test ./validators; CI does)")
	}
	for _, version := range schemas.Versions() {
		checked, _ := checkedValidator(t, version)
		want, err := checked.Catalogue()
		if err != nil {
			t.Fatal(err)
		}
		_, a := trustedValidator(t, version)
		c := a.c
		names, err := schemas.Files(c.files)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := c.load(n); err != nil {
				t.Fatal(err)
			}
		}
		if len(c.deferred) != len(names) || len(c.rules) != len(jsonRules) || len(c.unindexed) != len(names) {
			t.Fatalf("%s: %d of %d catalogues and %d annotation indexes deferred and %d rules read: the files were read with them", version, len(c.deferred), len(names), len(c.unindexed), len(c.rules))
		}
		for _, r := range want {
			if got, ok := c.rule(r.ID); !ok || got != r {
				t.Fatalf("%s: rule %s looked up alone is %+v (found %v), want %+v", version, r.ID, got, ok, r)
			}
		}
		if len(c.deferred) != 0 || len(c.catErrs) != 0 {
			t.Errorf("%s: %d catalogues still deferred, %d could not be read", version, len(c.deferred), len(c.catErrs))
		}
		if _, ok := c.rule("invoice_payment.no_such_field.json-type"); ok {
			t.Errorf("%s: a rule no catalogue defines was found", version)
		}
	}
}

// Workers that explain documents of the same file at once all find its
// rules and annotations, whichever of them reads the deferred catalogue
// and index, and whenever the others ask (run with -race too).
func TestDeferredReadsServeConcurrentWorkers(t *testing.T) {
	checked, _ := checkedValidator(t, schemas.Newest())
	var ids []string
	for _, file := range []string{schemas.InvoicePaymentFile, schemas.EventFile, schemas.ListFile} {
		if err := checked.versions[checked.dflt].c.load(file); err != nil {
			t.Fatal(err)
		}
	}
	for id, r := range checked.versions[checked.dflt].c.rules {
		if r.File != "" {
			ids = append(ids, id)
		}
	}
	loc := checked.versions[checked.dflt].c.base + schemas.InvoicePaymentFile + "#/properties/payment"
	for round := range 20 {
		_, a := trustedValidator(t, schemas.Newest())
		c := a.c
		for _, file := range []string{schemas.InvoicePaymentFile, schemas.EventFile, schemas.ListFile} {
			if err := c.load(file); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for w := range 8 {
			wg.Go(func() {
				if c.note(loc) == nil {
					errs <- fmt.Sprintf("round %d, worker %d: no annotation at %s", round, w, loc)
					return
				}
				for k := range ids {
					id := ids[(k+w*len(ids)/8)%len(ids)]
					if _, ok := c.rule(id); !ok {
						errs <- fmt.Sprintf("round %d, worker %d: rule %s not found", round, w, id)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
	if len(ids) < 50 {
		t.Fatalf("%d rules looked up: the test says little", len(ids))
	}
}

// The compilers' copy of a file (forCompiler) closes each subschema that
// names the rule for fields it does not list (x-undocumented) with
// unevaluatedProperties: false, and no other: on every embedded file, the
// subschemas closed after are those closed before and those marked.
func TestCompilerCopyClosesUndocumentedSubschemas(t *testing.T) {
	if RaceDetector {
		t.Skip("a single-threaded read of every file of every version: run without -race (go test ./validators; CI does)")
	}
	marked := 0
	eachEmbeddedFile(t, func(version, name string, raw []byte) {
		doc, _, ok := quickParse(raw)
		if !ok {
			t.Fatalf("%s/%s: the quick reader gave up", version, name)
		}
		want := map[uintptr]bool{} // the maps closed after, by identity
		each := func(fn func(m map[string]any)) {
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					fn(v)
					for _, sub := range v {
						walk(sub)
					}
				case []any:
					for _, sub := range v {
						walk(sub)
					}
				}
			}
			walk(doc)
		}
		each(func(m map[string]any) {
			_, undocumented := m["x-undocumented"].(string)
			if undocumented {
				marked++
			}
			if undocumented || m["unevaluatedProperties"] == false {
				want[reflect.ValueOf(m).Pointer()] = true
			}
		})
		if err := forCompiler(doc, "https://example.test/", true); err != nil {
			t.Fatal(err)
		}
		each(func(m map[string]any) {
			if closed := m["unevaluatedProperties"] == false; closed != want[reflect.ValueOf(m).Pointer()] {
				t.Fatalf("%s/%s: a subschema is closed %v in the compilers' copy, want %v", version, name, closed, !closed)
			}
		})
	})
	if marked < 100 {
		t.Fatalf("%d subschemas name an x-undocumented rule: the test says little", marked)
	}
}

// BenchmarkFirstUse is the start-up cost a run pays for the resources its
// documents touch: a new contract, then one invoice payment whose invoice
// (with its line items) and payment intent are expanded, each resource's
// file read, indexed and compiled on first use; as the embedded contracts
// are (trusted), and with every check --schemas makes (checked), in the
// same run. mixed500 is a new embedded contract's first 500 lines of the
// mixed data (bench.NewMixed, as the harness's file starts), a tenth of
// them explained: most of the harness's mixed run beyond its steady rate.
func BenchmarkFirstUse(b *testing.B) {
	doc, err := os.ReadFile("../schemas/examples/invoice_payment_expanded.json")
	if err != nil {
		b.Fatal(err)
	}
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		b.Fatal(err)
	}
	mixed, err := bench.MixedLines(500, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		name := "mixed500"
		if workers > 1 {
			name += fmt.Sprintf("/%dworkers", workers) // each its share of the lines, as a run's workers take batches
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := New(WithSchemas(files))
				if err != nil {
					b.Fatal(err)
				}
				v.versions[v.dflt].c.trusted = true // as the embedded contracts are
				var invalid atomic.Int64
				var wg sync.WaitGroup
				for w := range workers {
					wg.Go(func() {
						for i := w; i < len(mixed); i += workers {
							if !v.Validate(mixed[i]).Valid() {
								invalid.Add(1)
							}
						}
					})
				}
				wg.Wait()
				if n := invalid.Load(); n < 20 || n > 100 {
					b.Fatalf("%d of %d lines invalid; the data has about 10%%", n, len(mixed))
				}
			}
		})
	}
	for _, trusted := range []bool{true, false} {
		b.Run(map[bool]string{true: "trusted", false: "checked"}[trusted], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				// A contract of its own, not the process's shared one, so
				// that each iteration compiles.
				v, err := New(WithSchemas(files))
				if err != nil {
					b.Fatal(err)
				}
				v.versions[v.dflt].c.trusted = trusted
				if res := v.Validate(doc); !res.Valid() {
					b.Fatalf("the example is invalid: %v", res.Violations)
				}
			}
		})
	}
}
