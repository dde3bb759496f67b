package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

func TestMain(m *testing.M) {
	flag.Parse()
	// In CI the tests must not open a listener on every interface.
	if code, done := isolate(os.Getenv("CI") != ""); done {
		os.Exit(code)
	}
	quietPrism()
	beam.Init()
	os.Exit(m.Run())
}

// writeOnce returns the path of a regular file: no directory can be made
// under it.
func writeOnce(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// maxSize is the tests' --max-document-size: small, so that one line of
// bad.ndjson is over it.
const maxSize = 32 << 10

// writeData writes the benchmark files and a file of bad lines into dir.
func writeData(t *testing.T, dir string) {
	t.Helper()
	create := func(name string, fill func(w *bufio.Writer) error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		if err := fill(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	create("invoice_payment.ndjson", func(w *bufio.Writer) error { _, err := bench.Write(w, 3000, 1); return err })
	var mixed bytes.Buffer
	if _, err := bench.WriteMixed(&mixed, 1000, 2); err != nil {
		t.Fatal(err)
	}
	create("mixed.ndjson", func(w *bufio.Writer) error { _, err := w.Write(mixed.Bytes()); return err })
	create("mixed.ndjson.gz", func(w *bufio.Writer) error {
		zw := gzip.NewWriter(w)
		if _, err := zw.Write(mixed.Bytes()); err != nil {
			return err
		}
		return zw.Close()
	})
	first := string(bytes.SplitN(mixed.Bytes(), []byte("\n"), 2)[0])
	bad := []string{
		"not json",
		"",
		"   ",
		`{"object":"invoice_payment"`,
		`{"object":"invoice_payment","id":"` + strings.Repeat("x", maxSize) + `"}`, // over the limit
		"{}",
		"[1,2]",
		"\xff\xfe",
		`{"object":"no_such_thing","id":"x"}`,
		first + "\r",
		strings.Replace(first, `{`, `{"undocumented_field":1,`, 1),
	}
	create("bad.ndjson", func(w *bufio.Writer) error { _, err := w.WriteString(strings.Join(bad, "\n") + "\n"); return err })
	// A byte order mark before the first line, and no newline after the last.
	create("bom.ndjson", func(w *bufio.Writer) error {
		_, err := w.WriteString("\xef\xbb\xbf" + first + "\n" + first)
		return err
	})
}

// validated is what the main module's validation pipeline and JSON report
// (validate --format json) make of paths: every document's row, and the
// summary.
func validated(t *testing.T, o Options, paths []string) ([]map[string]any, []string, pipeline.Summary) {
	t.Helper()
	v, err := o.newValidator()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	f, err := report.New("json", &out, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.New(v).Run(context.Background(), paths, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Unreadable) > 0 {
		t.Fatalf("validate could not read: %v", sum.Unreadable)
	}
	var all []map[string]any
	var invalid []string
	for _, line := range strings.SplitAfter(out.String(), "\n") {
		if line == "" {
			continue
		}
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("validate's row %q: %v", line, err)
		}
		all = append(all, row)
		if row["valid"] == false {
			invalid = append(invalid, strings.TrimSuffix(line, "\n"))
		}
	}
	slices.Sort(invalid)
	return all, invalid, sum
}

// ran runs the Beam pipeline on Prism and returns its invalid rows, sorted,
// its counts rows and its summary.
func ran(t *testing.T, c Config) ([]string, []CountRow, SummaryJSON, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), c, &stdout, &stderr)
	if code == 2 {
		t.Fatalf("run: exit 2: %s", stderr.String())
	}
	invalid := readLines(t, filepath.Join(c.Output, InvalidFile))
	slices.Sort(invalid)
	var counts []CountRow
	for _, line := range readLines(t, filepath.Join(c.Output, CountsFile)) {
		var r CountRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, r)
	}
	var sum SummaryJSON
	if err := json.Unmarshal([]byte(strings.Join(readLines(t, filepath.Join(c.Output, SummaryFile)), "")), &sum); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(c.Output, SummaryText))
	if err != nil {
		t.Fatal(err)
	}
	if want := 0; sum.Invalid > 0 {
		want = 1
		if code != want {
			t.Errorf("exit %d with %d invalid documents, want %d", code, sum.Invalid, want)
		}
	}
	return invalid, counts, sum, string(text)
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// diff says how two sorted lists of rows differ, briefly.
func diff(got, want []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows, want %d", len(got), len(want))
	shown := 0
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok && shown < 3 {
			fmt.Fprintf(&b, "\n  unexpected: %.300s", g)
			shown++
		}
	}
	shown = 0
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok && shown < 3 {
			fmt.Fprintf(&b, "\n  missing:    %.300s", w)
			shown++
		}
	}
	return b.String()
}

