package validators_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
	. "github.com/stripe-contract/stripe-contract/validators/contractmatch"
)

// minimal builds the smallest document a schema file describes: every
// required member, null where the spec allows it, else the first enum
// value, an empty string, zero, false, an empty list or the smallest
// object; an expandable field takes its ID. It reads the committed files of
// one version, so a resource whose schema cannot be satisfied this way, or
// does not compile, shows up in the specs below.
type minimal struct {
	files fs.FS
	docs  map[string]map[string]any
	depth int
}

func newMinimal(version string) *minimal {
	files, err := schemas.Version(version)
	if err != nil {
		panic(err)
	}
	return &minimal{files: files, docs: map[string]map[string]any{}}
}

// smallest is the smallest document of the newest version's file name.
func smallest(name string) map[string]any { return newMinimal(schemas.Newest()).resource(name) }

func (m *minimal) file(name string) map[string]any {
	if d, ok := m.docs[name]; ok {
		return d
	}
	raw, err := fs.ReadFile(m.files, name)
	if err != nil {
		panic(err)
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		panic(fmt.Sprintf("%s: %v", name, err))
	}
	m.docs[name] = d
	return d
}

// resource is the minimal document of the resource whose file is name.
func (m *minimal) resource(name string) map[string]any {
	root := m.file(name)
	return m.value(root, root).(map[string]any)
}

func (m *minimal) resolve(ref string, root map[string]any) (map[string]any, map[string]any) {
	file, frag, _ := strings.Cut(ref, "#")
	if file != "" {
		root = m.file(file)
	}
	node := root
	for _, seg := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if seg == "" {
			continue
		}
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		node = node[seg].(map[string]any)
	}
	return node, root
}

func (m *minimal) value(s, root map[string]any) any {
	m.depth++
	defer func() { m.depth-- }()
	if m.depth > 60 {
		panic("minimal: too deep")
	}
	if ref, ok := s["$ref"].(string); ok {
		target, r := m.resolve(ref, root)
		return m.value(target, r)
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		for _, e := range enum {
			if e == nil {
				return nil
			}
		}
		return enum[0]
	}
	if c, ok := s["const"]; ok {
		return c
	}
	if branches, ok := s["anyOf"].([]any); ok {
		for _, b := range branches {
			if bm := b.(map[string]any); bm["type"] == "null" {
				return nil
			}
		}
		for _, b := range branches {
			if bm := b.(map[string]any); bm["type"] == "string" {
				return m.value(bm, root)
			}
		}
		return m.value(branches[0].(map[string]any), root)
	}
	typ := s["type"]
	if list, ok := typ.([]any); ok {
		for _, t := range list {
			if t == "null" {
				return nil
			}
		}
		typ = list[0]
	}
	switch typ {
	case "string":
		return ""
	case "integer", "number":
		return 0
	case "boolean":
		return false
	case "array":
		return []any{}
	}
	out := map[string]any{}
	props, _ := s["properties"].(map[string]any)
	for _, r := range asStrings(s["required"]) {
		p, _ := props[r].(map[string]any)
		if p == nil {
			out[r] = ""
			continue
		}
		out[r] = m.value(p, root)
	}
	return out
}

// skipUnderRace skips a whole-API spec under the race detector: one
// goroutine over every resource of a version, nothing to race, and ten
// times slower there. CI runs them without -race.
func skipUnderRace() {
	if validators.RaceDetector {
		Skip("a single-threaded check of every resource of a version: run without -race (go test ./validators; CI does)")
	}
}

func asStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, x.(string))
	}
	return out
}

