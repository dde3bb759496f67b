package recorder_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

var _ = Describe("secrets known by their field", func() {
	// Values shaped like no family: only the field says they are secret.
	const (
		code         = "ac_short1"
		clientSecret = "opaque-client-secret-value"
		refresh      = "rt_short2"
		payload      = "hunter2-apps-payload"
		ephemeral    = "new-format-ephemeral"
	)

	It("are replaced in form bodies, queries and JSON bodies, with every other byte kept", func() {
		var sentForm string
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			sentForm = string(body)
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/oauth/token":
				// stripe-mock orders members by name: "object" would come
				// after the secret in an object that had one.
				io.WriteString(w, `{"access_token": "`+randomKey("sk_test_")+`", "livemode": false, "refresh_token": "`+refresh+`", "scope": "read_write", "stripe_publishable_key": "pk_test_KeptBecauseNotSecret", "stripe_user_id": "acct_1", "token_type": "bearer"}`)
			case "/v1/apps/secrets":
				io.WriteString(w, `{"deleted": false, "id": "appsecret_1", "name": "api-key", "object": "apps.secret", "payload": "`+payload+`"}`)
			case "/v1/ephemeral_keys":
				io.WriteString(w, `{"id": "ephkey_1", "object": "ephemeral_key", "secret": "`+ephemeral+`"}`)
			case "/v1/billing/meter_events":
				io.WriteString(w, `{"event_name": "api", "object": "billing.meter_event", "payload": {"value": "25"}}`)
			default:
				io.WriteString(w, `{"client_secret": "`+clientSecret+`", "id": "pi_1", "object": "payment_intent"}`)
			}
		}))
		DeferCleanup(upstream.Close)
		file := filepath.Join(GinkgoT().TempDir(), "fields.yaml")
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		send := func(method, path, form string) {
			var body io.Reader
			if form != "" {
				body = strings.NewReader(form)
			}
			req, _ := http.NewRequest(method, upstream.URL+path, body)
			if form != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("Authorization", "Bearer "+randomKey("sk_test_"))
			resp, err := rec.Client().Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
		}
		send("POST", "/oauth/token", "grant_type=authorization_code&code="+code)
		send("GET", "/v1/payment_intents/pi_1?client_secret="+clientSecret+"&expand[]=customer", "")
		send("POST", "/v1/apps/secrets", "name=api-key&payload="+payload+"&scope[type]=account")
		send("POST", "/v1/ephemeral_keys", "customer=cus_1")
		send("POST", "/v1/billing/meter_events", "event_name=api&payload[value]=25")
		Expect(rec.Stop()).To(Succeed())
		Expect(sentForm).To(ContainSubstring("payload[value]=25"), "the upstream got the request as sent")

		data, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		text := string(data)
		for _, gone := range []string{code, clientSecret, refresh, payload, ephemeral} {
			Expect(text).NotTo(ContainSubstring(gone))
		}
		Expect(text).To(ContainSubstring("grant_type=authorization_code&code=%5BREDACTED%5D"), "an OAuth code is redacted in the form body")
		Expect(text).To(ContainSubstring(`client_secret=%5BREDACTED%5D&expand[]=customer`), "in the query, and the rest of it kept")
		Expect(text).To(ContainSubstring(`"refresh_token": "[REDACTED]", "scope": "read_write"`), "in JSON, with the member order and spacing kept")
		Expect(text).To(ContainSubstring(`"object": "apps.secret", "payload": "[REDACTED]"`))
		Expect(text).To(ContainSubstring(`"object": "ephemeral_key", "secret": "[REDACTED]"`))
		Expect(text).To(ContainSubstring(`"payload": {"value": "25"}`), "a meter event's payload is no secret")
		Expect(text).To(ContainSubstring("pk_test_KeptBecauseNotSecret"), "publishable keys are not secret")
		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions[0].Request.Form).To(HaveKeyWithValue("code", []string{recorder.Redacted}), "and in the parsed form go-vcr keeps")
		Expect(c.Interactions[0].Request.Form).To(HaveKeyWithValue("grant_type", []string{"authorization_code"}))
	})
})
