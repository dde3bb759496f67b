package validators

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"unique"
)

// SchemaFile is one contract file of package schemas, read: the response
// contract's files and the request contract (schemas.RequestFile) alike.
type SchemaFile struct {
	// Name is the file's name in its file system.
	Name string
	// ID is its $id, under which it is added to a jsonschema compiler.
	ID string
	// APIVersion is the Stripe API version it was generated from
	// (x-stripe-api-version).
	APIVersion string
	// Doc is the file parsed, numbers kept exact as json.Number, but for
	// its rule catalogue (x-rule-definitions), which is Rules.
	Doc map[string]any
	// Rules are the rules of its x-rule-definitions catalogue, by ID.
	Rules []Rule
}

// ReadSchemaFile reads and parses the contract file name from files, with
// its rule catalogue. A file without an $id, an API version or a catalogue
// is refused, naming the file.
func ReadSchemaFile(files fs.FS, name string) (*SchemaFile, error) {
	f, _, err := readSchemaFile(files, name, false)
	return f, err
}

// readSchemaFile is ReadSchemaFile, but if deferCatalogue asks it and the
// quick reader reads the file, the catalogue is not parsed: f.Rules is
// nil and at is where the catalogue's text is in the file, for
// readCatalogueAt to read when a rule is needed.
func readSchemaFile(files fs.FS, name string, deferCatalogue bool) (f *SchemaFile, at []int, err error) {
	raw, err := fs.ReadFile(files, name)
	if err != nil {
		return nil, nil, fmt.Errorf("read schema: %w", err)
	}
	var (
		doc  map[string]any
		defs map[string]ruleDefinition
		ok   bool
	)
	if deferCatalogue {
		doc, at, ok = quickParseDeferred(raw)
	}
	if !ok {
		if doc, defs, err = parseSchemaFile(raw); err != nil {
			return nil, nil, fmt.Errorf("parse schema %s: %w", name, err)
		}
	}
	f = &SchemaFile{Name: name, Doc: doc}
	f.ID, _ = doc["$id"].(string)
	if f.ID == "" {
		return nil, nil, fmt.Errorf("schema %s has no $id", name)
	}
	f.APIVersion, _ = doc["x-stripe-api-version"].(string)
	if f.APIVersion == "" {
		return nil, nil, fmt.Errorf("schema %s names no API version (x-stripe-api-version)", name)
	}
	if at != nil {
		return f, at, nil
	}
	if len(defs) == 0 {
		return nil, nil, fmt.Errorf("schema %s has no x-rule-definitions", name)
	}
	f.Rules = sortRules(catalogueRules(name, defs))
	return f, nil, nil
}

// readCatalogueAt reads the catalogue of the file name at offsets at, as
// readSchemaFile found it there, its rules in no order.
func readCatalogueAt(files fs.FS, name string, at []int) ([]Rule, error) {
	raw, err := fs.ReadFile(files, name)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	if len(at) != 2 || at[0] > at[1] || at[1] > len(raw) {
		return nil, fmt.Errorf("schema %s changed since it was read", name)
	}
	return readCatalogue(name, raw[at[0]:at[1]])
}

// catalogueKey is the member of a schema file that holds its rules.
const catalogueKey = "x-rule-definitions"

// parseSchemaFile parses a schema file's text: the catalogue straight
// into its definitions, everything else as generic JSON with exact
// numbers; by quickParse when it can, else by decodeSchemaFile.
func parseSchemaFile(raw []byte) (doc map[string]any, defs map[string]ruleDefinition, err error) {
	if doc, defs, ok := quickParse(raw); ok {
		return doc, defs, nil
	}
	return decodeSchemaFile(raw)
}

