package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

func TestJSONStringsStayJSON(t *testing.T) {
	for s, want := range map[string]string{
		"plain": "plain", `quote " and \ backslash`: `quote " and \ backslash`, "tab\tnew\nline\rcr": "tab\tnew\nline\rcr",
		"\x00\x01\x1f": "\x00\x01\x1f", "é€😀": "é€😀", "</script>": "</script>",
		"bad \xff utf8 \xc0\xaf": "bad \ufffd utf8 \ufffd\ufffd", // each invalid byte replaced
	} {
		b := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, b, err)
		}
		if back != want {
			t.Errorf("%q came back as %q, want %q", s, back, want)
		}
	}
}

// Random strings, of plain runs between quotes, control bytes, multi-byte
// and invalid UTF-8, come back from appendJSONString as they went in, each
// invalid byte as U+FFFD.
func TestJSONStringsOfRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"a", "plain run ", `"`, `\`, "\n", "\x01", "\x7f", "é", "😀", "\xff", "\xc0", "\xe2\x82"}
	for range 2000 {
		var in strings.Builder
		for range rng.IntN(12) {
			in.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := in.String()
		var want strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			want.WriteRune(r) // RuneError, U+FFFD, for an invalid byte
			i += size
		}
		b := appendJSONString([]byte("prefix"), s)
		var back string
		if err := json.Unmarshal(b[len("prefix"):], &back); err != nil {
			t.Fatalf("%q encoded as %s: %v", s, b, err)
		}
		if back != want.String() || !bytes.HasPrefix(b, []byte("prefix")) {
			t.Fatalf("%q came back as %q, want %q", s, back, want.String())
		}
	}
}

func TestJSONLinesRowIsOneLine(t *testing.T) {
	o := &pipeline.Outcome{
		Doc: pipeline.Document{Source: "we\nird\xff.ndjson", Line: 3},
		Result: validators.Result{Kind: validators.KindUnknown, Violations: []validators.Violation{
			{Rule: "json.syntax", Pointer: "/a\"b", Message: "line\nbreak", Severity: validators.Error},
		}},
	}
	f, err := New("json", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	row := f.Format(nil, o)
	if bytes.Count(row, []byte("\n")) != 1 || row[len(row)-1] != '\n' {
		t.Fatalf("not one line: %q", row)
	}
	var v struct {
		Source     string
		Valid      bool
		Violations []struct{ Path, Message string }
	}
	if err := json.Unmarshal(row, &v); err != nil {
		t.Fatal(err)
	}
	if v.Source != "we\nird\ufffd.ndjson:3" || v.Valid || v.Violations[0].Path != `/a"b` {
		t.Errorf("decoded %+v", v)
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got := escapeProperty("a:b,c%d\ne"); got != "a%3Ab%2Cc%25d%0Ae" {
		t.Errorf("property: %q", got)
	}
	if got := escapeData("50% of\r\nlines: ok, fine"); got != "50%25 of%0D%0Alines: ok, fine" {
		t.Errorf("data: %q", got)
	}
}

