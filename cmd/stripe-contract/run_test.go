package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run the command in-process, through run, as oasdiff's
// internal/run_test.go does: every subcommand's flags, usage and exit
// statuses, so that the CLI's coverage is measured (the Ginkgo suite in
// this folder runs the built binary, which go test -cover does not see).

// invocation is one in-process run's result.
type invocation struct {
	code           int
	stdout, stderr string
}

func invoke(t *testing.T, stdin string, args ...string) invocation {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return invocation{code, stdout.String(), stderr.String()}
}

// repo is the module's root, where the bundled data is.
const repo = "../.."

func TestRunUsage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string // a fragment stderr must hold
	}{
		{"no command", nil, exitUsage, "usage: stripe-contract COMMAND"},
		{"help", []string{"help"}, exitOK, "usage: stripe-contract COMMAND"},
		{"-h", []string{"-h"}, exitOK, "commands:"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},

		{"validate -h", []string{"validate", "-h"}, exitOK, "usage: stripe-contract validate"},
		{"validate bad flag", []string{"validate", "--nope", "x.json"}, exitUsage, "flag provided but not defined: -nope"},
		{"validate no path", []string{"validate"}, exitUsage, "validate: no PATH given"},
		{"validate bad format", []string{"validate", "--format", "xml", "x.json"}, exitUsage, "must be one of"},
		{"validate bad workers", []string{"validate", "--workers", "0", "x.json"}, exitUsage, "must be positive"},
		{"validate depth over limit", []string{"validate", "--max-depth", "10001", "x.json"}, exitUsage, "over the limit"},
		{"validate missing file", []string{"validate", "no-such-file.json"}, exitUsage, "no-such-file.json"},

		{"rules -h", []string{"rules", "-h"}, exitOK, "-format"},
		{"rules bad format", []string{"rules", "--format", "yaml"}, exitUsage, "must be one of"},

		{"record -h", []string{"record", "-h"}, exitOK, "usage: stripe-contract record"},
		{"record nothing", []string{"record"}, exitUsage, "--upstream and --cassette are required"},
		{"record upstream without scheme", []string{"record", "--upstream", "127.0.0.1:12111", "--cassette", "x.yaml"}, exitUsage, "did you mean http://127.0.0.1:12111?"},
		{"record zero timeout", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", "x.yaml", "--timeout", "0s"}, exitUsage, "--timeout must be positive"},
		{"record zero body cap", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", "x.yaml", "--max-body-size", "0"}, exitUsage, "--max-body-size must be positive"},
		{"record bad size", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", "x.yaml", "--max-body-size", "lots"}, exitUsage, "want a size such as"},
		{"record operand", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", "x.yaml", "extra"}, exitUsage, `unexpected argument "extra"`},
		{"record cassette is a directory", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", "."}, exitUsage, "is a directory"},
		{"record existing cassette", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", repo + "/cassettes/docs/list_two_pages.yaml"}, exitUsage, "--force replaces it"},
		{"record bad listen", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", filepath.Join(os.TempDir(), "stripe-contract-run-test-never.yaml"), "--listen", "not an address"}, exitUsage, "--listen"},

		{"serve -h", []string{"serve", "-h"}, exitOK, "usage: stripe-contract serve"},
		{"serve nothing", []string{"serve"}, exitUsage, "--cassettes is required"},
		{"serve missing dir", []string{"serve", "--cassettes", "no-such-dir"}, exitUsage, "not a readable directory"},
		{"serve zero connections", []string{"serve", "--cassettes", repo + "/cassettes", "--max-connections", "0"}, exitUsage, "--max-connections must be positive"},
		{"serve zero idle", []string{"serve", "--cassettes", repo + "/cassettes", "--idle-timeout", "0s"}, exitUsage, "--idle-timeout must be positive"},
		{"serve bad listen", []string{"serve", "--cassettes", repo + "/cassettes", "--listen", "not an address"}, exitUsage, "--listen"},

		{"replay -h", []string{"replay", "-h"}, exitOK, "usage: stripe-contract replay"},
		{"replay nothing", []string{"replay"}, exitUsage, "--cassettes is required"},
		{"replay missing dir", []string{"replay", "--cassettes", "no-such-dir"}, exitUsage, "not a readable directory"},
		{"replay two baselines", []string{"replay", "--cassettes", repo + "/cassettes", "--baseline", "a.json", "--update-baseline", "b.json"}, exitUsage, "give one"},
		{"replay bad target", []string{"replay", "--cassettes", repo + "/cassettes", "--target", "gopher://x"}, exitUsage, "--target"},
		{"replay missing baseline", []string{"replay", "--cassettes", repo + "/cassettes", "--baseline", "no-such-baseline.json"}, exitUsage, "no-such-baseline.json"},

		{"webhooks -h", []string{"webhooks", "-h"}, exitOK, "usage: stripe-contract webhooks"},
		{"webhooks nothing", []string{"webhooks"}, exitUsage, "--cassettes and --target are required"},
		{"webhooks missing dir", []string{"webhooks", "--cassettes", "no-such-dir", "--target", "http://127.0.0.1:1/"}, exitUsage, "not a readable directory"},
		{"webhooks bad format", []string{"webhooks", "--cassettes", repo + "/cassettes", "--target", "http://127.0.0.1:1/", "--format", "xml"}, exitUsage, "must be one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := invoke(t, "", tc.args...)
			if got.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", got.code, tc.code, got.stderr)
			}
			if !strings.Contains(got.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, got.stderr)
			}
		})
	}
}

func TestRunValidate(t *testing.T) {
	dir := t.TempDir()
	valid := readFile(t, repo+"/schemas/examples/invoice_payment_paid_charge.json")
	invalidDoc := strings.Replace(valid, `"status": "paid"`, `"status": "gone"`, 1)
	if invalidDoc == valid {
		t.Fatal("the example's status is not where this test expects it")
	}
	writeFile(t, filepath.Join(dir, "valid.json"), valid)
	writeFile(t, filepath.Join(dir, "invalid.json"), invalidDoc)

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string // a fragment stdout must hold
	}{
		{"valid file", "", []string{"validate", filepath.Join(dir, "valid.json")}, exitOK, "1 valid"},
		{"invalid file", "", []string{"validate", filepath.Join(dir, "invalid.json")}, exitInvalid, "enum"},
		{"flags after the path", "", []string{"validate", filepath.Join(dir, "invalid.json"), "--format", "json"}, exitInvalid, `"path":"/status"`},
		{"bundled cassettes", "", []string{"validate", repo + "/cassettes"}, exitOK, "valid"},
		{"stdin NDJSON", compact(t, valid) + "\n" + compact(t, invalidDoc) + "\n", []string{"validate", "--format", "json", "-"}, exitInvalid, `"source":"stdin:2"`},
		{"stdin blank", "\n\n", []string{"validate", "-"}, exitUsage, ""},
		{"junit", "", []string{"validate", "--format", "junit", filepath.Join(dir, "invalid.json")}, exitInvalid, "<testsuites"},
		{"github", "", []string{"validate", "--format", "github", filepath.Join(dir, "invalid.json")}, exitInvalid, "::error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := invoke(t, tc.stdin, tc.args...)
			if got.code != tc.code {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", got.code, tc.code, got.stdout, got.stderr)
			}
			if !strings.Contains(got.stdout, tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, got.stdout)
			}
		})
	}
}

