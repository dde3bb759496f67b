package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// converter turns the OpenAPI 3.0 schemas reachable from one resource into a
// JSON Schema 2020-12 document, annotating every constraint with its rule.
//
// OpenAPI idioms it translates:
//   - "nullable": true becomes a "null" member of "type" (and of "enum");
//   - "anyOf" of an ID string and resource $refs (Stripe's expandable fields)
//     becomes an anyOf of the string and a shallow check of each expanded
//     resource: an object whose "object" value names it;
//   - a $ref to another top-level resource (one with x-resourceId) is such a
//     shallow check, kept in $defs; a $ref to a component this file does not
//     own but that is not a resource (a nested structure) is inlined, so its
//     rules are named by the path of the field that holds it.
type converter struct {
	spec      *spec
	resource  string            // rule namespace: "invoice_payment", "list", ...
	self      string            // component this file describes, if any
	files     map[string]string // component name -> file that describes it
	overrides map[string]func() *object
	defs      *object
	rules     *ruleSet
	inlining  map[string]bool
	rootSrc   []string // where the file's root schema stands in the spec
	statuses  []string // status values of the resource, once known (prose rules use them)
}

// field locates the schema being converted.
type field struct {
	path     []string // property names from the file's root
	src      []string // keys locating this schema in the spec
	nullable bool     // a wrapping anyOf or $ref site said nullable
	bare     bool     // inside an anyOf branch: the anyOf carries the rule
	desc     string   // description from the site that referenced this schema
}

func (f field) child(name string, src ...string) field {
	return field{path: append(slices.Clip(f.path), name), src: src}
}

func (c *converter) ruleID(f field, aspect string) string {
	parts := append([]string{c.resource}, f.path...)
	return strings.Join(append(parts, aspect), ".")
}

// name is how messages refer to the field: its dotted path, or the resource.
func (c *converter) name(f field) string {
	if len(f.path) == 0 {
		return c.resource
	}
	return strings.Join(f.path, ".")
}

func (c *converter) addRule(f field, ruleSetter *object, keyword string, r rule) error {
	if f.bare {
		return nil
	}
	id, err := c.rules.add(r)
	if err != nil {
		return err
	}
	ruleSetter.set(keyword, id)
	return nil
}

