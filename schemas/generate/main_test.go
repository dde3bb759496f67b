package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

func TestGenerateFromSpecFile(t *testing.T) {
	raw, _ := generator.PinnedSpec()
	dir := t.TempDir()
	specPath := filepath.Join(dir, "spec3.json")
	if err := os.WriteFile(specPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-spec", specPath, "-out", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, name := range append(schemas.EnvelopeFiles(), schemas.InvoicePaymentFile, "customer.schema.json", schemas.RequestFile) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s not written: %v", name, err)
		}
		if !strings.Contains(string(b), `"x-generated-from": "spec file spec3.json, sha256:`) {
			t.Errorf("%s does not record the spec file it came from", name)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".generate-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestGenerateReportsBadSpec(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-spec", filepath.Join(dir, "missing.json"), "-out", dir}, &stderr); code != 2 {
		t.Errorf("missing spec file: exit %d, want 2", code)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"openapi":"3.0.0","info":{"version":"x"}}`), 0o644)
	stderr.Reset()
	if code := run([]string{"-spec", bad, "-out", dir}, &stderr); code != 1 || !strings.Contains(stderr.String(), "components.schemas is empty") {
		t.Errorf("spec without components: exit %d, stderr %q", code, stderr.String())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".schema.json") {
			t.Errorf("a failed generation wrote %s", e.Name())
		}
	}
}

func TestGenerateFromEmbeddedVersion(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-api-version", "2025-09-30.clover", "-out", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, schemas.InvoicePaymentFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"x-stripe-api-version": "2025-09-30.clover"`,
		`"x-generated-from": "github.com/stripe/stripe-mock@v0.197.0 embedded/openapi/spec3.json, sha256:`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not contain %s", schemas.InvoicePaymentFile, want)
		}
	}
}

func TestGenerateRefusesUnknownVersion(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	code := run([]string{"-api-version", "2024-06-20", "-out", dir}, &stderr)
	want := "generate: API version not embedded: \"2024-06-20\" (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia)\n"
	if code != 2 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 2, %q", code, stderr.String(), want)
	}
	stderr.Reset()
	code = run([]string{"-api-version", "2025-09-30.clover", "-spec", "spec3.json", "-out", dir}, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "-spec and -api-version name two specs") {
		t.Errorf("both -spec and -api-version: exit %d, stderr %q", code, stderr.String())
	}
}

// damaged writes the pinned spec with the currency sentence reworded.
func damaged(t *testing.T, dir string) string {
	t.Helper()
	raw, _ := generator.PinnedSpec()
	old := "Three-letter [ISO currency code](https://www.iso.org/iso-4217-currency-codes.html), in lowercase."
	if !bytes.Contains(raw, []byte(old)) {
		t.Fatal("the pinned spec no longer has the currency sentence")
	}
	path := filepath.Join(dir, "damaged.json")
	reworded := regexp.MustCompile(`Three-letter (?:\[ISO currency code\]\([^)]*\)|ISO currency code), in lowercase`).ReplaceAll(raw, []byte("The currency's ISO code, in lower case"))
	if err := os.WriteFile(path, reworded, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGenerateFailsOnALostProseRule(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-spec", damaged(t, dir), "-out", dir}, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr.String())
	}
	// The sentence recurs in every resource with a currency: the one line
	// names the first rule lost and counts the others.
	want := regexp.MustCompile(`^generate: prose rule \S+\.iso-4217-lowercase \(#/components/schemas/\S+/description\) is no longer found there \(and \d+ more\)\n$`)
	if !want.MatchString(stderr.String()) {
		t.Errorf("stderr %q, want one line matching %s", stderr.String(), want)
	}
	if written, _ := filepath.Glob(filepath.Join(dir, "*.schema.json")); len(written) > 0 {
		t.Errorf("a failed generation wrote %v", written)
	}
}

func TestGenerateListsTheProseRulesPerResource(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-out", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{
		"generate: 2026-08-26.dahlia: 406 prose rules found, checked against the committed expectation\n",
		"  customer_balance_transaction: currency.iso-4217-lowercase\n",
		"  invoice_payment: currency.iso-4217-lowercase, payment.reference-matches-type, status.enum, amount_paid.null-unless-paid, amount_paid.at-most-requested, status_transitions.paid_at.iff-paid, status_transitions.canceled_at.iff-canceled\n",
		"  request.invoice_payments.list: limit.range, cursors.exclusive\n",
		"  request.customers.list: limit.range, cursors.exclusive\n",
		"  request.payment_intents.create: currency.iso-4217-lowercase\n",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	stderr.Reset()
	if code := run([]string{"-out", dir, "-v"}, &stderr); code != 0 {
		t.Fatalf("-v: exit %d: %s", code, stderr.String())
	}
	if want := "    invoice_payment.amount_paid.null-unless-paid at #/components/schemas/invoice_payment/properties/amount_paid/description: amount_paid is null until the payment is paid, and set once it is\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("-v: stderr lacks %q:\n%s", want, stderr.String())
	}
}

