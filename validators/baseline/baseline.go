// Package baseline is the plain way to check a payload against the schema
// files, for benchmarks to measure against: decode with encoding/json
// (numbers kept exact) and call jsonschema/v5's Validate, with no rule
// mapping, no Go checks and no strict JSON parsing.
package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// Validator validates invoice_payment documents the plain way.
type Validator struct{ schema *jsonschema.Schema }

// New compiles the invoice_payment schema (and the files it refers to)
// exactly as committed.
func New() (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		return nil, err
	}
	raw, err := fs.ReadFile(files, schemas.InvoicePaymentFile)
	if err != nil {
		return nil, err
	}
	var head struct {
		ID string `json:"$id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(head.ID, schemas.InvoicePaymentFile)
	// The files refer to each other by name, relative to their $id: read
	// each from the embedded directory as the compiler reaches it.
	c.LoadURL = func(url string) (io.ReadCloser, error) {
		name, ok := strings.CutPrefix(url, base)
		if !ok {
			return nil, fmt.Errorf("%s is not a contract file", url)
		}
		return files.Open(name)
	}
	s, err := c.Compile(head.ID)
	if err != nil {
		return nil, err
	}
	return &Validator{schema: s}, nil
}

// Valid decodes line and validates it; a line that does not decode is invalid.
func (v *Validator) Valid(line []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return false
	}
	return v.schema.Validate(doc) == nil
}
