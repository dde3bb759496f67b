package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// plainByKind is package baseline's plain way (encoding/json with exact
// numbers, then jsonschema/v5's Validate; no rule mapping, no Go checks)
// for documents of any kind: each is checked against the schema file of its
// kind, found as ajv.js finds it (its object member names a resource of
// the index, a list, a search result or an event; an error member without
// one is an error envelope), compiled on first use. package baseline knows
// only invoice_payment; this belongs there once that package takes changes
// again.
type plainByKind struct {
	files     fs.FS
	base      string            // the $id prefix of the version's files
	resources map[string]string // object, or object+"\x00deleted" -> file
	envelopes map[string]string

	mu       sync.Mutex // guards compiler and compiled
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

func newPlainByKind() (*plainByKind, error) {
	files, err := schemas.Version(schemas.Newest())
	if err != nil {
		return nil, err
	}
	raw, err := fs.ReadFile(files, schemas.IndexFile)
	if err != nil {
		return nil, err
	}
	var index struct {
		ID        string `json:"$id"`
		Resources []struct {
			Object  string `json:"object"`
			Deleted bool   `json:"deleted"`
			File    string `json:"file"`
		} `json:"resources"`
		Envelopes map[string]string `json:"envelopes"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("%s: %w", schemas.IndexFile, err)
	}
	p := &plainByKind{
		files: files, base: strings.TrimSuffix(index.ID, schemas.IndexFile),
		resources: map[string]string{}, envelopes: index.Envelopes, compiled: map[string]*jsonschema.Schema{},
	}
	for _, r := range index.Resources {
		key := r.Object
		if r.Deleted {
			key += "\x00deleted"
		}
		p.resources[key] = r.File
	}
	p.compiler = jsonschema.NewCompiler()
	p.compiler.Draft = jsonschema.Draft2020
	// The files refer to each other by name, relative to their $id.
	p.compiler.LoadURL = func(url string) (io.ReadCloser, error) {
		name, ok := strings.CutPrefix(url, p.base)
		if !ok {
			return nil, fmt.Errorf("%s is not a contract file", url)
		}
		return files.Open(name)
	}
	return p, nil
}

// fileOf is the schema file of a decoded document's kind, or "".
func (p *plainByKind) fileOf(doc any) string {
	m, ok := doc.(map[string]any)
	if !ok {
		return ""
	}
	obj, has := m["object"]
	if o, ok := obj.(string); ok {
		if f, ok := p.envelopes[o]; ok && o != "error" {
			return f
		}
		if m["deleted"] == true {
			o += "\x00deleted"
		}
		return p.resources[o]
	}
	if _, isErr := m["error"]; !has && isErr {
		return p.envelopes["error"]
	}
	return ""
}

// schema compiles file on first use; a file that does not compile is a
// harness failure, not a verdict.
func (p *plainByKind) schema(file string) *jsonschema.Schema {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.compiled[file]
	if !ok {
		var err error
		if s, err = p.compiler.Compile(p.base + file); err != nil {
			fail(fmt.Sprintf("jsonschema/v5: compile %s: %v", file, err))
		}
		p.compiled[file] = s
	}
	return s
}

// Valid decodes line and validates it against its kind's schema; a line
// that does not decode, or is of no kind, is invalid.
func (p *plainByKind) Valid(line []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return false
	}
	file := p.fileOf(doc)
	if file == "" {
		return false
	}
	return p.schema(file).Validate(doc) == nil
}

// compileFor compiles the schema files of the kinds docs hold.
func (p *plainByKind) compileFor(docs [][]byte) {
	seen := map[string]bool{}
	for _, line := range docs {
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			continue
		}
		if f := p.fileOf(doc); f != "" && !seen[f] {
			seen[f] = true
			p.schema(f)
		}
	}
}
