package recorder_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

var _ = Describe("WriteCassette refusing an interaction that would still hold a secret", func() {
	var dir, file, key string
	// built are three interactions for a cassette written from the API
	// reference; the second carries the key gzip-compressed in its request
	// body, where redaction cannot reach it.
	var built []*cassette.Interaction
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		file = filepath.Join(dir, "built.yaml")
		key = randomKey("sk_test_")
		built = nil
		for n, body := range []string{"", string(gzipped("api_key=" + key)), ""} {
			i := &cassette.Interaction{}
			i.Request.Method = "POST"
			i.Request.URL = "https://api.stripe.com/v1/uploads"
			i.Request.Headers = map[string][]string{"Content-Type": {"application/octet-stream"}}
			if body != "" {
				i.Request.Headers["Content-Encoding"] = []string{"gzip"}
			}
			i.Request.Body = body
			i.Response.Code = 200
			i.Response.Headers = map[string][]string{"Content-Type": {"application/json"}}
			i.Response.Body = `{"object":"file","n":` + string(rune('0'+n)) + `}`
			built = append(built, i)
		}
	})

	// refusedAt expects err to be the refusal of interaction n, and nothing
	// written.
	refusedAt := func(err error, n int, field, encoding string) {
		Expect(err).To(MatchError(&recorder.SecretError{Cassette: file, Interaction: n, Field: field, Family: "secret-key", Encoding: encoding}))
		Expect(err.Error()).NotTo(ContainSubstring(key[len("sk_test_"):]), "the error never repeats the secret")
		entries, _ := os.ReadDir(dir)
		Expect(entries).To(BeEmpty(), "nothing is written, not even a temporary file")
	}

	It("names the interaction, its field, the family and the encoding", func() {
		refusedAt(recorder.WriteCassette(file, built), 1, "request.body", "gzip")
	})

	It("refuses the whole cassette even when asked to drop refused interactions (that is Stop's choice, not WriteCassette's)", func() {
		refusedAt(recorder.WriteCassette(file, built, recorder.WithDropRefused(true)), 1, "request.body", "gzip")
	})

	It("names the interaction a BeforeSave hook put a secret back into, before the file's bytes are scanned", func() {
		built[1].Request.Body, built[1].Request.Headers["Content-Encoding"] = "", nil
		err := recorder.WriteCassette(file, built, recorder.WithBeforeSave(func(i *cassette.Interaction) error {
			if i.ID == 2 {
				i.Response.Headers.Set("X-Key", key)
			}
			return nil
		}))
		refusedAt(err, 2, "response.headers[X-Key]", "")
	})

	It("writes the same interactions once the secret is gone, leaving the caller's values as they were", func() {
		built[1].Request.Body, built[1].Request.Headers["Content-Encoding"] = "", nil
		Expect(recorder.WriteCassette(file, built)).To(Succeed())
		Expect(built[2].ID).To(BeZero(), "the caller's interactions are not numbered")
		data, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(data)).To(ContainSubstring(`"n":2`))
	})
})
