package recorder_test

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// readCassette runs ReadCassette over text and collects what it emits.
func readCassette(text string, maxSize int) ([]pipeline.Document, error) {
	var docs []pipeline.Document
	err := recorder.ReadCassette("c.yaml", strings.NewReader(text), maxSize, func(d pipeline.Document) error {
		docs = append(docs, d)
		return nil
	})
	return docs, err
}

var _ = DescribeTable("a file that is not a go-vcr v4 cassette is an error naming where, never a silent pass",
	func(text, message string) {
		docs, err := readCassette(text, 1<<20)
		Expect(err).To(MatchError(ContainSubstring(message)))
		Expect(docs).To(BeEmpty())
	},
	Entry("an empty file", "", "not a go-vcr cassette: line 1: no interactions list"),
	Entry("a YAML list", "- a\n- b\n", "not a go-vcr cassette: line 1: no interactions list"),
	Entry("another version of the format", "# header\n---\nversion: 1\ninteractions: []\n", "not a go-vcr cassette: line 3: version 1, want 2 (go-vcr v4)"),
	Entry("broken YAML", "version: 2\ninteractions: [\n", "not a go-vcr cassette"),
	Entry("an interaction whose URL does not parse", "version: 2\ninteractions:\n  - request: {url: \"http://a/%zz\", method: GET}\n", `interaction 0: request url: parse "http://a/%zz"`),
	Entry("an empty interaction", "version: 2\ninteractions:\n  - \n", "interaction 0 is empty"),
)

var _ = Describe("reading a cassette for validate", func() {
	cassette := `# provenance
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
		docs, err := readCassette(cassette, 1<<20)
		Expect(err).NotTo(HaveOccurred())
		Expect(docs).To(Equal([]pipeline.Document{
			{Source: "c.yaml", Line: 10, Data: []byte("{\"object\": \"invoice_payment\"}\n"), Size: 30, Prefix: "/interactions/0/response/body", Label: "interaction 0: GET /v1/invoice_payments/inpay_1?expand[]=invoice"},
			{Source: "c.yaml", Line: 32, Data: []byte(`{"object": "event"}`), Size: 19, Prefix: "/interactions/2/request/body", Label: "interaction 2: POST /webhooks"},
		}), "a webhook delivery's payload is the request Stripe sent, not the endpoint's reply")
	})

	It("keeps a body over the size limit out of memory, with its size", func() {
		docs, err := readCassette(cassette, 10)
		Expect(err).NotTo(HaveOccurred())
		Expect(docs[0].Data).To(BeNil())
		Expect(docs[0].Size).To(BeEquivalentTo(30))
	})
})

var _ = Describe("stopping a recorder that recorded nothing", func() {
	It("leaves an existing cassette as it was in ModeRecord", func() {
		file := filepath.Join(GinkgoT().TempDir(), "kept.yaml")
		kept := []byte("# mine\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(file, kept, 0o600)).To(Succeed())
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.Stop()).To(Succeed())
		Expect(os.ReadFile(file)).To(Equal(kept))
	})

	It("refuses requests after Stop", func() {
		rec, err := recorder.New(filepath.Join(GinkgoT().TempDir(), "stopped.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.Stop()).To(Succeed())
		_, err = rec.RoundTrip(sent("GET", "/v1/invoice_payments/inpay_1", ""))
		Expect(err).To(MatchError(recorder.ErrStopped))
	})
})
