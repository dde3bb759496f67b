package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
	"github.com/stripe-contract/stripe-contract/validators"
)

// htmlReport writes one self-contained HTML page: the run's summary, the
// findings counted per rule, per resource and per file (with bars), then
// each case with findings, each finding with its pointer, rule, message,
// the doc sentence it comes from and an excerpt of the offending document.
// The page loads nothing (a Content-Security-Policy forbids it) and runs
// one inline script, allowed by its hash, that filters the findings.
//
// Everything from the input (sources, labels, messages, excerpts) is
// escaped by html/template, and messages and excerpts go through secret
// redaction first: an HTML report is an artifact people pass around, so a
// key that a payload carried does not reach it, whatever the command.
//
// Cases are spooled to a temporary file, as JUnit's are, so that the
// summary heads the page whatever the number of cases; at most
// htmlMaxCases are shown, and the page says how many more there were.
type htmlReport struct {
	w     io.Writer
	opts  Options
	spool *os.File
	buf   *bufio.Writer

	cases, failed, skipped, hidden int64
	failing                        int64 // findings that fail the run
	// shown is read by appendCase, on the workers: once the page is full,
	// every case still to be written would be left out, so none is
	// rendered.
	shown                   atomic.Int64
	severities              [3]int64
	rules, resources, files map[string]*tally
}

// tally counts findings under one name.
type tally struct {
	name     string
	severity validators.Severity // a rule's; the most severe for the others
	count    int64
	failing  int64
}

// htmlMaxCases bounds the cases with findings a page shows: a browser
// renders a few thousand sections well, not the millions of a large log.
const htmlMaxCases = 2000

// excerptLimit is the most of a document an excerpt shows, in bytes.
const excerptLimit = 600

func newHTML(w io.Writer, opts Options) (*htmlReport, error) {
	f, err := os.CreateTemp("", "stripe-contract-html-*.html")
	if err != nil {
		return nil, fmt.Errorf("html spool: %w", err)
	}
	return &htmlReport{w: w, opts: opts, spool: f, buf: bufio.NewWriter(f),
		rules: map[string]*tally{}, resources: map[string]*tally{}, files: map[string]*tally{}}, nil
}

func (h *htmlReport) filters() bool { return false }

// htmlFinding is a row as the page shows it.
type htmlFinding struct {
	Severity, Word, Pointer, Message, Rule, Doc string
	Fails                                       bool
	// ExcerptAt is the pointer the excerpt stands at: the finding's own,
	// or its nearest enclosing value when the finding is about something
	// missing.
	ExcerptAt, Excerpt string
}

// htmlCase is a case as the page shows it.
type htmlCase struct {
	Where, Kind, Request, Skipped string
	Code                          int
	Failed                        bool
	Findings                      []htmlFinding
}

func (h *htmlReport) appendCase(dst []byte, c *Case) []byte {
	if len(c.Rows) == 0 && c.Skipped == "" || h.shown.Load() >= htmlMaxCases {
		return dst
	}
	hc := htmlCase{Where: string(appendLocation(nil, displaySource(c.Source), c.SourceLine, c.Label, appendEscaped)),
		Kind: c.Kind, Skipped: htmlText(c.Skipped), Code: c.Code, Failed: c.Failed()}
	if c.Request != nil {
		hc.Request = htmlText(c.Request.Method + " " + c.Request.URL)
	}
	for i := range c.Rows {
		r := &c.Rows[i]
		f := htmlFinding{Severity: r.Severity.String(), Word: r.word(), Pointer: htmlText(validators.DisplayPointer(r.Pointer)),
			Message: htmlText(r.Message), Rule: htmlText(r.Rule), Doc: docSentence(r.Doc), Fails: r.Fails()}
		f.ExcerptAt, f.Excerpt = excerpt(c.Document, c.DocumentAt, r.Pointer)
		hc.Findings = append(hc.Findings, f)
	}
	b := bytes.NewBuffer(dst)
	if err := htmlPage.ExecuteTemplate(b, "case", hc); err != nil {
		// The templates are fixed and the data plain strings: an error
		// here is a bug, shown where the case would stand.
		fmt.Fprintf(b, "<p class=bug>%s</p>\n", template.HTMLEscapeString(err.Error()))
	}
	return b.Bytes()
}

