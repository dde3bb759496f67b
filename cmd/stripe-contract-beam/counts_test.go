package main

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// Partial counts merge to the count of the whole, in any grouping: what a
// runner with many bundles does (Prism here validates in one bundle, so the
// pipeline tests do not reach MergeAccumulators with two partial counts).
func TestCountsMerge(t *testing.T) {
	var mixed bytes.Buffer
	if _, err := bench.WriteMixed(&mixed, 400, 5); err != nil {
		t.Fatal(err)
	}
	fn := &validateFn{Options: Options{MaxSize: validators.DefaultMaxSize, MaxDepth: validators.DefaultMaxDepth}}
	if err := fn.Setup(); err != nil {
		t.Fatal(err)
	}
	var verdicts []Verdict
	err := pipeline.ReadNDJSON("mixed.ndjson", &mixed, validators.DefaultMaxSize, func(d pipeline.Document) error {
		fn.ProcessElement(Doc{Source: d.Source, Line: d.Line, Data: bytes.Clone(d.Data), Size: d.Size}, func(string) {}, func(v Verdict) { verdicts = append(verdicts, v) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var cf countsFn
	whole := cf.CreateAccumulator()
	for _, v := range verdicts {
		whole = cf.AddInput(whole, v)
	}
	if whole.Invalid == 0 || len(whole.Kinds) < 3 || len(whole.Rules) < 3 {
		t.Fatalf("counts %+v: the data does not test the merge", whole)
	}
	for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}} {
		// Fresh parts each time: merging may reuse its first argument's maps.
		parts := make([]Counts, 3)
		for i, v := range verdicts {
			parts[i%3] = cf.AddInput(parts[i%3], v)
		}
		got := cf.MergeAccumulators(cf.MergeAccumulators(cf.CreateAccumulator(), parts[order[0]]), cf.MergeAccumulators(parts[order[1]], parts[order[2]]))
		if !reflect.DeepEqual(got, whole) {
			t.Errorf("merged in order %v: %+v\nwant %+v", order, got, whole)
		}
	}
}
