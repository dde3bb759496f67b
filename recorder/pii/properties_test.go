package pii_test

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-mock/embedded"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/pii"
)

// never names the fields whose values masking must never touch: IDs,
// object types, timestamps, amounts, currencies, modes. A false positive
// here breaks replay and validation.
var never = regexp.MustCompile(`^(id|object|created|livemode|currency|type|status|url|amount.*|.*_amount|.*_at|.*_date|period_(start|end)|quantity|unit_amount_decimal)$`)

// personalPointer is the tests' own list of the words a pointer to a
// personal value holds, independent of the package's IsPersonalKey.
var personalPointer = regexp.MustCompile(`(?i)email|phone|name|address|postal|line[12]|dob|shipping|tax_id|ssn|zip|billing_details|/value$`)

// checkJSON asserts the properties MaskJSON keeps for any document in:
// valid JSON of the same shape out, only scalars changed and each to or
// around Masked, the scalars of never-fields untouched, no email left,
// byte for byte when nothing was masked, idempotent. It returns the
// pointers of the masked scalars.
func checkJSON(in string) (masked []string) {
	out, ok := pii.MaskJSON(in)
	inShape, inLeaves := mustDocument(in)
	outShape, outLeaves := mustDocument(out)
	Expect(outShape).To(Equal(inShape), "the shape changed:\n%s\n%s", in, out)
	Expect(ok).To(Equal(out != in))
	for i, l := range inLeaves {
		o := outLeaves[i]
		if o == l {
			continue
		}
		masked = append(masked, l.Pointer)
		Expect(o.String).To(BeTrue(), "%s became a non-string %v", l.Pointer, o)
		Expect(o.Value).To(ContainSubstring(pii.Masked), "%s changed without being masked: %q -> %q", l.Pointer, l.Value, o.Value)
		Expect(never.MatchString(last(l.Pointer))).To(BeFalse(), "%s must never be masked: %q -> %q", l.Pointer, l.Value, o.Value)
		if !l.String || o.Value == pii.Masked && !anyEmail.MatchString(l.Value) && !strings.Contains(l.Value, "+") {
			// Masked whole without holding an email or phone: the key said so.
			Expect(personalPointer.MatchString(l.Pointer)).To(BeTrue(), "%s is no personal field: %q -> %q", l.Pointer, l.Value, o.Value)
		}
	}
	for _, o := range outLeaves {
		if o.String {
			Expect(anyEmail.FindString(o.Value)).To(BeEmpty(), "an email is left at %s", o.Pointer)
		}
	}
	again, changed := pii.MaskJSON(out)
	Expect(changed).To(BeFalse(), "masking twice masked more: %s", again)
	Expect(again).To(Equal(out))
	return masked
}

// checkForm asserts the properties MaskForm keeps for a decodable form:
// decodable out, the same keys in the same order, values changed only to
// or around Masked, no email left, byte for byte when nothing was masked,
// idempotent.
func checkForm(in string) {
	out, ok := pii.MaskForm(in)
	Expect(ok).To(Equal(out != in))
	formValues(out)
	inParts, outParts := strings.Split(in, "&"), strings.Split(out, "&")
	Expect(outParts).To(HaveLen(len(inParts)))
	for i := range inParts {
		k, v, _ := strings.Cut(inParts[i], "=")
		ok, ov, _ := strings.Cut(outParts[i], "=")
		Expect(ok).To(Equal(k), "keys are kept byte for byte")
		if ov != v {
			dec, err := url.QueryUnescape(ov)
			Expect(err).NotTo(HaveOccurred())
			Expect(dec).To(ContainSubstring(pii.Masked))
		}
	}
	for _, vals := range formValues(out) {
		for _, v := range vals {
			Expect(anyEmail.FindString(v)).To(BeEmpty(), "an email is left in %s", out)
		}
	}
	again, changed := pii.MaskForm(out)
	Expect(changed).To(BeFalse(), "masking twice masked more: %s", again)
}

// formValues decodes a form that must decode.
func formValues(raw string) url.Values {
	v, err := url.ParseQuery(raw)
	Expect(err).NotTo(HaveOccurred(), "not form-decodable: %s", raw)
	return v
}

func last(pointer string) string { return pointer[strings.LastIndexByte(pointer, '/')+1:] }

// bundledCassettes are the cassettes the project ships, and the one that
// breaks the contract on purpose.
func bundledCassettes() []*cassette.Cassette {
	files, err := filepath.Glob("../../cassettes/*/*.yaml")
	Expect(err).NotTo(HaveOccurred())
	files = append(files, "../testdata/violations/stripe-mock-builtin-fixtures.violations.yaml")
	Expect(len(files)).To(BeNumerically(">=", 19))
	var out []*cassette.Cassette
	for _, f := range files {
		c, err := cassette.Load(strings.TrimSuffix(f, ".yaml"))
		Expect(err).NotTo(HaveOccurred(), f)
		out = append(out, c)
	}
	return out
}

