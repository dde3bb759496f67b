package schemas_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

// readSchema reads a file of the newest embedded version.
func readSchema(name string) map[string]any { return readVersionSchema(schemas.Newest(), name) }

func readVersionSchema(version, name string) map[string]any {
	files, err := schemas.Version(version)
	Expect(err).NotTo(HaveOccurred())
	raw, err := fs.ReadFile(files, name)
	Expect(err).NotTo(HaveOccurred())
	var doc map[string]any
	Expect(json.Unmarshal(raw, &doc)).To(Succeed())
	return doc
}

func props(schema map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for k, v := range schema["properties"].(map[string]any) {
		out[k] = v.(map[string]any)
	}
	return out
}

// types returns a property schema's JSON types ("type" as a string or list).
func types(p map[string]any) []string {
	switch t := p["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

var _ = Describe("the committed schema files", func() {
	It("are one directory per API version the generator embeds", func() {
		var embedded []string
		for _, v := range generator.EmbeddedVersions() {
			embedded = append(embedded, v.APIVersion)
		}
		Expect(schemas.Versions()).To(Equal(embedded))
		Expect(schemas.Newest()).To(Equal(embedded[len(embedded)-1]))
		_, err := schemas.Version("2020-08-27")
		var unknown *schemas.UnknownVersionError
		Expect(errors.As(err, &unknown)).To(BeTrue())
		Expect(err).To(MatchError(`API version "2020-08-27" is not embedded (embedded: ` + strings.Join(embedded, ", ") + ")"))
	})

	// Versions other than the pinned one are fetched with go mod download
	// (through the Go module proxy in CI).
	for _, ev := range generator.EmbeddedVersions() {
		version := ev.APIVersion
		It("are exactly what the generator writes for "+version, func(ctx SpecContext) {
			specs, err := generator.LoadSpecs(ctx, version)
			Expect(err).NotTo(HaveOccurred())
			res, err := generator.Derive(specs.GA, specs.GAOrigin, generator.WithPreviewSpec(specs.Preview))
			Expect(err).NotTo(HaveOccurred())
			files := res.Files

			dir, err := schemas.Version(version)
			Expect(err).NotTo(HaveOccurred())
			committed, err := fs.Glob(dir, "*.json")
			Expect(err).NotTo(HaveOccurred())
			generated := make([]string, 0, len(files))
			for name := range files {
				generated = append(generated, name)
			}
			slices.Sort(generated)
			Expect(committed).To(Equal(generated), "files on disk vs files generated")
			Expect(generated).To(ContainElements(schemas.EnvelopeFiles()), "the envelopes")
			Expect(generated).To(ContainElements(schemas.InvoicePaymentFile, schemas.InvoiceFile, "customer.schema.json", "charge.schema.json"))

			for _, name := range generated {
				onDisk, err := fs.ReadFile(dir, name)
				Expect(err).NotTo(HaveOccurred())
				Expect(string(onDisk)).To(Equal(string(files[name])), "%s/%s differs from a fresh generation: run go generate ./schemas and review the diff", version, name)
			}
		}, SpecTimeout(5*time.Minute))
	}

	It("are listed by Files per version, and EnvelopeFiles as copies a caller cannot change for others", func() {
		for _, version := range schemas.Versions() {
			dir, err := schemas.Version(version)
			Expect(err).NotTo(HaveOccurred())
			files, err := schemas.Files(dir)
			Expect(err).NotTo(HaveOccurred())
			Expect(len(files)).To(BeNumerically(">", 140), version)
			Expect(files).To(ContainElements(schemas.EnvelopeFiles()))
			Expect(files).To(ContainElement(schemas.ResourceFile("deleted_customer")))
			Expect(files).NotTo(ContainElement(schemas.RequestFile))
		}
		env := schemas.EnvelopeFiles()
		env[0] = "changed"
		Expect(schemas.EnvelopeFiles()).NotTo(ContainElement("changed"))
	})

	It("record the API version of their directory and the spec they came from", func() {
		for _, version := range schemas.Versions() {
			for _, name := range allFiles(version) {
				doc := readVersionSchema(version, name)
				Expect(doc["x-stripe-api-version"]).To(Equal(version), name)
				Expect(doc["x-generated-from"]).To(ContainSubstring("sha256:"), name)
				Expect(doc["$schema"]).To(Equal("https://json-schema.org/draft/2020-12/schema"), name)
				Expect(doc["$id"]).To(HavePrefix(generator.BaseURI+version+"/"), name)
			}
		}
	})

	It("name a defined rule at every annotation", func() {
		for _, version := range schemas.Versions() {
			for _, name := range allFiles(version) {
				doc := readVersionSchema(version, name)
				defs := doc["x-rule-definitions"].(map[string]any)
				Expect(defs).NotTo(BeEmpty(), name)
				var walk func(any)
				walk = func(n any) {
					switch n := n.(type) {
					case map[string]any:
						for k, v := range n {
							switch k {
							case "x-rule", "x-undocumented":
								Expect(defs).To(HaveKey(v), "%s: %s names an undefined rule", name, k)
							case "x-rules":
								for _, id := range v.(map[string]any) {
									Expect(defs).To(HaveKey(id), "%s: x-rules names an undefined rule", name)
								}
							case "x-rule-definitions":
							default:
								walk(v)
							}
						}
					case []any:
						for _, v := range n {
							walk(v)
						}
					}
				}
				walk(doc)
				for id, d := range defs {
					def := d.(map[string]any)
					Expect(def["severity"]).To(BeElementOf("error", "warning", "notice"), id)
					Expect(def["check"]).To(BeElementOf("schema", "go"), id)
					Expect(def["doc"]).NotTo(BeEmpty(), id)
					Expect(def["source"]).NotTo(BeEmpty(), id)
				}
			}
		}
	})
})

// The API reference's field table: | `field` | type | Required | description |
var tableRow = regexp.MustCompile("^\\| `([a-z_]+)` \\| ([^|]+) \\| (Yes|No) \\|")

var _ = Describe("the invoice_payment schema against the API reference page", func() {
	type row struct{ field, typ, required string }
	var rows []row
	var schema map[string]any

	BeforeEach(func() {
		f, err := os.Open(filepath.Join("testdata", "seeds", "invoice_payment.api-reference.md"))
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		rows = nil
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := tableRow.FindStringSubmatch(sc.Text()); m != nil {
				rows = append(rows, row{m[1], strings.TrimSpace(m[2]), m[3]})
			}
		}
		Expect(sc.Err()).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(12), "the seed's field table")
		schema = readSchema(schemas.InvoicePaymentFile)
	})

	It("documents exactly the table's fields", func() {
		var fields []string
		for _, r := range rows {
			fields = append(fields, r.field)
		}
		var documented []string
		for k := range props(schema) {
			documented = append(documented, k)
		}
		Expect(documented).To(ConsistOf(fields))
	})

	It("requires exactly the fields the table marks Required: Yes", func() {
		var required []string
		for _, r := range rows {
			if r.required == "Yes" {
				required = append(required, r.field)
			}
		}
		var inSchema []string
		for _, r := range schema["required"].([]any) {
			inSchema = append(inSchema, r.(string))
		}
		Expect(inSchema).To(ConsistOf(required))
	})

	It("gives each field the table's type", func() {
		p := props(schema)
		for _, r := range rows {
			prop := p[r.field]
			switch {
			case r.typ == "integer", r.typ == "integer (unix-time)":
				Expect(types(prop)).To(ContainElement("integer"), r.field)
			case r.typ == "string":
				Expect(types(prop)).To(ContainElement("string"), r.field)
			case r.typ == "boolean":
				Expect(types(prop)).To(Equal([]string{"boolean"}), r.field)
			case strings.HasPrefix(r.typ, "enum: "):
				Expect(prop["enum"]).To(ConsistOf(strings.Split(strings.TrimPrefix(r.typ, "enum: "), ", ")), r.field)
			case r.typ == "any":
				// An expandable field: an ID string or an expanded object.
				Expect(prop).To(HaveKey("anyOf"), r.field)
				branches := prop["anyOf"].([]any)
				Expect(branches[0]).To(HaveKeyWithValue("type", "string"), r.field)
				Expect(len(branches)).To(BeNumerically(">=", 2), r.field)
			case strings.HasPrefix(r.typ, "["):
				Expect(types(prop)).To(Equal([]string{"object"}), r.field)
			default:
				Fail("the table has a type this test does not know: " + r.typ)
			}
		}
	})
})

