package validators_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-mock/embedded"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
	"github.com/stripe-contract/stripe-contract/validators"
	. "github.com/stripe-contract/stripe-contract/validators/contractmatch"
	"github.com/stripe-contract/stripe-contract/validators/pointer"
)

// update rewrites the expected lists under testdata/ (review the diff as code).
var update = flag.Bool("update", false, "rewrite the expected violations under validators/testdata")

// fixturesVersion is the API version of the spec stripe-mock's fixtures3.json
// was written for: the spec3.json it embeds beside it.
const fixturesVersion = "2026-08-26.dahlia"

// fixturesGolden holds the violations stripe-mock's own fixtures get.
var fixturesGolden = filepath.Join("testdata", "stripe-mock-fixtures.violations.json")

// unrecognisedFixtures are the fixtures of fixtures3.json whose object is no
// resource of the pinned spec (spec3.json), with why; every other fixture
// must be recognised as the resource its object names.
var unrecognisedFixtures = map[string]string{
	"billing.alert_triggered":                 "a resource of stripe-mock's preview spec (spec3.beta.sdk.json) only",
	"entitlements.active_entitlement_summary": "a resource of stripe-mock's preview spec (spec3.beta.sdk.json) only",
	"financial_connections.authorization":     "a resource of stripe-mock's preview spec (spec3.beta.sdk.json) only",
	"reserve.hold":                            "a resource of stripe-mock's preview spec (spec3.beta.sdk.json) only",
	"reserve.plan":                            "a resource of stripe-mock's preview spec (spec3.beta.sdk.json) only",
	"reserve.release":                         "a resource of stripe-mock's preview spec (spec3.beta.sdk.json) only",
	// spec3.json gives terminal.refund (x-resourceId, returned by
	// GET /v1/terminal/refunds/{refund}) an empty properties, so no object
	// value; stripe-mock writes {"object": "terminal.refund"} from its ID.
	"terminal.refund": "spec3.json documents no properties for it, so no object value identifies it",
}

// isoCurrencySentence is the sentence the API reference gives a lowercase
// ISO 4217 currency code: "Three-letter [ISO currency
// code](https://www.iso.org/iso-4217-currency-codes.html), in lowercase."
var isoCurrencySentence = regexp.MustCompile(`Three-letter (?:\[ISO currency code\]\([^)]*\)|ISO currency code), in lowercase`)

// proseValues is how the reference lists a field's values in prose when the
// spec gives it no enum: "The status of the payment, one of `open`, `paid`,
// or `canceled`."
var proseValues = regexp.MustCompile("one of ((?:`[^`]+`(?:,\\s*or\\s+|,\\s*|\\s+or\\s+)?)+)")

// fixtureOutcome is what one fixture gets, as the expected list keeps it.
type fixtureOutcome struct {
	Fixture    string             `json:"fixture"`
	Kind       validators.Kind    `json:"kind"`
	Valid      bool               `json:"valid"`
	Violations []fixtureViolation `json:"violations"`
}

type fixtureViolation struct {
	Rule     string `json:"rule"`
	Pointer  string `json:"pointer"`
	Severity string `json:"severity"`
}

// renderOutcomes writes the expected list: one fixture, then each of its
// violations, a line each, so that a diff reads well.
func renderOutcomes(outcomes []fixtureOutcome) []byte {
	var b bytes.Buffer
	line := func(v any) string {
		raw, err := json.Marshal(v)
		Expect(err).NotTo(HaveOccurred())
		return string(raw)
	}
	fmt.Fprintf(&b, "{\n  \"api_version\": %s,\n  \"fixtures\": [\n", line(fixturesVersion))
	for i, o := range outcomes {
		fmt.Fprintf(&b, "    {\"fixture\": %s, \"kind\": %s, \"valid\": %t, \"violations\": [", line(o.Fixture), line(o.Kind), o.Valid)
		for j, v := range o.Violations {
			sep := ","
			if j == len(o.Violations)-1 {
				sep = "\n    "
			}
			fmt.Fprintf(&b, "\n      %s%s", line(v), sep)
		}
		sep := ","
		if i == len(outcomes)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "]}%s\n", sep)
	}
	b.WriteString("  ]\n}\n")
	return b.Bytes()
}

// specWalk follows a fixture through the schemas spec3.json gives it, and
// calls leaf at every string with the schemas that document it there (none
// for an undocumented field).
type specWalk struct {
	components map[string]map[string]any
	leaf       func(ptr, key string, value string, schemas []map[string]any)
}

// resolve follows $ref to a component.
func (w specWalk) resolve(s map[string]any) map[string]any {
	for s != nil {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		s = w.components[strings.TrimPrefix(ref, "#/components/schemas/")]
	}
	return s
}

