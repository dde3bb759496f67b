package generator

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// walker turns OpenAPI 3.0 schemas into JSON Schema 2020-12, annotating every
// constraint with its rule: the one translation of type, nullable, enum,
// prose enums, lowercase currency codes, maxLength, properties, required,
// items, anyOf and $ref, for the response files and the request file alike.
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
//
// What differs between a response and a request is its dialect.
type walker struct {
	spec      *spec
	dialect   dialect
	self      string            // component this file describes, if any
	files     map[string]string // component name -> file that describes it
	overrides map[string]func() *object
	defs      *object
	rules     *ruleSet
	inlining  map[string]field // components being inlined -> where the outermost use stands
	statuses  []string         // status values of the resource, once known (prose rules use them)
	// expected says whether the expectation lists a prose rule: one it
	// lists fails generation when it no longer adds up, another is
	// skipped with a notice (nil: every prose rule is expected).
	expected func(id string) bool
	notice   func(string) // says what the walker skipped
}

// dialect is what differs between the documents the walker writes: how rule
// IDs and display names are formed, what a rule on an undescribed field
// cites, whether descriptions are copied, and how an object's members are
// closed and required.
type dialect interface {
	// namespace starts every rule ID: "invoice_payment",
	// "request.invoice_payments.list".
	namespace() string
	// display names the field at path in summaries: payment.type in a
	// response (the resource for the root), payment[type] and expand[] in a
	// form-encoded request.
	display(path []string) string
	// undescribed is the doc of a rule on a field the spec gives no
	// description.
	undescribed(name string) string
	// describes says whether the schema carries the spec's descriptions.
	describes() bool
	// object converts the members of the object schema n at f into out
	// (xrules holds out's rules so far); doc is the object's doc text.
	object(w *walker, out, xrules *object, n map[string]any, f field, doc string) error
}

func newWalker(s *spec, d dialect, rules *ruleSet) *walker {
	return &walker{
		spec: s, dialect: d, rules: rules,
		overrides: map[string]func() *object{},
		defs:      newObject(), inlining: map[string]field{},
	}
}

// field locates the schema being converted.
type field struct {
	path     []string // property names from the file's root (a request's: from the parameter)
	src      []string // keys locating this schema in the spec
	nullable bool     // a wrapping anyOf or $ref site said nullable
	bare     bool     // an anyOf branch: the anyOf's rule speaks for its own keywords
	desc     string   // description from the site that referenced this schema
	descSrc  []string // where desc stands in the spec
	// variant names the structure the field is in when an anyOf offers
	// several (payment_method_options.card: a payment intent's card
	// options or another's): the rules there are named for it too, since
	// one path leads into both.
	variant string
}

func (f field) child(name string, src ...string) field {
	return field{path: append(slices.Clip(f.path), name), src: src, variant: f.variant}
}

func (w *walker) ruleID(f field, aspect string) string {
	parts := append([]string{w.dialect.namespace()}, f.path...)
	id := strings.Join(append(parts, aspect), ".")
	if f.variant != "" {
		id += "@" + f.variant
	}
	return id
}

// prose marks r as a rule found in a sentence of the docs, in the walker's
// namespace: the expectation (expectation.go) requires it to be found again.
func (w *walker) prose(r rule) rule {
	r.prose, r.resource = true, w.dialect.namespace()
	return r
}

// name is how summaries refer to the field.
func (w *walker) name(f field) string { return w.dialect.display(f.path) }

func (w *walker) addRule(f field, ruleSetter *object, keyword string, r rule) error {
	if f.bare {
		return nil
	}
	id, err := w.rules.add(r)
	if err != nil {
		return err
	}
	ruleSetter.set(keyword, id)
	return nil
}