var _ = Describe("the invoice_payment schema against the SDK's type documentation", func() {
	// "* `field` - description. Nullable. Max length: 5000. Possible values: `a`, `b`."
	item := regexp.MustCompile("^\\* `([a-z_]+)` - (.*)$")
	maxLength := regexp.MustCompile(`Max length: (\d+)\.`)
	possible := regexp.MustCompile("Possible values: ((?:`[^`]+`(?:, )?)+)")
	backticked := regexp.MustCompile("`([^`]+)`")

	// section: the SDK doc lists the nested types under "# `payment`",
	// "# `status_transitions`", and the resource's own fields under "# `t`".
	parse := func() map[string]map[string]string {
		f, err := os.Open(filepath.Join("testdata", "seeds", "invoice_payment.sdk-types.md"))
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		out := map[string]map[string]string{}
		section := ""
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "# `") {
				section = strings.Trim(strings.TrimPrefix(line, "# "), "`")
				continue
			}
			if m := item.FindStringSubmatch(line); m != nil {
				if out[section] == nil {
					out[section] = map[string]string{}
				}
				out[section][m[1]] = m[2]
			}
		}
		return out
	}

	It("agrees on nullability, maximum lengths and possible values", func() {
		sdk := parse()
		Expect(sdk).To(HaveKey("t"))
		Expect(sdk).To(HaveKey("payment"))
		Expect(sdk).To(HaveKey("status_transitions"))
		root := props(readSchema(schemas.InvoicePaymentFile))
		sections := map[string]map[string]map[string]any{
			"t":                  root,
			"payment":            props(root["payment"]),
			"status_transitions": props(root["status_transitions"]),
		}
		checked := 0
		for section, fields := range sdk {
			schemaProps, ok := sections[section]
			if !ok {
				continue
			}
			for field, desc := range fields {
				prop, ok := schemaProps[field]
				Expect(ok).To(BeTrue(), "%s.%s is in the SDK doc but not in the schema", section, field)
				if strings.Contains(desc, "Nullable.") {
					Expect(types(prop)).To(ContainElement("null"), "%s.%s is Nullable in the SDK doc", section, field)
				} else if field != "payment_intent" && field != "charge" && field != "payment_record" && field != "invoice" {
					Expect(types(prop)).NotTo(ContainElement("null"), "%s.%s is not Nullable in the SDK doc", section, field)
				}
				if m := maxLength.FindStringSubmatch(desc); m != nil {
					n, _ := strconv.Atoi(m[1])
					Expect(prop["maxLength"]).To(BeNumerically("==", n), "%s.%s max length", section, field)
				}
				if m := possible.FindStringSubmatch(desc); m != nil {
					var values []any
					for _, v := range backticked.FindAllStringSubmatch(m[1], -1) {
						values = append(values, v[1])
					}
					Expect(prop["enum"]).To(ConsistOf(values...), "%s.%s possible values", section, field)
				}
				checked++
			}
		}
		Expect(checked).To(BeNumerically(">=", 17))
	})

	It("lists status values that the docs give only in prose", func() {
		root := props(readSchema(schemas.InvoicePaymentFile))
		Expect(root["status"]["enum"]).To(Equal([]any{"open", "paid", "canceled"}))
	})
})

// allFiles lists a version's schema files: the documents' and the
// request file.
func allFiles(version string) []string {
	dir, err := schemas.Version(version)
	Expect(err).NotTo(HaveOccurred())
	files, err := schemas.Files(dir)
	Expect(err).NotTo(HaveOccurred())
	return append(files, schemas.RequestFile)
}