func (h *htmlReport) write(c caseMeta, b []byte) error {
	h.cases++
	switch {
	case c.skipped:
		h.skipped++
	case c.failed:
		h.failed++
	}
	count := func(m map[string]*tally, name string, sev validators.Severity, fails bool) {
		t := m[name]
		if t == nil {
			t = &tally{name: name, severity: sev}
			m[name] = t
		}
		t.count++
		t.severity = min(t.severity, sev) // Error is 0: the most severe
		if fails {
			t.failing++
		}
	}
	add := func(rule string, sev validators.Severity, fails bool) {
		h.severities[min(max(int(sev), 0), 2)]++
		if fails {
			h.failing++
		}
		count(h.rules, rule, sev, fails)
		count(h.resources, c.resource, sev, fails)
		count(h.files, c.suite, sev, fails)
	}
	for _, v := range c.violations {
		add(v.Rule, v.Severity, v.Severity == validators.Error)
	}
	for i := range c.rows {
		add(c.rows[i].Rule, c.rows[i].Severity, c.rows[i].Fails())
	}
	if h.shown.Load() >= htmlMaxCases {
		if len(c.violations) > 0 || len(c.rows) > 0 || c.skipped {
			h.hidden++
		}
		return nil
	}
	if len(b) == 0 {
		return nil
	}
	h.shown.Add(1)
	_, err := h.buf.Write(b)
	return err
}

// htmlBar is a line of a summary table.
type htmlBar struct {
	Name, Anchor, Severity, Summary, Doc, Source string
	Count, Failing                               int64
	Percent                                      int
}

// htmlTable is a summary table: counts per rule, resource or file.
type htmlTable struct {
	Title, Column string
	Bars          []htmlBar
}

// htmlSummary is what heads the page.
type htmlSummary struct {
	Title, Summary, Version, CSP, Script  string
	Cases, Failed, Skipped, Shown, Hidden int64
	Failing, Errors, Warnings, Notices    int64
	Rules, Resources, Files               []htmlBar
}

func (h *htmlReport) close(t *Trailer) error {
	defer os.Remove(h.spool.Name())
	defer h.spool.Close()
	if err := h.buf.Flush(); err != nil {
		return fmt.Errorf("html spool: %w", err)
	}
	s := htmlSummary{Title: h.opts.name(), Summary: t.Summary, CSP: htmlCSP, Script: htmlScript,
		Cases: h.cases, Failed: h.failed, Skipped: h.skipped, Failing: h.failing, Shown: h.shown.Load(), Hidden: h.hidden,
		Errors: h.severities[validators.Error], Warnings: h.severities[validators.Warning], Notices: h.severities[validators.Notice]}
	if h.opts.Catalogue != nil {
		s.Version = h.opts.Catalogue.APIVersion()
	}
	s.Rules = h.bars(h.rules, true)
	s.Resources = h.bars(h.resources, false)
	s.Files = h.bars(h.files, false)
	bw := bufio.NewWriter(h.w)
	if err := htmlPage.ExecuteTemplate(bw, "head", s); err != nil {
		return err
	}
	if _, err := io.Copy(bw, io.NewSectionReader(h.spool, 0, 1<<62)); err != nil {
		return fmt.Errorf("html spool: %w", err)
	}
	if err := htmlPage.ExecuteTemplate(bw, "foot", s); err != nil {
		return err
	}
	return bw.Flush()
}

// bars orders a tally most counted first (then by name) and sizes each bar
// against the largest; rules get their catalogue summary.
func (h *htmlReport) bars(m map[string]*tally, rules bool) []htmlBar {
	ts := make([]*tally, 0, len(m))
	for _, t := range m {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b *tally) int {
		if a.count != b.count {
			return int(b.count - a.count)
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]htmlBar, len(ts))
	for i, t := range ts {
		name := t.name
		if name == "" {
			name = "(none)"
		}
		b := htmlBar{Name: displaySource(name), Severity: t.severity.String(), Count: t.count, Failing: t.failing,
			Percent: int((t.count*100 + ts[0].count - 1) / ts[0].count)}
		if rules {
			b.Name, b.Anchor = t.name, "rule-"+t.name
			if h.opts.Catalogue != nil {
				if r, ok := h.opts.Catalogue.Rule(t.name); ok {
					b.Summary, b.Doc, b.Source = oneLine(r.Summary), truncateText(oneLine(r.Doc), excerptLimit), r.Source
				}
			}
		}
		out[i] = b
	}
	return out
}

// docSentence is the first sentence of a rule's documentation, on one
// line and at most docSentenceLimit bytes: what a finding quotes (the rules
// table holds the whole of it).
func docSentence(doc string) string {
	doc = oneLine(doc)
	if i := strings.Index(doc, ". "); i >= 0 {
		doc = doc[:i+1]
	}
	return truncateText(doc, docSentenceLimit)
}

// docSentenceLimit bounds the doc sentence a finding quotes, in bytes.
const docSentenceLimit = 240

