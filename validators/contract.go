package validators

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators/explain"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// annotation is what the schema files say about one subschema: which rule
// each of its keywords states, and where it stands.
type annotation struct {
	explain.Note          // x-rules, and the x-rule here or on the nearest enclosing subschema of the file
	undocumented string   // x-undocumented: the rule for fields it does not list
	required     []string // its required keyword
	conditions   []string // for an "if" subschema: the properties it tests
	path         []string // property names from the file's root to here
	keywords     []string // the constraint keywords it has
	covered      bool     // inside $defs or an anyOf/oneOf branch: failures are reported where it is referenced
}

// constraintKeywords are the keywords that fail on their own; failures of
// applicators (allOf, if/then/else, properties, items) are their members'.
var constraintKeywords = []string{"type", "enum", "const", "maxLength", "minLength", "pattern", "required", "anyOf", "oneOf", "not", "$ref", "minimum", "maximum", "format"}

// contract is the compiled schema files and what they say about themselves.
type contract struct {
	schemas    map[Kind]*jsonschema.Schema
	notes      map[string]*annotation // absolute location of a subschema -> its annotation
	rules      map[string]Rule
	apiVersion string
	eventTypes []string // the event types whose data.object is an invoice_payment (the event file's type enum)
}

var kindFiles = map[Kind]string{
	KindInvoicePayment: schemas.InvoicePaymentFile,
	KindList:           schemas.ListFile,
	KindEvent:          schemas.EventFile,
	KindInvoice:        schemas.InvoiceFile,
	KindError:          schemas.ErrorFile,
}

// loadContract reads the schema files from files, indexes their annotations,
// and compiles them. Every object schema marked x-undocumented gets
// "unevaluatedProperties": false, so that fields the docs do not list are
// reported (as notices, or errors in strict mode) under its rule.
func loadContract(files fs.FS) (*contract, error) {
	c := &contract{schemas: map[Kind]*jsonschema.Schema{}, notes: map[string]*annotation{}, rules: map[string]Rule{}}
	for _, r := range jsonRules {
		c.rules[r.ID] = r
	}
	compiler := jsonschema.NewCompiler()
	compiler.Draft = jsonschema.Draft2020
	ids := map[string]string{}
	for _, name := range schemas.Files() {
		f, err := ReadSchemaFile(files, name)
		if err != nil {
			return nil, err
		}
		id, doc := f.ID, f.Doc
		ids[name] = id
		if c.apiVersion == "" {
			c.apiVersion = f.APIVersion
		} else if f.APIVersion != c.apiVersion {
			return nil, fmt.Errorf("schema %s is for API version %s, the others for %s", name, f.APIVersion, c.apiVersion)
		}
		for _, r := range f.Rules {
			if old, dup := c.rules[r.ID]; dup {
				return nil, fmt.Errorf("%s: rule %s is also defined in %s", name, r.ID, cmp.Or(old.File, "the validator's own rules"))
			}
			c.rules[r.ID] = r
		}
		if name == schemas.EventFile {
			if c.eventTypes, err = eventTypesOf(f); err != nil {
				return nil, err
			}
		}
		c.index(id, doc, "", "", nil, false)
		withStrict, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		if err := compiler.AddResource(id, bytes.NewReader(withStrict)); err != nil {
			return nil, fmt.Errorf("load schema %s: %w", name, err)
		}
	}
	for kind, name := range kindFiles {
		s, err := compiler.Compile(ids[name])
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
		c.schemas[kind] = s
	}
	if err := checkGoRules(c.rules); err != nil {
		return nil, err
	}
	return c, c.checkAnnotations()
}

