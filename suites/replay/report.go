package replay

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

// WriteOptions place a report's findings in files.
type WriteOptions struct {
	// Root is the cassettes' folder as the user named it, joined to each
	// cassette's name in file paths (cassettes/docs/list_two_pages.yaml).
	Root string
	// Baseline is the baseline file's path, named with stale entries.
	Baseline string
	// Catalogue documents the rules the text format's summary cites.
	Catalogue report.Catalogue
}

// doc is the documentation of rule in the catalogue, "" without one.
func (o WriteOptions) doc(rule string) string {
	if o.Catalogue == nil {
		return ""
	}
	r, _ := o.Catalogue.Rule(rule)
	return r.Doc
}

func (o WriteOptions) file(cassette string) string {
	if o.Root == "" {
		return cassette
	}
	return path.Join(strings.ReplaceAll(o.Root, "\\", "/"), cassette)
}

// Write writes the report, judged by v, in format (one of report.Names),
// through package validators/report as every command's report is written.
func Write(w io.Writer, format string, r *Report, v Verdict, o WriteOptions) error {
	out, err := report.NewWriter(format, w, report.Options{MinSeverity: validators.Notice, Catalogue: o.Catalogue, Name: "stripe-contract replay " + r.Target})
	if err != nil {
		return err
	}
	for _, c := range Cases(r, v, o) {
		if err := out.Write(&c); err != nil {
			return err
		}
	}
	return out.Close(Trailer(r, v))
}

// Cases is the report as the formats write it: a case per interaction, its
// deviations rows with the verdict's status, then, when o names a baseline,
// a case for the baseline whose rows are its stale entries.
func Cases(r *Report, v Verdict, o WriteOptions) []report.Case {
	out := make([]report.Case, 0, len(r.Results)+1)
	judged := v.Judged
	for _, res := range r.Results {
		in := res.Interaction
		file := o.file(in.Cassette)
		label := fmt.Sprintf("interaction %d: %s %s", in.Index, in.Method, in.Path)
		c := report.Case{
			Source: in.Source(), File: file, Line: in.Line, Suite: file,
			Class: r.Target + "." + in.Cassette, Name: "#" + strconv.Itoa(in.Index) + " " + in.Method + " " + in.Path,
			Request: &report.Request{Method: in.Method, URL: in.Path}, Code: res.Status, Skipped: res.Skipped,
			FailureType: "deviation", Document: res.Body, DocumentAt: "/response/body",
		}
		for len(judged) > 0 && judged[0].Cassette == in.Cassette && judged[0].Interaction == in.Index {
			j := judged[0]
			judged = judged[1:]
			c.Rows = append(c.Rows, report.Row{Source: file, Line: in.Line, Label: label, Rule: j.Rule, Pointer: j.Pointer,
				Severity: j.Severity, Message: j.Message, Status: j.Status, Doc: o.doc(j.Rule)})
		}
		n := 0
		for _, row := range c.Rows {
			if row.Fails() {
				n++
			}
		}
		c.Failure = fmt.Sprintf("%d new deviations", n)
		out = append(out, c)
	}
	if o.Baseline != "" {
		c := report.Case{Source: o.Baseline, File: o.Baseline, Suite: o.Baseline, Class: r.Target + ".baseline",
			Name: "every entry still occurs", FailureType: "stale",
			Failure: fmt.Sprintf("%d stale baseline entries: rewrite with --update-baseline", len(v.Stale))}
		for _, e := range v.Stale {
			c.Rows = append(c.Rows, report.Row{Source: o.Baseline, Label: e.Cassette + "#" + strconv.Itoa(e.Interaction),
				Rule: e.Rule, Pointer: e.Pointer, Severity: validators.Error, Status: report.StatusStale,
				Message: "no longer occurs; rewrite the baseline with --update-baseline"})
		}
		out = append(out, c)
	}
	return out
}

// Trailer ends the report: the summary sentence, the rules the deviations
// broke (for the text format's citations) and, for JSON, the summary object
//
//	{"summary":{"target":"stripe-mock","interactions":19,"skipped":1,"new":0,"known":191,"minor":16,"stale":[{"cassette":...,"interaction":1,"rule":...,"path":...}],"failed":false}}
func Trailer(r *Report, v Verdict) report.Trailer {
	counts := map[string]*pipeline.RuleCount{}
	for _, j := range v.Judged {
		rc := counts[j.Rule]
		if rc == nil {
			rc = &pipeline.RuleCount{Rule: j.Rule, Severity: j.Severity}
			counts[j.Rule] = rc
		}
		rc.Count++
	}
	rules := make([]pipeline.RuleCount, 0, len(counts))
	for _, rc := range counts {
		rules = append(rules, *rc)
	}
	slices.SortFunc(rules, func(a, b pipeline.RuleCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	var s jsonSummary
	s.Summary.Target, s.Summary.Interactions, s.Summary.Skipped = r.Target, len(r.Results), v.Skipped
	s.Summary.New, s.Summary.Known, s.Summary.Minor = len(v.New), len(v.Known), len(v.Minor)
	s.Summary.Stale = []staleEntry{}
	for _, e := range v.Stale {
		s.Summary.Stale = append(s.Summary.Stale, staleEntry{e.Cassette, e.Interaction, e.Rule, e.Pointer})
	}
	s.Summary.Failed = v.Failed()
	return report.Trailer{Summary: Summary(r, v), Rules: rules, JSON: s}
}

type jsonSummary struct {
	Summary struct {
		Target       string       `json:"target"`
		Interactions int          `json:"interactions"`
		Skipped      int          `json:"skipped"`
		New          int          `json:"new"`
		Known        int          `json:"known"`
		Minor        int          `json:"minor"`
		Stale        []staleEntry `json:"stale"`
		Failed       bool         `json:"failed"`
	} `json:"summary"`
}

// staleEntry is a stale baseline entry in the JSON summary; its pointer is
// "path", as every finding's is in every command's JSON.
type staleEntry struct {
	Cassette    string `json:"cassette"`
	Interaction int    `json:"interaction"`
	Rule        string `json:"rule"`
	Path        string `json:"path"`
}

// Summary is the one-line outcome of a run: "replay against stripe-mock: 19
// interactions (1 skipped), 0 new deviations, 191 known, 16 minor, 0 stale
// baseline entries".
func Summary(r *Report, v Verdict) string {
	return fmt.Sprintf("replay against %s: %d interactions (%d skipped), %d new deviations, %d known, %d minor, %d stale baseline entries",
		r.Target, len(r.Results), v.Skipped, len(v.New), len(v.Known), len(v.Minor), len(v.Stale))
}

func displayPointer(p string) string {
	if p == "" {
		return "(interaction)"
	}
	return p
}
