package stripemock_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
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

// TestBinaryOutsideTheModule runs go tool where no go.mod pins stripe-mock,
// as a user of the installed command does: the error says how to get it.
func TestBinaryOutsideTheModule(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := stripemock.Binary()
	var nf *stripemock.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want a *NotFoundError", err)
	}
	for _, want := range []string{"go install github.com/stripe/stripe-mock@v0.203.0", "--stripe-mock-bin"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", err, want)
		}
	}
}

// TestVersionIsGoMods keeps Version, which the install hint names, the
// release go.mod pins.
func TestVersionIsGoMods(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "github.com/stripe/stripe-mock " + stripemock.Version + "\n"; !strings.Contains(string(mod), want) {
		t.Errorf("go.mod does not require %q", strings.TrimSpace(want))
	}
}
