package recorder_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// keyedUpstream answers an invoice payment to the accepted key and Stripe's
// 401 to any other, as the API does for a revoked or mistyped key.
func keyedUpstream(accepted string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, key := authKey(r.Header.Get("Authorization"))
		if key != accepted {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****"}}`))
			return
		}
		w.Write([]byte(`{"id":"inpay_1","object":"invoice_payment","status":"paid"}`))
	}))
	DeferCleanup(s.Close)
	return s
}

// authKey is this test's own reading of an Authorization: Bearer's token,
// Basic's user.
func authKey(v string) (scheme, key string) {
	scheme, token, _ := strings.Cut(v, " ")
	if scheme == "Basic" {
		plain, _ := base64.StdEncoding.DecodeString(token)
		user, _, _ := strings.Cut(string(plain), ":")
		return scheme, user
	}
	return scheme, token
}

func sendWith(client *http.Client, url, authorization string) int {
	req, _ := http.NewRequest("GET", url, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	return resp.StatusCode
}

// fpOf computes a fingerprint as CredentialHeader documents it.
func fpOf(salt, key string) string {
	s, err := base64.RawURLEncoding.DecodeString(salt)
	Expect(err).NotTo(HaveOccurred())
	mac := hmac.New(sha256.New, s)
	mac.Write([]byte(key))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12])
}

var _ = Describe("the credential of each recorded interaction", func() {
	var dir, file, valid, rejected string
	var upstream *httptest.Server

	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		file = filepath.Join(dir, "keys.yaml")
		valid, rejected = randomKey("sk_test_"), randomKey("sk_test_")
		upstream = keyedUpstream(valid)
	})

	record := func(file string, mode recorder.Mode, auths ...string) {
		rec, err := recorder.New(file, recorder.WithMode(mode))
		Expect(err).NotTo(HaveOccurred())
		for _, a := range auths {
			sendWith(rec.Client(), upstream.URL+"/v1/invoice_payments/inpay_1", a)
		}
		Expect(rec.Stop()).To(Succeed())
	}

	It("is an opaque label numbered in order of first use, Basic's user being the key, with a fingerprint under the cassette's salt", func() {
		record(file, recorder.ModeRecord,
			"Bearer "+rejected, "Bearer "+valid, "Basic "+base64Of(valid+":"), "Bearer "+rejected, "")
		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		var auths, labels []string
		var salts []string
		for _, i := range c.Interactions {
			auths = append(auths, i.Request.Headers.Get("Authorization"))
			h := i.Request.Headers.Get(recorder.CredentialHeader)
			if h == "" {
				labels = append(labels, "")
				continue
			}
			Expect(h).To(MatchRegexp(`^key \d; fp=[A-Za-z0-9_-]{16}; salt=[A-Za-z0-9_-]{22}$`))
			label, rest, _ := strings.Cut(h, "; fp=")
			fp, salt, _ := strings.Cut(rest, "; salt=")
			key := valid
			if label == "key 1" {
				key = rejected
			}
			Expect(fp).To(Equal(fpOf(salt, key)), "HMAC-SHA256 of the credential under the salt, 96 bits")
			labels = append(labels, label)
			salts = append(salts, salt)
		}
		Expect(auths).To(Equal([]string{"Bearer [REDACTED key 1]", "Bearer [REDACTED key 2]", "Basic [REDACTED key 2]", "Bearer [REDACTED key 1]", ""}))
		Expect(labels).To(Equal([]string{"key 1", "key 2", "key 2", "key 1", ""}))
		Expect(salts).To(HaveEach(salts[0]), "one salt per cassette")

		data, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(secret.NewScanner(valid, rejected).Scan(data)).To(BeEmpty(), "neither key, in any encoding the scan decodes")
	})

	It("is numbered afresh in each recording session, with a salt of its own", func() {
		other := filepath.Join(dir, "other.yaml")
		record(file, recorder.ModeRecord, "Bearer "+rejected, "Bearer "+valid)
		record(other, recorder.ModeRecord, "Bearer "+valid)
		a, _ := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		b, _ := cassette.Load(strings.TrimSuffix(other, ".yaml"))
		Expect(b.Interactions[0].Request.Headers.Get("Authorization")).To(Equal("Bearer [REDACTED key 1]"))
		Expect(a.Interactions[1].Request.Headers.Get("Authorization")).To(Equal("Bearer [REDACTED key 2]"))
		Expect(b.Interactions[0].Request.Headers.Get(recorder.CredentialHeader)).NotTo(Equal(a.Interactions[1].Request.Headers.Get(recorder.CredentialHeader)))
	})

	It("keeps its label when new episodes are added, and a new credential takes the next number", func() {
		record(file, recorder.ModeRecord, "Bearer "+valid)
		first, _ := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		header := first.Interactions[0].Request.Headers.Get(recorder.CredentialHeader)
		rec, err := recorder.New(file, recorder.WithMode(recorder.ModeRecordNewEpisodes))
		Expect(err).NotTo(HaveOccurred())
		sendWith(rec.Client(), upstream.URL+"/v1/invoice_payments/inpay_2", "Bearer "+rejected)
		sendWith(rec.Client(), upstream.URL+"/v1/invoice_payments/inpay_3", "Bearer "+valid)
		Expect(rec.Stop()).To(Succeed())
		c, _ := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(c.Interactions).To(HaveLen(3))
		Expect(c.Interactions[0].Request.Headers.Get(recorder.CredentialHeader)).To(Equal(header))
		Expect(c.Interactions[1].Request.Headers.Get("Authorization")).To(Equal("Bearer [REDACTED key 2]"))
		Expect(c.Interactions[2].Request.Headers.Get(recorder.CredentialHeader)).To(Equal(header), "the same key, recognised by its fingerprint")
	})

	It("drops a CredentialHeader the caller sent, and is byte for byte the same with a fixed salt", func() {
		interactions := []*cassette.Interaction{{
			Request: cassette.Request{Method: "GET", URL: "https://api.stripe.com/v1/invoice_payments/inpay_1",
				Headers: http.Header{"Authorization": {"Bearer " + valid}}},
			Response: cassette.Response{Code: 200, Body: "{}"},
		}, {
			Request: cassette.Request{Method: "GET", URL: "https://api.stripe.com/v1/invoice_payments/inpay_2",
				Headers: http.Header{recorder.CredentialHeader: {"key 9; fp=forged; salt=AAAA"}}},
			Response: cassette.Response{Code: 200, Body: "{}"},
		}}
		salt := []byte("0123456789abcdef")
		a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
		Expect(recorder.WriteCassette(a, interactions, recorder.WithCredentialSalt(salt))).To(Succeed())
		Expect(recorder.WriteCassette(b, interactions, recorder.WithCredentialSalt(salt))).To(Succeed())
		da, _ := os.ReadFile(a)
		db, _ := os.ReadFile(b)
		Expect(string(da)).To(Equal(string(db)))
		Expect(string(da)).To(ContainSubstring("key 1; fp=" + fpOf(base64.RawURLEncoding.EncodeToString(salt), valid)))
		Expect(string(da)).NotTo(ContainSubstring("forged"))
	})
})