// eventTypesOf reads the event types the event file covers: the enum of
// its type property, as the generator writes it from the version's spec.
func eventTypesOf(f *SchemaFile) ([]string, error) {
	props, _ := f.Doc["properties"].(map[string]any)
	typ, _ := props["type"].(map[string]any)
	var out []string
	for _, t := range asList(typ["enum"]) {
		if s, ok := t.(string); ok {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("schema %s lists no event types (properties/type/enum)", f.Name)
	}
	return out, nil
}

// index walks a schema file, recording each subschema's annotations under
// its absolute location (as jsonschema/v5 reports it: "<$id>#<pointer>").
// It also adds unevaluatedProperties where x-undocumented asks for it.
func (c *contract) index(id string, node map[string]any, loc, inherited string, path []string, covered bool) {
	a := &annotation{Note: explain.ReadNote(node, inherited), path: path, covered: covered}
	inherited = a.Rule
	for _, kw := range constraintKeywords {
		if _, ok := node[kw]; ok {
			a.keywords = append(a.keywords, kw)
		}
	}
	if u, ok := node["x-undocumented"].(string); ok {
		a.undocumented = u
		node["unevaluatedProperties"] = false
	}
	for _, r := range asList(node["required"]) {
		if s, ok := r.(string); ok {
			a.required = append(a.required, s)
		}
	}
	c.notes[id+"#"+loc] = a

	for key, v := range node {
		switch key {
		case "properties", "$defs":
			members, _ := v.(map[string]any)
			for name, sub := range members {
				sm, ok := sub.(map[string]any)
				if !ok {
					continue
				}
				if key == "properties" {
					c.index(id, sm, loc+"/properties/"+pointer.Escape(name), inherited, append(append([]string(nil), path...), name), covered)
				} else {
					c.index(id, sm, loc+"/$defs/"+pointer.Escape(name), "", nil, true)
				}
			}
		case "items", "not", "if", "then", "else", "additionalProperties", "unevaluatedProperties":
			if sm, ok := v.(map[string]any); ok {
				c.index(id, sm, loc+"/"+key, inherited, path, covered || key == "not")
				if key == "if" {
					if props, ok := sm["properties"].(map[string]any); ok {
						for name := range props {
							a.conditions = append(a.conditions, name)
						}
					}
				}
			}
		case "allOf", "anyOf", "oneOf":
			for i, sub := range asList(v) {
				if sm, ok := sub.(map[string]any); ok {
					c.index(id, sm, loc+"/"+key+"/"+strconv.Itoa(i), inherited, path, covered || key != "allOf")
				}
			}
		}
	}
}

// checkAnnotations makes sure every constraint keyword in the files maps to
// a rule the catalogues define, so no failure is ever reported unnamed.
func (c *contract) checkAnnotations() error {
	var problems []string
	for loc, a := range c.notes {
		if !a.covered && a.Rule == "" {
			for _, kw := range a.keywords {
				if kw == "required" {
					for _, p := range a.required {
						if child := c.notes[loc+"/properties/"+pointer.Escape(p)]; child == nil || child.Rules["required"] == "" {
							problems = append(problems, fmt.Sprintf("%s: required property %q has no rule", loc, p))
						}
					}
				} else if a.Rules[kw] == "" && kw != "$ref" { // a bare $ref reports its target's rules
					problems = append(problems, fmt.Sprintf("%s: keyword %s has no rule", loc, kw))
				}
			}
		}
		for kw, id := range a.Rules {
			if _, ok := c.rules[id]; !ok {
				problems = append(problems, fmt.Sprintf("%s: x-rules.%s names undefined rule %q", loc, kw, id))
			}
		}
		if a.Rule != "" {
			if _, ok := c.rules[a.Rule]; !ok {
				problems = append(problems, fmt.Sprintf("%s: x-rule names undefined rule %q", loc, a.Rule))
			}
		}
		if a.undocumented != "" {
			if _, ok := c.rules[a.undocumented]; !ok {
				problems = append(problems, fmt.Sprintf("%s: x-undocumented names undefined rule %q", loc, a.undocumented))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("schema annotations: %s", strings.Join(problems, "; "))
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// valueAt resolves a pointer in a decoded document.
func valueAt(doc any, p string) (any, bool) { return descend(doc, pointer.Split(p)) }

// descend follows member names and array indexes from doc; false when one
// leads nowhere.
func descend(doc any, segs []string) (any, bool) {
	cur := doc
	for _, seg := range segs {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