func TestJUnitIsWellFormedXML(t *testing.T) {
	var out bytes.Buffer
	f, err := New("junit", &out, Options{Name: "run <&> \"quoted\""})
	if err != nil {
		t.Fatal(err)
	}
	sum := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
	for i, src := range []string{"a<1>.ndjson", "a<1>.ndjson", "b&c.json"} {
		o := &pipeline.Outcome{Doc: pipeline.Document{Source: src, Line: i + 1}, Result: validators.Result{
			Kind: validators.KindInvoicePayment,
			Violations: []validators.Violation{{Rule: "r", Pointer: "/x", Message: "is \"<bad>\" \x01", Severity: validators.Error},
				{Rule: "n", Message: "a notice", Severity: validators.Notice}},
		}}
		sum.Documents++
		sum.Invalid++
		if err := f.Write(o, f.Format(nil, o)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(&sum); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(doc.Suites) != 2 || doc.Suites[0].Name != "a<1>.ndjson" || doc.Suites[0].Tests != 2 || doc.Suites[1].Tests != 1 {
		t.Errorf("suites: %+v", doc.Suites)
	}
}

// A file name, a cassette's label, a document's keys and the messages
// quoting them come from the input: a line break in any of them must not
// start a line of its own, where GitHub Actions would run "::error ..." as a
// workflow command and a reader would take it for a result.
func TestInputTextCannotStartALine(t *testing.T) {
	o := &pipeline.Outcome{
		Doc: pipeline.Document{Source: "dir/x\n::error file=evil.json,line=1::injected\r.json", Line: 3, Label: "interaction 0: GET\n::warning::label"},
		Result: validators.Result{Kind: validators.KindUnknown, Violations: []validators.Violation{
			{Rule: "r", Pointer: "/a\n::error::key", Message: "found\n::error::message\x1b[31m", Severity: validators.Error},
			{Rule: "n", Pointer: "/b", Message: "a notice", Severity: validators.Notice},
		}},
	}
	want := map[string][]string{
		"text": {
			`"dir/x\n::error file=evil.json,line=1::injected\r.json":3 (interaction 0: GET\n::warning::label): error: /a\n::error::key: found\n::error::message\x1b[31m [r]`,
			`"dir/x\n::error file=evil.json,line=1::injected\r.json":3 (interaction 0: GET\n::warning::label): notice: /b: a notice [n]`,
		},
		"github": {
			`::error file=dir/x%0A%3A%3Aerror file=evil.json%2Cline=1%3A%3Ainjected%0D.json,line=3,title=r::interaction 0: GET%0A::warning::label: /a%0A::error::key: found%0A::error::message` + "\x1b[31m",
			`::notice file=dir/x%0A%3A%3Aerror file=evil.json%2Cline=1%3A%3Ainjected%0D.json,line=3,title=n::interaction 0: GET%0A::warning::label: /b: a notice`,
			`::notice title=stripe-contract::1 document checked: 0 valid, 1 invalid; 1 error, 0 warnings, 1 notice`,
		},
	}
	for _, name := range Names() {
		var out bytes.Buffer
		f, err := New(name, &out, Options{MinSeverity: validators.Notice})
		if err != nil {
			t.Fatal(err)
		}
		sum := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
		sum.Add(o)
		if err := f.Write(o, f.Format(nil, o)); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(&sum); err != nil {
			t.Fatal(err)
		}
		var annotations []string
		for line := range strings.SplitSeq(out.String(), "\n") {
			if strings.HasPrefix(line, "::") || strings.HasPrefix(strings.TrimLeft(line, " "), "::") {
				annotations = append(annotations, line)
			}
		}
		if name == "github" {
			if !slices.Equal(annotations, want[name]) {
				t.Errorf("github: the annotations are\n%s\nwant\n%s", strings.Join(annotations, "\n"), strings.Join(want[name], "\n"))
			}
			continue
		}
		if len(annotations) > 0 {
			t.Errorf("%s: lines an input started:\n%s\nin\n%s", name, strings.Join(annotations, "\n"), out.String())
		}
		if w := want[name]; w != nil && !strings.HasPrefix(out.String(), strings.Join(w, "\n")+"\n") {
			t.Errorf("%s:\n%s\nwant it to start with\n%s", name, out.String(), strings.Join(w, "\n"))
		}
	}
}

func TestJUnitKeepsNamesThroughXML(t *testing.T) {
	var out bytes.Buffer
	f, err := New("junit", &out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := &pipeline.Outcome{Doc: pipeline.Document{Source: "a\nb\r\tc\x01d.json"}, Result: validators.Result{Kind: validators.KindUnknown}}
	sum := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
	sum.Add(o)
	if err := f.Write(o, f.Format(nil, o)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(&sum); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "a\nb") {
		t.Errorf("a raw line break in an attribute:\n%s", out.String())
	}
	var doc struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Class string `xml:"classname,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	// XML 1.0 cannot carry U+0001 at all, even as a reference: it is written as Go would.
	if want := "a\nb\r\tc\\x01d.json"; doc.Suites[0].Name != want || doc.Suites[0].Cases[0].Class != want {
		t.Errorf("names came back as %q and %q, want %q", doc.Suites[0].Name, doc.Suites[0].Cases[0].Class, want)
	}
}

// TestNoFormatPrintsAPayloadsSecret: a violation's message quotes the
// offending value and its pointer names members, both from the payload;
// a key a payload carried must not reach a CI log in any format.
func TestNoFormatPrintsAPayloadsSecret(t *testing.T) {
	const key = "sk_live_51ReportLeakCheck00000000000000"
	v, err := validators.New()
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte(`{"object":"invoice_payment","id":"inpay_1","status":"` + key + `","` + key + `":1}`)
	o := &pipeline.Outcome{Doc: pipeline.Document{Source: "log.ndjson", Line: 1, Data: doc, Size: int64(len(doc))}, Result: v.Validate(doc)}
	raw := false
	for _, vi := range o.Result.Violations {
		raw = raw || strings.Contains(vi.Message, key) || strings.Contains(vi.Pointer, key)
	}
	if !raw {
		t.Fatalf("the validator's own violations do not quote the key, so this test checks nothing: %+v", o.Result.Violations)
	}
	for _, name := range Names() {
		var out bytes.Buffer
		f, err := New(name, &out, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Write(o, f.Format(nil, o)); err != nil {
			t.Fatal(err)
		}
		sum := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
		sum.Add(o)
		if err := f.Close(&sum); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), key[len("sk_live_"):]) {
			t.Errorf("%s output holds the key the payload carried", name)
		}
		if !strings.Contains(out.String(), "/status") {
			t.Errorf("%s output does not report /status at all:\n%s", name, out.String())
		}
	}
}
