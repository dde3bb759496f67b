package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

// Options are validate's flags that decide a verdict.
type Options struct {
	Strict     bool   // undocumented fields are errors, not notices
	APIVersion string // judge every document at this version; "" as validate does
	MaxSize    int    // largest document accepted, in bytes
	MaxDepth   int    // deepest nesting accepted
}

// newValidator is the validator validate builds from the same flags.
func (o Options) newValidator() (*validators.Validator, error) {
	opts := []validators.Option{validators.WithStrict(o.Strict), validators.WithMaxSize(o.MaxSize), validators.WithMaxDepth(o.MaxDepth),
		validators.WithRules(pipeline.CassetteRules()...)}
	if o.APIVersion != "" {
		opts = append(opts, validators.WithAPIVersion(o.APIVersion))
	}
	v, err := validators.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("building the validator: %w", err)
	}
	return v, nil
}

// Violation is a rule a document broke, as the counts need it.
type Violation struct {
	Rule     string
	Severity int // validators.Severity
}

// Verdict is what the counts need of one validated document.
type Verdict struct {
	Kind       string
	APIVersion string
	Bytes      int64
	Valid      bool
	Violations []Violation
}

// validateFn judges documents with the validator validate would build from
// Options, built once per DoFn instance (a worker keeps one per bundle it
// runs at a time, and reuses it), and writes each invalid document's row
// with validate's own JSON format.
type validateFn struct {
	Options Options

	v    *validators.Validator
	rows report.Format
}

// Setup builds the validator (its schemas are compiled lazily, once per
// instance, as documents of each resource arrive).
func (fn *validateFn) Setup() error {
	v, err := fn.Options.newValidator()
	if err != nil {
		return err
	}
	// Only Format is called, which writes nothing to the writer.
	rows, err := report.New("json", io.Discard, report.Options{})
	if err != nil {
		return err
	}
	fn.v, fn.rows = v, rows
	return nil
}

// ProcessElement validates one document: its verdict goes to the counts,
// and its JSON row to invalid when it is invalid.
func (fn *validateFn) ProcessElement(d Doc, invalid func(string), verdicts func(Verdict)) {
	o := pipeline.Outcome{Doc: pipeline.Document{Source: d.Source, Line: d.Line, Data: d.Data, Size: d.Size}}
	o.Result = pipeline.Validate(fn.v, o.Doc)
	valid := o.Result.Valid()
	if !valid {
		invalid(string(bytes.TrimSuffix(fn.rows.Format(nil, &o), []byte("\n"))))
	}
	vd := Verdict{Kind: string(o.Result.Kind), APIVersion: o.Result.APIVersion, Bytes: d.Size, Valid: valid}
	if len(o.Result.Violations) > 0 {
		vd.Violations = make([]Violation, len(o.Result.Violations))
		for i, v := range o.Result.Violations {
			vd.Violations[i] = Violation{Rule: v.Rule, Severity: int(v.Severity)}
		}
	}
	verdicts(vd)
}