func (c *converter) convert(n map[string]any, f field) (*object, error) {
	if override, ok := c.overrides[strings.Join(f.path, ".")]; ok && !f.bare {
		return override(), nil
	}
	nullable := f.nullable || n["nullable"] == true
	if name, ok := refName(n); ok {
		return c.ref(name, f, nullable)
	}
	if branches, ok := n["anyOf"].([]any); ok {
		return c.anyOf(branches, n, f, nullable)
	}

	desc := str(n, "description")
	if desc == "" {
		desc = f.desc
	}
	doc := desc
	if doc == "" {
		doc = fmt.Sprintf("%s is documented without a description; its type and requiredness come from the spec.", c.name(f))
	}
	src := pointer(f.src...)
	out := newObject()
	if desc != "" && !f.bare {
		out.set("description", desc)
	}
	xrules := newObject()

	typ := str(n, "type")
	if typ != "" {
		out.set("type", typeValue(typ, nullable))
		if err := c.addRule(f, xrules, "type", rule{
			id:      c.ruleID(f, "json-type"),
			aspect:  "json-type",
			summary: fmt.Sprintf("%s is %s", c.name(f), typePhrase(typ, nullable)),
			doc:     doc, source: src,
		}); err != nil {
			return nil, err
		}
	}

	if enum, ok := n["enum"].([]any); ok {
		values := slices.Clone(enum)
		if nullable && !slices.Contains(values, nil) {
			values = append(values, nil)
		}
		out.set("enum", values)
		if err := c.addRule(f, xrules, "enum", rule{
			id:      c.ruleID(f, "enum"),
			aspect:  "enum",
			summary: enumSummary(c.name(f), values),
			doc:     doc, source: src,
		}); err != nil {
			return nil, err
		}
	} else if typ == "string" {
		// Prose: "The status of the payment, one of `open`, `paid`, or `canceled`."
		if values, sentence, ok := proseEnum(desc); ok {
			enumValues := make([]any, 0, len(values)+1)
			for _, v := range values {
				enumValues = append(enumValues, v)
			}
			if nullable {
				enumValues = append(enumValues, nil)
			}
			out.set("enum", enumValues)
			if err := c.addRule(f, xrules, "enum", rule{
				id:      c.ruleID(f, "enum"),
				aspect:  "enum",
				summary: enumSummary(c.name(f), enumValues),
				doc:     sentence, source: pointer(append(slices.Clip(f.src), "description")...),
			}); err != nil {
				return nil, err
			}
			if len(f.path) == 1 && f.path[0] == "status" {
				c.statuses = values
			}
		}
	}

	if max, ok := n["maxLength"].(float64); ok {
		out.set("maxLength", int(max))
		if err := c.addRule(f, xrules, "maxLength", rule{
			id:      c.ruleID(f, "max-length"),
			aspect:  "max-length",
			summary: fmt.Sprintf("%s is at most %d characters long", c.name(f), int(max)),
			doc:     doc, source: src,
		}); err != nil {
			return nil, err
		}
	}

	if typ == "string" {
		// Prose: "Three-letter ISO currency code, in lowercase."
		if pattern, sentence, ok := proseCurrency(desc); ok {
			out.set("pattern", pattern)
			if err := c.addRule(f, xrules, "pattern", rule{
				id:      c.ruleID(f, "iso-4217-lowercase"),
				aspect:  "iso-4217-lowercase",
				summary: fmt.Sprintf("%s is a three-letter ISO currency code in lowercase", c.name(f)),
				doc:     sentence, source: pointer(append(slices.Clip(f.src), "description")...),
			}); err != nil {
				return nil, err
			}
		}
	}

	if _, hasProps := n["properties"]; hasProps || typ == "object" {
		if err := c.object(out, n, f); err != nil {
			return nil, err
		}
	}
	if items, ok := n["items"].(map[string]any); ok {
		child, err := c.convert(items, field{path: append(slices.Clip(f.path), "items"), src: append(slices.Clip(f.src), "items"), bare: f.bare})
		if err != nil {
			return nil, err
		}
		out.set("items", child)
	}
	if len(xrules.keys) > 0 {
		out.set("x-rules", xrules)
	}
	return out, nil
}

// object converts properties and required, and adds the rules that relate
// one field to another (prose.go).
func (c *converter) object(out *object, n map[string]any, f field) error {
	props := properties(n)
	required := stringList(n["required"])
	if len(required) > 0 {
		out.set("required", required)
	}
	if len(props) == 0 {
		return nil
	}
	converted := newObject()
	conditional := typeConditional(props)
	for _, p := range slices.Sorted(maps.Keys(props)) {
		child, err := c.convert(props[p], field{
			path: append(slices.Clip(f.path), p),
			src:  append(slices.Clip(f.src), "properties", p),
			bare: f.bare,
			// A reference documented as set "when `type` is X" is null
			// when type is anything else (prose.go, referenceRule).
			nullable: conditional[p],
		})
		if err != nil {
			return err
		}
		converted.set(p, child)
	}
	for _, p := range required {
		v, ok := converted.get(p)
		if !ok {
			return fmt.Errorf("%s: required property %q is not among its properties", pointer(f.src...), p)
		}
		child := v.(*object)
		xr, ok := child.get("x-rules")
		if !ok {
			xr = newObject()
			child.set("x-rules", xr)
		}
		doc := str(props[p], "description")
		if doc == "" {
			doc = fmt.Sprintf("%s is marked required in the API reference.", strings.Join(append(slices.Clip(f.path), p), "."))
		}
		if err := c.addRule(f, xr.(*object), "required", rule{
			id:      c.ruleID(f.child(p), "required"),
			aspect:  "required",
			summary: fmt.Sprintf("%s is required", strings.Join(append(slices.Clip(f.path), p), ".")),
			doc:     doc, source: pointer(append(slices.Clip(f.src), "required")...),
		}); err != nil {
			return err
		}
	}
	out.set("properties", converted)

	if !f.bare && n["additionalProperties"] != true {
		id, err := c.rules.add(rule{
			id:       c.resource + ".undocumented-field",
			aspect:   aspectUndocumented,
			severity: severityNotice,
			summary:  fmt.Sprintf("%s carries only documented fields (Stripe may add fields without notice: a notice by default, an error in strict mode)", c.resource),
			doc:      fmt.Sprintf("The API reference documents the fields of %s; a field it does not list is not part of the contract of API version %s.", c.resource, c.spec.version),
			source:   pointer(append(slices.Clip(c.rootSrc), "properties")...),
		})
		if err != nil {
			return err
		}
		out.set("x-undocumented", id)
	}

	allOf, err := c.crossField(n, f, props)
	if err != nil {
		return err
	}
	if len(allOf) > 0 {
		out.set("allOf", allOf)
	}
	return nil
}