// branches flattens anyOf, oneOf and allOf into the schemas a value may
// match, keeping those of its JSON type (and, for an object naming its
// object, those of that object when some are).
func (w specWalk) branches(schemas []map[string]any, value any) []map[string]any {
	var flat []map[string]any
	var add func(s map[string]any)
	add = func(s map[string]any) {
		s = w.resolve(s)
		if s == nil {
			return
		}
		members := false
		for _, k := range []string{"anyOf", "oneOf", "allOf"} {
			list, _ := s[k].([]any)
			for _, m := range list {
				if ms, ok := m.(map[string]any); ok {
					members = true
					add(ms)
				}
			}
		}
		if !members {
			flat = append(flat, s)
		}
	}
	for _, s := range schemas {
		add(s)
	}
	want := map[bool]string{}
	switch value.(type) {
	case map[string]any:
		want[true] = "object"
	case []any:
		want[true] = "array"
	case string:
		want[true] = "string"
	}
	var typed []map[string]any
	for _, s := range flat {
		t, _ := s["type"].(string)
		if t == want[true] || (t == "" && want[true] == "object" && s["properties"] != nil) {
			typed = append(typed, s)
		}
	}
	obj, isObj := value.(map[string]any)
	if !isObj {
		return typed
	}
	name, _ := obj["object"].(string)
	var named []map[string]any
	for _, s := range typed {
		props, _ := s["properties"].(map[string]any)
		objSchema, _ := props["object"].(map[string]any)
		if enum, _ := objSchema["enum"].([]any); slices.Contains(enum, any(name)) {
			named = append(named, s)
		}
	}
	if len(named) > 0 {
		return named
	}
	return typed
}

func (w specWalk) visit(ptr, key string, value any, schemas []map[string]any) {
	here := w.branches(schemas, value)
	switch v := value.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			var children []map[string]any
			for _, s := range here {
				props, _ := s["properties"].(map[string]any)
				if child, ok := props[k].(map[string]any); ok {
					children = append(children, child)
				}
			}
			w.visit(pointer.Append(ptr, k), k, v[k], children)
		}
	case []any:
		var items []map[string]any
		for _, s := range here {
			if it, ok := s["items"].(map[string]any); ok {
				items = append(items, it)
			}
		}
		for i, item := range v {
			w.visit(pointer.Append(ptr, strconv.Itoa(i)), key, item, items)
		}
	case string:
		w.leaf(ptr, key, v, here)
	}
}

// documentedValues returns the values the schemas allow a string, from the
// spec's enum or the description's "one of `a`, `b`, or `c`", and whether
// every schema lists them (a schema without a list allows any string).
func documentedValues(schemas []map[string]any) ([]string, bool) {
	var values []string
	for _, s := range schemas {
		if enum, ok := s["enum"].([]any); ok {
			for _, e := range enum {
				if str, ok := e.(string); ok {
					values = append(values, str)
				}
			}
			continue
		}
		desc, _ := s["description"].(string)
		m := proseValues.FindStringSubmatch(desc)
		if m == nil {
			return nil, false
		}
		for _, q := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(m[1], -1) {
			values = append(values, q[1])
		}
	}
	return values, len(schemas) > 0
}

