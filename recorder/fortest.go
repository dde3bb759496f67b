package recorder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
	"github.com/stripe-contract/stripe-contract/validators"
)

// TB is what ForTest needs of a test: *testing.T, *testing.B and Ginkgo's
// GinkgoT() all have it.
type TB interface {
	Helper()
	Name() string
	Cleanup(func())
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// EnvCI is the variable CI systems set (GitHub Actions, GitLab, CircleCI,
// Travis and Buildkite set CI=true): when it is set, and not "false" or
// "0", ForTest never records.
const EnvCI = "CI"

// PlaceholderTestKey is the key TestKey gives when STRIPE_API_KEY is
// unset: a replayed request needs a key of the right shape, not a real one.
const PlaceholderTestKey = "sk_test_stripecontractreplay"

// TestKey is the key a test gives stripe-go with ForTest's client: the
// test-mode key in STRIPE_API_KEY, which a recording sends (and the saved
// cassette holds only as a label), or PlaceholderTestKey, which a replay
// needs no more than.
func TestKey() string {
	if k := os.Getenv(EnvAPIKey); k != "" {
		return k
	}
	return PlaceholderTestKey
}

// WithEnv makes ForTest read its environment variables (STRIPE_API_KEY,
// CI) through getenv instead of os.Getenv. ForTest only.
func WithEnv(getenv func(string) string) RecorderOption {
	return recorderOption(func(c *config) { c.getenv = getenv })
}

// ForTest returns an *http.Client for t that answers from the cassette at
// path (".yaml" is added when missing) when it exists, and otherwise
// records it: only when a test-mode key (sk_test_, rk_test_) is in
// STRIPE_API_KEY and CI is not set. Give the client to stripe-go with
// retries off, so that a miss fails at once instead of being retried:
//
//	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
//		HTTPClient:        recorder.ForTest(t, "testdata/customer.yaml"),
//		MaxNetworkRetries: stripe.Int64(0),
//	})
//	sc := stripe.NewClient(recorder.TestKey(), stripe.WithBackends(&stripe.Backends{API: backend}))
//
// It fails t (Fatalf, at once) when the cassette is missing and it may not
// record: in CI, where a run never calls the API, or without a test-mode
// key. It fails t (Errorf) for each request the cassette does not hold,
// naming the nearest recording and what differs (a *MissError), and for
// each response that breaks the contract, listing the violations. The
// recording is saved when t's cleanups run, through the Recorder's
// redaction and secret check (Stop): a key never reaches the file.
//
// opts are New's (WithMaskPII, WithMatchHeaders, WithValidator, which also
// judges replayed responses, WithTransport, ...), and WithEnv.
func ForTest(t TB, path string, opts ...RecorderOption) *http.Client {
	t.Helper()
	cfg := recorderConfig(opts)
	getenv := cfg.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	file := strings.TrimSuffix(path, ".yaml") + ".yaml"
	mode := ModeReplayOnly
	_, err := os.Stat(file)
	switch {
	case err == nil:
	case !errors.Is(err, fs.ErrNotExist):
		t.Fatalf("recorder.ForTest: cassette %s: %v", file, err)
		return nil
	case inCI(getenv):
		t.Fatalf("recorder.ForTest: cassette %s does not exist, and %s=%s: a CI run never records; record it where a test-mode key is at hand (%s=sk_test_... go test -run '^%s$', %s unset) and commit it",
			file, EnvCI, getenv(EnvCI), EnvAPIKey, t.Name(), EnvCI)
		return nil
	case getenv(EnvAPIKey) == "":
		t.Fatalf("recorder.ForTest: cassette %s does not exist; to record it, set %s to a test-mode key (sk_test_... or rk_test_...) and run the test again: nothing was sent", file, EnvAPIKey)
		return nil
	default:
		if err := CheckTestKey(EnvAPIKey, getenv(EnvAPIKey)); err != nil {
			t.Fatalf("recorder.ForTest: cassette %s does not exist, and it is not recorded: %v", file, err)
			return nil
		}
		// The cassette's folder (testdata/, say) is made for it, as a
		// recording test expects.
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatalf("recorder.ForTest: cassette %s: %v", file, err)
			return nil
		}
		mode = ModeRecord
	}
	rec, err := New(file, append(opts, WithMode(mode))...)
	if err != nil {
		t.Fatalf("recorder.ForTest: %v", err)
		return nil
	}
	v := cfg.validator
	if v == nil {
		if v, err = validators.New(); err != nil {
			t.Fatalf("recorder.ForTest: %v", err)
			return nil
		}
	}
	if mode == ModeRecord {
		t.Logf("recorder.ForTest: cassette %s does not exist: recording it with the key in %s", file, EnvAPIKey)
	}
	t.Cleanup(func() {
		if err := rec.Stop(); err != nil {
			t.Errorf("recorder.ForTest: saving %s: %v", file, err)
			return
		}
		if mode == ModeRecord {
			t.Logf("recorder.ForTest: recorded %d interactions into %s (redacted); commit it", rec.Recorded(), file)
		}
	})
	client := rec.Client()
	client.Transport = &testTransport{t: t, rec: rec, validator: v, file: file, ci: inCI(getenv)}
	return client
}