// decodeSchemaFile is parseSchemaFile by encoding/json, in one pass: the
// catalogue (most of a large resource's file: each rule's doc text)
// decoded straight into its definitions.
func decodeSchemaFile(raw []byte) (doc map[string]any, defs map[string]ruleDefinition, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil {
		return nil, nil, err
	} else if tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("the file is not a JSON object")
	}
	doc = map[string]any{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key := tok.(string) // an object's tokens alternate: a key, then its value
		if key == catalogueKey {
			if err := dec.Decode(&defs); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", catalogueKey, err)
			}
			shareTexts(defs)
			continue
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		doc[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("text after the JSON object")
	}
	return doc, defs, nil
}

// ruleDefinition is an entry of a schema file's x-rule-definitions.
type ruleDefinition struct {
	Severity Severity `json:"severity"`
	Aspect   string   `json:"aspect"`
	Check    string   `json:"check"`
	Summary  string   `json:"summary"`
	Doc      string   `json:"doc"`
	Source   string   `json:"source"`
}

// ReadCatalogue parses raw, the JSON text of file's x-rule-definitions (a
// part of the file, for a reader that does not parse the whole), as rules in
// ID order.
func ReadCatalogue(file string, raw []byte) ([]Rule, error) {
	rules, err := readCatalogue(file, raw)
	return sortRules(rules), err
}

// readCatalogue is ReadCatalogue with the rules in no order: a contract
// reading a deferred catalogue puts them in its map, and sorting the
// thousands of a large file cost a quarter of reading them.
func readCatalogue(file string, raw []byte) ([]Rule, error) {
	parsed, ok := quickCatalogue(raw)
	if !ok {
		parsed = map[string]ruleDefinition{}
		if err := json.Unmarshal(raw, &parsed); err != nil {
			return nil, fmt.Errorf("%s: x-rule-definitions: %w", file, err)
		}
		shareTexts(parsed)
	}
	if len(parsed) == 0 {
		return nil, fmt.Errorf("schema %s has no x-rule-definitions", file)
	}
	return catalogueRules(file, parsed), nil
}

// ReadRule parses raw, the JSON text of one entry of file's
// x-rule-definitions, as the rule id.
func ReadRule(file, id string, raw []byte) (Rule, error) {
	var d ruleDefinition
	if err := json.Unmarshal(raw, &d); err != nil {
		return Rule{}, fmt.Errorf("%s: x-rule-definitions: %s: %w", file, id, err)
	}
	return d.rule(file, id, intern), nil
}

// rule is the definition as the rule id of file, its texts passed through
// in.
func (d ruleDefinition) rule(file, id string, in func(string) string) Rule {
	return Rule{ID: id, Severity: d.Severity, Aspect: in(d.Aspect), Check: in(d.Check),
		Summary: in(d.Summary), Doc: in(d.Doc), Source: in(d.Source), File: file}
}

// intern returns the one copy of s that the process keeps.
func intern(s string) string {
	return unique.Make(s).Value()
}

// shareTexts makes the texts of a catalogue that encoding/json decoded
// held once, as the quick reader's are (quickReader.text): the texts recur
// (every rule of a field cites the field's doc).
func shareTexts(defs map[string]ruleDefinition) {
	seen := map[string]string{}
	in := func(s string) string {
		if v, ok := seen[s]; ok {
			return v
		}
		seen[s] = s
		return s
	}
	for id, d := range defs {
		defs[id] = ruleDefinition{Severity: d.Severity, Aspect: in(d.Aspect), Check: in(d.Check),
			Summary: in(d.Summary), Doc: in(d.Doc), Source: in(d.Source)}
	}
}

// catalogueRules lists the definitions of file's catalogue, whose texts
// are held once (shareTexts), as rules in no order.
func catalogueRules(file string, parsed map[string]ruleDefinition) []Rule {
	rules := make([]Rule, 0, len(parsed))
	same := func(s string) string { return s }
	for id, d := range parsed {
		rules = append(rules, d.rule(file, id, same))
	}
	return rules
}

// sortRules puts rules in ID order.
func sortRules(rules []Rule) []Rule {
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules
}
