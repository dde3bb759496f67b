package stripemock_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe-contract/stripe-contract/suites/stripemock"
)

// TestStartAnswerStop starts the real stripe-mock, asks it for an invoice
// payment with a test key, and stops it: afterwards nothing answers there.
func TestStartAnswerStop(t *testing.T) {
	var log strings.Builder
	m, err := stripemock.Start(context.Background(), stripemock.WithLog(&log))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Addr(), "127.0.0.1:") {
		t.Errorf("listens on %s, want loopback", m.Addr())
	}
	req, _ := http.NewRequest("GET", m.URL()+"/v1/invoice_payments/inpay_123", nil)
	req.Header.Set("Authorization", "Bearer sk_test_123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.Stop()
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"object":"invoice_payment"`) {
		t.Errorf("GET invoice payment: %d %s", resp.StatusCode, body)
	}
	m.Stop()
	m.Stop() // safe twice
	if !strings.Contains(log.String(), "stripe-mock: ") {
		t.Errorf("its output was not copied to the log: %q", log.String())
	}
	client := &http.Client{Timeout: 2 * time.Second}
	if resp, err := client.Get(m.URL()); err == nil {
		resp.Body.Close()
		t.Errorf("something still answers at %s after Stop", m.URL())
	}
}

func TestStartFailsClearly(t *testing.T) {
	_, err := stripemock.Start(context.Background(), stripemock.WithBinary("/nonexistent/stripe-mock"))
	if err == nil || !strings.Contains(err.Error(), "start stripe-mock") {
		t.Errorf("err = %v, want one saying stripe-mock could not start", err)
	}
}