func (w *walker) convert(n map[string]any, f field) (*object, error) {
	if override, ok := w.overrides[strings.Join(f.path, ".")]; ok && !f.bare {
		return override(), nil
	}
	nullable := f.nullable || n["nullable"] == true
	if name, ok := refName(n); ok {
		return w.ref(name, f, nullable)
	}
	if branches, ok := n["anyOf"].([]any); ok {
		return w.anyOf(branches, n, f, nullable)
	}

	desc, descSrc := f.desc, f.descSrc
	if d := str(n, "description"); d != "" {
		desc, descSrc = d, f.src
	}
	name := w.name(f)
	doc := desc
	if doc == "" {
		doc = w.dialect.undescribed(name)
	}
	src := pointer(f.src...)
	prose := pointer(append(slices.Clip(descSrc), "description")...)
	out := newObject()
	if desc != "" && !f.bare && w.dialect.describes() {
		out.set("description", desc)
	}
	xrules := newObject()

	typ := str(n, "type")
	if typ != "" {
		out.set("type", typeValue(typ, nullable))
		if err := w.addRule(f, xrules, "type", rule{
			id:      w.ruleID(f, "json-type"),
			aspect:  "json-type",
			summary: fmt.Sprintf("%s is %s", name, typePhrase(typ, nullable)),
			doc:     doc, source: src,
		}); err != nil {
			return nil, err
		}
	}

	// The values: the enum keyword, or prose: "The status of the payment,
	// one of `open`, `paid`, or `canceled`."
	enum, hasEnum := n["enum"].([]any)
	enum = slices.Clone(enum)
	enumRule := rule{doc: doc, source: src}
	if !hasEnum && typ == "string" {
		if values, sentence, ok := proseEnum(desc); ok {
			for _, v := range values {
				enum = append(enum, v)
			}
			hasEnum = true
			enumRule = w.prose(rule{doc: sentence, source: prose})
		}
	}
	if hasEnum {
		if len(f.path) == 1 && f.path[0] == "status" && typ == "string" {
			// The values of status, whether the spec gives them as an enum
			// or only in its description, are what the prose rules about
			// status (null until paid, the transitions) speak of.
			w.statuses = stringList(enum)
		}
		if nullable && !slices.Contains(enum, nil) {
			enum = append(enum, nil)
		}
		out.set("enum", enum)
		enumRule.id, enumRule.aspect = w.ruleID(f, "enum"), "enum"
		enumRule.summary, enumRule.form = enumSummary(name, enum), enumForm(enum)
		if err := w.addRule(f, xrules, "enum", enumRule); err != nil {
			return nil, err
		}
	}

	if max, ok := n["maxLength"].(float64); ok {
		out.set("maxLength", int(max))
		if err := w.addRule(f, xrules, "maxLength", rule{
			id:      w.ruleID(f, "max-length"),
			aspect:  "max-length",
			summary: fmt.Sprintf("%s is at most %d characters long", name, int(max)),
			doc:     doc, source: src,
		}); err != nil {
			return nil, err
		}
	}

	if typ == "string" && !hasEnum {
		// Prose: "Three-letter ISO currency code, in lowercase.": the
		// value is one of the lowercase ISO 4217 codes, an enum any JSON
		// Schema validator checks. A field the spec gives an enum (two
		// currencies a payment method supports) keeps its narrower enum.
		if sentence, ok := proseCurrency(desc); ok {
			codes := make([]any, 0, 300)
			for _, c := range currencyCodes() {
				codes = append(codes, c)
			}
			if nullable {
				codes = append(codes, nil)
			}
			out.set("$comment", currencyList)
			out.set("enum", codes)
			if err := w.addRule(f, xrules, "enum", w.prose(rule{
				id:      w.ruleID(f, "iso-4217-lowercase"),
				aspect:  "iso-4217-lowercase",
				summary: fmt.Sprintf("%s is a three-letter ISO currency code in lowercase", name),
				doc:     sentence, source: prose,
			})); err != nil {
				return nil, err
			}
		}
	}

	if _, hasProps := n["properties"]; hasProps || typ == "object" {
		if err := w.dialect.object(w, out, xrules, n, f, doc); err != nil {
			return nil, err
		}
	}
	if items, ok := n["items"].(map[string]any); ok {
		child, err := w.convert(items, field{
			path: append(slices.Clip(f.path), "items"), src: append(slices.Clip(f.src), "items"),
			desc: desc, descSrc: descSrc, variant: f.variant,
		})
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

// members converts the properties of the object schema n at f, the ones
// documented as set only "when `type` is X" nullable, and gives each
// required member the rule requiredRule names for it.
func (w *walker) members(n map[string]any, f field, nullable map[string]bool, requiredRule func(p string) rule) (*object, error) {
	props := properties(n)
	converted := newObject()
	for _, p := range slices.Sorted(maps.Keys(props)) {
		child, err := w.convert(props[p], field{
			path:     append(slices.Clip(f.path), p),
			src:      append(slices.Clip(f.src), "properties", p),
			nullable: nullable[p],
			variant:  f.variant,
		})
		if err != nil {
			return nil, err
		}
		converted.set(p, child)
	}
	for _, p := range stringList(n["required"]) {
		v, ok := converted.get(p)
		if !ok {
			return nil, fmt.Errorf("%s: required %q is not among its properties", pointer(f.src...), p)
		}
		child := v.(*object)
		xr, ok := child.get("x-rules")
		if !ok {
			xr = newObject()
			child.set("x-rules", xr)
		}
		// A member's required rule is its own even in an anyOf's object
		// form, whose other keywords the anyOf's rule speaks for.
		if err := w.addRule(field{path: f.path}, xr.(*object), "required", requiredRule(p)); err != nil {
			return nil, err
		}
	}
	return converted, nil
}

func (w *walker) anyOf(branches []any, n map[string]any, f field, nullable bool) (*object, error) {
	desc, descSrc := f.desc, f.descSrc
	if d := str(n, "description"); d != "" {
		desc, descSrc = d, f.src
	}
	if len(branches) == 1 {
		only, ok := branches[0].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: anyOf branch is not a schema", pointer(f.src...))
		}
		inner := f
		inner.nullable = nullable
		inner.desc, inner.descSrc = desc, descSrc
		inner.src = append(slices.Clip(f.src), "anyOf", "0")
		return w.convert(only, inner)
	}
	name := w.name(f)
	out := newObject()
	if d := str(n, "description"); d != "" && !f.bare && w.dialect.describes() {
		out.set("description", d)
	}
	var converted []any
	var expanded, phrases []string
	hasString := false
	structures := w.structures(branches)
	// Several resources (an invoice, or a deleted one): one object checked
	// against the resource its object member names, in place of the first.
	resources := w.resourceBranches(branches)
	forms := 0 // object forms seen, each after the first named apart (formName)
	for i, b := range branches {
		bm, ok := b.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: anyOf branch is not a schema", pointer(f.src...))
		}
		if ref, _ := refName(bm); len(resources) > 1 && slices.ContainsFunc(resources, func(r Resource) bool { return r.Component == ref }) {
			for _, v := range []string{w.objectValue(ref)} {
				if !slices.Contains(expanded, v) {
					expanded = append(expanded, v)
				}
			}
			if ref != resources[0].Component {
				continue
			}
			phrases = append(phrases, "an expanded object, one of "+strings.Join(stringList(objectEnum(resources)), ", "))
			id, err := w.rules.add(rule{
				id: w.ruleID(f, "expanded-object"), aspect: "enum",
				summary: fmt.Sprintf("%s, expanded, is %s", w.name(f), strings.TrimPrefix(objectSummary(resources, w.spec.version), "object is ")),
				doc:     cmpOr(desc, w.dialect.undescribed(w.name(f))), source: pointer(f.src...),
			})
			if err != nil {
				return nil, err
			}
			converted = append(converted, dispatchObject(resources, w.files, id))
			continue
		}
		path := f.path
		if _, isForm := bm["properties"]; isForm {
			if forms > 0 {
				path = append(slices.Clip(f.path), formName(bm, i))
			}
			forms++
		}
		if str(bm, "type") == "string" {
			hasString = true
		}
		if ref, ok := refName(bm); ok {
			if obj, err := w.objectValues(ref); err == nil {
				for _, v := range obj {
					if !slices.Contains(expanded, v) {
						expanded = append(expanded, v)
					}
				}
			}
		}
		phrases = append(phrases, w.phrase(bm))
		variant := f.variant
		if ref, ok := refName(bm); ok && structures > 1 {
			variant = ref
		}
		child, err := w.convert(bm, field{
			path: path, src: append(slices.Clip(f.src), "anyOf", fmt.Sprint(i)), bare: true,
			desc: desc, descSrc: descSrc, variant: variant,
		})
		if err != nil {
			return nil, err
		}
		converted = append(converted, child)
	}
	if nullable {
		converted = append(converted, newObject().set("type", "null"))
	}
	out.set("anyOf", converted)

	aspect, summary := "json-type", fmt.Sprintf("%s is %s", name, strings.Join(phrases, ", or "))
	if len(expanded) > 0 {
		if hasString {
			aspect = "expandable"
			summary = fmt.Sprintf("%s is an ID string or an expanded %s object", name, strings.Join(expanded, " or "))
		} else {
			summary = fmt.Sprintf("%s is an expanded object, one of: %s", name, strings.Join(expanded, ", "))
		}
	}
	if nullable {
		summary += ", or null"
	}
	doc := desc
	if doc == "" {
		doc = w.dialect.undescribed(name)
	}
	xrules := newObject()
	if err := w.addRule(f, xrules, "anyOf", rule{id: w.ruleID(f, aspect), aspect: aspect, summary: summary, doc: doc, source: pointer(f.src...)}); err != nil {
		return nil, err
	}
	if len(xrules.keys) > 0 {
		out.set("x-rules", xrules)
	}
	return out, nil
}

