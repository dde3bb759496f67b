package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"

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

func TestJSONLinesRowIsOneLine(t *testing.T) {
	o := &pipeline.Outcome{
		Doc: pipeline.Document{Source: "we\nird\xff.ndjson", Line: 3},
		Result: validators.Result{Kind: validators.KindUnknown, Violations: []validators.Violation{
			{Rule: "json.syntax", Pointer: "/a\"b", Message: "line\nbreak", Severity: validators.Error},
		}},
	}
	row := (&jsonLines{}).Format(nil, o)
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