func TestSameVerdictsAsValidate(t *testing.T) {
	dir := t.TempDir()
	writeData(t, dir)
	o := Options{MaxSize: maxSize, MaxDepth: validators.DefaultMaxDepth}
	c := Config{Input: filepath.Join(dir, "*.ndjson*"), Output: filepath.Join(dir, "out"), Options: o, Reshuffle: true}
	paths, err := filepath.Glob(c.Input)
	if err != nil || len(paths) != 5 {
		t.Fatalf("glob: %v %v", paths, err)
	}
	all, want, wantSum := validated(t, o, paths)
	got, counts, sum, text := ran(t, c)
	t.Logf("%d documents, %d invalid rows; %s", sum.Documents, len(got), sum.Summary)

	if !slices.Equal(got, want) {
		t.Errorf("invalid rows differ from validate's: %s", diff(got, want))
	}
	// Without the document Reshuffle (each file validated where it is read).
	fused := c
	fused.Reshuffle, fused.Output = false, filepath.Join(dir, "fused")
	gotFused, _, sumFused, _ := ran(t, fused)
	if !slices.Equal(gotFused, want) || sumFused != sum {
		t.Errorf("--reshuffle=false: %s; summary %+v, want %+v", diff(gotFused, want), sumFused, sum)
	}
	// The data holds what the comparison must cover.
	for _, rule := range []string{validators.RuleSyntax, validators.RuleTooLarge, validators.RuleInvalidUTF8, validators.RuleUnknownKind} {
		if wantSum.Rules[rule] == nil {
			t.Errorf("validate broke no %s rule: the data does not test it", rule)
		}
	}
	if wantSum.Invalid < 300 || len(want) != int(wantSum.Invalid) {
		t.Errorf("validate found %d invalid documents (%d rows): the data does not test enough", wantSum.Invalid, len(want))
	}
	for _, source := range []string{"invoice_payment.ndjson:", "mixed.ndjson:", "mixed.ndjson.gz:", "bad.ndjson:5"} {
		if !slices.ContainsFunc(got, func(row string) bool { return strings.Contains(row, `"source":"`+filepath.Join(dir, source)) }) {
			t.Errorf("no invalid row from %s", source)
		}
	}

	// Totals.
	wantJSON := SummaryJSON{Documents: wantSum.Documents, Valid: wantSum.Valid, Invalid: wantSum.Invalid, Bytes: wantSum.Bytes,
		Errors: wantSum.Violations[validators.Error], Warnings: wantSum.Violations[validators.Warning], Notices: wantSum.Violations[validators.Notice]}
	var validateText bytes.Buffer
	tf, _ := report.New("text", &validateText, report.Options{})
	if err := tf.Close(&wantSum); err != nil {
		t.Fatal(err)
	}
	wantJSON.Summary, _, _ = strings.Cut(validateText.String(), "\n")
	if sum != wantJSON {
		t.Errorf("summary %+v\nwant      %+v", sum, wantJSON)
	}
	if text != validateText.String() {
		t.Errorf("summary.txt:\n%s\nwant validate's:\n%s", text, validateText.String())
	}

	// Per rule, per API version, per kind.
	var wantCounts []CountRow
	for _, rc := range wantSum.RuleCounts() {
		wantCounts = append(wantCounts, CountRow{Rule: rc.Rule, Severity: rc.Severity.String(), Count: rc.Count})
	}
	kinds, invalidKinds := map[string]int64{}, map[string]int64{}
	for _, row := range all {
		k, _ := row["kind"].(string)
		kinds[k]++
		if row["valid"] == false {
			invalidKinds[k]++
		}
	}
	for _, k := range sortedKeys(kinds) {
		n := invalidKinds[k]
		wantCounts = append(wantCounts, CountRow{Kind: k, Documents: kinds[k], Invalid: &n})
	}
	for _, vc := range wantSum.VersionCounts() {
		wantCounts = append(wantCounts, CountRow{APIVersion: vc.APIVersion, Documents: vc.Documents})
	}
	if g, w := fmt.Sprint(deref(counts)), fmt.Sprint(deref(wantCounts)); g != w {
		t.Errorf("counts:\n%s\nwant:\n%s", g, w)
	}
	if len(kinds) < 5 {
		t.Errorf("only %d kinds: the mixed data does not test the per-resource counts", len(kinds))
	}
}

