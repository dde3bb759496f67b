package main_test

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// TestLeak is the issue's acceptance check, black box: "no secret on disk,
// in a log or in a message: every Stripe secret family, in every encoding".
// A Stripe-like upstream on loopback plants a fresh secret of each family
// in one place under one encoding; a client sends the requests through the
// real record binary; record is stopped with SIGINT; then the cassette
// (raw, and every scalar as YAML reads it, each through every decoder chain
// of leak_reveal_test.go) and record's stdout and stderr must not hold the
// secret's body. Plain secrets, and secrets in gzip, deflate, br or zstd
// bodies, must be redacted with the cassette written, the pk_ keys and
// ordinary fields beside them kept; xz and bzip2 payloads and a
// Content-Encoding the recorder cannot decode must be refused, exit 2,
// nothing written, the message naming interaction, family and encoding;
// any other encoding may be redacted or refused.
//
// Cells are TestLeak/PLACE/ENCODING/FAMILY. One record session serves all
// families of a place and encoding, and is run again without the
// interaction a refusal names, so each cell's verdict is its own (see
// runGroup). The matrix, a letter a cell, is logged at the end. Run alone:
//
//	go test ./cmd/stripe-contract -run 'TestLeak' -leak.report=/tmp/leak.tsv
//	go test ./cmd/stripe-contract -run 'TestLeak/query/percent/sk_live' -v
//
// -leak.keep=DIR keeps each session's cassette, stdout and stderr.
func TestLeak(t *testing.T) {
	h := newLeakHarness(t)
	t.Cleanup(func() { h.summarise(t) })
	for _, p := range append(slices.Clone(places), place{name: notePlace}) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			for _, e := range encodings {
				cells := h.cellsFor(t, p, e)
				if len(cells) == 0 {
					continue
				}
				t.Run(e.name, func(t *testing.T) {
					t.Parallel()
					h.mu.Lock()
					h.cells = append(h.cells, cells...)
					h.mu.Unlock()
					h.runGroup(t, cells)
					for _, c := range cells {
						t.Run(c.fam.name, func(t *testing.T) {
							for _, problem := range c.verdict() {
								t.Error(problem)
							}
						})
					}
				})
			}
		})
	}
	t.Run("telemetry", func(t *testing.T) { t.Parallel(); h.telemetry(t) })
	t.Run("serve", func(t *testing.T) { t.Parallel(); h.serve(t) })
}

var (
	leakReport = flag.String("leak.report", "", "TestLeak: write every cell's verdict to this file (tab-separated)")
	leakKeep   = flag.String("leak.keep", "", "TestLeak: keep each record session's cassette, stdout and stderr under this folder")
)

// cell is one family in one place under one encoding.
type cell struct {
	id       string
	place    place
	enc      encoding
	fam      family
	sec      secret
	ordinary string
	x        *exchange
	note     string // for the note place: the --note text
	expect   expectation

	runs  []*recording // every record session it was part of
	final *recording   // the one whose outcome is its own
}

func (c *cell) name() string { return c.place.name + "/" + c.enc.name + "/" + c.fam.name }

// cellsFor mints the cells of a place and an encoding, fresh secrets each.
func (h *leakHarness) cellsFor(t *testing.T, p place, e encoding) []*cell {
	if p.name == notePlace {
		if !noteEncodings(e) {
			return nil
		}
	} else if !p.accepts(e) {
		return nil
	}
	var out []*cell
	for _, f := range families {
		if p.name == notePlace {
			if f.kind != prefixed && f.kind != publishable {
				continue
			}
		} else if !p.takes(f) {
			continue
		}
		expect := e.expect
		if f.kind == publishable && expect != mustWrite {
			continue // a pk_ key is only checked where the cassette must be written
		}
		if p.name == "upstream_fault_url" {
			expect = logsOnly
			if f.kind == publishable {
				continue
			}
		}
		c := &cell{id: strconv.FormatInt(h.seq.Add(1), 10), place: p, enc: e, fam: f, sec: f.mint(), ordinary: "ordinary-" + strings.ToLower(rnd(12)), expect: expect}
		planted := c.sec.value
		if e.value != nil {
			planted = e.value(planted)
		}
		if p.name == notePlace {
			c.note = "Recorded by ops from the staging account with " + planted + " on the release day.\nOrdinary: " + c.ordinary
			c.x = &exchange{reqHeader: http.Header{}, respHeader: http.Header{}, method: "GET", path: "/v1/customers/cus_1"}
			plainAnswer(c.x)
		} else {
			c.x = &exchange{reqHeader: http.Header{}, respHeader: http.Header{}, method: "GET", path: "/v1/customers/cus_" + c.id}
			p.plant(c.x, f, planted, c.ordinary)
			if e.body != nil && !applyBody(p, e, c.x, c.sec.needle) {
				t.Errorf("%s: the %s compressor stored the secret readable; the cell would not test a compressed secret", c.name(), e.name)
			}
		}
		if c.sec.auth != "" {
			c.x.reqHeader.Set("Authorization", c.sec.auth)
		}
		if c.sec.cookie != "" {
			c.x.reqHeader.Set("Cookie", c.sec.cookie)
		}
		c.x.reqHeader.Set("X-Leak-Cell", c.id)
		c.x.reqHeader.Set("Accept-Encoding", "gzip, deflate, br, zstd")
		h.planted.Store(c.id, c.x)
		out = append(out, c)
	}
	return out
}

