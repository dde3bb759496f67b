package recorder_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder"
)

var _ = Describe("SDK telemetry headers", func() {
	It("keep only the SDK's name and version: no uname, hostname or telemetry ID reaches the cassette", func() {
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"cus_1","object":"customer"}`))
		}))
		DeferCleanup(upstream.Close)
		file := filepath.Join(GinkgoT().TempDir(), "telemetry.yaml")
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		send := func(userAgent string) {
			req, _ := http.NewRequest("GET", upstream.URL+"/v1/customers/cus_1", nil)
			req.Header.Set("Authorization", "Bearer "+randomKey("sk_test_"))
			req.Header.Set("User-Agent", "Stripe/v1 PythonBindings/15.3.1")
			req.Header.Set("X-Stripe-Client-User-Agent", userAgent)
			req.Header.Set("X-Stripe-Client-Telemetry", `{"last_request_metrics":{"request_id":"req_Prev1","request_duration_ms":123}}`)
			resp, err := rec.Client().Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
		}
		// What stripe-python 15 sends (uname and a persistent telemetry id).
		send(`{"bindings_version": "15.3.1", "lang": "python", "publisher": "stripe", "httplib": "requests", "lang_version": "3.11.7", "platform": "Linux-6.1.0-build-host-x86_64", "uname": "Linux build-host 6.1.0-28-amd64 #1 SMP x86_64", "telemetry_id": "7f3c2b9e-persistent"}`)
		// Not JSON: nothing in it can be kept safely.
		send(`uname=Linux build-host`)
		Expect(rec.Stop()).To(Succeed())

		data, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		text := string(data)
		for _, gone := range []string{"build-host", "6.1.0", "7f3c2b9e", "telemetry_id", "uname", "req_Prev1", "X-Stripe-Client-Telemetry", "lang_version"} {
			Expect(text).NotTo(ContainSubstring(gone))
		}
		Expect(text).To(ContainSubstring(`'{"bindings_version":"15.3.1","lang":"python","publisher":"stripe"}'`))
		Expect(strings.Count(text, "X-Stripe-Client-User-Agent")).To(Equal(1), "the header that was not JSON is dropped")
		Expect(text).To(ContainSubstring("Stripe/v1 PythonBindings/15.3.1"), "the User-Agent names the SDK and stays")
	})
})
