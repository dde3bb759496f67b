package main_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// leakHarness is the upstream, the binary, and every cell run.
type leakHarness struct {
	bin      string
	upstream *httptest.Server
	planted  sync.Map // X-Leak-Cell id -> *exchange
	hits     sync.Map // X-Leak-Cell id -> *atomic.Int64: requests the upstream saw
	seq      atomic.Int64
	client   *http.Client

	mu    sync.Mutex
	cells []*cell

	sessions  atomic.Int64 // record runs
	sessionNS atomic.Int64 // and their time, added up
}

func newLeakHarness(t *testing.T) *leakHarness {
	bin := filepath.Join(t.TempDir(), "stripe-contract")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	h := &leakHarness{
		bin: bin,
		// The client neither asks for nor undoes compression by itself: the
		// Accept-Encoding it sends is the one written below.
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableCompression: true}},
	}
	h.upstream = httptest.NewServer(http.HandlerFunc(h.answer))
	t.Cleanup(h.upstream.Close)
	return h
}

// answer is the upstream: it plays the exchange the request names.
func (h *leakHarness) answer(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body) // and so the request's trailers arrive
	v, ok := h.planted.Load(r.Header.Get("X-Leak-Cell"))
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		io.WriteString(w, `{"error":{"type":"invalid_request_error","message":"Unrecognized request URL"}}`)
		return
	}
	hits, _ := h.hits.LoadOrStore(r.Header.Get("X-Leak-Cell"), &atomic.Int64{})
	hits.(*atomic.Int64).Add(1)
	x := v.(*exchange)
	if x.fault {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	for k, vs := range x.respHeader {
		w.Header()[k] = vs // as written: a header name keeps the case it was given
	}
	for k := range x.respTrailer {
		w.Header().Add("Trailer", k)
	}
	w.WriteHeader(x.status)
	w.Write(x.respBody)
	for k, vs := range x.respTrailer {
		w.Header()[k] = vs
	}
}

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

// recording is one run of record.
type recording struct {
	cells          []*cell
	exit           int
	hung           bool
	stdout, stderr []byte
	file           []byte
	written        bool
	clientErrs     []string
	reached        int // requests that reached the upstream
	onDisk         *revealer
	inStdout       *revealer
	inStderr       *revealer
	cassette       *cassette.Cassette
}

func (r *recording) refused() bool { return r.exit == 2 && !r.written }

// lockedBuffer is a bytes.Buffer written by a process while read by a test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.b.Bytes())
}

var listening = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

// proc is the binary running as a server.
type proc struct {
	cmd            *exec.Cmd
	done           chan struct{}
	stdout, stderr *lockedBuffer
	addr           string
}