func isJSON(contentType, body string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/json" || strings.HasPrefix(strings.TrimSpace(body), "{")
}

var _ = Describe("the bundled cassettes", func() {
	It("hold no personal data, so masking them changes no byte: no ID, amount, timestamp or date is taken for a phone", func() {
		bodies := 0
		for _, c := range bundledCassettes() {
			for _, i := range c.Interactions {
				for _, b := range []struct{ body, contentType string }{
					{i.Request.Body, i.Request.Headers.Get("Content-Type")},
					{i.Response.Body, i.Response.Headers.Get("Content-Type")},
				} {
					if b.body == "" {
						continue
					}
					bodies++
					if isJSON(b.contentType, b.body) {
						Expect(checkJSON(b.body)).To(BeEmpty(), "%s: %s", c.Name, b.body)
					} else {
						got, ok := pii.MaskForm(b.body)
						Expect(ok).To(BeFalse(), "%s: %s", c.Name, got)
					}
				}
				u, err := url.Parse(i.Request.URL)
				Expect(err).NotTo(HaveOccurred())
				Expect(pii.MaskPath(u.EscapedPath())).To(Equal(u.EscapedPath()))
				if u.RawQuery != "" {
					checkForm(u.RawQuery)
					Expect(pii.MaskForm(u.RawQuery)).To(Equal(u.RawQuery))
				}
			}
		}
		Expect(bodies).To(BeNumerically(">=", 19))
	})

	It("keep their structure and every value when personal data is planted around them", func() {
		for _, c := range bundledCassettes() {
			for _, i := range c.Interactions {
				body := i.Response.Body
				if !isJSON(i.Response.Headers.Get("Content-Type"), body) {
					continue
				}
				planted := `{"customer_email": "jane@example.com", "description": "for jane@example.com, +1 555-555-0123", "payload": ` + body + `}`
				masked := checkJSON(planted)
				Expect(masked).To(ConsistOf("/customer_email", "/description"), c.Name)
			}
		}
	})
})

var _ = Describe("stripe-mock's fixtures of every API object", func() {
	fixtures := func() map[string]json.RawMessage {
		all := map[string]json.RawMessage{}
		for _, b := range [][]byte{embedded.OpenAPIFixtures, embedded.BetaOpenAPIFixtures} {
			var doc struct{ Resources map[string]json.RawMessage }
			Expect(json.Unmarshal(b, &doc)).To(Succeed())
			for name, r := range doc.Resources {
				all[name] = r
			}
		}
		Expect(len(all)).To(BeNumerically(">", 100))
		return all
	}

	It("keep their shape and their IDs, amounts and timestamps; only personal fields and emails are masked", func() {
		var masked []string
		for name, r := range fixtures() {
			for _, p := range checkJSON(string(r)) {
				masked = append(masked, name+p)
			}
		}
		// The fixtures' personal data, masked.
		for _, want := range []string{
			"issuing.cardholder/email", "issuing.cardholder/name", "issuing.cardholder/phone_number",
			"issuing.cardholder/billing/address/line1", "issuing.cardholder/billing/address/postal_code",
			"charge/billing_details/name", "radar.value_list/created_by",
		} {
			Expect(slices.ContainsFunc(masked, func(p string) bool { return strings.HasPrefix(p, want) })).To(BeTrue(), "%s is not masked", want)
		}
	})

	It("mask Stripe's indented form of each as well, keeping the indentation", func() {
		for _, r := range fixtures() {
			indented, err := json.MarshalIndent(json.RawMessage(r), "", "  ")
			Expect(err).NotTo(HaveOccurred())
			checkJSON(string(indented))
		}
	})
})

var _ = Describe("masking", func() {
	It("keeps the order of members, duplicates and all, and every unmasked byte", func() {
		in := "{\n  \"z\": 1,\n  \"email\": \"a@example.com\",\n  \"a\": [1.50, 2e3],\n  \"email\": \"b@example.com\"\n}"
		out, ok := pii.MaskJSON(in)
		Expect(ok).To(BeTrue())
		Expect(out).To(Equal("{\n  \"z\": 1,\n  \"email\": \"[MASKED]\",\n  \"a\": [1.50, 2e3],\n  \"email\": \"[MASKED]\"\n}"))
	})

	It("reads invalid UTF-8 without failing and masks around it", func() {
		out, ok := pii.MaskJSON("{\"description\": \"\xff jane@example.com\"}")
		Expect(ok).To(BeTrue())
		Expect(out).To(Equal("{\"description\": \"\ufffd [MASKED]\"}"))
	})

	It("holds for forms of every kind the review named", func() {
		for _, f := range []string{
			"query=email%3A%27jane%40example.com%27+OR+name~%27Jane%27",
			"description=a%40b.co+and+%2B1+555+555+0123&metadata[x]=y",
			"shipping[address][line1]=1&shipping[name]=&expand[]=customer",
			"a=%zz&b=jane%40example.com%zz",
			"email",
		} {
			in := f
			if _, err := url.ParseQuery(in); err != nil {
				out, _ := pii.MaskForm(in)
				Expect(anyEmail.FindString(out)).To(BeEmpty())
				continue
			}
			checkForm(in)
		}
	})
})

var _ = It("MaskMultipart keeps a multipart body readable, with the same parts in the same order", func() {
	in := upload(`name="purpose"`, "identity_document", `name="file_link_data[metadata][email]"`, "jane@example.com",
		`name="file"; filename="id.png"`+"\r\nContent-Type: image/png", "\x89PNG\r\n--b0undar\r\n")
	out, ok := pii.MaskMultipart(in, "b0undary")
	Expect(ok).To(BeTrue())
	names := func(body string) (names, values []string) {
		r := multipart.NewReader(strings.NewReader(body), "b0undary")
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				return names, values
			}
			Expect(err).NotTo(HaveOccurred())
			b, err := io.ReadAll(p)
			Expect(err).NotTo(HaveOccurred())
			names, values = append(names, p.FormName()), append(values, string(b))
		}
	}
	inNames, inValues := names(in)
	outNames, outValues := names(out)
	Expect(outNames).To(Equal(inNames))
	Expect(outValues).To(Equal([]string{"identity_document", pii.Masked, inValues[2]}))
	again, changed := pii.MaskMultipart(out, "b0undary")
	Expect(changed).To(BeFalse())
	Expect(again).To(Equal(out))
})
