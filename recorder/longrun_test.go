package recorder_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// upload is a file upload's base64: gzip of size bytes of text (a log
// file, say) ending with tail.
func upload(size int, tail string) string {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	line := []byte("2026-12-01T14:00:00Z GET /v1/invoices 200\n")
	for n := 0; n+len(line) <= size-len(tail); n += len(line) {
		w.Write(line)
	}
	w.Write([]byte(tail))
	w.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// posted is a form POST of body to /v1/files, answered with a small JSON.
func posted(body string) *cassette.Interaction {
	i := &cassette.Interaction{}
	i.Request.Method = http.MethodPost
	i.Request.URL = "https://api.stripe.com/v1/files"
	i.Request.Body = body
	i.Request.Headers = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	i.Request.Form, _ = url.ParseQuery(body)
	i.Response.Code = 200
	i.Response.Body = `{"id":"file_1","object":"file"}`
	return i
}

var _ = Describe("long base64 runs (file uploads)", func() {
	var file string
	BeforeEach(func() { file = filepath.Join(GinkgoT().TempDir(), "uploads.yaml") })

	It("are scanned interaction by interaction: two uploads that each scan clean are saved, not refused together", func() {
		// Each decompresses to 40 MiB: within the scan's bound alone, over
		// it together, which the file's last check used to add up.
		raw := func() *cassette.Interaction {
			i := posted("")
			i.Request.Body, i.Request.Form = upload(40<<20, ""), nil
			i.Request.Headers.Set("Content-Type", "application/octet-stream")
			return i
		}
		Expect(recorder.WriteCassette(file, []*cassette.Interaction{raw(), raw()})).To(Succeed())
		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(2))
	})

	It("that cannot be scanned make a refusal of their interaction, which --drop-refused drops, naming it, and saves the rest", func() {
		skipUnderRace()
		upstream := startStripeLike()
		rec, err := recorder.New(file, recorder.WithDropRefused(true))
		Expect(err).NotTo(HaveOccurred())
		get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_before", "")
		// The upstream echoes the form: the request body, its form and
		// the response each decompress to 40 MiB, 120 MiB in the
		// interaction's part of the file.
		b64 := upload(40<<20, "")
		status, _, _ := get(rec.Client(), "POST", upstream.URL+"/v1/files", "file="+url.QueryEscape(b64))
		Expect(status).To(Equal(200))
		get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_after", "")
		err = rec.Stop()

		var dropped *recorder.DroppedError
		Expect(errors.As(err, &dropped)).To(BeTrue(), "got %v", err)
		Expect(dropped.Saved).To(Equal(2))
		Expect(dropped.Refused).To(HaveLen(1))
		se := dropped.Refused[0]
		Expect(se.Interaction).To(Equal(1))
		Expect(se.Family).To(Equal(secret.FamilyUnscanned))
		Expect(se.Encoding).To(HavePrefix("base64"))
		Expect(se.Field).NotTo(BeEmpty())
		Expect(err.Error()).To(ContainSubstring("interaction 1 "))
		Expect(err.Error()).To(ContainSubstring("could not finish"))
		Expect(err.Error()).NotTo(ContainSubstring(b64[:64]))

		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(2))
		Expect(c.Interactions[0].Request.URL).To(HaveSuffix("/inpay_before"))
		Expect(c.Interactions[1].Request.URL).To(HaveSuffix("/inpay_after"))
	})

	It("never write a secret key hidden inside, after or beyond the scan's bound of one", func() {
		skipUnderRace()
		r := rand.New(rand.NewPCG(9, 9))
		noise := make([]byte, 2<<20)
		for i := range noise {
			noise[i] = byte(r.Uint32())
		}
		for name, hide := range map[string]func(key string) string{
			"inside a 2.8 MB run": func(key string) string {
				return base64.StdEncoding.EncodeToString(append(append(noise[:len(noise):len(noise)], key...), noise[:1000]...))
			},
			"glued after a 2.8 MB run": func(key string) string { return base64.StdEncoding.EncodeToString(noise) + key },
			"after a 2.8 MB run":       func(key string) string { return base64.StdEncoding.EncodeToString(noise) + " " + key },
			"at the end of an upload decompressing past the bound": func(key string) string {
				return upload(80<<20, "api_key="+key)
			},
		} {
			key := randomKey("sk_live_")
			body := "file=" + url.QueryEscape(hide(key))
			err := recorder.WriteCassette(file, []*cassette.Interaction{posted(body)})
			if err != nil {
				var se *recorder.SecretError
				Expect(errors.As(err, &se)).To(BeTrue(), "%s: %v", name, err)
				Expect(err.Error()).NotTo(ContainSubstring(key[len("sk_live_"):]), name)
				Expect(file).NotTo(BeAnExistingFile(), name)
				continue
			}
			data, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			Expect(bytes.Contains(data, []byte(key[len("sk_live_"):]))).To(BeFalse(), "%s: the key is in the file", name)
			for k := range 3 { // the key's base64 at each alignment
				enc := base64.StdEncoding.EncodeToString(append(bytes.Repeat([]byte{0}, k), key...))[4:24]
				Expect(bytes.Contains(data, []byte(enc))).To(BeFalse(), "%s: the key's base64 is in the file", name)
			}
			Expect(os.Remove(file)).To(Succeed())
		}
	})
})

// skipUnderRace skips a spec that scans tens of MiB in one goroutine when
// the race detector runs (it has nothing to find there, and makes them take
// minutes); CI runs them without it.
func skipUnderRace() {
	if raceDetector {
		Skip("a single-threaded scan of tens of MiB: run without -race (go test ./recorder; CI does)")
	}
}
