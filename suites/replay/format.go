package replay

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Formats names the report formats Write knows: text for people, JSON Lines
// for machines, JUnit XML and GitHub Actions annotations for CI systems.
var Formats = []string{"text", "json", "junit", "github"}

// WriteOptions place a report's findings in files.
type WriteOptions struct {
	// Root is the cassettes' folder as the user named it, joined to each
	// cassette's name in file paths (cassettes/docs/list_two_pages.yaml).
	Root string
	// Baseline is the baseline file's path, named with stale entries.
	Baseline string
}

// status of a deviation under a verdict.
const (
	statusNew   = "new"
	statusKnown = "known"
)

// judged is a deviation with its status: new, known, or its severity for
// minor ones.
type judged struct {
	Deviation
	status string
}

func classify(v Verdict) map[Deviation]string {
	m := map[Deviation]string{}
	for _, d := range v.Known {
		m[d] = statusKnown
	}
	for _, d := range v.New {
		m[d] = statusNew
	}
	for _, d := range v.Minor {
		m[d] = d.Severity.String()
	}
	return m
}

func (o WriteOptions) file(cassette string) string {
	if o.Root == "" {
		return cassette
	}
	return path.Join(strings.ReplaceAll(o.Root, "\\", "/"), cassette)
}

// Write writes the report, judged by v, in format (one of Formats).
func Write(w io.Writer, format string, r *Report, v Verdict, o WriteOptions) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case "text":
		err = writeText(bw, r, v, o)
	case "json":
		err = writeJSON(bw, r, v, o)
	case "junit":
		err = writeJUnit(bw, r, v, o)
	case "github":
		err = writeGitHub(bw, r, v, o)
	default:
		return fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// judgedResults pairs each result with its deviations and their status.
func judgedResults(r *Report, v Verdict) [][]judged {
	status := classify(v)
	out := make([][]judged, len(r.Results))
	for i, res := range r.Results {
		for _, d := range res.Deviations {
			out[i] = append(out[i], judged{d, status[d]})
		}
	}
	return out
}

// Summary is the one-line outcome of a run: "replay against stripe-mock: 19
// interactions (1 skipped), 0 new deviations, 191 known, 16 minor, 0 stale
// baseline entries".
func Summary(r *Report, v Verdict) string {
	return fmt.Sprintf("replay against %s: %d interactions (%d skipped), %d new deviations, %d known, %d minor, %d stale baseline entries",
		r.Target, len(r.Results), v.Skipped, len(v.New), len(v.Known), len(v.Minor), len(v.Stale))
}

// writeText writes a line per deviation, FILE:LINE: status: pointer:
// message [rule] (interaction), then the stale entries and the summary.
func writeText(w io.Writer, r *Report, v Verdict, o WriteOptions) error {
	for i, js := range judgedResults(r, v) {
		in := r.Results[i].Interaction
		for _, j := range js {
			fmt.Fprintf(w, "%s:%d: %s: %s: %s [%s] (interaction %d: %s %s)\n", o.file(in.Cassette), in.Line, j.status,
				displayPointer(j.Pointer), j.Message, j.Rule, in.Index, in.Method, in.Path)
		}
	}
	for _, e := range v.Stale {
		fmt.Fprintf(w, "%s: stale: %s no longer occurs; rewrite the baseline with --update-baseline\n", o.Baseline, e)
	}
	_, err := fmt.Fprintln(w, Summary(r, v))
	return err
}

func displayPointer(p string) string {
	if p == "" {
		return "(interaction)"
	}
	return p
}

// jsonInteraction is a line of the JSON format.
type jsonInteraction struct {
	Source     string          `json:"source"`
	File       string          `json:"file"`
	Line       int             `json:"line"`
	Method     string          `json:"method"`
	Path       string          `json:"path"`
	Status     int             `json:"status,omitempty"`
	Skipped    string          `json:"skipped,omitempty"`
	Deviations []jsonDeviation `json:"deviations"`
}

