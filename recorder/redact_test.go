package recorder_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/ulikunitz/xz"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// anySecret is the tests' own statement of a Stripe secret, independent of
// the package's pattern: a test that reused it would share its bugs.
var anySecret = regexp.MustCompile(`(sk|rk)_(live|test)_[A-Za-z0-9]|whsec_[A-Za-z0-9]`)

var _ = Describe("redaction", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("keeps every planted secret off the disk, byte for byte: headers, URL, query, form body, JSON bodies, cookies, echoes", func() {
		secrets := map[string]string{
			"bearer":       randomKey("sk_live_"),
			"header":       randomKey("rk_live_"),
			"path":         randomKey("sk_test_"),
			"query":        randomKey("rk_test_"),
			"form":         randomKey("sk_live_"),
			"json request": randomKey("whsec_"),
			"json reply":   randomKey("whsec_"),
			"cookie":       randomKey("sk_test_"),
			"set-cookie":   randomKey("rk_live_"),
			"basic":        randomKey("sk_test_"),
		}
		basic := base64.StdEncoding.EncodeToString([]byte(secrets["basic"] + ":"))
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Set-Cookie", "__stripe_sid="+secrets["set-cookie"]+"; Path=/; HttpOnly")
			w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
			// An endpoint's signing secret in a response, as webhook
			// endpoint creation returns it, and an echo of what was sent,
			// as stripe-mock's 401 quotes the Authorization header.
			json.NewEncoder(w).Encode(map[string]any{
				"object": "webhook_endpoint", "secret": secrets["json reply"],
				"echo": map[string]string{"url": r.URL.String(), "body": string(body), "authorization": r.Header.Get("Authorization"), "cookie": r.Header.Get("Cookie")},
			})
		}))
		DeferCleanup(upstream.Close)

		rec, err := recorder.New(filepath.Join(dir, "secrets.yaml"))
		Expect(err).NotTo(HaveOccurred())
		client := rec.Client()

		req, _ := http.NewRequest("POST", upstream.URL+"/v1/keys/"+secrets["path"]+"?key="+secrets["query"]+"&expand[]=x",
			strings.NewReader(url.Values{"api_key": {secrets["form"]}, "description": {"kept"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+secrets["bearer"])
		req.Header.Set("X-Restricted-Key", "key="+secrets["header"])
		req.Header.Set("Cookie", "session=opaque-session-value-1234; stripe="+secrets["cookie"])
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		reply, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(string(reply)).To(ContainSubstring(secrets["json reply"]), "the client itself gets the real response")

		req, _ = http.NewRequest("POST", upstream.URL+"/webhooks", strings.NewReader(`{"object":"event","data":{"object":{"secret":"`+secrets["json request"]+`"}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Basic "+basic)
		resp, err = client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(rec.Stop()).To(Succeed())

		data, err := os.ReadFile(filepath.Join(dir, "secrets.yaml"))
		Expect(err).NotTo(HaveOccurred())
		for where, secret := range secrets {
			Expect(bytes.Contains(data, []byte(secret))).To(BeFalse(), "the %s secret reached the cassette", where)
			Expect(bytes.Contains(data, []byte(secret[len(secret)-12:]))).To(BeFalse(), "part of the %s secret reached the cassette", where)
		}
		Expect(bytes.Contains(data, []byte(basic))).To(BeFalse(), "the Basic credential reached the cassette")
		Expect(bytes.Contains(data, []byte("opaque-session-value-1234"))).To(BeFalse(), "a cookie reached the cassette")
		Expect(anySecret.Find(data)).To(BeNil())
		Expect(string(data)).To(ContainSubstring("Bearer "+recorder.Redacted), "the echo in the body")
		Expect(string(data)).To(ContainSubstring("- Bearer [REDACTED key 1]\n"), "the Authorization, labelled")
		Expect(string(data)).To(ContainSubstring("- Basic [REDACTED key 2]\n"))
		Expect(string(data)).To(ContainSubstring("description"), "what is not secret is kept")
	})

	It("keeps the replayed response whole when redaction changes a body's length", func() {
		secret := randomKey("sk_live_")
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: `+secret+`"}}`)
		}))
		DeferCleanup(upstream.Close)
		file := filepath.Join(dir, "length.yaml")
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		resp, err := rec.Client().Get(upstream.URL + "/v1/invoice_payments/inpay_1")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(rec.Stop()).To(Succeed())

		replay, err := recorder.New(file, recorder.WithMode(recorder.ModeReplayOnly))
		Expect(err).NotTo(HaveOccurred())
		resp, err = replay.Client().Get(upstream.URL + "/v1/invoice_payments/inpay_1")
		Expect(err).NotTo(HaveOccurred())
		body, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(body)).To(Equal(`{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: [REDACTED]"}}`))
		Expect(resp.ContentLength).To(BeNumerically("==", len(body)))
	})

	Describe("personal data", func() {
		record := func(mask bool) string {
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{
  "id": "in_1", "object": "invoice", "customer_email": "jenny.rosen@example.com", "customer_name": "Jenny Rosen",
  "customer_phone": "+15555550123", "customer_address": {"line1": "510 Townsend St", "city": "San Francisco", "postal_code": "94103"},
  "amount_due": 2000, "status": "open"
}`)
			}))
			defer upstream.Close()
			file := filepath.Join(GinkgoT().TempDir(), "pii.yaml")
			rec, err := recorder.New(file, recorder.WithMaskPII(mask))
			Expect(err).NotTo(HaveOccurred())
			req, _ := http.NewRequest("POST", upstream.URL+"/v1/customers?email=jenny.rosen%40example.com", strings.NewReader("name=Jenny+Rosen&shipping[address][line1]=510+Townsend+St&balance=0"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := rec.Client().Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(rec.Stop()).To(Succeed())
			data, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			return string(data)
		}
		personal := []string{"jenny.rosen", "Jenny", "Rosen", "15555550123", "Townsend", "San Francisco", "94103"}

		It("is masked with --mask-pii in bodies, forms and queries, keeping other fields", func() {
			data := record(true)
			for _, p := range personal {
				Expect(data).NotTo(ContainSubstring(p))
			}
			Expect(data).To(ContainSubstring(`"customer_email": "[MASKED]"`))
			Expect(data).To(ContainSubstring(`"amount_due": 2000`))
			Expect(data).To(ContainSubstring("balance=0"))
		})

		It("is kept without it", func() {
			data := record(false)
			for _, p := range personal {
				Expect(data).To(ContainSubstring(p))
			}
		})

		It("is masked with --mask-pii wherever it stands: the URL path, a search query, free text, metadata values and uploads", func() {
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"object": "search_result", "data": [{"id": "cus_1", "created": 1760000000, "description": "VIP jane.doe@example.com",
  "metadata": {"ref": "call 555-555-0123"}}], "has_more": false, "url": "/v1/customers/search"}`)
			}))
			DeferCleanup(upstream.Close)
			file := filepath.Join(GinkgoT().TempDir(), "pii.yaml")
			rec, err := recorder.New(file, recorder.WithMaskPII(true))
			Expect(err).NotTo(HaveOccurred())
			const form = "application/x-www-form-urlencoded"
			upload := "--b0undary\r\nContent-Disposition: form-data; name=\"file_link_data[metadata][email]\"\r\n\r\njane.doe@example.com\r\n--b0undary--\r\n"
			for _, r := range []struct{ method, path, contentType, body string }{
				{"GET", "/v1/customers/jane.doe@example.com/balance_transactions?limit=3", form, ""},
				{"GET", "/v1/customers/jane.doe%40example.com", form, ""},
				{"GET", "/v1/customers/search?query=" + url.QueryEscape("email:'jane.doe@example.com' AND created>1609459200"), form, ""},
				{"POST", "/v1/customers/cus_1", form, "description=VIP+jane.doe%40example.com&metadata[ref]=call+555-555-0123&phone_number=%2B15555550123"},
				{"POST", "/v1/files", "multipart/form-data; boundary=b0undary", upload},
			} {
				req, err := http.NewRequest(r.method, upstream.URL+r.path, strings.NewReader(r.body))
				Expect(err).NotTo(HaveOccurred())
				req.Header.Set("Content-Type", r.contentType)
				resp, err := rec.Client().Do(req)
				Expect(err).NotTo(HaveOccurred())
				resp.Body.Close()
			}
			Expect(rec.Stop()).To(Succeed())
			raw, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			data := string(raw)
			for _, p := range []string{"jane.doe", "555-555-0123", "15555550123"} {
				Expect(data).NotTo(ContainSubstring(p))
			}
			Expect(data).To(ContainSubstring("/v1/customers/[MASKED]/balance_transactions?limit=3"))
			Expect(data).To(ContainSubstring("created%3E1609459200"), "the rest of the query is kept")
			Expect(data).To(ContainSubstring(`"created": 1760000000`), "IDs and timestamps are kept")
			Expect(data).To(ContainSubstring(`"description": "VIP [MASKED]"`))
		})
	})
})