// runGroup records cells together. When the recording is refused, the
// interaction the refusal names is taken out, its verdict that refusal,
// and the others are recorded again, so that one refused secret does not
// decide the verdict of its neighbours. A cell that must be written is
// recorded alone to confirm its refusal is its own; a refusal that names
// no interaction sends every cell left to a session of its own.
func (h *leakHarness) runGroup(t *testing.T, cells []*cell) {
	if cells[0].place.name == notePlace || cells[0].expect == mustRefuse {
		for _, c := range cells {
			c.final = h.record(t, []*cell{c}) // one --note a session; each refusal's message its own
		}
		return
	}
	pending := cells
	for len(pending) > 0 {
		r := h.record(t, pending)
		if !r.refused() {
			for _, c := range pending {
				c.final = r
			}
			return
		}
		n := -1
		if m := refusedInteraction.FindAllSubmatch(r.stderr, -1); m != nil {
			n, _ = strconv.Atoi(string(m[len(m)-1][1]))
		}
		// The refusal's interaction number is the request's place in the
		// session only if every request reached the upstream and was
		// recorded in order.
		if n < 0 || n >= len(pending) || r.reached != len(pending) {
			for _, c := range pending {
				c.final = h.record(t, []*cell{c})
			}
			return
		}
		culprit := pending[n]
		culprit.final = r
		if culprit.expect == mustWrite && len(pending) > 1 {
			culprit.final = h.record(t, []*cell{culprit})
		}
		pending = slices.Delete(slices.Clone(pending), n, n+1)
	}
}

var refusedInteraction = regexp.MustCompile(`interaction (\d+)`)

// problem is one way a cell fails: its class (for the summary) and what.
type problem struct {
	class byte
	text  string
}

// Problem classes, most serious first.
const (
	leakedOnDisk  = 'D' // the secret can be read back from the cassette
	leakedInLog   = 'L' // ... from record's stdout or stderr
	notWritten    = 'R' // refused (or not saved) where redaction must reach
	notRefused    = 'W' // written where it must be refused
	badMessage    = 'M' // refused without naming interaction, family and encoding
	notDecoded    = 'E' // a Content-Encoding body recorded still encoded, or its header kept
	notKept       = 'K' // a pk_ key or an ordinary field redacted away
	notExercised  = 'X' // the request was not recorded, nor refused: the cell tested nothing
	crashedOrHung = 'H'
)

// classOrder ranks problem classes for a cell's one letter.
const classOrder = "DLRWXMEKH"