func TestRunRules(t *testing.T) {
	text := invoke(t, "", "rules")
	if text.code != exitOK || !strings.Contains(text.stdout, "invoice_payment") {
		t.Fatalf("rules: exit %d, stdout:\n%.500s", text.code, text.stdout)
	}
	js := invoke(t, "", "rules", "--format", "json")
	if js.code != exitOK {
		t.Fatalf("rules --format json: exit %d: %s", js.code, js.stderr)
	}
	lines := strings.Split(strings.TrimSpace(js.stdout), "\n")
	// The text listing starts each rule's entry with "ID (".
	listed := map[string]bool{}
	for _, l := range strings.Split(text.stdout, "\n") {
		if id, _, ok := strings.Cut(l, " ("); ok && !strings.HasPrefix(l, " ") {
			listed[id] = true
		}
	}
	for i, line := range lines {
		var r struct{ ID, Severity, Doc, Source string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i+1, err, line)
		}
		if r.ID == "" || r.Severity == "" || r.Source == "" {
			t.Errorf("line %d lacks an id, severity or source: %s", i+1, line)
		}
		if !listed[r.ID] {
			t.Errorf("%s is in the JSON listing, not in the text one", r.ID)
		}
	}
	if len(lines) < 40000 {
		t.Errorf("only %d rules listed; every resource's and every operation's are", len(lines))
	}
}

