package recorder_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestRecorder(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Recorder Suite")
}

// randomKey returns a Stripe-shaped secret that exists only for this run,
// so no test can pass by knowing it in advance.
func randomKey(prefix string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// invoicePayment is a documented, valid invoice_payment with the given id.
func invoicePayment(id string) map[string]any {
	return map[string]any{
		"id": id, "object": "invoice_payment",
		"amount_paid": 2000, "amount_requested": 2000, "created": 1760000000, "currency": "usd",
		"invoice": "in_1Upstream", "is_default": true, "livemode": false,
		"payment":            map[string]any{"type": "payment_intent", "payment_intent": "pi_1Upstream"},
		"status":             "paid",
		"status_transitions": map[string]any{"canceled_at": nil, "paid_at": 1760003600},
	}
}

// stripeLike is a small upstream in Stripe's shape, on loopback: it
// retrieves and lists invoice payments (the list echoes the query in its
// url), answers a form POST with what it was sent, and counts requests.
type stripeLike struct {
	*httptest.Server
	requests atomic.Int64
}

func startStripeLike() *stripeLike {
	s := &stripeLike{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_upstream")
		var body any
		switch {
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/invoice_payments/"):
			body = invoicePayment(strings.TrimPrefix(r.URL.Path, "/v1/invoice_payments/"))
		case r.Method == http.MethodGet && r.URL.Path == "/v1/invoice_payments":
			body = map[string]any{"object": "list", "url": "/v1/invoice_payments?" + r.URL.RawQuery, "has_more": false,
				"data": []any{invoicePayment("inpay_listed")}}
		case r.Method == http.MethodPost:
			r.ParseForm()
			p := invoicePayment("inpay_posted")
			p["metadata"] = r.PostForm
			body = p
		default:
			w.WriteHeader(http.StatusNotFound)
			body = map[string]any{"error": map[string]any{"type": "invalid_request_error", "message": fmt.Sprintf("Unrecognized request URL (%s: %s)", r.Method, r.URL.Path)}}
		}
		out, _ := json.MarshalIndent(body, "", "  ")
		w.Write(out)
	}))
	DeferCleanup(s.Close)
	return s
}