func TestGenerateUpdateRecordsTheExpectation(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	if code := run([]string{"-spec", damaged(t, dir), "-out", dir, "-update", "-expected", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "prose-2026-08-26.dahlia.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e generator.Expectation
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	committed, err := generator.CommittedExpectation("2026-08-26.dahlia")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range committed.Rules {
		listed[r.ID] = true
	}
	recorded := map[string]bool{}
	for _, r := range e.Rules {
		recorded[r.ID] = true
		if !listed[r.ID] {
			t.Errorf("recorded %s, which the pinned spec does not state", r.ID)
		}
	}
	for _, id := range []string{"invoice_payment.status.enum", "invoice_payment.payment.reference-matches-type", "invoice_payment.amount_paid.null-unless-paid",
		"invoice_payment.amount_paid.at-most-requested", "invoice_payment.status_transitions.paid_at.iff-paid", "invoice_payment.status_transitions.canceled_at.iff-canceled"} {
		if !recorded[id] {
			t.Errorf("did not record %s, still found", id)
		}
	}
	if e.APIVersion != "2026-08-26.dahlia" || len(e.Rules) >= len(committed.Rules) {
		t.Errorf("recorded %s with %d rules, want 2026-08-26.dahlia without the lost ones (%d committed)", e.APIVersion, len(e.Rules), len(committed.Rules))
	}
	for _, r := range e.Rules {
		if strings.HasSuffix(r.ID, ".iso-4217-lowercase") {
			t.Errorf("recorded the reworded currency rule: %+v", r)
		}
	}
}

func TestGenerateBasilFromSpecFiles(t *testing.T) {
	specs, err := generator.LoadSpecs(context.Background(), "2025-05-28.basil")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ga, preview := filepath.Join(dir, "spec3.json"), filepath.Join(dir, "spec3.beta.sdk.json")
	if err := os.WriteFile(ga, specs.GA, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(preview, specs.Preview, 0o644); err != nil {
		t.Fatal(err)
	}

	// Without its preview spec, basil's events are checked by the object
	// data.object names, and the generator says so.
	var stderr bytes.Buffer
	code := run([]string{"-spec", ga, "-out", dir}, &stderr)
	if code != 0 || !strings.Contains(stderr.String(), "no preview spec of 2025-05-28.basil was given, so an event's data.object is checked against the resource its object member names") {
		t.Errorf("without -preview-spec: exit %d, stderr %q", code, stderr.String())
	}

	stderr.Reset()
	if code := run([]string{"-spec", ga, "-preview-spec", preview, "-out", dir}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if want := "generate: 2025-05-28.basil: 371 prose rules found, checked against the committed expectation\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	if strings.Contains(stderr.String(), "notice") {
		t.Errorf("unexpected notice:\n%s", stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, schemas.EventFile))
	if err != nil {
		t.Fatal(err)
	}
	var event struct {
		Properties struct {
			Type struct {
				Enum []string `json:"enum"`
			} `json:"type"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &event); err != nil {
		t.Fatal(err)
	}
	if got := event.Properties.Type.Enum; len(got) < 200 || !slices.Contains(got, "invoice.payment.paid") || slices.Contains(got, "invoice_payment.paid") {
		t.Errorf("basil's event types: %d, want basil's list, with invoice.payment.paid and without invoice_payment.paid", len(got))
	}
	b, err = os.ReadFile(filepath.Join(dir, schemas.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	var index struct {
		EventTypes map[string][]string `json:"event_types"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	if got := index.EventTypes["invoice.payment.paid"]; !slices.Equal(got, []string{"invoice_payment"}) {
		t.Errorf("basil's invoice.payment.paid carries %v, want [invoice_payment]", got)
	}
}

func TestGeneratePreviewSpecGoesWithSpec(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"-preview-spec", "spec3.beta.sdk.json", "-out", t.TempDir()}, &stderr)
	if want := "generate: -preview-spec goes with -spec (an embedded version brings its own)\n"; code != 2 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 2, %q", code, stderr.String(), want)
	}
}
