package validators

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// kindFacts are what kind detection reads of a document.
type kindFacts struct {
	isObject       bool
	hasObject      bool
	object         string
	objectIsString bool
	deleted        bool // "deleted": true
	hasError       bool
	// objectEscaped: the fast path met an escaped string it does not
	// read exactly; only the full path decides such a document's kind.
	objectEscaped bool
}

// kindOf recognises a document from its "object" member: a resource of the
// contract's version (its deleted form when it says "deleted": true), a
// list, a search result or an event; or, without one, an error envelope.
// Both paths use it.
func kindOf(f kindFacts, c *contract) Kind {
	switch {
	case !f.isObject || f.objectEscaped:
		return KindUnknown
	case f.hasObject && f.objectIsString:
		switch f.object {
		case "list":
			return KindList
		case "search_result":
			return KindSearchResult
		case "event":
			return KindEvent
		}
		if k, ok := c.kindOfObject(f.object, f.deleted); ok {
			return k
		}
	case !f.hasObject && f.hasError:
		return KindError
	}
	return KindUnknown
}

// treeFacts reads kind facts from a decoded document.
func treeFacts(doc any) kindFacts {
	m, ok := doc.(map[string]any)
	if !ok {
		return kindFacts{}
	}
	f := kindFacts{isObject: true}
	var obj any
	obj, f.hasObject = m["object"]
	f.object, f.objectIsString = obj.(string)
	f.deleted = m["deleted"] == true
	_, f.hasError = m["error"]
	return f
}

// treeAPIVersion is the API version a decoded event names (api_version),
// or "".
func treeAPIVersion(doc any) string {
	m, _ := doc.(map[string]any)
	if m["object"] != "event" {
		return ""
	}
	s, _ := m["api_version"].(string)
	return s
}

// unknownKind explains why a document is of no kind the contract covers.
func (c *contract) unknownKind(doc any) Violation {
	m, ok := doc.(map[string]any)
	if !ok {
		return c.violation(RuleUnknownKind, "", "is "+pointer.Describe(doc)+", not an object")
	}
	obj, hasObject := m["object"]
	if !hasObject {
		return c.violation(RuleUnknownKind, "/object", "is missing (nor is the document an error envelope)")
	}
	if _, isString := obj.(string); !isString {
		return c.violation(RuleUnknownKind, "/object", "is "+pointer.DescribeTyped(obj))
	}
	return c.violation(RuleUnknownKind, "/object", fmt.Sprintf("is %s, which no resource of API version %s is", pointer.Describe(obj), c.apiVersion))
}

// violation builds a violation of a rule checked in Go.
func (c *contract) violation(ruleID, pointer, found string) Violation {
	r, _ := c.rule(ruleID)
	return Violation{Rule: r.ID, Pointer: pointer, Message: found + "; " + r.Summary, Severity: r.Severity, Doc: r.Doc}
}

// docView is how the Go checks read a document, decoded (the full path) or
// scanned (the fast path).
type docView interface {
	number(p path) (json.Number, bool)
	// int64 is the number at p when it is an integer written as digits
	// that fits in 64 bits, read without allocating: it decides a
	// comparison, and number gives the text a finding quotes.
	int64(p path) (int64, bool)
	str(p path) (string, bool)
	has(p path) bool
	length(p path) int
	isObject(p path) bool
}

// path is a short path of member names and array indexes from the root of
// a document, held by value so that reading one allocates nothing.
type path struct {
	segs [6]string
	n    int
}

func (p path) with(seg string) path {
	if p.n == len(p.segs) {
		panic("validators: path deeper than the Go checks use")
	}
	p.segs[p.n] = seg
	p.n++
	return p
}

func (p path) pointer() string {
	var b strings.Builder
	for _, s := range p.segs[:p.n] {
		b.WriteByte('/')
		b.WriteString(pointer.Escape(s))
	}
	return b.String()
}

// finding is a broken Go-checked rule, before it becomes a Violation.
type finding struct {
	rule, pointer, found string
}

// eachPayment calls fn with where a document of kind k holds an
// invoice_payment at the top of a resource: the document itself, an
// event's data.object, the items of a list or search result, an invoice's
// payments.
func eachPayment(k Kind, doc docView, fn func(path)) {
	isPayment := func(p path) bool {
		o, _ := doc.str(p.with("object"))
		return o == "invoice_payment"
	}
	items := func(base path) {
		for i := range doc.length(base) {
			if p := base.with(strconv.Itoa(i)); isPayment(p) {
				fn(p)
			}
		}
	}
	switch k {
	case KindInvoicePayment:
		fn(path{})
	case KindEvent:
		if p := (path{}).with("data").with("object"); isPayment(p) {
			fn(p)
		}
	case KindList, KindSearchResult:
		items(path{}.with("data"))
	case KindInvoice:
		items(path{}.with("payments").with("data"))
	}
}