func (c *converter) anyOf(branches []any, n map[string]any, f field, nullable bool) (*object, error) {
	if len(branches) == 1 {
		only, ok := branches[0].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: anyOf branch is not a schema", pointer(f.src...))
		}
		inner := f
		inner.nullable = nullable
		if inner.desc == "" {
			inner.desc = str(n, "description")
		}
		inner.src = append(slices.Clip(f.src), "anyOf", "0")
		return c.convert(only, inner)
	}
	out := newObject()
	desc := str(n, "description")
	if desc != "" && !f.bare {
		out.set("description", desc)
	}
	var converted []any
	var expanded []string
	hasString := false
	for i, b := range branches {
		bm, ok := b.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: anyOf branch is not a schema", pointer(f.src...))
		}
		if str(bm, "type") == "string" {
			hasString = true
		}
		if name, ok := refName(bm); ok {
			if obj, err := c.objectValues(name); err == nil {
				for _, v := range obj {
					if !slices.Contains(expanded, v) {
						expanded = append(expanded, v)
					}
				}
			}
		}
		child, err := c.convert(bm, field{path: f.path, src: append(slices.Clip(f.src), "anyOf", fmt.Sprint(i)), bare: true})
		if err != nil {
			return nil, err
		}
		converted = append(converted, child)
	}
	if nullable {
		converted = append(converted, newObject().set("type", "null"))
	}
	out.set("anyOf", converted)

	aspect, summary := "json-type", fmt.Sprintf("%s is one of its documented forms", c.name(f))
	if len(expanded) > 0 {
		if hasString {
			aspect = "expandable"
			summary = fmt.Sprintf("%s is an ID string or an expanded %s object", c.name(f), strings.Join(expanded, " or "))
		} else {
			summary = fmt.Sprintf("%s is an expanded object, one of: %s", c.name(f), strings.Join(expanded, ", "))
		}
	}
	if nullable {
		summary += ", or null"
	}
	doc := desc
	if doc == "" {
		doc = f.desc
	}
	xrules := newObject()
	if err := c.addRule(f, xrules, "anyOf", rule{id: c.ruleID(f, aspect), aspect: aspect, summary: summary, doc: doc, source: pointer(f.src...)}); err != nil {
		return nil, err
	}
	if len(xrules.keys) > 0 {
		out.set("x-rules", xrules)
	}
	return out, nil
}