// refusal is what record said after it started: its stderr without the
// "proxying ... recording into FILE" banner, whose words prove nothing.
func refusal(stderr []byte) string {
	var lines []string
	for line := range strings.SplitSeq(string(stderr), "\n") {
		if !strings.Contains(line, "record: proxying ") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 400 {
		s = "..." + s[len(s)-400:]
	}
	return s
}

func (c *cell) problems() []problem {
	var out []problem
	seen := map[string]bool{}
	add := func(class byte, format string, args ...any) {
		text := fmt.Sprintf(format, args...)
		if !seen[text] {
			seen[text] = true
			out = append(out, problem{class, text})
		}
	}
	if c.final == nil {
		return []problem{{crashedOrHung, "never recorded"}}
	}
	for _, r := range c.runs {
		if r.hung {
			add(crashedOrHung, "record did not exit within 20s of SIGINT")
		}
		if r.exit > 2 || r.exit < 0 {
			add(crashedOrHung, "record exited %d: %s", r.exit, tail(r.stderr))
		}
		if c.fam.kind == publishable {
			continue
		}
		if r.written {
			if where, ok := r.onDisk.find(c.sec.needle); ok {
				add(leakedOnDisk, "secret on disk, read back from %s", where)
			}
		}
		if where, ok := r.inStdout.find(c.sec.needle); ok {
			add(leakedInLog, "secret in record's output, read back from %s", where)
		}
		if where, ok := r.inStderr.find(c.sec.needle); ok {
			add(leakedInLog, "secret in record's messages, read back from %s", where)
		}
	}
	r := c.final
	if (c.expect == mayRefuse || c.expect == mustWrite && r.written) && !r.refused() && r.interaction(c) == nil {
		add(notExercised, "not exercised: record kept no interaction for this request (exit %d): %s", r.exit, tail(r.stderr))
	}
	switch c.expect {
	case mustWrite:
		if !r.written {
			add(notWritten, "cassette not written (exit %d), though redaction must reach a %s secret here: %s", r.exit, c.enc.name, tail(r.stderr))
			break
		}
		if r.exit != 0 && r.exit != 1 {
			add(notWritten, "cassette written, but exit %d, want 0 or 1 for a saved cassette: %s", r.exit, tail(r.stderr))
		}
		if _, ok := r.onDisk.find(c.ordinary); !ok {
			add(notKept, "the ordinary field beside the secret (%s) is gone from the cassette", c.ordinary)
		}
		if c.fam.kind == publishable {
			if _, ok := r.onDisk.find(c.sec.needle); !ok {
				add(notKept, "the publishable key %s... was not kept", c.sec.value[:12])
			}
		}
		if ce := c.enc.header.Get("Content-Encoding"); ce != "" {
			i := r.interaction(c)
			switch {
			case i == nil:
				add(notDecoded, "no interaction recorded for this request")
			case !strings.Contains(strings.ToLower(i.Response.Body), c.ordinary):
				add(notDecoded, "response body recorded as sent, %s-encoded, not decoded", ce)
			}
			if i != nil {
				if got := i.Response.Headers.Get("Content-Encoding"); got != "" && got != "identity" {
					add(notDecoded, "Content-Encoding: %s kept on a recorded body", got)
				}
			}
		}
	case notRecorded:
		if r.written && r.interaction(c) != nil {
			add(notRefused, "the %s response was recorded, though the recorder cannot decode it", c.enc.name)
		}
		if !regexp.MustCompile(`(?i)` + c.enc.named).MatchString(string(r.stderr)) {
			add(badMessage, "the fault does not name the encoding (%s): %s", c.enc.name, tail(r.stderr))
		}
	case mustRefuse:
		if r.written {
			add(notRefused, "cassette written (exit %d), though a %s body cannot be redacted and must be refused", r.exit, c.enc.name)
			break
		}
		if r.exit != 2 {
			add(notRefused, "exit %d, want 2 for a refused cassette: %s", r.exit, tail(r.stderr))
		}
		msg := refusal(r.stderr)
		if !regexp.MustCompile(`interaction \d+`).MatchString(msg) {
			add(badMessage, "the refusal does not name the interaction: %s", tail(r.stderr))
		}
		if !regexp.MustCompile(`(?i)body`).MatchString(msg) {
			add(badMessage, "the refusal does not name the field (the response body): %s", tail(r.stderr))
		}
		if c.fam.named != "" && !regexp.MustCompile(`(?i)`+c.fam.named).MatchString(msg) {
			add(badMessage, "the refusal does not name the family (%s): %s", c.fam.name, tail(r.stderr))
		}
		if !regexp.MustCompile(`(?i)` + c.enc.named).MatchString(msg) {
			add(badMessage, "the refusal does not name the encoding (%s): %s", c.enc.name, tail(r.stderr))
		}
	}
	for _, e := range r.clientErrs {
		if strings.HasPrefix(e, c.name()+":") && c.expect != logsOnly {
			add(crashedOrHung, "the client's request failed: %s", e)
		}
	}
	slices.SortStableFunc(out, func(a, b problem) int {
		return strings.IndexByte(classOrder, a.class) - strings.IndexByte(classOrder, b.class)
	})
	return out
}

// outcome is what record did with the cell's own session.
func (c *cell) outcome() string {
	r := c.final
	switch {
	case r == nil:
		return "not run"
	case r.refused():
		return "refused"
	case r.written:
		return fmt.Sprintf("written (exit %d)", r.exit)
	}
	return fmt.Sprintf("nothing written (exit %d)", r.exit)
}

func (c *cell) verdict() []string {
	var out []string
	for _, p := range c.problems() {
		out = append(out, p.text)
	}
	return out
}

// summarise prints the matrix, a letter a cell (. passes), and writes the
// report file when asked.
func (h *leakHarness) summarise(t *testing.T) {
	h.mu.Lock()
	cells := slices.Clone(h.cells)
	h.mu.Unlock()
	if len(cells) == 0 {
		return
	}
	rank := func(c *cell) int {
		p := slices.IndexFunc(places, func(x place) bool { return x.name == c.place.name })
		if p < 0 {
			p = len(places)
		}
		return p*len(encodings) + slices.IndexFunc(encodings, func(x encoding) bool { return x.name == c.enc.name })
	}
	slices.SortStableFunc(cells, func(a, b *cell) int { return rank(a) - rank(b) })

	var b, report strings.Builder
	b.WriteString("leak matrix: one letter a family, in this order:\n")
	for n, f := range families {
		fmt.Fprintf(&b, "  %c %s\n", 'a'+n, f.name)
	}
	b.WriteString(". passes, D on disk, L in record's output, R not written, W written where it must be refused,\n" +
		"M refusal message incomplete, E Content-Encoding not decoded, K pk_ or ordinary field lost,\n" +
		"X not exercised (neither recorded nor refused), H crash or hang, blank not a cell\n\n")
	fmt.Fprintf(&b, "%-44s %s\n", "place/encoding", "abcdefghijklmnopqrstuvwxyz"[:len(families)])
	report.WriteString("place\tencoding\tfamily\texpect\toutcome\tverdict\tproblems\n")
	var row []byte
	key := ""
	flush := func() {
		if key != "" {
			fmt.Fprintf(&b, "%-44s %s\n", key, row)
		}
	}
	pass, fail := 0, 0
	for _, c := range cells {
		if k := c.place.name + "/" + c.enc.name; k != key {
			flush()
			key, row = k, bytes.Repeat([]byte(" "), len(families))
		}
		ps := c.problems()
		mark := byte('.')
		if len(ps) > 0 {
			mark = ps[0].class
			fail++
		} else {
			pass++
		}
		row[slices.IndexFunc(families, func(f family) bool { return f.name == c.fam.name })] = mark
		var texts []string
		for _, p := range ps {
			texts = append(texts, string(p.class)+": "+strings.ReplaceAll(p.text, "\n", " "))
		}
		fmt.Fprintf(&report, "%s\t%s\t%s\t%s\t%s\t%c\t%s\n", c.place.name, c.enc.name, c.fam.name,
			[]string{"write", "write-or-refuse", "refuse", "logs", "not-recorded"}[c.expect], c.outcome(), mark, strings.Join(texts, " | "))
	}
	flush()
	fmt.Fprintf(&b, "\n%d cells: %d pass, %d fail; %d record sessions, %v on average\n", pass+fail, pass, fail,
		h.sessions.Load(), time.Duration(h.sessionNS.Load()/max(1, h.sessions.Load())).Round(time.Millisecond))
	t.Log(b.String())
	if *leakReport != "" {
		if err := os.WriteFile(*leakReport, []byte(b.String()+"\n"+report.String()), 0o644); err != nil {
			t.Errorf("-leak.report: %v", err)
		}
	}
}

// TestLeakChecker proves the checker can fail: a secret planted by each
// encoding, as the cells plant it and inside a cassette as go-vcr writes
// it, is read back.
func TestLeakChecker(t *testing.T) {
	for _, e := range encodings {
		t.Run(e.name, func(t *testing.T) {
			// An opaque value whose first two characters may read as hex,
			// after "key=" as the octet-stream cells plant it.
			s := secret{value: "FD" + rnd(38)}
			s.needle = s.value
			var body []byte
			if e.value != nil {
				body = []byte("key=" + e.value(s.value) + "\n" + filler)
			} else {
				body = e.body([]byte("key=" + s.value + "\n" + filler))
			}
			c := &cassette.Cassette{Version: 2, Interactions: []*cassette.Interaction{{
				Request:  cassette.Request{Method: "GET", URL: "http://x/", Headers: http.Header{"X-Body": {string(body)}}},
				Response: cassette.Response{Code: 200, Body: string(body), Headers: http.Header{}},
			}}}
			data, err := yaml.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			r := newRevealer()
			r.addYAML("cassette", data)
			if _, ok := r.find(s.needle); !ok {
				t.Errorf("the checker cannot read a %s secret back from a cassette", e.name)
			}
			r = newRevealer()
			r.add("log", body, 0)
			if _, ok := r.find(s.needle); !ok {
				t.Errorf("the checker cannot read a %s secret back from a log", e.name)
			}
			if _, ok := r.find(rnd(40)); ok {
				t.Errorf("the checker reads back what was never there")
			}
		})
	}
}