// deref shows count rows with their invalid counts, not pointers.
func deref(rows []CountRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		out[i] = string(b)
	}
	return out
}

// The comparison catches a pipeline that judges otherwise: on lines with
// undocumented fields, --strict changes validate's rows, and the pipeline's
// follow.
func TestStrictIsValidatesStrict(t *testing.T) {
	dir := t.TempDir()
	var mixed bytes.Buffer
	if _, err := bench.WriteMixed(&mixed, 200, 3); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(mixed.String(), "\n"), "\n")
	for i := 0; i < len(lines); i += 5 {
		lines[i] = strings.Replace(lines[i], "{", `{"undocumented_field":true,`, 1)
	}
	path := filepath.Join(dir, "extra.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lax := Options{MaxSize: validators.DefaultMaxSize, MaxDepth: validators.DefaultMaxDepth}
	strict := lax
	strict.Strict = true
	_, wantLax, _ := validated(t, lax, []string{path})
	_, wantStrict, _ := validated(t, strict, []string{path})
	if slices.Equal(wantLax, wantStrict) {
		t.Fatal("--strict does not change validate's rows here: the data cannot tell the runs apart")
	}
	got, _, _, _ := ran(t, Config{Input: path, Output: filepath.Join(dir, "strict"), Options: strict, Reshuffle: true})
	if !slices.Equal(got, wantStrict) {
		t.Errorf("--strict rows differ from validate --strict's: %s", diff(got, wantStrict))
	}
	if slices.Equal(got, wantLax) {
		t.Error("--strict rows are validate's without --strict")
	}
}

// A file that cannot be read to its end is named in unreadable.ndjson and
// fails the run (exit 2, as validate); the other files are still validated.
func TestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	var mixed, gz bytes.Buffer
	if _, err := bench.WriteMixed(&mixed, 300, 4); err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(&gz)
	zw.Write(mixed.Bytes())
	zw.Close()
	good := filepath.Join(dir, "good.ndjson")
	if err := os.WriteFile(good, mixed.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.ndjson.gz")
	if err := os.WriteFile(broken, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	c := Config{Input: filepath.Join(dir, "*.ndjson*"), Output: filepath.Join(dir, "out"),
		Options: Options{MaxSize: validators.DefaultMaxSize, MaxDepth: validators.DefaultMaxDepth}, Reshuffle: true}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), c, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2; stderr: %s", code, stderr.String())
	}
	bad := readLines(t, filepath.Join(c.Output, UnreadableFile))
	if len(bad) != 1 {
		t.Fatalf("unreadable files: %q, want the broken one", bad)
	}
	var row struct {
		Source    string `json:"source"`
		AfterLine int    `json:"after_line"`
		Error     string `json:"error"`
	}
	if err := json.Unmarshal([]byte(bad[0]), &row); err != nil {
		t.Fatal(err)
	}
	if row.Source != broken || row.AfterLine < 1 || row.AfterLine >= 300 || !strings.Contains(row.Error, "unexpected EOF") {
		t.Errorf("unreadable row %+v: want %s, the line read last before the damage, and the decoder's error", row, broken)
	}
	var sum SummaryJSON
	if err := json.Unmarshal([]byte(readLines(t, filepath.Join(c.Output, SummaryFile))[0]), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.UnreadableFiles != 1 || sum.Documents != int64(300+row.AfterLine) {
		t.Errorf("summary %+v: want 1 unreadable file, the good file's 300 documents and the %d read before the damage", sum, row.AfterLine)
	}
}