var _ = Describe("the whole API", func() {
	for _, version := range schemas.Versions() {
		It("compiles every resource's schema at "+version+" and accepts its smallest document, kind the resource's name", func() {
			skipUnderRace()
			v := mustValidator(validators.WithAPIVersion(version))
			files, err := schemas.Version(version)
			Expect(err).NotTo(HaveOccurred())
			raw, err := fs.ReadFile(files, schemas.IndexFile)
			Expect(err).NotTo(HaveOccurred())
			var index struct {
				Resources []struct{ Component, Object, File string }
			}
			Expect(json.Unmarshal(raw, &index)).To(Succeed())
			Expect(len(index.Resources)).To(BeNumerically(">", 140))
			m := newMinimal(version)
			var problems []string
			for _, r := range index.Resources {
				if r.Component == "event" {
					continue // the event envelope: its own specs
				}
				doc := m.resource(r.File)
				if r.Component == "invoice_payment" {
					// Its rules relate one field to another, which the
					// smallest document does not respect: the examples do.
					doc = paidPI
				}
				res := v.Validate(encode(doc))
				if res.Kind != validators.Kind(r.Component) || !res.Valid() {
					problems = append(problems, fmt.Sprintf("%s: kind %s, %v", r.Component, res.Kind, res.Violations))
				}
			}
			Expect(problems).To(BeEmpty())
		})
	}
})

// eventOf is an event of type t at version carrying obj, written from the
// event envelope's required fields.
func eventOf(version, t string, obj map[string]any) map[string]any {
	return map[string]any{
		"id": "evt_1QWholeAPI000001", "object": "event", "api_version": version, "created": 1760003700,
		"data": map[string]any{"object": obj}, "livemode": false, "pending_webhooks": 1,
		"request": map[string]any{"id": nil, "idempotency_key": nil}, "type": t,
	}
}

// eventTypes reads what each event type of version carries from its index.
func eventTypesOf(version string) map[string][]string {
	files, err := schemas.Version(version)
	Expect(err).NotTo(HaveOccurred())
	raw, err := fs.ReadFile(files, schemas.IndexFile)
	Expect(err).NotTo(HaveOccurred())
	var index struct {
		EventTypes map[string][]string `json:"event_types"`
	}
	Expect(json.Unmarshal(raw, &index)).To(Succeed())
	return index.EventTypes
}