type jsonDeviation struct {
	Rule     string `json:"rule"`
	Pointer  string `json:"pointer"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
	Status   string `json:"status"` // new, known, warning or notice
}

type jsonSummary struct {
	Summary struct {
		Target       string  `json:"target"`
		Interactions int     `json:"interactions"`
		Skipped      int     `json:"skipped"`
		New          int     `json:"new"`
		Known        int     `json:"known"`
		Minor        int     `json:"minor"`
		Stale        []Entry `json:"stale"`
		Failed       bool    `json:"failed"`
	} `json:"summary"`
}

// writeJSON writes JSON Lines: an object per interaction, in order, then a
// summary object.
func writeJSON(w io.Writer, r *Report, v Verdict, o WriteOptions) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, js := range judgedResults(r, v) {
		res := r.Results[i]
		line := jsonInteraction{
			Source: res.Interaction.Source(), File: o.file(res.Interaction.Cassette), Line: res.Interaction.Line,
			Method: res.Interaction.Method, Path: res.Interaction.Path, Status: res.Status, Skipped: res.Skipped,
			Deviations: []jsonDeviation{},
		}
		for _, j := range js {
			line.Deviations = append(line.Deviations, jsonDeviation{j.Rule, j.Pointer, j.Message, j.Severity.String(), j.status})
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	var s jsonSummary
	s.Summary.Target, s.Summary.Interactions, s.Summary.Skipped = r.Target, len(r.Results), v.Skipped
	s.Summary.New, s.Summary.Known, s.Summary.Minor = len(v.New), len(v.Known), len(v.Minor)
	s.Summary.Stale = append([]Entry{}, v.Stale...)
	s.Summary.Failed = v.Failed()
	return enc.Encode(s)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit writes JUnit XML: a test suite per cassette, a test case per
// interaction (failed by new deviations; known and minor ones in its
// system-out), and a suite for the baseline, failed by stale entries.
func writeJUnit(w io.Writer, r *Report, v Verdict, o WriteOptions) error {
	all := junitSuites{Name: "stripe-contract replay " + r.Target}
	byCassette := map[string]int{}
	for i, js := range judgedResults(r, v) {
		res := r.Results[i]
		in := res.Interaction
		k, ok := byCassette[in.Cassette]
		if !ok {
			k = len(all.Suites)
			byCassette[in.Cassette] = k
			all.Suites = append(all.Suites, junitSuite{Name: o.file(in.Cassette)})
		}
		c := junitCase{Name: "#" + strconv.Itoa(in.Index) + " " + in.Method + " " + in.Path, ClassName: r.Target + "." + in.Cassette, File: o.file(in.Cassette), Line: in.Line}
		var fails, others []string
		for _, j := range js {
			line := fmt.Sprintf("%s: %s [%s]", displayPointer(j.Pointer), j.Message, j.Rule)
			if j.status == statusNew {
				fails = append(fails, line)
			} else {
				others = append(others, j.status+": "+line)
			}
		}
		switch {
		case res.Skipped != "":
			c.Skipped = &junitSkipped{Message: res.Skipped}
			all.Suites[k].Skipped++
		case len(fails) > 0:
			c.Failure = &junitFailure{Message: fmt.Sprintf("%d new deviations", len(fails)), Type: "deviation", Text: strings.Join(fails, "\n")}
			all.Suites[k].Failures++
		}
		c.SystemOut = strings.Join(others, "\n")
		all.Suites[k].Cases = append(all.Suites[k].Cases, c)
		all.Suites[k].Tests++
	}
	if o.Baseline != "" {
		c := junitCase{Name: "every entry still occurs", ClassName: r.Target + ".baseline", File: o.Baseline}
		s := junitSuite{Name: o.Baseline, Tests: 1, Cases: []junitCase{c}}
		if len(v.Stale) > 0 {
			var lines []string
			for _, e := range v.Stale {
				lines = append(lines, e.String())
			}
			s.Cases[0].Failure = &junitFailure{Message: fmt.Sprintf("%d stale baseline entries: rewrite with --update-baseline", len(v.Stale)), Type: "stale", Text: strings.Join(lines, "\n")}
			s.Failures = 1
		}
		all.Suites = append(all.Suites, s)
	}
	for _, s := range all.Suites {
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Skipped += s.Skipped
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// writeGitHub writes GitHub Actions workflow commands: an error annotation
// per new deviation and stale entry, a notice per known deviation, a
// warning or notice per minor one.
func writeGitHub(w io.Writer, r *Report, v Verdict, o WriteOptions) error {
	for i, js := range judgedResults(r, v) {
		in := r.Results[i].Interaction
		for _, j := range js {
			level, title := "error", j.Rule
			switch j.status {
			case statusKnown:
				level, title = "notice", "known: "+j.Rule
			case "warning":
				level = "warning"
			case "notice":
				level = "notice"
			}
			msg := fmt.Sprintf("interaction %d (%s %s): %s: %s", in.Index, in.Method, in.Path, displayPointer(j.Pointer), j.Message)
			fmt.Fprintf(w, "::%s file=%s,line=%d,title=%s::%s\n", level, ghProperty(o.file(in.Cassette)), in.Line, ghProperty(title), ghData(msg))
		}
	}
	for _, e := range v.Stale {
		fmt.Fprintf(w, "::error file=%s,title=stale baseline entry::%s\n", ghProperty(o.Baseline), ghData(e.String()+" no longer occurs; rewrite the baseline with --update-baseline"))
	}
	_, err := fmt.Fprintf(w, "::notice title=stripe-contract replay::%s\n", ghData(Summary(r, v)))
	return err
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
