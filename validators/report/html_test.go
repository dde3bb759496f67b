package report

import (
	"bytes"
	"flag"
	"html/template"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stripe-contract/stripe-contract/recorder/secret"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// leakedKey is a secret-shaped value a payload carries: no report may show it.
const leakedKey = "sk_test_51HtmlReportLeak0000000000000"

// htmlInputs are documents as validate reads them: one that keeps the
// contract, one that breaks a rule, one whose untrusted text tries to run
// a script (in a key, in a value the message quotes, in the file name),
// one that carries a secret in a value the message quotes, one that is not
// JSON, and a list whose item is missing a field.
func htmlInputs(t *testing.T) []pipeline.Document {
	t.Helper()
	open, err := os.ReadFile("../../schemas/examples/invoice_payment_open.json")
	if err != nil {
		t.Fatal(err)
	}
	o := string(open)
	return []pipeline.Document{
		{Source: "payments.ndjson", Line: 1, Data: open},
		{Source: "payments.ndjson", Line: 2, Data: []byte(strings.Replace(o, `"amount_paid": null`, `"amount_paid": 2000`, 1))},
		{Source: "payments.ndjson", Line: 3, Data: []byte(strings.Replace(o, `"status": "open"`, `"status": "</pre><script>alert(1)</script>", "<img src=x onerror=alert(2)>": 1`, 1))},
		{Source: "payments.ndjson", Line: 4, Data: []byte(strings.Replace(o, `"currency": "usd"`, `"currency": "`+leakedKey+`"`, 1))},
		{Source: "<b>odd</b>.json", Data: []byte(`{"object": "invoice_payment", "amount_paid": NaN}`)},
		{Source: "list.json", Data: []byte(`{"object": "list", "url": "/v1/invoice_payments", "has_more": false, "data": [` + strings.Replace(o, `"currency": "usd",`, ``, 1) + `]}`)},
	}
}

// renderValidateHTML runs docs through the HTML format as validate does:
// Format on each outcome, Write in order, Close with the summary.
func renderValidateHTML(t *testing.T, docs []pipeline.Document) string {
	t.Helper()
	v, err := validators.New(validators.WithAPIVersion("2026-08-26.dahlia"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	f, err := New("html", &out, Options{Catalogue: v, Name: "stripe-contract validate"})
	if err != nil {
		t.Fatal(err)
	}
	sum := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
	for _, d := range docs {
		o := &pipeline.Outcome{Doc: d, Result: v.Validate(d.Data)}
		if err := f.Write(o, f.Format(nil, o)); err != nil {
			t.Fatal(err)
		}
		sum.Add(o)
	}
	if err := f.Close(&sum); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// goldenHTML is the golden page: the browser test renders it too.
const goldenHTML = "testdata/report.golden.html" // .html: a browser opens it as a page

func TestHTMLGolden(t *testing.T) {
	got := renderValidateHTML(t, htmlInputs(t))
	if *update {
		if err := os.WriteFile(goldenHTML, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenHTML)
	if err != nil {
		t.Fatalf("%v (go test ./validators/report -run TestHTMLGolden -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("the HTML report differs from %s (rewrite with -update if the change is meant; review the diff)", goldenHTML)
	}
}

func TestHTMLEscapesUntrustedText(t *testing.T) {
	page := renderValidateHTML(t, htmlInputs(t))
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("the page has %d <script elements, want 1 (its own filter)", n)
	}
	for _, raw := range []string{"<script>alert(1)</script>", "</pre><script>", "<img src=x", "<b>odd</b>"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	for _, escaped := range []string{"&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", "&lt;b&gt;odd&lt;/b&gt;.json"} {
		if !strings.Contains(page, escaped) {
			t.Errorf("the page does not show %q, escaped", escaped)
		}
	}
}

func TestHTMLRedactsSecrets(t *testing.T) {
	page := renderValidateHTML(t, htmlInputs(t))
	if strings.Contains(page, leakedKey[len("sk_test_"):]) {
		t.Errorf("the page holds the key a payload carried")
	}
	if !strings.Contains(page, "/currency") || !strings.Contains(page, validators.DisplayPointer("/currency")+": &#34;"+secretMarker()) {
		t.Errorf("the finding at /currency is not shown with its excerpt redacted")
	}
}

// secretMarker is what redaction puts in a secret's place, HTML-escaped.
func secretMarker() string { return template.HTMLEscapeString(secret.Redacted) }

func TestHTMLCountsPerRuleResourceAndFile(t *testing.T) {
	page := renderValidateHTML(t, htmlInputs(t))
	for _, want := range []*regexp.Regexp{
		// by rule: the anchor the findings link to, its count
		regexp.MustCompile(`<tr id="rule-invoice_payment\.amount_paid\.null-unless-paid"><td class="name"><code>invoice_payment\.amount_paid\.null-unless-paid</code>.*?<td class="n">1</td><td class="n">1</td>`),
		regexp.MustCompile(`<tr id="rule-json\.syntax">.*?<td class="n">1</td><td class="n">1</td>`),
		// by resource and by file
		regexp.MustCompile(`<tr><td class="name">invoice_payment</td><td class="n">\d+</td>`),
		regexp.MustCompile(`<tr><td class="name">list</td><td class="n">1</td><td class="n">1</td>`),
		regexp.MustCompile(`<tr><td class="name">payments\.ndjson</td><td class="n">\d+</td>`),
		// a finding: pointer, rule, doc sentence, excerpt
		regexp.MustCompile(`<code>/amount_paid</code>: is 2000 but status is &#34;open&#34;;.*?<a href="#rule-invoice_payment\.amount_paid\.null-unless-paid">.*?<blockquote>This field is null until the payment is .paid.\.</blockquote><pre title="the document at /amount_paid">/amount_paid: 2000</pre>`),
		// a missing field: the excerpt is the object that lacks it
		regexp.MustCompile(`(?s)<code>/data/0/currency</code>: is missing; currency is required.*?<pre title="the document at /data/0">/data/0: \{`),
		regexp.MustCompile(`<meta name="viewport" content="width=device-width, initial-scale=1">`),
	} {
		if !want.MatchString(page) {
			t.Errorf("the page does not match %s", want)
		}
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	page := renderValidateHTML(t, htmlInputs(t))
	for _, loads := range []*regexp.Regexp{
		regexp.MustCompile(`<link\b`), regexp.MustCompile(`\bsrc="`), regexp.MustCompile(`@import`), regexp.MustCompile(`url\(`),
		regexp.MustCompile(`https?://[^"<\s]*\.(css|js|png|svg|woff2?)`),
	} {
		if m := loads.FindString(page); m != "" {
			t.Errorf("the page loads something: %q", m)
		}
	}
	if !strings.Contains(page, `http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`) {
		t.Errorf("the page does not forbid loads with a CSP")
	}
}

func TestHTMLReplayCases(t *testing.T) {
	page := write(t, "html", Options{Name: "stripe-contract replay stripe-mock"}, replayed())
	for _, want := range []string{
		`<tr><td class="name">/v1/x</td><td class="n">3</td><td class="n">1</td>`,    // by resource: the request's path
		`<tr><td class="name">c/a.yaml</td><td class="n">3</td><td class="n">1</td>`, // by file: the cassette
		`<span class="badge new">new</span>`, `<span class="badge known">known</span>`,
		`GET /v1/x?limit=1 → 200`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not hold %q", want)
		}
	}
}

func TestHTMLShowsAtMostSoManyCases(t *testing.T) {
	c := replayed()
	cases := make([]Case, htmlMaxCases+3)
	for i := range cases {
		cases[i] = c
	}
	page := write(t, "html", Options{}, cases...)
	if n := strings.Count(page, `<section class="case`); n != htmlMaxCases {
		t.Errorf("%d cases shown, want %d", n, htmlMaxCases)
	}
	if !strings.Contains(page, "3 more cases with findings are counted above but not shown") {
		t.Errorf("the page does not say how many it left out")
	}
	if !strings.Contains(page, `<b>`+strconv.Itoa(len(cases))+`</b> checked`) {
		t.Errorf("the page does not count every case")
	}
}
