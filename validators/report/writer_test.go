package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/validators"
)

// replayed is an interaction with a row of each status, as replay writes it.
func replayed() Case {
	row := func(rule, status string, sev validators.Severity) Row {
		return Row{Source: "c/a.yaml", Line: 7, Label: "interaction 2: GET /v1/x", Rule: rule, Pointer: "/response/code",
			Severity: sev, Message: "is 200, recorded 404", Status: status}
	}
	return Case{Source: "a.yaml#2", File: "c/a.yaml", Line: 7, Suite: "c/a.yaml", Name: "#2 GET /v1/x",
		Request: &Request{Method: "GET", URL: "/v1/x?limit=1"}, Code: 200,
		Rows: []Row{row("r.new", StatusNew, validators.Error), row("r.known", StatusKnown, validators.Error), row("r.minor", StatusMinor, validators.Notice)}}
}

func write(t *testing.T, format string, opts Options, cases ...Case) string {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(format, &out, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cases {
		if err := w.Write(&cases[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(Trailer{Summary: "the summary", JSON: map[string]int{"n": 1}}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestRowsFailByStatusOrElseBySeverity(t *testing.T) {
	for _, c := range []struct {
		status string
		sev    validators.Severity
		fails  bool
	}{
		{StatusNew, validators.Error, true}, {StatusStale, validators.Error, true},
		{StatusKnown, validators.Error, false}, {StatusMinor, validators.Warning, false},
		{"", validators.Error, true}, {"", validators.Warning, false}, {"", validators.Notice, false},
	} {
		r := Row{Status: c.status, Severity: c.sev}
		if r.Fails() != c.fails {
			t.Errorf("status %q, severity %s: Fails() = %v", c.status, c.sev, !c.fails)
		}
	}
}

func TestReplayedCaseAsJSON(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(write(t, "json", Options{MinSeverity: validators.Notice}, replayed())), "\n")
	if len(lines) != 2 || lines[1] != `{"n":1}` {
		t.Fatalf("want the case and the trailer's JSON, got\n%s", strings.Join(lines, "\n"))
	}
	var got struct {
		Source, File string
		Line         int
		Request      struct{ Method, URL string }
		Response     struct{ Code int }
		Deviations   []map[string]string
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got.Source != "a.yaml#2" || got.File != "c/a.yaml" || got.Line != 7 || got.Request.Method != "GET" || got.Request.URL != "/v1/x?limit=1" || got.Response.Code != 200 {
		t.Errorf("decoded %+v from %s", got, lines[0])
	}
	for i, want := range []string{StatusNew, StatusKnown, StatusMinor} {
		d := got.Deviations[i]
		if d["path"] != "/response/code" || d["status"] != want || d["pointer"] != "" {
			t.Errorf("deviation %d: %v", i, d)
		}
	}
}

func TestReplayedCaseInTextGitHubAndJUnit(t *testing.T) {
	text := write(t, "text", Options{MinSeverity: validators.Notice}, replayed())
	for _, want := range []string{
		"c/a.yaml:7 (interaction 2: GET /v1/x): new: /response/code: is 200, recorded 404 [r.new]\n",
		"c/a.yaml:7 (interaction 2: GET /v1/x): known: /response/code: is 200, recorded 404 [r.known]\n",
		"c/a.yaml:7 (interaction 2: GET /v1/x): notice: /response/code: is 200, recorded 404 [r.minor]\n",
		"\nthe summary\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	gh := write(t, "github", Options{Name: "stripe-contract replay", MinSeverity: validators.Notice}, replayed())
	for _, want := range []string{
		"::error file=c/a.yaml,line=7,title=r.new::interaction 2: GET /v1/x: /response/code: is 200, recorded 404\n",
		"::notice file=c/a.yaml,line=7,title=known%3A r.known::",
		"::notice file=c/a.yaml,line=7,title=r.minor::",
		"::notice title=stripe-contract replay::the summary\n",
	} {
		if !strings.Contains(gh, want) {
			t.Errorf("github lacks %q:\n%s", want, gh)
		}
	}
	skipped := Case{Source: "b.yaml#0", Suite: "c/b.yaml", Name: "#0 POST /hook", Skipped: "a webhook delivery"}
	junit := write(t, "junit", Options{}, replayed(), skipped)
	for _, want := range []string{
		`<testsuites name="stripe-contract" tests="2" failures="1" errors="0" skipped="1">`,
		`<testcase classname="c/a.yaml" name="#2 GET /v1/x" file="c/a.yaml" line="7">`,
		`<failure type="contract" message="1 contract violation">/response/code: is 200, recorded 404 [r.new]&#xA;</failure>`,
		`<system-out>known: /response/code: is 200, recorded 404 [r.known]&#xA;notice: /response/code`,
		`<skipped message="a webhook delivery"></skipped>`,
	} {
		if !strings.Contains(junit, want) {
			t.Errorf("junit lacks %q:\n%s", want, junit)
		}
	}
}

func TestWriterHidesRowsBelowTheMinimumInTextOnly(t *testing.T) {
	opts := Options{MinSeverity: validators.Error}
	if text := write(t, "text", opts, replayed()); strings.Contains(text, "r.minor") || !strings.Contains(text, "r.known") {
		t.Errorf("text:\n%s", text)
	}
	if js := write(t, "json", opts, replayed()); !strings.Contains(js, "r.minor") {
		t.Errorf("json hides a row:\n%s", js)
	}
}
