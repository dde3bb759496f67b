package recorder_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// compress encodes body with one HTTP content coding.
func compress(coding string, body []byte) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip", "x-gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "raw-deflate":
		w, _ = flate.NewWriter(&buf, flate.DefaultCompression)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf)
		Expect(err).NotTo(HaveOccurred())
		w = zw
	default:
		Fail("no encoder for " + coding)
	}
	_, err := w.Write(body)
	Expect(err).NotTo(HaveOccurred())
	Expect(w.Close()).To(Succeed())
	return buf.Bytes()
}

var _ = Describe("compressed upstream answers", func() {
	// The key the upstream echoes in its body: readable only once decoded.
	const payload = `{"id":"cus_1","object":"customer","description":"created with sk_test_EchoedInsideACompressedBody"}`

	// recordOne records one GET through the proxy against an upstream that
	// answers with the given Content-Encoding header and body, and returns
	// what the client got, what the upstream was asked for, and the saved
	// cassette (nil when none was written).
	recordOne := func(header string, body []byte) (status int, got string, asked string, saved *cassette.Cassette, stopErr error) {
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked = r.Header.Get("Accept-Encoding")
			w.Header().Set("Content-Type", "application/json")
			if header != "" {
				w.Header().Set("Content-Encoding", header)
			}
			w.Write(body)
		}))
		DeferCleanup(upstream.Close)
		file := filepath.Join(GinkgoT().TempDir(), "encoded.yaml")
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		proxy, err := recorder.NewProxy(upstream.URL, rec)
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(proxy)
		DeferCleanup(front.Close)
		// A client that asks for gzip, as every SDK's HTTP stack does.
		req, _ := http.NewRequest("GET", front.URL+"/v1/customers/cus_1", nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		req.Header.Set("Authorization", "Bearer "+randomKey("sk_test_"))
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		Expect(err).NotTo(HaveOccurred())
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		front.Close()
		stopErr = rec.Stop()
		if _, err := os.Stat(file); err == nil {
			saved, err = cassette.Load(strings.TrimSuffix(file, ".yaml"))
			Expect(err).NotTo(HaveOccurred())
		}
		return resp.StatusCode, string(out), asked, saved, stopErr
	}

	DescribeTable("are decoded before redaction and recorded decoded, with the header adjusted",
		func(header, coding string) {
			status, got, asked, saved, err := recordOne(header, compress(coding, []byte(payload)))
			Expect(err).NotTo(HaveOccurred())
			Expect(asked).To(Equal("identity"), "the upstream is asked for an identity body")
			Expect(status).To(Equal(200))
			Expect(got).To(ContainSubstring(`"object":"customer"`), "the client reads the decoded body")
			Expect(saved).NotTo(BeNil())
			resp := saved.Interactions[0].Response
			Expect(resp.Headers.Get("Content-Encoding")).To(BeEmpty())
			Expect(resp.Body).To(HavePrefix(`{"id":"cus_1"`))
			Expect(resp.Body).NotTo(ContainSubstring("sk_test_EchoedInsideACompressedBody"))
			Expect(resp.Body).To(ContainSubstring(recorder.Redacted))
		},
		Entry("gzip", "gzip", "gzip"),
		Entry("x-gzip", "x-gzip", "gzip"),
		Entry("deflate as RFC 9110 defines it (zlib)", "deflate", "deflate"),
		Entry("deflate as some servers send it (raw DEFLATE)", "deflate", "raw-deflate"),
		Entry("br (brotli)", "br", "br"),
		Entry("zstd", "zstd", "zstd"),
		Entry("a coding name in capitals", "GZIP", "gzip"),
	)

	It("undoes stacked codings in reverse order", func() {
		body := compress("br", compress("gzip", []byte(payload)))
		status, _, _, saved, err := recordOne("gzip, br", body)
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(200))
		Expect(saved.Interactions[0].Response.Body).To(HavePrefix(`{"id":"cus_1"`))
	})

	DescribeTable("a body the recorder cannot decode is refused with a clear message and not recorded",
		func(header string, body []byte, says string) {
			status, got, _, saved, err := recordOne(header, body)
			Expect(err).NotTo(HaveOccurred())
			Expect(status).To(Equal(http.StatusBadGateway))
			Expect(got).To(ContainSubstring(says))
			Expect(got).NotTo(ContainSubstring("sk_test_EchoedInsideACompressedBody"))
			if saved != nil {
				Expect(saved.Interactions).To(BeEmpty())
			}
		},
		Entry("an unknown coding", "compress", []byte("\x1f\x9d..."), `Content-Encoding \"compress\", which the recorder cannot decode`),
		Entry("gzip that is not gzip", "gzip", []byte(payload), "could not be decoded"),
		Entry("a zstd body cut short", "zstd", compress("zstd", []byte(payload))[:12], "could not be decoded"),
	)

	It("answers the client within the timeout when the coding is refused", func() {
		start := time.Now()
		status, _, _, _, _ := recordOne("aes128gcm", []byte("x"))
		Expect(status).To(Equal(http.StatusBadGateway))
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
	})
})