// start runs the binary until it says where it listens.
func (h *leakHarness) start(t *testing.T, args ...string) *proc {
	p := &proc{cmd: exec.Command(h.bin, args...), done: make(chan struct{}), stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", args, err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	deadline := time.After(20 * time.Second)
	for {
		if addr := listening.Find(p.stderr.Bytes()); addr != nil {
			p.addr = string(addr)
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("%v exited %d before listening: %s", args, p.cmd.ProcessState.ExitCode(), p.stderr.Bytes())
		case <-deadline:
			p.cmd.Process.Kill()
			<-p.done
			t.Fatalf("%v did not start listening: %s", args, p.stderr.Bytes())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// stop interrupts a server as Ctrl-C does and waits, killing it past 20s.
func (p *proc) stop() (exit int, hung bool) {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		hung = true
	}
	return p.cmd.ProcessState.ExitCode(), hung
}

// record runs one record session over cells, in order.
func (h *leakHarness) record(t *testing.T, cells []*cell) *recording {
	began := time.Now()
	defer func() { h.sessions.Add(1); h.sessionNS.Add(int64(time.Since(began))) }()
	file := filepath.Join(t.TempDir(), "leak.yaml")
	args := []string{"record", "--upstream", h.upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0", "--timeout", "5s"}
	if cells[0].note != "" {
		args = append(args, "--note", cells[0].note)
	}
	p := h.start(t, args...)
	r := &recording{cells: cells}
	for _, c := range cells {
		before := h.seen(c.id)
		if err := h.send(p.addr, c.x); err != nil {
			r.clientErrs = append(r.clientErrs, fmt.Sprintf("%s: %v", c.name(), err))
		}
		if h.seen(c.id) > before {
			r.reached++
		}
	}
	r.exit, r.hung = p.stop()
	r.stdout, r.stderr = p.stdout.Bytes(), p.stderr.Bytes()
	if data, err := os.ReadFile(file); err == nil {
		r.file, r.written = data, true
	}
	r.onDisk = newRevealer()
	if r.written {
		r.onDisk.addYAML("cassette", r.file)
		c := &cassette.Cassette{}
		if yaml.Unmarshal(r.file, c) == nil {
			r.cassette = c
		}
	}
	r.inStdout, r.inStderr = newRevealer(), newRevealer()
	r.inStdout.add("stdout", r.stdout, 0)
	r.inStderr.add("stderr", r.stderr, 0)
	for _, c := range cells {
		c.runs = append(c.runs, r)
	}
	if *leakKeep != "" {
		dir := filepath.Join(*leakKeep, strings.ReplaceAll(t.Name(), "/", "_"), strconv.Itoa(int(h.seq.Add(1))))
		os.MkdirAll(dir, 0o755)
		var names []string
		for _, c := range cells {
			names = append(names, c.fam.name)
		}
		os.WriteFile(filepath.Join(dir, "cells"), []byte(strings.Join(names, "\n")+"\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "stdout"), r.stdout, 0o644)
		os.WriteFile(filepath.Join(dir, "stderr"), r.stderr, 0o644)
		if r.written {
			os.WriteFile(filepath.Join(dir, "leak.yaml"), r.file, 0o644)
		}
	}
	return r
}

// seen counts the requests of a cell the upstream answered.
func (h *leakHarness) seen(id string) int64 {
	if v, ok := h.hits.Load(id); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// send makes x's request through the proxy, the target as written.
func (h *leakHarness) send(proxy string, x *exchange) error {
	var body io.Reader
	if len(x.reqBody) > 0 {
		body = bytes.NewReader(x.reqBody)
		if x.reqTrailer != nil {
			body = io.NopCloser(body) // of unknown length: chunked, so trailers can follow
		}
	}
	req, err := http.NewRequest(x.method, proxy+"/", body)
	if err != nil {
		return err
	}
	req.URL.Path, req.URL.Opaque, req.URL.RawQuery = "", x.path, x.query
	for k, vs := range x.reqHeader {
		req.Header[k] = vs
	}
	req.Trailer = x.reqTrailer
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// interaction finds the cell's interaction in a written cassette.
func (r *recording) interaction(c *cell) *cassette.Interaction {
	if r.cassette == nil {
		return nil
	}
	labelled := false
	for _, i := range r.cassette.Interactions {
		if i != nil && i.Request.Headers.Get("X-Leak-Cell") != "" {
			labelled = true
			if i.Request.Headers.Get("X-Leak-Cell") == c.id {
				return i
			}
		}
	}
	if n := slices.Index(r.cells, c); !labelled && n >= 0 && n < len(r.cassette.Interactions) {
		return r.cassette.Interactions[n] // the recorder dropped the label: go by order
	}
	return nil
}

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
		msg := string(r.stderr)
		if !regexp.MustCompile(`interaction \d+`).MatchString(msg) {
			add(badMessage, "the refusal does not name the interaction: %s", tail(r.stderr))
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
	report.WriteString("place\tencoding\tfamily\texpect\tverdict\tproblems\n")
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
		fmt.Fprintf(&report, "%s\t%s\t%s\t%s\t%c\t%s\n", c.place.name, c.enc.name, c.fam.name,
			[]string{"write", "write-or-refuse", "refuse", "logs", "not-recorded"}[c.expect], mark, strings.Join(texts, " | "))
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

// telemetry checks that the SDK's client user agent and telemetry headers
// are dropped, or cut to the SDK's name and version, before saving: they
// carry the machine's uname and hostname and a telemetry id.
func (h *leakHarness) telemetry(t *testing.T) {
	host, uname, telemetryID, requestID := "build-"+strings.ToLower(rnd(16)), rnd(20), rnd(24), "req_"+rnd(14)
	ua := fmt.Sprintf(`{"bindings_version":"85.0.0","lang":"go","lang_version":"go1.26.8","publisher":"stripe","uname":"Linux %s 6.12.0-%s #1 SMP x86_64 GNU/Linux","hostname":%q,"telemetry_id":%q}`, host, uname, host, telemetryID)
	tm := fmt.Sprintf(`{"last_request_metrics":{"request_id":%q,"request_duration_ms":112,"usage":["stripe_client"]}}`, requestID)
	x := &exchange{method: "GET", path: "/v1/customers/cus_telemetry", reqHeader: http.Header{}, respHeader: http.Header{}}
	x.reqHeader.Set("User-Agent", "Stripe/v1 GoBindings/85.0.0")
	x.reqHeader.Set("X-Stripe-Client-User-Agent", ua)
	x.reqHeader.Set("X-Stripe-Client-Telemetry", tm)
	plainAnswer(x)
	c := &cell{id: "telemetry-" + strconv.FormatInt(h.seq.Add(1), 10), place: place{name: "telemetry"}, enc: encoding{name: "plain"}, fam: family{name: "client_user_agent"}, x: x}
	x.reqHeader.Set("X-Leak-Cell", c.id)
	h.planted.Store(c.id, x)
	r := h.record(t, []*cell{c})
	if !r.written {
		t.Fatalf("cassette not written (exit %d): %s", r.exit, tail(r.stderr))
	}
	for what, needle := range map[string]string{"hostname": host, "uname": uname, "telemetry_id": telemetryID, "telemetry request_id": requestID} {
		t.Run(strings.ReplaceAll(what, " ", "_"), func(t *testing.T) {
			for _, rv := range []*revealer{r.onDisk, r.inStdout, r.inStderr} {
				if where, ok := rv.find(needle); ok {
					t.Errorf("the client's %s is in %s", what, where)
				}
			}
		})
	}
	t.Run("reduced_to_sdk_name_and_version", func(t *testing.T) {
		i := r.interaction(c)
		if i == nil {
			t.Fatal("no interaction recorded")
		}
		for _, name := range []string{"X-Stripe-Client-User-Agent", "X-Stripe-Client-Telemetry"} {
			v := i.Request.Headers.Get(name)
			if v == "" {
				continue // dropped
			}
			var fields map[string]any
			if err := json.Unmarshal([]byte(v), &fields); err != nil {
				t.Errorf("%s kept as %q, neither dropped nor the SDK's name and version", name, v)
				continue
			}
			for k := range fields {
				if !slices.Contains([]string{"lang", "publisher", "bindings_version"}, k) {
					t.Errorf("%s keeps %q: want it dropped, or only lang, publisher and bindings_version", name, k)
				}
			}
		}
	})
}

// serve checks what serve answers and prints: a cassette recorded with one
// key, replayed with --match-header Authorization to callers with others,
// misses and rejections naming the request, must not repeat their secrets.
func (h *leakHarness) serve(t *testing.T) {
	recordedKey := "sk_test_51" + rnd(96)
	x := &exchange{method: "GET", path: "/v1/customers/cus_serve", reqHeader: http.Header{"Authorization": {"Bearer " + recordedKey}}, respHeader: http.Header{}}
	plainAnswer(x)
	c := &cell{id: "serve-" + strconv.FormatInt(h.seq.Add(1), 10), place: place{name: "serve"}, enc: encoding{name: "plain"}, fam: family{name: "bearer"}, x: x}
	x.reqHeader.Set("X-Leak-Cell", c.id)
	h.planted.Store(c.id, x)
	rec := h.record(t, []*cell{c})
	if !rec.written {
		t.Fatalf("the cassette to serve was not written (exit %d): %s", rec.exit, tail(rec.stderr))
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "recorded.yaml"), rec.file, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := h.start(t, "serve", "--cassettes", dir, "--match-header", "Authorization", "--listen", "127.0.0.1:0")
	api := srv.addr

	type call struct {
		name                string
		method, path, query string
		auth, cookie, form  string
		needle              string
		status              int
		answer              *revealer
	}
	key := func() (string, string) { body := rnd(96); return "sk_test_51" + body, body }
	var calls []*call
	k1, n1 := key()
	calls = append(calls, &call{name: "match_header_bearer_miss", method: "GET", path: "/v1/customers/cus_serve", auth: "Bearer " + k1, needle: n1})
	k2, n2 := key()
	calls = append(calls, &call{name: "match_header_basic_key_miss", method: "GET", path: "/v1/customers/cus_serve", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(k2+":")), needle: n2})
	pw := rnd(32)
	calls = append(calls, &call{name: "match_header_basic_password_miss", method: "GET", path: "/v1/customers/cus_serve", auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("leak-user:"+pw)), needle: pw})
	k3, n3 := key()
	calls = append(calls, &call{name: "key_in_query_miss", method: "GET", path: "/v1/customers/cus_serve", query: "key=" + k3, auth: "Bearer " + k3, needle: n3})
	k4, n4 := key()
	calls = append(calls, &call{name: "percent_key_in_query_miss", method: "GET", path: "/v1/customers/cus_serve", query: "key=" + percentAll(k4), needle: n4})
	k5, n5 := key()
	calls = append(calls, &call{name: "key_in_path_miss", method: "GET", path: "/v1/customers/" + k5, needle: n5})
	k6, n6 := key()
	calls = append(calls, &call{name: "percent_key_in_path_miss", method: "GET", path: "/v1/customers/" + percentAll(k6), needle: n6})
	k7, n7 := key()
	calls = append(calls, &call{name: "key_in_form_miss", method: "POST", path: "/v1/customers", form: "description=x&metadata[note]=" + k7, needle: n7})
	k8, n8 := key()
	calls = append(calls, &call{name: "key_in_unknown_param_rejected", method: "GET", path: "/v1/invoice_payments", query: "invoice=in_1&api_key=" + k8, needle: n8})
	cs := clientSecret("pi_3")()
	calls = append(calls, &call{name: "client_secret_in_query_miss", method: "GET", path: "/v1/payment_intents/pi_1", query: "client_secret=" + cs.value, needle: cs.needle})
	ck := rnd(40)
	calls = append(calls, &call{name: "cookie_miss", method: "GET", path: "/v1/customers/cus_other", cookie: "__stripe_sid=" + ck, needle: ck})

	for _, cl := range calls {
		var body io.Reader
		if cl.form != "" {
			body = strings.NewReader(cl.form)
		}
		req, _ := http.NewRequest(cl.method, api+"/", body)
		req.URL.Path, req.URL.Opaque, req.URL.RawQuery = "", cl.path, cl.query
		if cl.form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cl.auth != "" {
			req.Header.Set("Authorization", cl.auth)
		}
		if cl.cookie != "" {
			req.Header.Set("Cookie", cl.cookie)
		}
		cl.answer = newRevealer()
		resp, err := h.client.Do(req)
		if err != nil {
			cl.status = -1
			continue
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cl.status = resp.StatusCode
		var hdr bytes.Buffer
		resp.Header.Write(&hdr)
		cl.answer.add("the answer's headers", hdr.Bytes(), 0)
		cl.answer.add("the answer's body", data, 0)
	}
	exit, hung := srv.stop()
	out, errs := newRevealer(), newRevealer()
	out.add("serve's stdout", srv.stdout.Bytes(), 0)
	errs.add("serve's stderr", srv.stderr.Bytes(), 0)
	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			if cl.status < 400 {
				t.Errorf("answered %d: the scenario wants a miss or a rejection", cl.status)
			}
			for _, rv := range []*revealer{cl.answer, out, errs} {
				if where, ok := rv.find(cl.needle); ok {
					t.Errorf("the caller's secret is in %s", where)
				}
				if where, ok := rv.find(recordedKey[len("sk_test_51"):]); ok {
					t.Errorf("the recorded key is in %s", where)
				}
			}
		})
	}
	if hung || exit != 0 {
		t.Errorf("serve exited %d (hung %v) on SIGINT: %s", exit, hung, tail(srv.stderr.Bytes()))
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