// plantedCase plants a fresh secret in a request or in the upstream's answer.
type plantedCase func(secret string) (*http.Request, http.HandlerFunc)

// recordPlanted records one interaction of plant against a real upstream
// on loopback into a folder holding an older cassette, and returns Stop's
// error, the secret and the folder's cassette bytes afterwards.
func recordPlanted(prefix string, plant plantedCase) (stopErr error, secret string, old, after []byte, dir string) {
	secret = randomKey(prefix)
	req, handler := plant(secret)
	upstream := httptest.NewServer(handler)
	DeferCleanup(upstream.Close)
	u, _ := url.Parse(upstream.URL)
	req.URL.Scheme, req.URL.Host = u.Scheme, u.Host

	dir = GinkgoT().TempDir()
	file := filepath.Join(dir, "planted.yaml")
	old = []byte("# the previous cassette\n---\nversion: 2\ninteractions: []\n")
	Expect(os.WriteFile(file, old, 0o644)).To(Succeed())

	rec, err := recorder.New(file)
	Expect(err).NotTo(HaveOccurred())
	resp, err := rec.Client().Do(req)
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	stopErr = rec.Stop()
	after, _ = os.ReadFile(file)
	return stopErr, secret, old, after, dir
}

var _ = DescribeTable("an encoded secret that redaction can reach is replaced in place, and the cassette is written",
	func(prefix string, plant plantedCase) {
		err, secret, old, after, _ := recordPlanted(prefix, plant)
		Expect(err).NotTo(HaveOccurred())
		Expect(after).NotTo(Equal(old), "the cassette was written")
		Expect(string(after)).NotTo(ContainSubstring(secret[len(prefix):]))
		Expect(string(after)).To(ContainSubstring(recorder.Redacted))
	},
	Entry("a JSON-escaped secret in a response body", "whsec_",
		plantedCase(func(secret string) (*http.Request, http.HandlerFunc) {
			req, _ := http.NewRequest("GET", "http://placeholder/v1/webhook_endpoints/we_1", nil)
			escaped := strings.Replace(secret, "_", `\u005f`, 1)
			return req, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"id":"we_1","url":"`+escaped+`"}`)
			}
		})),
	Entry("a percent-encoded secret in a query", "sk_live_",
		plantedCase(func(secret string) (*http.Request, http.HandlerFunc) {
			req, _ := http.NewRequest("GET", "http://placeholder/v1/invoice_payments?key="+strings.ReplaceAll(secret, "_", "%5F"), nil)
			return req, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }
		})),
	Entry("a base64-encoded secret in a response body that no request header explains", "rk_live_",
		plantedCase(func(secret string) (*http.Request, http.HandlerFunc) {
			req, _ := http.NewRequest("GET", "http://placeholder/v1/files/file_1/contents", nil)
			return req, func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "config: "+base64.StdEncoding.EncodeToString([]byte("STRIPE_KEY="+secret)))
			}
		})),
)

var _ = DescribeTable("a cassette that would still hold a secret after redaction is refused, and nothing is written",
	func(prefix string, plant plantedCase, want recorder.SecretError) {
		err, secret, old, after, dir := recordPlanted(prefix, plant)
		want.Cassette = filepath.Join(dir, "planted.yaml")
		Expect(err).To(MatchError(&want))
		Expect(err.Error()).NotTo(ContainSubstring(secret[len(prefix):]), "the error must not repeat the secret")
		var se *recorder.SecretError
		Expect(errors.As(err, &se)).To(BeTrue())
		Expect(after).To(Equal(old), "the previous cassette is unchanged")
		entries, _ := os.ReadDir(dir)
		Expect(entries).To(HaveLen(1), "no temporary file is left")
	},
	Entry("a gzip-compressed request body", "sk_test_",
		plantedCase(func(secret string) (*http.Request, http.HandlerFunc) {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			io.WriteString(zw, "api_key="+secret)
			zw.Close()
			req, _ := http.NewRequest("POST", "http://placeholder/v1/uploads", bytes.NewReader(buf.Bytes()))
			req.Header.Set("Content-Encoding", "gzip")
			req.Header.Set("Content-Type", "application/octet-stream")
			return req, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }
		}),
		recorder.SecretError{Interaction: 0, Field: "request.body", Family: "secret-key", Encoding: "gzip"}),
	Entry("an xz payload in a response body", "rk_live_",
		plantedCase(func(secret string) (*http.Request, http.HandlerFunc) {
			req, _ := http.NewRequest("GET", "http://placeholder/v1/files/file_1/contents", nil)
			return req, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/octet-stream")
				// Repeated, so the stream is compressed: an xz of a short
				// text stores it as it is, where redaction reaches it.
				w.Write(xzCompress([]byte(strings.Repeat("STRIPE_KEY="+secret+"\n", 20))))
			}
		}),
		recorder.SecretError{Interaction: 0, Field: "response.body", Family: "restricted-key", Encoding: "xz"}),
)

// xzCompress is an xz stream of b.
func xzCompress(b []byte) []byte {
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	Expect(err).NotTo(HaveOccurred())
	w.Write(b)
	Expect(w.Close()).To(Succeed())
	return buf.Bytes()
}

// gzipped is a gzip stream of s.
func gzipped(s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, s)
	zw.Close()
	return buf.Bytes()
}

var _ = Describe("a refused interaction, when the caller asks to drop it", func() {
	var dir, file string
	var upstream *stripeLike
	var secrets []string
	// session records a retrieve, then for each of planted a POST whose
	// gzip body hides a key redaction cannot reach, then another retrieve.
	session := func(planted int, opts ...recorder.RecorderOption) error {
		rec, err := recorder.New(file, opts...)
		Expect(err).NotTo(HaveOccurred())
		get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_before", "")
		for range planted {
			key := randomKey("sk_test_")
			secrets = append(secrets, key)
			req, _ := http.NewRequest("POST", upstream.URL+"/v1/uploads", bytes.NewReader(gzipped("api_key="+key)))
			req.Header.Set("Content-Encoding", "gzip")
			req.Header.Set("Content-Type", "application/octet-stream")
			resp, err := rec.Client().Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
		}
		get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_after", "")
		return rec.Stop()
	}
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		file = filepath.Join(dir, "dropped.yaml")
		upstream = startStripeLike()
		secrets = nil
	})

	It("is dropped, named (index, field, family, encoding, never the value), and the others are saved", func() {
		err := session(2, recorder.WithDropRefused(true))
		refused := func(n int) *recorder.SecretError {
			return &recorder.SecretError{Cassette: file, Interaction: n, Field: "request.body", Family: "secret-key", Encoding: "gzip"}
		}
		Expect(err).To(MatchError(&recorder.DroppedError{Cassette: file, Refused: []*recorder.SecretError{refused(1), refused(2)}, Saved: 2}))
		Expect(err.Error()).To(Equal("dropped 2 interactions from cassette " + file + ": " +
			"interaction 1 request.body still holds a Stripe secret (secret-key: sk_live_ or sk_test_, encoded as gzip) that redaction cannot reach; " +
			"interaction 2 request.body still holds a Stripe secret (secret-key: sk_live_ or sk_test_, encoded as gzip) that redaction cannot reach; the other 2 were saved"))
		for _, s := range secrets {
			Expect(err.Error()).NotTo(ContainSubstring(s[len("sk_test_"):]))
		}
		var se *recorder.SecretError
		Expect(errors.As(err, &se)).To(BeFalse(), "a DroppedError is not a refusal of the whole cassette")

		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(2))
		Expect(c.Interactions[0].ID).To(Equal(0))
		Expect(c.Interactions[0].Request.URL).To(HaveSuffix("/inpay_before"))
		Expect(c.Interactions[1].ID).To(Equal(1), "renumbered")
		Expect(c.Interactions[1].Request.URL).To(HaveSuffix("/inpay_after"))
	})

	It("leaves nothing to write when every new interaction is dropped: no file, and Saved is 0", func() {
		rec, err := recorder.New(file, recorder.WithDropRefused(true))
		Expect(err).NotTo(HaveOccurred())
		req, _ := http.NewRequest("POST", upstream.URL+"/v1/uploads", bytes.NewReader(gzipped("api_key="+randomKey("sk_live_"))))
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := rec.Client().Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		err = rec.Stop()
		var dropped *recorder.DroppedError
		Expect(errors.As(err, &dropped)).To(BeTrue())
		Expect(dropped.Saved).To(BeZero())
		Expect(dropped.Refused).To(HaveLen(1))
		Expect(err.Error()).To(HaveSuffix("; nothing else was recorded, so nothing was written"))
		Expect(file).NotTo(BeAnExistingFile())
	})

	It("is refused with the whole cassette, as before, unless the caller asks", func() {
		old := []byte("# the previous cassette\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(file, old, 0o644)).To(Succeed())
		err := session(1)
		Expect(err).To(MatchError(&recorder.SecretError{Cassette: file, Interaction: 1, Field: "request.body", Family: "secret-key", Encoding: "gzip"}))
		Expect(os.ReadFile(file)).To(Equal(old))
	})
})
