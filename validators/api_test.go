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