// inCI reports whether the environment says a CI runs the tests.
func inCI(getenv func(string) string) bool {
	switch getenv(EnvCI) {
	case "", "false", "0":
		return false
	}
	return true
}

// testTransport is ForTest's client's transport: the Recorder, and what
// fails the test when a request misses or a response breaks the contract.
type testTransport struct {
	t         TB
	rec       *Recorder
	validator *validators.Validator
	file      string
	ci        bool
}

func (tt *testTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, key := splitAuthorization(req.Header.Get("Authorization")); tt.rec.Mode() == ModeRecord && key != "" {
		if err := CheckTestKey("the request's Authorization", key); err != nil {
			closeBody(req)
			tt.t.Errorf("recorder.ForTest: %s %s not sent: %v", req.Method, req.URL.Path, err)
			return nil, err
		}
	}
	resp, err := tt.rec.RoundTrip(req)
	var miss *MissError
	if errors.As(err, &miss) {
		again := "delete it and run the test with " + EnvAPIKey + "=sk_test_... to record it again"
		if tt.ci {
			again = "CI never records: " + again + " where a test-mode key is at hand, and commit it"
		}
		tt.t.Errorf("recorder.ForTest: %s does not hold this request (%v); %s", tt.file, miss, again)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	tt.check(req, resp)
	return resp, nil
}

// check validates a JSON response (left readable from the start) and
// fails the test when it breaks the contract.
func (tt *testTransport) check(req *http.Request, resp *http.Response) {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" || resp.Body == nil {
		return
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		tt.t.Logf("recorder.ForTest: the response to %s %s is %s-encoded: not validated", req.Method, req.URL.Path, enc)
		return
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return // the caller reads the same error's consequences: a short body
	}
	requested := resp.Header.Get("Stripe-Version")
	if requested == "" {
		requested = req.Header.Get("Stripe-Version")
	}
	res := tt.validator.ValidateRequested(body, requested)
	if res.Valid() {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "recorder.ForTest: the response to %s %s (%s, judged at %s) breaks the contract:", req.Method, secret.Redact(req.URL.Path), res.Kind, res.APIVersion)
	for _, v := range res.Violations {
		if v.Severity != validators.Error {
			continue
		}
		fmt.Fprintf(&b, "\n  %s: %s [%s]", validators.DisplayPointer(v.Pointer), secret.Redact(v.Message), v.Rule)
		if doc := strings.Join(strings.Fields(v.Doc), " "); doc != "" {
			fmt.Fprintf(&b, "\n      doc: %q", doc)
		}
	}
	tt.t.Errorf("%s", b.String())
}