var _ = Describe("stripe-mock's own fixtures (fixtures3.json)", Ordered, ContinueOnFailure, func() {
	var (
		names      []string
		fixtures   map[string]map[string]any
		raw        map[string]json.RawMessage
		results    map[string]validators.Result
		v          *validators.Validator
		components map[string]map[string]any
		resources  []generator.Resource
	)

	BeforeAll(func() {
		var file struct {
			Resources map[string]json.RawMessage `json:"resources"`
		}
		Expect(json.Unmarshal(embedded.OpenAPIFixtures, &file)).To(Succeed())
		Expect(file.Resources).NotTo(BeEmpty())
		raw = file.Resources
		names = slices.Sorted(maps.Keys(raw))
		fixtures = map[string]map[string]any{}
		for _, n := range names {
			var obj map[string]any
			Expect(json.Unmarshal(raw[n], &obj)).To(Succeed(), n)
			fixtures[n] = obj
		}

		var spec struct {
			Info       struct{ Version string }
			Components struct {
				Schemas map[string]map[string]any
			}
		}
		Expect(json.Unmarshal(embedded.OpenAPISpec, &spec)).To(Succeed())
		Expect(spec.Info.Version).To(Equal(fixturesVersion), "stripe-mock's spec3.json is for another version")
		components = spec.Components.Schemas
		var err error
		resources, err = generator.Resources(embedded.OpenAPISpec)
		Expect(err).NotTo(HaveOccurred())

		v = mustValidator(validators.WithAPIVersion(fixturesVersion))
		results = map[string]validators.Result{}
		for _, n := range names {
			results[n] = v.Validate(raw[n])
		}
	})

	aspectOf := func(rule string) string {
		r, ok := v.Rule(rule)
		Expect(ok).To(BeTrue(), "rule %s is in no catalogue", rule)
		return r.Aspect
	}

	It("get the violations committed in testdata/stripe-mock-fixtures.violations.json", func() {
		outcomes := make([]fixtureOutcome, 0, len(names))
		for _, n := range names {
			r := results[n]
			Expect(r.APIVersion).To(Equal(fixturesVersion), n)
			o := fixtureOutcome{Fixture: n, Kind: r.Kind, Valid: r.Valid(), Violations: []fixtureViolation{}}
			for _, x := range r.Violations {
				o.Violations = append(o.Violations, fixtureViolation{Rule: x.Rule, Pointer: x.Pointer, Severity: x.Severity.String()})
			}
			slices.SortFunc(o.Violations, func(a, b fixtureViolation) int {
				if c := strings.Compare(a.Rule, b.Rule); c != 0 {
					return c
				}
				return pointer.Compare(a.Pointer, b.Pointer)
			})
			outcomes = append(outcomes, o)
		}
		got := renderOutcomes(outcomes)
		if *update {
			Expect(os.WriteFile(fixturesGolden, got, 0o644)).To(Succeed())
		}
		want, err := os.ReadFile(fixturesGolden)
		Expect(err).NotTo(HaveOccurred(), "run go test ./validators -update to create %s", fixturesGolden)
		Expect(string(got)).To(Equal(string(want)), "%s (rewrite with go test ./validators -update if the change is meant)", fixturesGolden)

		// The counts the README gives.
		valid, errors := 0, 0
		aspects := map[string]int{}
		severities := map[string]int{}
		for _, o := range outcomes {
			if o.Valid {
				valid++
			}
			for _, x := range o.Violations {
				aspects[aspectOf(x.Rule)]++
				severities[x.Severity]++
				if x.Severity == "error" {
					errors++
				}
			}
		}
		AddReportEntry("stripe-mock fixtures", fmt.Sprintf("%d fixtures checked at %s: %d valid, %d invalid; violations by aspect %v, by severity %v",
			len(outcomes), fixturesVersion, valid, len(outcomes)-valid, aspects, severities))
		GinkgoWriter.Printf("%d fixtures checked: %d valid, %d invalid; by aspect %v; by severity %v\n",
			len(outcomes), valid, len(outcomes)-valid, aspects, severities)
	})

	It("are each recognised as the resource their object names, unless it is no resource of the spec", func() {
		unknown := map[string]string{}
		for _, n := range names {
			obj := fixtures[n]
			object, _ := obj["object"].(string)
			deleted := obj["deleted"] == true
			var want []string
			for _, r := range resources {
				if r.Object == object && r.Deleted == deleted {
					want = append(want, r.Component)
				}
			}
			if len(want) == 0 {
				unknown[n] = object
				Expect(results[n].Kind).To(Equal(validators.KindUnknown), "fixture %s: object %q is no resource of spec3.json", n, object)
				Expect(results[n]).To(HaveViolation(validators.RuleUnknownKind, "/object"), "fixture %s: object %q is no resource of spec3.json", n, object)
				continue
			}
			Expect(want).To(ContainElement(string(results[n].Kind)), "fixture %s (object %q)", n, object)
			Expect(results[n]).NotTo(HaveViolationOf(validators.RuleUnknownKind), n)
		}
		Expect(slices.Sorted(maps.Keys(unknown))).To(Equal(slices.Sorted(maps.Keys(unrecognisedFixtures))),
			"the fixtures whose object no resource of spec3.json has")
		for n, object := range unknown {
			Expect(object).To(Equal(n), "fixture %s names its object", n)
		}

		// The preview-only ones are resources of the preview spec indeed.
		preview, err := generator.Resources(embedded.BetaOpenAPISpec)
		Expect(err).NotTo(HaveOccurred())
		for n, reason := range unrecognisedFixtures {
			inPreview := slices.ContainsFunc(preview, func(r generator.Resource) bool { return r.Object == n })
			Expect(inPreview).To(Equal(strings.Contains(reason, "preview spec")), "%s: %s", n, reason)
		}
		Expect(components).To(HaveKey("terminal.refund"))
		Expect(components["terminal.refund"]).To(HaveKeyWithValue("properties", BeEmpty()))
	})

	It(`report the placeholder "currency": "currency" at every field the ISO 4217 rule covers`, func() {
		type place struct{ fixture, ptr string }
		var covered, uncovered, undocumented []place
		for _, n := range names {
			top := components[string(results[n].Kind)]
			if top == nil {
				continue // unrecognised: checked above
			}
			specWalk{components: components, leaf: func(ptr, key, value string, schemas []map[string]any) {
				if key != "currency" || value != "currency" {
					return
				}
				p := place{n, ptr}
				switch {
				case len(schemas) == 0:
					undocumented = append(undocumented, p)
				case slices.ContainsFunc(schemas, func(s map[string]any) bool {
					d, _ := s["description"].(string)
					return isoCurrencySentence.MatchString(d)
				}):
					covered = append(covered, p)
				default:
					uncovered = append(uncovered, p)
				}
			}}.visit("", "", fixtures[n], []map[string]any{top})
		}
		// The walk through the spec reaches every placeholder there is.
		literal := 0
		var count func(x any)
		count = func(x any) {
			switch c := x.(type) {
			case map[string]any:
				for k, e := range c {
					if k == "currency" && e == "currency" {
						literal++
					}
					count(e)
				}
			case []any:
				for _, e := range c {
					count(e)
				}
			}
		}
		for _, n := range names {
			if _, ok := unrecognisedFixtures[n]; !ok {
				count(fixtures[n])
			}
		}
		Expect(len(covered) + len(uncovered) + len(undocumented)).To(Equal(literal))
		Expect(covered).NotTo(BeEmpty())
		for _, p := range covered {
			found := slices.ContainsFunc(results[p.fixture].Violations, func(x validators.Violation) bool {
				return x.Pointer == p.ptr && aspectOf(x.Rule) == "iso-4217-lowercase" && x.Severity == validators.Error
			})
			Expect(found).To(BeTrue(), "fixture %s: %s holds \"currency\" and no iso-4217-lowercase error is reported there", p.fixture, p.ptr)
		}
		// Every iso-4217-lowercase violation is one of these placeholders.
		reported := 0
		for _, n := range names {
			for _, x := range results[n].Violations {
				if aspectOf(x.Rule) == "iso-4217-lowercase" {
					reported++
					Expect(covered).To(ContainElement(place{n, x.Pointer}), "fixture %s: %s", n, x)
				}
			}
		}
		Expect(reported).To(Equal(len(covered)))
		// One in a field the spec does not document is not judged, but
		// the field around it is reported.
		for _, p := range undocumented {
			found := slices.ContainsFunc(results[p.fixture].Violations, func(x validators.Violation) bool {
				return aspectOf(x.Rule) == validators.AspectUndocumentedField && strings.HasPrefix(p.ptr+"/", x.Pointer+"/")
			})
			Expect(found).To(BeTrue(), "fixture %s: %s is in an undocumented field that is not reported", p.fixture, p.ptr)
		}
		AddReportEntry("currency placeholders", fmt.Sprintf(`"currency": "currency" at %d places: %d where the ISO 4217 sentence documents the field (all reported), %d where the field's description states it without the link (%v), %d in undocumented fields (%v)`,
			len(covered)+len(uncovered)+len(undocumented), len(covered), len(uncovered), uncovered, len(undocumented), undocumented))
		GinkgoWriter.Printf("currency placeholders: %d covered, uncovered %v, undocumented %v\n", len(covered), uncovered, undocumented)
	})

	It("report a value that is not among a field's documented values as an enum violation", func() {
		type place struct{ fixture, ptr, value string }
		var outside []place
		checked := 0
		for _, n := range names {
			top := components[string(results[n].Kind)]
			if top == nil {
				continue
			}
			specWalk{components: components, leaf: func(ptr, key, value string, schemas []map[string]any) {
				if key == "object" && ptr == "/object" {
					return // what recognises the kind, checked above
				}
				values, listed := documentedValues(schemas)
				if !listed {
					return
				}
				checked++
				if !slices.Contains(values, value) {
					outside = append(outside, place{n, ptr, value})
				}
			}}.visit("", "", fixtures[n], []map[string]any{top})
		}
		Expect(checked).To(BeNumerically(">", 100), "the walk through the spec finds fields with documented values")
		Expect(outside).NotTo(BeEmpty())
		for _, p := range outside {
			found := slices.ContainsFunc(results[p.fixture].Violations, func(x validators.Violation) bool {
				return x.Pointer == p.ptr && aspectOf(x.Rule) == validators.AspectEnum && x.Severity == validators.Error
			})
			Expect(found).To(BeTrue(), "fixture %s: %s is %q, not a documented value, and no enum violation is reported there", p.fixture, p.ptr, p.value)
		}
		AddReportEntry("enum placeholders", fmt.Sprintf("%d strings at fields with documented values; %d outside them, all reported: %v", checked, len(outside), outside))
	})
})