var _ = Describe("the whole API, by kind", func() {
	for _, version := range schemas.Versions() {
		It("reports each required field of every resource missing at its own pointer, at "+version, func() {
			skipUnderRace()
			v := mustValidator(validators.WithAPIVersion(version))
			m := newMinimal(version)
			files, err := schemas.Version(version)
			Expect(err).NotTo(HaveOccurred())
			names, err := schemas.Files(files)
			Expect(err).NotTo(HaveOccurred())
			checked := 0
			for _, name := range names {
				component := strings.TrimSuffix(name, ".schema.json")
				doc := m.file(name)
				if _, isResource := doc["x-rule-definitions"].(map[string]any)[component+".object.required"]; !isResource || component == "event" || component == "invoice_payment" {
					continue
				}
				base := m.resource(name)
				for _, field := range asStrings(doc["required"]) {
					if field == "object" || field == "deleted" {
						continue // without it the document is of no kind, or another (the live resource)
					}
					res := v.Validate(encode(without(base, "/"+field)))
					Expect(res.Kind).To(Equal(validators.Kind(component)))
					Expect(res).To(HaveViolation(component+"."+field+".required", "/"+field), "%s at %s", component, version)
					checked++
				}
			}
			Expect(checked).To(BeNumerically(">", 1000))
		})

		It("checks an event of every type "+version+" maps against the resource it carries", func() {
			skipUnderRace()
			v := mustValidator(validators.WithAPIVersion(version))
			m := newMinimal(version)
			checked := 0
			for t, carries := range eventTypesOf(version) {
				if len(carries) != 1 || carries[0] == "invoice_payment" {
					continue
				}
				obj := m.resource(schemas.ResourceFile(carries[0]))
				res := v.Validate(encode(eventOf(version, t, obj)))
				Expect(res.Kind).To(Equal(validators.KindEvent))
				Expect(res).To(BeClean(), "%s carrying a %s at %s", t, carries[0], version)
				// Another resource in data.object is the carries rule's.
				other := m.resource(schemas.ResourceFile("application_fee"))
				if carries[0] != "application_fee" {
					res = v.Validate(encode(eventOf(version, t, other)))
					Expect(res).To(HaveViolation("event.data.object.carries", "/data/object/object"), "%s at %s", t, version)
				}
				checked++
			}
			Expect(checked).To(BeNumerically(">", 200))
		})
	}

	It("warns of an event type the version does not list, naming the version, and checks data.object by its object", func() {
		charge := smallest("charge.schema.json")
		res := validator.Validate(encode(eventOf("2026-08-26.dahlia", "charge.teleported", charge)))
		Expect(res.Kind).To(Equal(validators.KindEvent))
		Expect(res.Valid()).To(BeTrue())
		Expect(res).To(HaveViolation("event.type.enum", "/type"))
		for _, viol := range res.Violations {
			if viol.Rule == "event.type.enum" {
				Expect(viol.Severity).To(Equal(validators.Warning))
				Expect(viol.Message).To(ContainSubstring("2026-08-26.dahlia"))
			}
		}
		broken := with(charge, remove("/amount"))
		res = validator.Validate(encode(eventOf("2026-08-26.dahlia", "charge.teleported", broken)))
		Expect(res).To(HaveViolation("charge.amount.required", "/data/object/amount"))
	})

	It("checks data.previous_attributes as a partial object of the resource the event carries", func() {
		customer := smallest("customer.schema.json")
		ev := eventOf("2026-08-26.dahlia", "customer.updated", customer)
		ev["data"].(map[string]any)["previous_attributes"] = map[string]any{"email": nil, "balance": 100}
		Expect(validator.Validate(encode(ev))).To(BeClean())
		ev["data"].(map[string]any)["previous_attributes"] = map[string]any{"balance": "a hundred"}
		Expect(validator.Validate(encode(ev))).To(HaveViolation("customer.balance.json-type", "/data/previous_attributes/balance"))
		ev["data"].(map[string]any)["previous_attributes"] = map[string]any{"not_a_field": 1}
		Expect(validator.Validate(encode(ev))).To(HaveViolation("customer.undocumented-field", "/data/previous_attributes/not_a_field"))
	})

	It("judges basil's invoice.payment.paid at basil, where it carries an invoice_payment", func() {
		ev := eventOf("2025-05-28.basil", "invoice.payment.paid", paidPI)
		res := validator.Validate(encode(ev))
		Expect(res.APIVersion).To(Equal("2025-05-28.basil"))
		Expect(res).To(BeClean())
		res = validator.Validate(encode(with(ev, setTo("/data/object/status", "succeeded"))))
		Expect(res).To(HaveViolation("invoice_payment.status.enum", "/data/object/status"))
	})

	It("checks each item of a list and of a search result against the resource its object names", func() {
		customer, charge := smallest("customer.schema.json"), smallest("charge.schema.json")
		list := map[string]any{"object": "list", "data": []any{customer, charge, paidPI}, "has_more": false, "url": "/v1/whatever"}
		Expect(validator.Validate(encode(list))).To(BeClean())
		res := validator.Validate(encode(with(list, setTo("/data/1/currency", "abc"))))
		Expect(res).To(HaveViolation("charge.currency.iso-4217-lowercase", "/data/1/currency"))
		res = validator.Validate(encode(with(list, setTo("/data/0/object", "no_such_thing"))))
		Expect(res).To(HaveViolation("list.data.items.object.enum", "/data/0/object"))
		search := map[string]any{"object": "search_result", "data": []any{customer}, "has_more": false, "next_page": nil, "url": "/v1/customers/search"}
		res = validator.Validate(encode(search))
		Expect(res.Kind).To(Equal(validators.KindSearchResult))
		Expect(res).To(BeClean())
		res = validator.Validate(encode(with(search, remove("/data/0/id"))))
		Expect(res).To(HaveViolation("customer.id.required", "/data/0/id"))
	})

	It("checks a deleted object as the resource's deleted form", func() {
		res := validator.Validate([]byte(`{"id":"cus_1","object":"customer","deleted":true}`))
		Expect(res.Kind).To(Equal(validators.Kind("deleted_customer")))
		Expect(res).To(BeClean())
		res = validator.Validate([]byte(`{"id":"cus_1","object":"customer","deleted":"yes"}`))
		Expect(res.Kind).To(Equal(validators.Kind("customer")))
		Expect(res.Valid()).To(BeFalse())
	})
})