// goChecked reports whether goFindings reads documents of kind k: those
// eachPayment visits and invoices. It finds nothing in any other.
func goChecked(k Kind) bool {
	switch k {
	case KindInvoicePayment, KindEvent, KindList, KindSearchResult, KindInvoice:
		return true
	}
	return false
}

// goFindings checks the rules JSON Schema cannot state: comparisons between
// two values of a document. Both paths run it.
func goFindings(k Kind, doc docView) []finding {
	if !goChecked(k) {
		return nil
	}
	var out []finding
	eachPayment(k, doc, func(p path) {
		if !doc.isObject(p) {
			return
		}
		if x, ok := doc.int64(p.with("amount_paid")); ok {
			if y, ok := doc.int64(p.with("amount_requested")); ok && x <= y {
				return
			}
		}
		paid, ok := doc.number(p.with("amount_paid"))
		if !ok { // null until paid: no comparison, and no text of amount_requested made
			return
		}
		requested, ok := doc.number(p.with("amount_requested"))
		if ok && exceeds(paid, requested) {
			out = append(out, finding{ruleAtMostRequested, p.with("amount_paid").pointer(),
				fmt.Sprintf("is %s, more than amount_requested (%s)", paid, requested)})
		}
	})
	if k != KindInvoice {
		return out
	}
	id, _ := doc.str(path{}.with("id"))
	data := path{}.with("payments").with("data")
	for i := range doc.length(data) {
		ref := data.with(strconv.Itoa(i)).with("invoice")
		refID, ok := doc.str(ref)
		if !ok {
			refID, _ = doc.str(ref.with("id"))
		}
		if id != "" && refID != "" && refID != id {
			out = append(out, finding{ruleInvoiceMatches, ref.pointer(),
				fmt.Sprintf("is %s, but the payment is listed on invoice %s", strconv.Quote(refID), strconv.Quote(id))})
		}
	}
	return out
}

// exceeds compares two integer-valued JSON numbers exactly.
func exceeds(a, b json.Number) bool {
	if x, err := strconv.ParseInt(string(a), 10, 64); err == nil {
		if y, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return x > y
		}
	}
	x, ok1 := integer(a)
	y, ok2 := integer(b)
	return ok1 && ok2 && x.Cmp(y) > 0
}

func integer(n json.Number) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok || !r.IsInt() {
		return nil, false
	}
	return r, true
}

// goChecks runs goFindings on a decoded document and adds the integers
// written in forms typed SDKs reject.
func (c *contract) goChecks(k Kind, d decoded, schema *jsonschema.Schema) []Violation {
	var out []Violation
	for _, f := range goFindings(k, treeView{d.value}) {
		out = append(out, c.violation(f.rule, f.pointer, f.found))
	}
	for _, p := range d.oddNumbers {
		n, _ := valueAt(d.value, p)
		num, ok := n.(json.Number)
		if !ok || !integerAt(schema, pointer.Split(p)) {
			continue
		}
		if _, ok := integer(num); ok {
			out = append(out, c.violation(RuleIntegerForm, p, "is written "+string(num)))
		}
	}
	return out
}

// treeView reads a decoded document.
type treeView struct{ doc any }

func (v treeView) get(p path) (any, bool) { return descend(v.doc, p.segs[:p.n]) }

func (v treeView) number(p path) (json.Number, bool) {
	x, _ := v.get(p)
	n, ok := x.(json.Number)
	return n, ok
}

func (v treeView) int64(p path) (int64, bool) {
	n, ok := v.number(p)
	if !ok {
		return 0, false
	}
	x, err := strconv.ParseInt(string(n), 10, 64)
	return x, err == nil
}

func (v treeView) str(p path) (string, bool) {
	x, _ := v.get(p)
	s, ok := x.(string)
	return s, ok
}

func (v treeView) has(p path) bool {
	_, ok := v.get(p)
	return ok
}

func (v treeView) length(p path) int {
	x, _ := v.get(p)
	l, _ := x.([]any)
	return len(l)
}

func (v treeView) isObject(p path) bool {
	x, _ := v.get(p)
	_, ok := x.(map[string]any)
	return ok
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
		if items := itemsOf(s); items != nil && pointer.IsIndex(segs[0]) {
			s, segs = items, segs[1:]
			continue
		}
		return false
	}
	return false
}
