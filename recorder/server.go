package recorder

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/validators"
)

// ReplayedFromHeader names, in a Server's response, the cassette and
// interaction it was answered from: "stripe-mock/retrieve_open.yaml#/interactions/0".
const ReplayedFromHeader = "Stripe-Contract-Replayed-From"

// MissHeader marks a Server's answer to a request that matched nothing.
const MissHeader = "Stripe-Contract-Miss"

// RequestViolationHeader names, in a Server's answer to a request that
// breaks the request contract (see WithRequestCheck), the rule of its first
// violation: on the error envelope the Server sends, and on a recorded 4xx
// it replays.
const RequestViolationHeader = "Stripe-Contract-Request-Violation"

// RequestError is a request that breaks the request contract, as a Server
// rejects it.
type RequestError struct {
	Method, URL string
	Violations  []validators.Violation
}

// Error names the request and every rule it broke, with where.
func (e *RequestError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return fmt.Sprintf("%s %s breaks the request contract: %s", e.Method, e.URL, strings.Join(parts, "; "))
}

// Server answers HTTP requests from a set of cassettes, for SDK test
// suites in any language: point the SDK's API base at it. It is an
// http.Handler, safe for concurrent use, to run in-process
// (httptest.NewServer(srv)) or behind stripe-contract serve.
//
// A request is answered by the first recorded interaction it matches (see
// Matcher) that has not been played yet, in file and interaction order, so
// a cassette that records the same request twice (an invoice payment open,
// then paid) plays its answers in order; once all are played, the last one
// repeats. A request that matches nothing gets a Stripe-shaped error
// envelope, {"error":{"type":"invalid_request_error","message":...}},
// whose message names the nearest recorded request and what differs: 404
// when no recording has the same method and path, 400 otherwise.
type Server struct {
	matcher  *Matcher
	onMiss   func(*http.Request, *MissError)
	requests RequestChecker
	onReject func(*http.Request, *RequestError)

	mu      sync.Mutex
	entries []serverEntry
	files   []string
}

type serverEntry struct {
	candidate
	interaction *cassette.Interaction
	played      bool
}

// NewServer reads every cassette (*.yaml) under fsys, in lexical order;
// hidden files and folders are skipped. Options read: WithMatchHeaders,
// WithMissHandler, WithRequestCheck, WithRejectHandler. A cassette that cannot be read is an error naming it;
// so is a set with no cassette.
func NewServer(fsys fs.FS, opts ...Option) (*Server, error) {
	cfg := newConfig(opts)
	s := &Server{matcher: NewMatcher(cfg.matchHeaders...), onMiss: cfg.onMiss, requests: cfg.requests, onReject: cfg.onReject}
	files, err := CassetteFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("recorder: %w", err)
	}
	for _, p := range files {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("recorder: %w", err)
		}
		c, _, err := parseCassette(data)
		if err != nil {
			return nil, fmt.Errorf("recorder: cassette %s: %w", p, err)
		}
		s.files = append(s.files, p)
		for n, i := range c.Interactions {
			s.entries = append(s.entries, serverEntry{
				candidate:   candidate{cassette: p, index: n, request: i.Request, shape: s.matcher.recordedShape(i.Request)},
				interaction: i,
			})
		}
	}
	if len(s.files) == 0 {
		return nil, errors.New("recorder: no cassettes (*.yaml files) found")
	}
	return s, nil
}

// Cassettes lists the cassette files served, relative to the set's root.
func (s *Server) Cassettes() []string { return append([]string(nil), s.files...) }

// Interactions counts the recorded interactions served.
func (s *Server) Interactions() int { return len(s.entries) }

// ServeHTTP answers r from the cassettes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var violations []validators.Violation
	if s.requests != nil {
		violations = s.requests.Check(r)
	}
	if len(violations) > 0 {
		w.Header().Set(RequestViolationHeader, violations[0].Rule)
		// The API's own answer to this request, when recorded, is a 4xx:
		// replay it. Anything else would tell the SDK the request is fine.
		if e, _ := s.lookup(r, false); e == nil || e.interaction.Response.Code < 400 || e.interaction.Response.Code >= 500 {
			if s.onReject != nil {
				s.onReject(r, &RequestError{Method: r.Method, URL: r.URL.RequestURI(), Violations: violations})
			}
			status, body := s.requests.ErrorResponse(violations)
			h := w.Header()
			h.Set("Content-Type", "application/json")
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			w.Write(body)
			return
		}
	}
	e, miss := s.lookup(r, true)
	if miss != nil {
		if s.onMiss != nil {
			s.onMiss(r, miss)
		}
		status := http.StatusBadRequest
		if n := miss.Nearest; n == nil || n.Method != r.Method || !samePath(n, r) {
			status = http.StatusNotFound
		}
		w.Header().Set(MissHeader, "true")
		writeError(w, status, "invalid_request_error", miss.Error())
		return
	}
	resp := &e.interaction.Response
	h := w.Header()
	for name, vals := range resp.Headers {
		switch http.CanonicalHeaderKey(name) {
		case "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive":
			continue
		}
		h[name] = append([]string(nil), vals...)
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	h.Set(ReplayedFromHeader, e.cassette+"#/interactions/"+strconv.Itoa(e.index))
	code := resp.Code
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		io.WriteString(w, resp.Body)
	}
}

// lookup finds the interaction that answers r, or says why none does;
// consume marks it played (false only looks).
func (s *Server) lookup(r *http.Request, consume bool) (*serverEntry, *MissError) {
	sent := s.matcher.requestShape(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	var last *serverEntry
	for k := range s.entries {
		e := &s.entries[k]
		if len(s.matcher.diff(sent, e.shape)) != 0 {
			continue
		}
		if !e.played {
			e.played = consume
			return e, nil
		}
		last = e
	}
	if last != nil {
		return last, nil
	}
	cands := make([]candidate, len(s.entries))
	for k, e := range s.entries {
		cands[k] = e.candidate
	}
	return nil, s.matcher.miss(r, sent, cands)
}

func samePath(n *Nearest, r *http.Request) bool {
	for _, d := range n.Differences {
		if d.Part == "path" {
			return false
		}
	}
	return true
}
