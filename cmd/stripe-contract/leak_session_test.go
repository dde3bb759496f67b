package main_test

import (
	"bytes"
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
