package pipeline_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// readCassette runs ReadCassette over text and collects what it emits.
func readCassette(text string, maxSize int) ([]pipeline.Document, error) {
	var docs []pipeline.Document
	err := pipeline.ReadCassette("c.yaml", strings.NewReader(text), maxSize, func(d pipeline.Document) error {
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

var _ = DescribeTable("a file that is not a go-vcr v4 cassette is an error naming where, never a silent pass",
	func(text, message string, line int) {
		docs, err := readCassette(text, 1<<20)
		Expect(err).To(MatchError(ContainSubstring(message)))
		Expect(err).To(MatchError(cassette.ErrNotCassette))
		Expect(docs).To(BeEmpty())
		// For validate, the file is one invalid result row, not an unreadable path.
		var invalid *pipeline.InvalidFileError
		Expect(errors.As(err, &invalid)).To(BeTrue())
		Expect(invalid.Line).To(Equal(line))
		Expect(invalid.Violation.Rule).To(Equal(pipeline.RuleCassetteUnreadable))
		Expect(invalid.Violation.Severity).To(Equal(validators.Error))
		Expect(invalid.Violation.Message).To(HavePrefix(err.Error() + "; "))
	},
	Entry("an empty file", "", "not a go-vcr cassette: line 1: no interactions list", 1),
	Entry("a YAML list", "- a\n- b\n", "not a go-vcr cassette: line 1: no interactions list", 1),
	Entry("another version of the format", "# header\n---\nversion: 1\ninteractions: []\n", "not a go-vcr cassette: line 3: version 1, want 2 (go-vcr v4)", 3),
	Entry("broken YAML", "version: 2\ninteractions: [\n", "not a go-vcr cassette", 3),
	Entry("an interaction whose URL does not parse", "version: 2\ninteractions:\n  - request: {url: \"http://a/%zz\", method: GET}\n", `interaction 0: request url: parse "http://a/%zz"`, 3),
	Entry("an empty interaction", "version: 2\ninteractions:\n  - \n", "interaction 0 is empty", 3),
)

var _ = Describe("the size limit on a cassette", func() {
	It("stops reading at the limit: the file is one invalid row naming the limit", func() {
		source := &countingReader{}
		err := pipeline.CassetteReader{MaxSize: 1000}.Read("big.yaml", source, 1<<20, func(pipeline.Document) error {
			Fail("no document is emitted from a cassette over the limit")
			return nil
		})
		Expect(err).To(MatchError(cassette.ErrTooLarge))
		Expect(err).To(MatchError("cassette big.yaml is more than 1000 bytes, over the limit on a cassette file"))
		Expect(source.read).To(BeNumerically("<=", 1001), "the read itself is bounded")
		var invalid *pipeline.InvalidFileError
		Expect(errors.As(err, &invalid)).To(BeTrue())
		Expect(invalid.Violation.Rule).To(Equal(pipeline.RuleCassetteTooLarge))
		Expect(invalid.Violation.Message).To(HavePrefix("is more than 1000 bytes, over the limit on a cassette file; "))
	})

	It("is 64 MiB by default, for ReadCassette too (a .yaml that is /dev/zero once ran out of memory)", func() {
		Expect(cassette.DefaultMaxSize).To(BeEquivalentTo(64 << 20))
		source := &countingReader{}
		err := pipeline.ReadCassette("zero.yaml", source, 1<<20, func(pipeline.Document) error { return nil })
		Expect(err).To(MatchError(cassette.ErrTooLarge))
		Expect(source.read).To(BeEquivalentTo(64<<20 + 1))
	})

	It("reads a cassette up to the limit", func() {
		text := "version: 2\ninteractions: []\n"
		err := pipeline.CassetteReader{MaxSize: int64(len(text))}.Read("c.yaml", strings.NewReader(text), 1<<20, func(pipeline.Document) error { return nil })
		Expect(err).NotTo(HaveOccurred())
	})

	It("bounds cassette.ReadFile, for the replay server, the same way", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("version: 2\ninteractions: []\n"), 0o644)).To(Succeed())
		Expect(os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml"))).To(Succeed())
		data, err := cassette.ReadFile(os.DirFS(dir), "c.yaml", 100)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(data)).To(Equal("version: 2\ninteractions: []\n"))
		_, err = cassette.ReadFile(os.DirFS(dir), "c.yaml", 10)
		Expect(err).To(MatchError(&cassette.TooLargeError{File: "c.yaml", Limit: 10}))
		_, err = cassette.ReadFile(os.DirFS(dir), "zero.yaml", 0)
		Expect(err).To(MatchError(&cassette.TooLargeError{File: "zero.yaml", Limit: cassette.DefaultMaxSize}))
	})
})

var _ = Describe("the rules about cassette files", func() {
	It("each has a summary, a doc text and a source, and validators can cite them", func() {
		rules := pipeline.CassetteRules()
		Expect(rules).To(HaveLen(2))
		for _, r := range rules {
			Expect(r.ID).To(HavePrefix("cassette."))
			Expect(r.Summary).NotTo(BeEmpty())
			Expect(r.Doc).NotTo(BeEmpty())
			Expect(r.Source).NotTo(BeEmpty())
		}
		v, err := validators.New(validators.WithRules(rules...))
		Expect(err).NotTo(HaveOccurred())
		r, ok := v.Rule(pipeline.RuleCassetteUnreadable)
		Expect(ok).To(BeTrue())
		Expect(r.Severity).To(Equal(validators.Error))
	})
})

// countingReader is an endless source of zeros, like /dev/zero, counting
// what is read from it.
type countingReader struct{ read int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.read += int64(len(p))
	return len(p), nil
}

var _ = Describe("reading a cassette for validate", func() {
	text := `# provenance
---
version: 2
interactions:
    - id: 0
      request:
        url: https://api.stripe.com/v1/invoice_payments/inpay_1?expand%5B%5D=invoice
        method: GET
      response:
        body: |
            {"object": "invoice_payment"}
        headers:
            Content-Type:
                - application/json
        code: 200
    - id: 1
      request:
        url: https://api.stripe.com/v1/invoice_payments/inpay_1
        method: DELETE
      response:
        body: ""
        code: 204
    - id: 2
      request:
        url: https://example.com/webhooks
        method: POST
        headers:
            Stripe-Signature:
                - t=1,v1=00
            Content-Type:
                - application/json
        body: '{"object": "event"}'
      response:
        body: '{"received": true}'
        code: 200
`
	It("emits each Stripe payload with its interaction's pointer, label and line, skipping empty bodies", func() {
		docs, err := readCassette(text, 1<<20)
		Expect(err).NotTo(HaveOccurred())
		Expect(docs).To(Equal([]pipeline.Document{
			{Source: "c.yaml", Line: 10, Data: []byte("{\"object\": \"invoice_payment\"}\n"), Size: 30, Prefix: "/interactions/0/response/body", Label: "interaction 0: GET /v1/invoice_payments/inpay_1?expand[]=invoice"},
			{Source: "c.yaml", Line: 32, Data: []byte(`{"object": "event"}`), Size: 19, Prefix: "/interactions/2/request/body", Label: "interaction 2: POST /webhooks"},
		}), "a webhook delivery's payload is the request Stripe sent, not the endpoint's reply")
	})

	It("keeps a body over the size limit out of memory, with its size", func() {
		docs, err := readCassette(text, 10)
		Expect(err).NotTo(HaveOccurred())
		Expect(docs[0].Data).To(BeNil())
		Expect(docs[0].Size).To(BeEquivalentTo(30))
	})
})