// htmlText is text from the input as the page shows it: secrets redacted,
// control characters written as Go escapes (as the text format writes
// them), so that no input starts a line of the page, where a CI log that
// prints it would read a workflow command. html/template escapes the rest.
func htmlText(s string) string { return string(appendEscaped(nil, secret.Redact(s))) }

// excerpt is the value of doc at pointer, which stands in the report's
// source at at ("" for a document that is its file), or that of the
// nearest value enclosing it when pointer names something missing:
// secret-redacted and cut to excerptLimit bytes. A pointer outside doc
// has none.
func excerpt(doc []byte, at, pointer string) (where, text string) {
	if len(doc) == 0 || !strings.HasPrefix(pointer, at) {
		return "", ""
	}
	p := pointer[len(at):]
	for p != "" {
		if r := gjson.GetBytes(doc, gjsonPath(p)); r.Exists() {
			return htmlText(at + p), excerptText(r.Raw)
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return htmlText(validators.DisplayPointer(at)), excerptText(string(doc))
}

// excerptText is a value of a document on one line: compacted when it is
// JSON, escaped as htmlText otherwise; redacted, then cut to excerptLimit.
func excerptText(raw string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(raw)) == nil {
		raw = b.String()
	}
	return truncateText(htmlText(raw), excerptLimit)
}

// gjsonPath is the gjson path of a JSON pointer: its tokens unescaped and
// joined by dots, every character gjson gives a meaning escaped.
func gjsonPath(pointer string) string {
	var b strings.Builder
	for i, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if i > 0 {
			b.WriteByte('.')
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		for _, r := range tok {
			if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= utf8.RuneSelf) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncateText cuts s to at most n bytes at a rune boundary, valid UTF-8,
// saying how much was cut.
func truncateText(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " … (" + strconv.Itoa(len(s)-cut) + " more bytes)"
}

// htmlScript filters the findings by the text typed: a case stays when
// its text holds it. It is the page's one script; the CSP allows it by
// its hash and nothing else.
const htmlScript = `(function () {
  var input = document.getElementById("filter");
  var cases = document.querySelectorAll("section.case");
  input.addEventListener("input", function () {
    var q = input.value.toLowerCase();
    cases.forEach(function (c) { c.hidden = q !== "" && c.textContent.toLowerCase().indexOf(q) < 0; });
  });
  input.disabled = false;
  document.documentElement.setAttribute("data-ready", String(cases.length));
})();`

// htmlCSP forbids every load (scripts other than htmlScript, styles other
// than the inline one, images, fonts, frames, connections): the page is
// self-contained, and an injected tag could not reach the network.
var htmlCSP = func() string {
	sum := sha256.Sum256([]byte(htmlScript))
	return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}()

var htmlPage = template.Must(template.New("page").Funcs(template.FuncMap{
	"script": func(s string) template.JS { return template.JS(s) },
	"tableOf": func(title, column string, bars []htmlBar) htmlTable {
		return htmlTable{Title: title, Column: column, Bars: bars}
	},
}).Parse(`{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<title>{{.Title}}: {{.Failed}} of {{.Cases}} failed</title>
<style>
:root { --err: #b3261e; --warn: #8a5a00; --note: #3c5a99; --ok: #1e7b34; --line: #d8dbe0; --bg2: #f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c1e21; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: .95rem; margin: 0 0 .4rem; overflow-wrap: anywhere; }
.summary { margin: .25rem 0 1rem; }
.totals { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: 0; list-style: none; }
.totals li { background: var(--bg2); border: 1px solid var(--line); border-radius: .4rem; padding: .35rem .6rem; }
.totals b { font-size: 1.1rem; }
.tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: 0 1.5rem; }
.tables > :first-child { grid-column: 1 / -1; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; border-bottom: 1px solid var(--line); }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { overflow-wrap: anywhere; }
.bar { height: .6rem; min-width: 2px; border-radius: .3rem; background: var(--note); }
.bar.error { background: var(--err); } .bar.warning { background: var(--warn); }
.barcell { width: 30%; min-width: 3rem; }
details.doc summary { cursor: pointer; }
.doc { color: #555; font-size: .85rem; }
code, pre { font: .85rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--bg2); border: 1px solid var(--line); border-radius: .3rem; padding: .4rem; margin: .3rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 14rem; overflow: auto; }
section.case { border: 1px solid var(--line); border-left: .3rem solid var(--note); border-radius: .4rem; padding: .6rem .7rem; margin: 0 0 .7rem; }
section.case.failed { border-left-color: var(--err); }
section.case ol { margin: 0; padding-left: 1.2rem; }
section.case li { margin: .45rem 0; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; border-radius: .3rem; padding: 0 .35rem; color: #fff; background: var(--note); }
.badge.error, .badge.new, .badge.stale { background: var(--err); } .badge.warning { background: var(--warn); }
.badge.known { background: #666; }
.kind { color: #555; font-weight: normal; }
blockquote { margin: .2rem 0 0; padding-left: .6rem; border-left: 2px solid var(--line); color: #555; font-size: .85rem; }
input#filter { width: 100%; max-width: 28rem; font: inherit; padding: .35rem .5rem; margin: 0 0 .8rem; border: 1px solid var(--line); border-radius: .3rem; }
.more { font-style: italic; }
footer { margin-top: 2rem; color: #666; font-size: .8rem; }
@media (max-width: 40rem) { .tables { grid-template-columns: 1fr; } body { padding: .6rem; font-size: 14px; } .barcell { width: 18%; } th, td { padding: .25rem .2rem; } }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="summary">{{.Summary}}</p>
<ul class="totals">
<li><b>{{.Cases}}</b> checked</li>
<li><b>{{.Failed}}</b> failed</li>
<li><b>{{.Failing}}</b> failing findings</li>
{{- if .Skipped}}<li><b>{{.Skipped}}</b> skipped</li>{{end}}
<li><b>{{.Errors}}</b> errors</li>
<li><b>{{.Warnings}}</b> warnings</li>
<li><b>{{.Notices}}</b> notices</li>
</ul>
</header>
<main>
{{- if .Rules}}
<div class="tables">
{{template "table" (tableOf "By rule" "rule" .Rules)}}
{{template "table" (tableOf "By resource" "resource" .Resources)}}
{{template "table" (tableOf "By file" "file" .Files)}}
</div>
{{- end}}
<h2>Findings{{if .Version}} <span class="kind">(rules of Stripe API {{.Version}})</span>{{end}}</h2>
{{- if .Shown}}
<input id="filter" type="search" placeholder="Filter by rule, pointer, file, text…" aria-label="Filter the findings" disabled>
{{- else}}
<p>No findings.</p>
{{- end}}
{{end}}

{{define "table"}}<div class="scroll"><h2>{{.Title}}</h2>
<table>
<thead><tr><th>{{.Column}}</th><th class="n">findings</th><th class="n">failing</th><th class="barcell"></th></tr></thead>
<tbody>
{{- range .Bars}}
<tr{{if .Anchor}} id="{{.Anchor}}"{{end}}><td class="name">{{if .Anchor}}<code>{{.Name}}</code>{{else}}{{.Name}}{{end}}{{if .Summary}}<div class="doc">{{.Summary}}</div>{{end}}{{if .Doc}}<details class="doc"><summary>doc</summary>“{{.Doc}}” <span class="kind">({{.Source}})</span></details>{{end}}</td><td class="n">{{.Count}}</td><td class="n">{{.Failing}}</td><td class="barcell"><div class="bar {{.Severity}}" style="width: {{.Percent}}%"></div></td></tr>
{{- end}}
</tbody>
</table></div>{{end}}

{{define "case"}}<section class="case{{if .Failed}} failed{{end}}">
<h3>{{.Where}}{{if .Kind}} <span class="kind">{{.Kind}}</span>{{end}}{{if .Request}} <span class="kind">{{.Request}}{{if .Code}} → {{.Code}}{{end}}</span>{{end}}</h3>
{{- if .Skipped}}
<p>skipped: {{.Skipped}}</p>
{{- end}}
{{- if .Findings}}
<ol>
{{- range .Findings}}
<li><span class="badge {{.Word}}">{{.Word}}</span> <code>{{.Pointer}}</code>: {{.Message}} <a href="#rule-{{.Rule}}"><code>{{.Rule}}</code></a>
{{- if .Doc}}<blockquote>{{.Doc}}</blockquote>{{end}}
{{- if .Excerpt}}<pre title="the document at {{.ExcerptAt}}">{{.ExcerptAt}}: {{.Excerpt}}</pre>{{end}}</li>
{{- end}}
</ol>
{{- end}}
</section>
{{end}}

{{define "foot"}}
{{- if .Hidden}}<p class="more">{{.Hidden}} more cases with findings are counted above but not shown: a page shows the first {{.Shown}}; --format json lists every one.</p>{{end}}
</main>
<footer>Written by stripe-contract. This page is self-contained: it loads nothing, and its one script filters the findings.</footer>
<script>{{script .Script}}</script>
</body>
</html>
{{end}}`))
