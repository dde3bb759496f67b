package report

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// JSON lines write a validated document's row from its outcome
// (appendDocument) as they write the case caseOf makes of it
// (appendCase), byte for byte: for sources with and without lines, of
// every severity of violation at every minimum, with texts to escape and
// secrets to redact.
func TestJSONDocumentRowsAreTheirCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	texts := []string{"", "plain", `quo"te`, "new\nline", "é ünïcode", "\x01ctl", "tab\there",
		"sk_live_51ReportLeakCheck00000000000000", `is "sk_test_51DocumentRowLeak000000000000" but status is "paid"`}
	pick := func() string { return texts[rng.IntN(len(texts))] }
	j := &jsonLines{}
	checked, withRows := 0, 0
	for i := range 3000 {
		o := &pipeline.Outcome{
			Doc: pipeline.Document{Source: []string{"log.ndjson", `dir/we"ird.ndjson`, "-", "a.json"}[rng.IntN(4)],
				Line: []int{0, 1, 9, 123456}[rng.IntN(4)], Prefix: []string{"", "/interactions/0/response/body"}[rng.IntN(2)],
				Data: []byte(`{"a":1}`)},
			Result: validators.Result{Kind: validators.Kind([]string{"invoice_payment", "event", "", "charge"}[rng.IntN(4)]),
				APIVersion: []string{"2026-08-26.dahlia", "", "2025-05-28.basil"}[rng.IntN(3)]},
		}
		for range rng.IntN(4) {
			o.Result.Violations = append(o.Result.Violations, validators.Violation{
				Rule: pick(), Pointer: "/" + pick(), Message: pick(), Doc: pick(),
				Severity: []validators.Severity{validators.Error, validators.Warning, validators.Notice}[rng.IntN(3)],
			})
		}
		for _, min := range []validators.Severity{validators.Error, validators.Warning, validators.Notice} {
			c := &Case{}
			caseOf(c, o, int(min))
			want := j.appendCase(nil, c)
			got := j.appendDocument(nil, o, int(min))
			if !bytes.Equal(got, want) {
				t.Fatalf("outcome %d at minimum %v:\n got %s\nwant %s", i, min, got, want)
			}
			checked++
			if len(c.Rows) > 0 {
				withRows++
			}
		}
	}
	if withRows < checked/3 {
		t.Fatalf("%d of %d rows had violations: the test says little", withRows, checked)
	}
	row := j.appendDocument(nil, &pipeline.Outcome{Result: validators.Result{Violations: []validators.Violation{{Message: texts[7]}}}}, int(validators.Notice))
	if bytes.Contains(row, []byte("ReportLeakCheck")) || !bytes.Contains(row, []byte(`"message":"`)) {
		t.Fatalf("a secret reached the row, or it has no message: %s", row)
	}
}

// redact answers as secret.Redact does for texts met once and texts met
// again, more of them than its table has slots, secrets among them.
func TestRedactRemembersOnlyWhatItWasAsked(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var texts []string
	for i := range 3 * redactSlots {
		switch i % 5 {
		case 0:
			texts = append(texts, fmt.Sprintf(`is "sk_live_51RedactMemoCheck%014d" but status is "paid"`, i))
		case 1:
			texts = append(texts, fmt.Sprintf("/data/%d/id", i%37))
		default:
			texts = append(texts, fmt.Sprintf(`is "pi_%024d"; exactly one of charge, payment_intent is set`, i))
		}
	}
	texts = append(texts, strings.Repeat("long text ", redactMemoLen/10+1)+"sk_test_51RedactMemoLong000000000000")
	for range 4 * len(texts) {
		s := texts[rng.IntN(len(texts))]
		if got, want := redact(s), secret.Redact(s); got != want {
			t.Fatalf("redact(%q) = %q, want %q", s, got, want)
		}
	}
	if got := redact(texts[0]); strings.Contains(got, "RedactMemoCheck") {
		t.Fatalf("a secret was left in %q", got)
	}
}