func TestUsageErrors(t *testing.T) {
	ok := Config{Input: "x", Output: t.TempDir(), Options: Options{MaxSize: 1, MaxDepth: 1}}
	for name, c := range map[string]Config{
		"no input":    {Output: ok.Output, Options: ok.Options},
		"no output":   {Input: "x", Options: ok.Options},
		"no size":     {Input: "x", Output: ok.Output, Options: Options{MaxDepth: 1}},
		"too deep":    {Input: "x", Output: ok.Output, Options: Options{MaxSize: 1, MaxDepth: validators.MaxDepthLimit + 1}},
		"bad version": {Input: "x", Output: ok.Output, Options: Options{MaxSize: 1, MaxDepth: 1, APIVersion: "2020-01-01"}},
	} {
		if err := c.check(); !errors.Is(err, errUsage) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and the error said", name, code, stderr.String())
		}
	}
	if err := ok.check(); err != nil {
		t.Errorf("a usable config: %v", err)
	}
	var stdout, stderr bytes.Buffer
	c := ok
	c.Input = filepath.Join(t.TempDir(), "*.ndjson")
	want := "stripe-contract-beam: --input " + c.Input + " matches no files\n"
	if code := run(context.Background(), c, &stdout, &stderr); code != 2 || stderr.String() != want {
		t.Errorf("a glob matching nothing: exit %d, stderr %q; want 2 and %q", code, stderr.String(), want)
	}
	stderr.Reset()
	c.Output = filepath.Join(writeOnce(t), "out")
	c.Input = filepath.Join(t.TempDir(), "*.ndjson")
	if err := os.WriteFile(strings.Replace(c.Input, "*", "a", 1), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), c, &stdout, &stderr); code != 2 || !strings.HasPrefix(stderr.String(), "stripe-contract-beam: --output "+c.Output+": ") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("an output under a file: exit %d, stderr %q; want 2 and one line naming it", code, stderr.String())
	}
	stderr.Reset()
	c.Output = ok.Output
	c.Input = "nosuchscheme://bucket/*.ndjson"
	if code := run(context.Background(), c, &stdout, &stderr); code != 2 || !strings.HasPrefix(stderr.String(), "stripe-contract-beam: --input "+c.Input+": ") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("a glob of an unknown file system: exit %d, stderr %q; want 2 and one line naming it", code, stderr.String())
	}
}

func TestCauseIsTheInnermostLine(t *testing.T) {
	err := errors.New("job job-001 failed:\nbundle inst003 failed:\n\tcaused by:\nsource failed processing data\n\tcaused by:\nwrite /x/unreadable.ndjson: permission denied\n")
	if got, want := cause(err), "write /x/unreadable.ndjson: permission denied"; got != want {
		t.Errorf("cause %q, want %q", got, want)
	}
	if got := cause(errors.New("one line")); got != "one line" {
		t.Errorf("cause %q of a one-line error", got)
	}
}

func TestFilesAreReadAsValidateReadsThem(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if strings.HasSuffix(name, ".gz") {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write([]byte(data))
			zw.Close()
			data = b.String()
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A .json file is one document, pretty-printed or not; another name's
	// bytes tell (here, lines).
	write("charge.json", "{\n  \"object\": \"charge\",\n  \"id\": \"ch_1\",\n  \"currency\": \"abc\"\n}\n")
	write("charge.json.gz", "{\n  \"object\": \"charge\",\n  \"id\": \"ch_2\"\n}\n")
	write("lines.txt", "{\"object\":\"charge\",\"id\":\"ch_3\"}\n{\"object\":\"customer\",\"id\":\"cus_1\"}\n")
	o := Options{MaxSize: maxSize, MaxDepth: validators.DefaultMaxDepth}
	c := Config{Input: filepath.Join(dir, "*"), Output: filepath.Join(t.TempDir(), "out"), Options: o, Reshuffle: true}
	paths, err := filepath.Glob(c.Input)
	if err != nil || len(paths) != 3 {
		t.Fatalf("glob: %v %v", paths, err)
	}
	_, want, wantSum := validated(t, o, paths)
	got, _, sum, _ := ran(t, c)
	if !slices.Equal(got, want) {
		t.Errorf("invalid rows differ from validate's: %s", diff(got, want))
	}
	if wantSum.Documents != 4 || sum.Documents != 4 {
		t.Errorf("documents: validate %d, Beam %d; want 4 (two .json files, two lines)", wantSum.Documents, sum.Documents)
	}
}
