package cassette_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

var _ = Describe("the cassette set under a folder", func() {
	It("lists regular .yaml files and links to them, and skips named pipes, sockets and devices", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("version: 2\ninteractions: []\n"), 0o644)).To(Succeed())
		Expect(syscall.Mkfifo(filepath.Join(dir, "b.yaml"), 0o600)).To(Succeed())
		Expect(os.Symlink("/dev/zero", filepath.Join(dir, "c.yaml"))).To(Succeed())
		Expect(os.Symlink("a.yaml", filepath.Join(dir, "d.yaml"))).To(Succeed())
		Expect(os.MkdirAll(filepath.Join(dir, "e"), 0o755)).To(Succeed())
		Expect(syscall.Mkfifo(filepath.Join(dir, "e", "f.yaml"), 0o600)).To(Succeed())
		files, err := cassette.Files(os.DirFS(dir))
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(Equal([]string{"a.yaml", "d.yaml"}))

		var skipped []string
		files, err = cassette.Walk(os.DirFS(dir), func(s disk.Skipped) { skipped = append(skipped, s.String()) })
		Expect(err).NotTo(HaveOccurred())
		Expect(files).To(Equal([]string{"a.yaml", "d.yaml"}))
		Expect(skipped).To(Equal([]string{
			"b.yaml: skipped: a named pipe, not a regular file (name it as a PATH to read it)",
			"c.yaml: skipped: a character device, not a regular file (name it as a PATH to read it)",
			"e/f.yaml: skipped: a named pipe, not a regular file (name it as a PATH to read it)",
		}))
	})
})

var _ = Describe("loading a cassette", func() {
	text := `# recorded by a test
---
version: 2
interactions:
    - id: 0
      request:
        url: https://api.stripe.com/v1/invoice_payments/inpay_1
        method: GET
      response:
        body: '{"object": "invoice_payment"}'
        code: 200
    - id: 1
      request:
        url: https://example.com/webhooks
        method: POST
        headers:
            Stripe-Signature:
                - t=1,v1=00
        body: '{"object": "event"}'
      response:
        body: '{"received": true}'
        code: 200
`
	It("gives each interaction its index, its line and the lines of its bodies", func() {
		c, err := cassette.Load(fstest.MapFS{"c.yaml": {Data: []byte(text)}}, "c.yaml", 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.File).To(Equal("c.yaml"))
		Expect(c.Interactions).To(HaveLen(2))
		first, second := c.Interactions[0], c.Interactions[1]
		Expect([]int{first.Index, first.Line, first.RequestBodyLine, first.ResponseBodyLine}).To(Equal([]int{0, 5, 0, 10}))
		Expect([]int{second.Index, second.Line, second.RequestBodyLine, second.ResponseBodyLine}).To(Equal([]int{1, 12, 19, 21}))
		Expect(first.PayloadLine()).To(Equal(10))
		Expect(second.PayloadLine()).To(Equal(19), "a webhook delivery's payload is its request body")
		Expect(first.Label()).To(Equal("interaction 0: GET /v1/invoice_payments/inpay_1"))
	})

	It("names the file, and the line, when it is no go-vcr v4 cassette", func() {
		_, err := cassette.Load(fstest.MapFS{"bad.yaml": {Data: []byte("version: 2\ninteractions:\n  - response: {code: 999}\n")}}, "bad.yaml", 0)
		Expect(err).To(MatchError(cassette.ErrNotCassette))
		Expect(err).To(MatchError("cassette bad.yaml: not a go-vcr cassette: line 3: interaction 0: response code 999 is not an HTTP status (100-599)"))
		var fe *cassette.FormatError
		Expect(errors.As(err, &fe)).To(BeTrue())
		Expect(fe.Line).To(Equal(3))
		_, err = cassette.Load(fstest.MapFS{"v1.yaml": {Data: []byte("version: 1\ninteractions: []\n")}}, "v1.yaml", 0)
		Expect(err).To(MatchError(vcr.ErrUnsupportedCassetteFormat))
	})

	It("reads no further than the size limit", func() {
		_, err := cassette.Load(fstest.MapFS{"c.yaml": {Data: []byte(text)}}, "c.yaml", int64(len(text)-1))
		Expect(err).To(MatchError(&cassette.TooLargeError{File: "c.yaml", Limit: int64(len(text) - 1)}))
		Expect(err).To(MatchError(cassette.ErrTooLarge))
		_, err = cassette.Load(fstest.MapFS{"c.yaml": {Data: []byte(text)}}, "c.yaml", int64(len(text)))
		Expect(err).NotTo(HaveOccurred())
	})
})