// ref converts {"$ref": ...}: a reference to a component with its own file,
// a shallow check of another resource, or the inlined component.
func (c *converter) ref(name string, f field, nullable bool) (*object, error) {
	if file, ok := c.files[name]; ok && name != c.self {
		return nullableRef(newObject().set("$ref", file), nullable), nil
	}
	target, err := c.spec.component(name)
	if err != nil {
		return nil, err
	}
	if _, isResource := target["x-resourceId"]; isResource && name != c.self {
		if err := c.expansion(name); err != nil {
			return nil, err
		}
		out := nullableRef(newObject().set("$ref", "#/$defs/"+name), nullable)
		values, _ := c.objectValues(name)
		summary := fmt.Sprintf("%s is an expanded %s object", c.name(f), strings.Join(values, " or "))
		if nullable {
			summary += ", or null"
		}
		keyword := "$ref"
		if nullable {
			keyword = "anyOf"
		}
		xrules := newObject()
		doc := f.desc
		if doc == "" {
			doc = fmt.Sprintf("%s holds a %s object.", c.name(f), name)
		}
		if err := c.addRule(f, xrules, keyword, rule{id: c.ruleID(f, "json-type"), aspect: "json-type", summary: summary, doc: doc, source: pointer(f.src...)}); err != nil {
			return nil, err
		}
		if len(xrules.keys) > 0 {
			out.set("x-rules", xrules)
		}
		return out, nil
	}
	if c.inlining[name] {
		return nil, fmt.Errorf("%s: recursive schema %s cannot be inlined", pointer(f.src...), name)
	}
	c.inlining[name] = true
	defer delete(c.inlining, name)
	inner := f
	inner.nullable = nullable
	inner.src = []string{"components", "schemas", name}
	return c.convert(target, inner)
}

func nullableRef(ref *object, nullable bool) *object {
	if !nullable {
		return ref
	}
	return newObject().set("anyOf", []any{ref, newObject().set("type", "null")})
}

// objectValues returns the values a resource's "object" field may take.
func (c *converter) objectValues(name string) ([]string, error) {
	target, err := c.spec.component(name)
	if err != nil {
		return nil, err
	}
	obj, ok := properties(target)["object"]
	if !ok {
		return nil, fmt.Errorf("component %s has no object property", name)
	}
	return stringList(obj["enum"]), nil
}

// expansion adds a shallow check of resource name to $defs: the contract this
// file describes does not extend into other resources, but an expanded one
// must at least be an object that says what it is.
func (c *converter) expansion(name string) error {
	if _, ok := c.defs.get(name); ok {
		return nil
	}
	target, err := c.spec.component(name)
	if err != nil {
		return err
	}
	values, err := c.objectValues(name)
	if err != nil {
		return err
	}
	props := properties(target)
	def := newObject().
		set("description", fmt.Sprintf("An expanded %s (components.schemas.%s), checked for its identity only: which object it is and its id.", strings.Join(values, " or "), name)).
		set("type", "object")
	var required []string
	for _, k := range stringList(target["required"]) {
		if k == "id" || k == "object" || k == "deleted" {
			required = append(required, k)
		}
	}
	if len(required) > 0 {
		def.set("required", required)
	}
	dp := newObject()
	if _, ok := props["id"]; ok {
		dp.set("id", newObject().set("type", "string"))
	}
	enum := make([]any, len(values))
	for i, v := range values {
		enum[i] = v
	}
	dp.set("object", newObject().set("enum", enum))
	if d, ok := props["deleted"]; ok {
		if e, ok := d["enum"].([]any); ok {
			dp.set("deleted", newObject().set("enum", e))
		}
	}
	def.set("properties", dp)
	c.defs.set(name, def)
	return nil
}

func typeValue(typ string, nullable bool) any {
	if nullable {
		return []any{typ, "null"}
	}
	return typ
}

func typePhrase(typ string, nullable bool) string {
	phrase := map[string]string{
		"string":  "a string",
		"integer": "an integer",
		"number":  "a number",
		"boolean": "a boolean",
		"object":  "an object",
		"array":   "an array",
	}[typ]
	if phrase == "" {
		phrase = typ
	}
	if nullable {
		phrase += " or null"
	}
	return phrase
}

func enumSummary(name string, values []any) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		if v == nil {
			quoted[i] = "null"
		} else {
			quoted[i] = fmt.Sprintf("%q", fmt.Sprint(v))
		}
	}
	if len(quoted) == 1 {
		return fmt.Sprintf("%s is %s", name, quoted[0])
	}
	return fmt.Sprintf("%s is one of %s", name, strings.Join(quoted, ", "))
}