// resourceBranches lists the resources with a file of their own that
// branches of an anyOf refer to.
func (w *walker) resourceBranches(branches []any) []Resource {
	var out []Resource
	for _, b := range branches {
		bm, _ := b.(map[string]any)
		ref, ok := refName(bm)
		if !ok {
			continue
		}
		if _, hasFile := w.files[ref]; !hasFile {
			continue
		}
		if comp, err := w.spec.component(ref); err == nil {
			if r, ok := resourceOf(ref, comp); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

// objectValue is the object value of resource name, or name.
func (w *walker) objectValue(name string) string {
	if vs, err := w.objectValues(name); err == nil && len(vs) == 1 {
		return vs[0]
	}
	return name
}

// structures counts the branches of an anyOf that are references to
// structures of their own (components with properties that are not
// resources with a file).
func (w *walker) structures(branches []any) int {
	n := 0
	for _, b := range branches {
		bm, _ := b.(map[string]any)
		ref, ok := refName(bm)
		if !ok {
			continue
		}
		if _, hasFile := w.files[ref]; hasFile {
			continue
		}
		if comp, err := w.spec.component(ref); err == nil && len(properties(comp)) > 0 {
			n++
		}
	}
	return n
}

// formName names the members of an anyOf's second and later object forms
// apart from the first's, in rule IDs only: mandate_data's client-key form
// (title client_key_param) holds mandate_data.client_key_param-form.customer_acceptance,
// whose rules differ from the secret-key form's. A field is never named with
// a dash, so the element cannot be a member's name; display leaves it out.
func formName(branch map[string]any, i int) string {
	if t := str(branch, "title"); t != "" {
		return t + formSuffix
	}
	return fmt.Sprintf("anyOf-%d%s", i, formSuffix)
}

const formSuffix = "-form"

// isFormName says whether a path element is a formName.
func isFormName(element string) bool { return strings.HasSuffix(element, formSuffix) }

// phrase says what an anyOf branch is: "an integer", "an object with gt,
// gte, lt, lte".
func (w *walker) phrase(b map[string]any) string {
	if ref, ok := refName(b); ok {
		if comp, err := w.spec.component(ref); err == nil {
			b = comp
		}
	}
	if e, ok := b["enum"].([]any); ok && len(e) == 1 && e[0] == "" {
		// Stripe's idiom for unsetting a field in an update: param="".
		return `an empty string ("" unsets it)`
	}
	phrase := typePhrase(str(b, "type"), false)
	if props := slices.Sorted(maps.Keys(properties(b))); len(props) > 0 {
		phrase += " with " + strings.Join(props, ", ")
	}
	return phrase
}

// ref converts {"$ref": ...}: a reference to a component with its own file,
// a shallow check of another resource, or the inlined component.
func (w *walker) ref(name string, f field, nullable bool) (*object, error) {
	if file, ok := w.files[name]; ok {
		// Another resource, checked against its own file; the resource
		// this file describes, against the file's root.
		target := file
		if name == w.self {
			target = "#"
		}
		return w.resourceRef(name, target, f, nullable)
	}
	target, err := w.spec.component(name)
	if err != nil {
		return nil, err
	}
	if _, isResource := target["x-resourceId"]; isResource && name != w.self {
		if branches, ok := target["anyOf"].([]any); ok && target["properties"] == nil {
			// A polymorphic resource (payment_source: an account, a bank
			// account, a card or a source): one of its resources.
			inner := f
			inner.src = []string{"components", "schemas", name}
			return w.anyOf(branches, target, inner, nullable)
		}
		if err := w.expansion(name); err != nil {
			return nil, err
		}
		out := nullableRef(newObject().set("$ref", "#/$defs/"+name), nullable)
		values, _ := w.objectValues(name)
		summary := fmt.Sprintf("%s is an expanded %s object", w.name(f), strings.Join(values, " or "))
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
			doc = fmt.Sprintf("%s holds a %s object.", w.name(f), name)
		}
		if err := w.addRule(f, xrules, keyword, rule{id: w.ruleID(f, "json-type"), aspect: "json-type", summary: summary, doc: doc, source: pointer(f.src...)}); err != nil {
			return nil, err
		}
		if len(xrules.keys) > 0 {
			out.set("x-rules", xrules)
		}
		return out, nil
	}
	if outer, ok := w.inlining[name]; ok && !f.bare {
		// A structure that holds itself (a balance transaction's
		// adjustment of an adjustment): converted once into $defs, at the
		// path of its outermost use, and referred to from within.
		if _, done := w.defs.get(name); !done {
			w.defs.set(name, newObject())
			inner := outer
			inner.src = []string{"components", "schemas", name}
			def, err := w.convert(target, inner)
			if err != nil {
				return nil, err
			}
			w.defs.set(name, def)
		}
		ref := newObject().set("$ref", "#/$defs/"+escapePointer(name))
		if !nullable || outer.nullable {
			return ref, nil
		}
		return w.nullableRule(nullableRef(ref, true), f, name)
	}
	inner := f
	inner.nullable = nullable
	inner.src = []string{"components", "schemas", name}
	w.inlining[name] = field{path: f.path, src: inner.src, desc: f.desc, descSrc: f.descSrc, nullable: nullable}
	defer delete(w.inlining, name)
	return w.convert(target, inner)
}

// resourceRef refers to a resource's file (or "#", the file's own root):
// the field holds that resource, expanded.
func (w *walker) resourceRef(name, target string, f field, nullable bool) (*object, error) {
	out := nullableRef(newObject().set("$ref", target), nullable)
	if !nullable && target != "#" {
		return out, nil // a bare $ref reports its target's rules
	}
	values, _ := w.objectValues(name)
	summary := fmt.Sprintf("%s is an expanded %s object", w.name(f), strings.Join(values, " or "))
	if nullable {
		summary += ", or null"
	}
	keyword := "$ref"
	if nullable {
		keyword = "anyOf"
	}
	doc := f.desc
	if doc == "" {
		doc = fmt.Sprintf("%s holds a %s object.", w.name(f), name)
	}
	xrules := newObject()
	if err := w.addRule(f, xrules, keyword, rule{id: w.ruleID(f, "json-type"), aspect: "json-type", summary: summary, doc: doc, source: pointer(f.src...)}); err != nil {
		return nil, err
	}
	if len(xrules.keys) > 0 {
		out.set("x-rules", xrules)
	}
	return out, nil
}

// nullableRule gives a nullable reference to a structure in $defs its rule.
func (w *walker) nullableRule(out *object, f field, name string) (*object, error) {
	doc := f.desc
	if doc == "" {
		doc = w.dialect.undescribed(w.name(f))
	}
	xrules := newObject()
	if err := w.addRule(f, xrules, "anyOf", rule{id: w.ruleID(f, "json-type"), aspect: "json-type",
		summary: fmt.Sprintf("%s is a %s, or null", w.name(f), name), doc: doc, source: pointer(f.src...)}); err != nil {
		return nil, err
	}
	if len(xrules.keys) > 0 {
		out.set("x-rules", xrules)
	}
	return out, nil
}

func nullableRef(ref *object, nullable bool) *object {
	if !nullable {
		return ref
	}
	return newObject().set("anyOf", []any{ref, newObject().set("type", "null")})
}

// objectValues returns the values a resource's "object" field may take.
func (w *walker) objectValues(name string) ([]string, error) {
	target, err := w.spec.component(name)
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
func (w *walker) expansion(name string) error {
	if _, ok := w.defs.get(name); ok {
		return nil
	}
	target, err := w.spec.component(name)
	if err != nil {
		return err
	}
	values, err := w.objectValues(name)
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
	w.defs.set(name, def)
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
