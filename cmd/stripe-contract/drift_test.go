package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	clover = "2025-09-30.clover"
	dahlia = "2026-08-26.dahlia"
	basil  = "2025-05-28.basil"
)

func TestDriftUsage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"-h", []string{"drift", "-h"}, exitOK, "usage: stripe-contract drift FROM TO"},
		{"no versions", []string{"drift"}, exitUsage, "want two API versions, FROM and TO (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia), got 0"},
		{"one version", []string{"drift", clover}, exitUsage, "got 1"},
		{"three versions", []string{"drift", basil, clover, dahlia}, exitUsage, "got 3"},
		{"unknown version", []string{"drift", "2024-01-01.acacia", dahlia}, exitUsage, `"2024-01-01.acacia" is not an embedded API version (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia)`},
		{"bad format", []string{"drift", clover, dahlia, "--format", "yaml"}, exitUsage, "must be one of text, json, markdown"},
		{"bad flag", []string{"drift", "--nope", clover, dahlia}, exitUsage, "flag provided but not defined: -nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := invoke(t, "", tc.args...)
			if got.code != tc.code || !strings.Contains(got.stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and stderr holding %q", got.code, got.stderr, tc.code, tc.stderr)
			}
			if tc.code != exitOK && got.stdout != "" {
				t.Errorf("stdout %q, want nothing", got.stdout)
			}
		})
	}
}

func TestDriftCloverToDahlia(t *testing.T) {
	t.Run("text", func(t *testing.T) {
		got := invoke(t, "", "drift", clover, dahlia)
		if got.code != exitOK {
			t.Fatalf("exit %d, stderr %q", got.code, got.stderr)
		}
		for _, want := range []string{
			"Contract drift from 2025-09-30.clover to 2026-08-26.dahlia\n",
			"\ninvoice_payment\n  /payment prose-rule-changed: ",
			"  /payment/type enum-value-added: payment_record [BREAKING for responses, as oasdiff response-property-enum-value-added]\n",
			"\nrequest.invoice_payments.list\n  /query/created field-added [not breaking, as oasdiff new-optional-request-parameter]\n",
			" resources, " + strconv.Itoa(breakingRows(t)) + " breaking (",
			"\nevent\n  /type event-type-added: balance_settings.updated (carries balance_settings) [BREAKING for responses",
		} {
			if !strings.Contains(got.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, got.stdout)
			}
		}
	})

	t.Run("json lines, flags before the versions", func(t *testing.T) {
		got := invoke(t, "", "drift", "--format", "json", clover, dahlia)
		if got.code != exitOK {
			t.Fatalf("exit %d, stderr %q", got.code, got.stderr)
		}
		want := `{"resource":"invoice_payment","path":"/payment/type","change":"enum-value-added","value":"payment_record","breaking":true,"side":"response","oasdiff":"response-property-enum-value-added","from":"2025-09-30.clover","to":"2026-08-26.dahlia"}`
		lines := strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n")
		found, breaking := false, 0
		for _, l := range lines {
			var row map[string]any
			if err := json.Unmarshal([]byte(l), &row); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			if row["breaking"] == true {
				breaking++
			}
			found = found || l == want
		}
		if !found {
			t.Errorf("no line %s in:\n%s", want, got.stdout)
		}
		if breaking < 100 {
			t.Errorf("%d breaking rows; the whole API gains hundreds of enum values and event types from clover to dahlia", breaking)
		}
	})

	t.Run("markdown", func(t *testing.T) {
		got := invoke(t, "", "drift", clover, dahlia, "--format", "markdown")
		if got.code != exitOK {
			t.Fatalf("exit %d, stderr %q", got.code, got.stderr)
		}
		for _, want := range []string{
			"# Contract drift from 2025-09-30.clover to 2026-08-26.dahlia\n",
			"## invoice_payment\n\n| path | change | value | previous | breaking | side | oasdiff |\n|---|---|---|---|---|---|---|\n",
			"| `/payment/type` | enum-value-added | payment_record |  | **yes** | response | `response-property-enum-value-added` |\n",
			"## request.invoice_payments.list\n",
		} {
			if !strings.Contains(got.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, got.stdout)
			}
		}
	})

	t.Run("--fail-on-breaking", func(t *testing.T) {
		got := invoke(t, "", "drift", clover, dahlia, "--fail-on-breaking")
		n := breakingRows(t)
		if got.code != exitInvalid || !strings.Contains(got.stderr, "drift: "+strconv.Itoa(n)+" breaking change(s) from 2025-09-30.clover to 2026-08-26.dahlia") {
			t.Errorf("exit %d, stderr %q; want 1 naming the %d breaking changes", got.code, got.stderr, n)
		}
		if !strings.Contains(got.stdout, "enum-value-added: payment_record") {
			t.Errorf("the report is not written before the verdict:\n%s", got.stdout)
		}
	})
}