func TestRunReplay(t *testing.T) {
	got := invoke(t, "", "replay", "--cassettes", repo+"/cassettes", "--target", "replay")
	if got.code != exitOK || !strings.Contains(got.stdout+got.stderr, "0 new deviations") {
		t.Fatalf("replay against replay: exit %d, stderr:\n%s", got.code, got.stderr)
	}
	// A target that answers everything with 500 deviates everywhere.
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"type":"api_error","message":"down"}}`)
	}))
	defer broken.Close()
	got = invoke(t, "", "replay", "--cassettes", repo+"/cassettes", "--target", broken.URL, "--format", "json")
	if got.code != exitInvalid {
		t.Fatalf("replay against a broken target: exit %d, want %d; stderr:\n%s", got.code, exitInvalid, got.stderr)
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	got = invoke(t, "", "replay", "--cassettes", repo+"/cassettes", "--target", broken.URL, "--update-baseline", baseline)
	if got.code != exitOK {
		t.Fatalf("--update-baseline: exit %d; stderr:\n%s", got.code, got.stderr)
	}
	got = invoke(t, "", "replay", "--cassettes", repo+"/cassettes", "--target", broken.URL, "--baseline", baseline)
	if got.code != exitOK {
		t.Fatalf("replay against its own baseline: exit %d; stderr:\n%s", got.code, got.stderr)
	}
}

func TestRunWebhooks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		code   int
	}{
		{"endpoint accepts", http.StatusOK, exitOK},
		{"endpoint fails", http.StatusInternalServerError, exitInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var mu sync.Mutex
			endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, r.Header.Get("Stripe-Signature"))
				mu.Unlock()
				w.WriteHeader(tc.status)
			}))
			defer endpoint.Close()
			res := invoke(t, "", "webhooks", "--cassettes", repo+"/cassettes", "--target", endpoint.URL, "--webhook-secret", "whsec_runtest")
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", res.code, tc.code, res.stderr)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) == 0 || !strings.HasPrefix(got[0], "t=") {
				t.Errorf("deliveries received: %q, want re-signed ones", got)
			}
			if strings.Contains(res.stderr, "whsec_runtest") {
				t.Error("the webhook secret is printed")
			}
		})
	}
}

// TestRunServeAndRecord runs serve, and record through to it, in-process:
// the proxy records what serve answers, and a cancelled context saves.
func TestRunServeAndRecord(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serveErr := &syncBuffer{}
	serveDone := make(chan int, 1)
	go func() {
		serveDone <- run(ctx, []string{"serve", "--cassettes", repo + "/cassettes", "--listen", "127.0.0.1:0"}, nil, io.Discard, serveErr)
	}()
	serveURL := waitForAddress(t, serveErr, `answering at (http://\S+)`)

	cassette := filepath.Join(t.TempDir(), "recorded.yaml")
	recordCtx, stopRecord := context.WithCancel(ctx)
	recordErr, recordOut := &syncBuffer{}, &syncBuffer{}
	recordDone := make(chan int, 1)
	go func() {
		recordDone <- run(recordCtx, []string{"record", "--upstream", serveURL, "--cassette", cassette, "--listen", "127.0.0.1:0", "--format", "json"}, nil, recordOut, recordErr)
	}()
	proxyURL := waitForAddress(t, recordErr, `proxying (http://\S+)`)

	req, _ := http.NewRequest("GET", proxyURL+"/v1/invoice_payments?limit=2", nil)
	req.Header.Set("Authorization", "Bearer sk_test_runtestrunTESTruntest0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	stopRecord()
	if code := <-recordDone; code != exitOK && code != exitInvalid {
		t.Fatalf("record: exit %d; stderr:\n%s", code, recordErr.String())
	}
	saved := readFile(t, cassette)
	if !strings.Contains(saved, "/v1/invoice_payments") || strings.Contains(saved, "sk_test_runtest") {
		t.Errorf("the cassette lacks the request or holds the key:\n%.2000s", saved)
	}
	cancel()
	if code := <-serveDone; code != exitOK {
		t.Fatalf("serve: exit %d; stderr:\n%s", code, serveErr.String())
	}
}

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitForAddress waits for a server's start-up line on stderr and returns
// the URL that pattern's first group captures.
func waitForAddress(t *testing.T, stderr *syncBuffer, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return strings.TrimSuffix(m[1], ",")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no line matching %q on stderr:\n%s", pattern, stderr.String())
	return ""
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func compact(t *testing.T, doc string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
