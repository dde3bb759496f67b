package generator

import (
	"fmt"
	"slices"
	"strings"
)

// responses is the dialect of the files that describe documents Stripe
// sends: rules are named after the resource and the field's dotted path
// (invoice_payment.payment.type.enum), descriptions are kept, a required
// field is simply required, and an undocumented field is a notice
// (Stripe may add fields without notice).
type responses struct {
	resource string   // rule namespace: "invoice_payment", "list", ...
	version  string   // API version, cited by the undocumented-field rule
	rootSrc  []string // where the file's root schema stands in the spec
}

func (d responses) namespace() string { return d.resource }

// display is the field's dotted path, or the resource for the root.
func (d responses) display(path []string) string {
	if len(path) == 0 {
		return d.resource
	}
	return strings.Join(path, ".")
}

func (d responses) undescribed(name string) string {
	return fmt.Sprintf("%s is documented without a description; its type and requiredness come from the spec.", name)
}

func (d responses) describes() bool { return true }

// object converts properties and required, and adds the rules that relate
// one field to another (prose.go).
func (d responses) object(w *walker, out, _ *object, n map[string]any, f field, _ string) error {
	props := properties(n)
	required := stringList(n["required"])
	if len(required) > 0 {
		out.set("required", required)
	}
	if len(props) == 0 {
		return nil
	}
	// A reference documented as set "when `type` is X" is null when type
	// is anything else (prose.go, referenceRule).
	converted, err := w.members(n, f, typeConditional(props), func(p string) rule {
		name := d.display(append(slices.Clip(f.path), p))
		doc := str(props[p], "description")
		if doc == "" {
			doc = fmt.Sprintf("%s is marked required in the API reference.", name)
		}
		return rule{
			id:      w.ruleID(f.child(p), "required"),
			aspect:  "required",
			summary: fmt.Sprintf("%s is required", name),
			doc:     doc, source: pointer(append(slices.Clip(f.src), "required")...),
		}
	})
	if err != nil {
		return err
	}
	out.set("properties", converted)

	if !f.bare && n["additionalProperties"] != true {
		id, err := w.rules.add(rule{
			id:       d.resource + "." + aspectUndocumented,
			aspect:   aspectUndocumented,
			severity: severityNotice,
			summary:  fmt.Sprintf("%s carries only documented fields (Stripe may add fields without notice: a notice by default, an error in strict mode)", d.resource),
			doc:      fmt.Sprintf("The API reference documents the fields of %s; a field it does not list is not part of the contract of API version %s.", d.resource, d.version),
			source:   pointer(append(slices.Clip(d.rootSrc), "properties")...),
		})
		if err != nil {
			return err
		}
		out.set("x-undocumented", id)
	}

	allOf, err := w.crossField(n, f, props)
	if err != nil {
		return err
	}
	if len(allOf) > 0 {
		out.set("allOf", allOf)
	}
	return nil
}