// breakingRows counts the breaking changes drift reports from clover to
// dahlia in JSON, which the text summary and --fail-on-breaking must name.
// Deriving two versions' contracts is the slow part of these tests, so the
// count is taken once.
func breakingRows(t *testing.T) int {
	t.Helper()
	breakingOnce.Do(func() {
		got := invoke(t, "", "drift", "--format", "json", clover, dahlia)
		for _, l := range strings.Split(strings.TrimSuffix(got.stdout, "\n"), "\n") {
			var row map[string]any
			if err := json.Unmarshal([]byte(l), &row); err != nil {
				breakingCount = -1
				return
			}
			if row["breaking"] == true {
				breakingCount++
			}
		}
	})
	if breakingCount < 0 {
		t.Fatal("drift --format json wrote a line that is not JSON")
	}
	return breakingCount
}

var (
	breakingOnce  sync.Once
	breakingCount int
)

func TestDriftSameVersion(t *testing.T) {
	got := invoke(t, "", "drift", dahlia, dahlia, "--fail-on-breaking")
	if got.code != exitOK || got.stdout != "Contract drift from 2026-08-26.dahlia to 2026-08-26.dahlia\n\nno change from 2026-08-26.dahlia to 2026-08-26.dahlia\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", got.code, got.stdout, got.stderr)
	}
	got = invoke(t, "", "drift", dahlia, dahlia, "--format", "json")
	if got.code != exitOK || got.stdout != "" {
		t.Errorf("json: exit %d, stdout %q, want 0 and no line", got.code, got.stdout)
	}
}

// The proxy down: a version that is not pinned cannot be downloaded.
func TestDriftProxyDown(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-modcacherw")
	t.Setenv("GOMODCACHE", t.TempDir())
	got := invoke(t, "", "drift", clover, dahlia)
	for _, want := range []string{"drift: load the specs of 2025-09-30.clover: download github.com/stripe/stripe-mock@v0.197.0", "needs the Go module proxy for a release not yet in it: is it reachable?"} {
		if got.code != exitUsage || !strings.Contains(got.stderr, want) {
			t.Errorf("exit %d, stderr %q; want 2 and %q", got.code, got.stderr, want)
		}
	}
}

// basil names its invoice payment event invoice.payment.paid; clover
// renamed it invoice_payment.paid: drift reports the rename, breaking both
// sides.
func TestDriftBasil(t *testing.T) {
	got := invoke(t, "", "drift", basil, clover, "--format", "json")
	if got.code != exitOK {
		t.Fatalf("exit %d, stderr %q", got.code, got.stderr)
	}
	want := `{"resource":"event","path":"/type","change":"event-type-renamed","value":"invoice_payment.paid","previous":"invoice.payment.paid","breaking":true,"side":"both"`
	if !strings.Contains(got.stdout, want) {
		t.Errorf("no rename of invoice.payment.paid in:\n%s", got.stdout)
	}
}
