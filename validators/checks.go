package validators

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// eventPrefix is the family of event types this contract covers.
const eventPrefix = "invoice_payment."

// kindOf recognises a document from its "object" field.
func (v *Validator) kindOf(doc any) (Kind, *Violation) {
	m, ok := doc.(map[string]any)
	if !ok {
		return KindUnknown, v.violation(RuleUnknownKind, "", "is "+describe(doc)+", not an object")
	}
	obj, hasObject := m["object"]
	switch obj {
	case "invoice_payment":
		return KindInvoicePayment, nil
	case "list":
		return KindList, nil
	case "invoice":
		return KindInvoice, nil
	case "event":
		t, isString := m["type"].(string)
		if strings.HasPrefix(t, eventPrefix) {
			return KindEvent, nil
		}
		if !isString {
			// No usable type: an event about an invoice_payment still says
			// so in data.object; the schema then reports the type.
			if o, _ := valueAt(doc, "/data/object/object"); o == "invoice_payment" {
				return KindEvent, nil
			}
			return KindUnknown, v.violation(RuleUnknownKind, "/type", "is "+describe(m["type"])+", and data.object is not an invoice_payment")
		}
		return KindUnknown, v.violation(RuleUnknownKind, "/type", fmt.Sprintf("is %s, not an %s* event", describe(t), eventPrefix))
	}
	if !hasObject {
		if _, ok := m["error"]; ok {
			return KindError, nil
		}
		return KindUnknown, v.violation(RuleUnknownKind, "", "has no object field (nor is it an error envelope)")
	}
	return KindUnknown, v.violation(RuleUnknownKind, "/object", "is "+describe(obj))
}

// violation builds a violation of a rule checked in Go.
func (v *Validator) violation(ruleID, pointer, found string) *Violation {
	r := v.c.rules[ruleID]
	return &Violation{Rule: r.ID, Pointer: pointer, Message: found + "; " + r.Summary, Severity: r.Severity, Doc: r.Doc}
}

// paymentPointers lists where a document of kind k holds invoice_payments.
func paymentPointers(k Kind, doc any) []string {
	var base string
	switch k {
	case KindInvoicePayment:
		return []string{""}
	case KindEvent:
		return []string{"/data/object"}
	case KindList:
		base = "/data"
	case KindInvoice:
		base = "/payments/data"
	default:
		return nil
	}
	items, _ := valueAt(doc, base)
	list, _ := items.([]any)
	out := make([]string, len(list))
	for i := range list {
		out[i] = base + "/" + strconv.Itoa(i)
	}
	return out
}

// goChecks are the rules JSON Schema cannot state: comparisons between two
// values, and integers in forms typed SDKs reject.
func (v *Validator) goChecks(k Kind, d decoded, schema *jsonschema.Schema) []Violation {
	var out []Violation
	for _, p := range paymentPointers(k, d.value) {
		obj, _ := valueAt(d.value, p)
		m, ok := obj.(map[string]any)
		if !ok {
			continue
		}
		paid, ok1 := number(m["amount_paid"])
		requested, ok2 := number(m["amount_requested"])
		if ok1 && ok2 && paid.Cmp(requested) > 0 {
			out = append(out, *v.violation(ruleAtMostRequested, p+"/amount_paid",
				fmt.Sprintf("is %s, more than amount_requested (%s)", m["amount_paid"], m["amount_requested"])))
		}
	}
	if k == KindInvoice {
		out = append(out, v.invoiceChecks(d.value)...)
	}
	for _, p := range d.oddNumbers {
		n, _ := valueAt(d.value, p)
		num, ok := n.(json.Number)
		if !ok || !integerAt(schema, splitPointer(p)) {
			continue
		}
		if r, ok := new(big.Rat).SetString(string(num)); ok && r.IsInt() {
			out = append(out, *v.violation(RuleIntegerForm, p, "is written "+string(num)))
		}
	}
	return out
}

func (v *Validator) invoiceChecks(doc any) []Violation {
	inv, _ := doc.(map[string]any)
	payments, ok := inv["payments"]
	if !ok {
		return []Violation{*v.violation(rulePaymentsInc, "/payments", "is missing, so no invoice_payment was checked")}
	}
	id, _ := inv["id"].(string)
	list, _ := payments.(map[string]any)
	data, _ := list["data"].([]any)
	var out []Violation
	for i, item := range data {
		m, _ := item.(map[string]any)
		ref := m["invoice"]
		refID, _ := ref.(string)
		if expanded, ok := ref.(map[string]any); ok {
			refID, _ = expanded["id"].(string)
		}
		if id != "" && refID != "" && refID != id {
			out = append(out, *v.violation(ruleInvoiceMatches, fmt.Sprintf("/payments/data/%d/invoice", i),
				fmt.Sprintf("is %s, but the payment is listed on invoice %s", strconv.Quote(refID), strconv.Quote(id))))
		}
	}
	return out
}

// number reads an integer-valued JSON number exactly.
func number(v any) (*big.Rat, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok || !r.IsInt() {
		return nil, false
	}
	return r, true
}

// integerAt reports whether the compiled schema requires an integer at the
// instance path segs, following $ref, properties and items.
func integerAt(s *jsonschema.Schema, segs []string) bool {
	for depth := 0; s != nil && depth < 64; depth++ {
		for s.Ref != nil && len(s.Properties) == 0 && len(s.Types) == 0 {
			s = s.Ref
		}
		if len(segs) == 0 {
			return slices.Contains(s.Types, "integer")
		}
		if sub, ok := s.Properties[segs[0]]; ok {
			s, segs = sub, segs[1:]
			continue
		}
		if s.Ref != nil {
			s = s.Ref
			continue
		}
		if s.Items2020 != nil && isIndex(segs[0]) {
			s, segs = s.Items2020, segs[1:]
			continue
		}
		return false
	}
	return false
}