// interaction builds a go-vcr interaction.
func interaction(method string, reqHeaders map[string]string, reqBody, respType, respBody string) *vcr.Interaction {
	i := &vcr.Interaction{}
	i.Request.Method = method
	i.Request.Headers = map[string][]string{}
	for k, v := range reqHeaders {
		i.Request.Headers[k] = []string{v}
	}
	i.Request.Body = reqBody
	i.Response.Headers = map[string][]string{}
	if respType != "" {
		i.Response.Headers["Content-Type"] = []string{respType}
	}
	i.Response.Body = respBody
	return i
}

var _ = DescribeTable("a webhook delivery is a POST carrying Stripe-Signature, and its payload the request Stripe sent",
	func(i *vcr.Interaction, delivery bool, pointer, body string) {
		Expect(cassette.IsWebhookDelivery(i)).To(Equal(delivery))
		p := cassette.PayloadOf(i)
		Expect(p.Pointer).To(Equal(pointer))
		Expect(p.Body).To(Equal(body))
	},
	Entry("a signed POST is a delivery", interaction("POST", map[string]string{"Stripe-Signature": "t=1,v1=00"}, `{"object":"event"}`, "", `{"ok":true}`), true, "/request/body", `{"object":"event"}`),
	Entry("a GET carrying the header is not", interaction("GET", map[string]string{"Stripe-Signature": "t=1,v1=00"}, "", "application/json", `{"object":"invoice_payment"}`), false, "/response/body", `{"object":"invoice_payment"}`),
	Entry("an unsigned POST is an API request", interaction("POST", nil, "paid_out_of_band=true", "application/json", `{"object":"invoice"}`), false, "/response/body", `{"object":"invoice"}`),
	Entry("an empty signature is none", interaction("POST", map[string]string{"Stripe-Signature": ""}, `{}`, "", `{"ok":true}`), false, "/response/body", `{"ok":true}`),
)

var _ = DescribeTable("a body is JSON when its media type says so, or it has none and looks like it",
	func(body, contentType string, want bool) { Expect(cassette.IsJSON(body, contentType)).To(Equal(want)) },
	Entry("application/json", "not json", "application/json; charset=utf-8", true),
	Entry("a +json type", `{}`, "application/problem+json", true),
	Entry("no type, an object", ` {"a":1}`, "", true),
	Entry("no type, an array", `[1]`, "", true),
	Entry("no type, text", `ok`, "", false),
	Entry("another type", `{"a":1}`, "text/html", false),
	Entry("empty", "  ", "application/json", false),
)

var _ = Describe("provenance comments", func() {
	It("turn every YAML line break into a comment line, and read back without their marks", func() {
		block := cassette.CommentBlock("from stripe-mock\rsecond\u2028third\n")
		Expect(block).To(Equal("# from stripe-mock\n# second\n# third\n"))
		file := filepath.Join(GinkgoT().TempDir(), "c.yaml")
		Expect(os.WriteFile(file, []byte(block+"---\nversion: 2\ninteractions: []\n"), 0o644)).To(Succeed())
		Expect(cassette.ReadProvenance(file)).To(Equal("from stripe-mock\nsecond\nthird"))
	})
})

var _ = Describe("the crash-safe FS", func() {
	It("runs its check before writing, and writes nothing the check or Parse refuses", func() {
		dir := GinkgoT().TempDir()
		name := filepath.Join(dir, "c.yaml")
		refused := errors.New("refused")
		fsys := &cassette.FS{Header: "# mine\n", Check: func(_ string, data []byte) error {
			if strings.Contains(string(data), "secret") {
				return refused
			}
			return nil
		}}
		Expect(fsys.WriteFile(name, []byte("version: 2\ninteractions: []\n"))).To(Succeed())
		Expect(os.ReadFile(name)).To(BeEquivalentTo("# mine\nversion: 2\ninteractions: []\n"))
		Expect(fsys.WriteFile(name, []byte("version: 2\ninteractions: [] # secret\n"))).To(MatchError(refused))
		Expect(fsys.WriteFile(name, []byte("version: 1\ninteractions: []\n"))).To(MatchError(ContainSubstring("it would not read back")))
		Expect(os.ReadFile(name)).To(BeEquivalentTo("# mine\nversion: 2\ninteractions: []\n"))
	})
})
