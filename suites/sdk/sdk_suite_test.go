package sdk_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	stripe "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/invoicepayment"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/suites/replay"
)

func TestSDK(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "SDK Verification Suite (stripe-go v85)")
}

// exchange is one request stripe-go sent to the replay server, and what
// answered it.
type exchange struct {
	req          *http.Request // a clone: method, URL, headers
	replayedFrom string        // recorder.ReplayedFromHeader: "docs/list_two_pages.yaml#/interactions/1"
	miss         bool          // the server found no recording: recorder.MissHeader
	status       int
}

// capture records every exchange with the replay server, in order.
type capture struct {
	next http.Handler
	mu   sync.Mutex
	log  []exchange
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	c.next.ServeHTTP(rec, r)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, exchange{
		req:          r.Clone(r.Context()),
		replayedFrom: w.Header().Get(recorder.ReplayedFromHeader),
		miss:         w.Header().Get(recorder.MissHeader) != "",
		status:       rec.status,
	})
}

// since returns the exchanges after the first n.
func (c *capture) since(n int) []exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]exchange(nil), c.log[n:]...)
}

func (c *capture) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.log)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

var (
	traffic *capture
	client  invoicepayment.Client
	// refused sends the key the bundled 401 was recorded with, which the
	// replay server recognises by its fingerprint: any other key would be
	// answered as the accepted ones are.
	refused invoicepayment.Client
)

// The replay server over the bundled cassettes, on a loopback listener, and
// stripe-go pointed at it as at Stripe: its backend URL and a test key.
var _ = BeforeSuite(func() {
	srv, err := recorder.NewServer(cassettes.FS)
	Expect(err).NotTo(HaveOccurred())
	traffic = &capture{next: srv}
	api := httptest.NewServer(traffic)
	DeferCleanup(api.Close)
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(api.URL),
		HTTPClient:        &http.Client{Timeout: 10 * time.Second},
		MaxNetworkRetries: stripe.Int64(0), // a retry would replay the next recording
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		EnableTelemetry:   stripe.Bool(false),
	})
	client = invoicepayment.Client{B: backend, Key: "sk_test_stripecontractsdksuite"}
	refused = invoicepayment.Client{B: backend, Key: replay.RefusedKey}
})
