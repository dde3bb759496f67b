package recorder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/recorder/secret"
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

// MissStatus is the status of a Server's answer to a request that
// matches no recording: 421 Misdirected Request, which Stripe never sends
// (it sends 200, 400, 401, 402, 403, 404, 409, 424, 429, 500, 502, 503 and
// 504), so a test that expects one of the API's errors cannot pass on a
// miss; and which no Stripe SDK retries (stripe-go, stripe-node and
// stripe-python retry only what may be transient: 409, 5xx, some 429s), so
// a miss is one request, answered once. The answer also says
// Stripe-Should-Retry: false, which they honour.
const MissStatus = http.StatusMisdirectedRequest

// MissErrorType is the "type" of a miss's error envelope: none of Stripe's
// (api_error, card_error, idempotency_error, invalid_request_error), so
// SDKs raise their generic error, not the one a bad request gets.
const MissErrorType = "stripe_contract_miss"

// Server answers HTTP requests from a set of cassettes, for SDK test
// suites in any language: point the SDK's API base at it. It is an
// http.Handler, safe for concurrent use, to run in-process
// (httptest.NewServer(srv)) or behind stripe-contract serve.
//
// A request is answered by a recorded interaction it matches (see
// Matcher), chosen by the credential it carries (the API key in its
// Authorization): labels and fingerprints are per cassette (see
// CredentialHeader), and
//
//   - a credential whose fingerprint matches a recorded label's (or that
//     is the label itself, as a recorded request sent back verbatim
//     carries it) gets that label's interactions;
//   - any other credential (the CI's dummy key replaying a recording made
//     with a real one) gets the interactions of labels that were never
//     rejected (none of theirs answered 401), or, failing those, the
//     unauthenticated recordings;
//   - a request without a credential gets the unauthenticated recording
//     if there is one, else as any other credential;
//   - a credential recorded as rejected gets only its own recordings of
//     that cassette, the rejections: never another key's answers.
//
// So a cassette that recorded an object with a valid key (200) and a
// rejected one (401) answers each key as the API did, in any order and on
// every run. When no recording may answer the caller, the miss says why
// (a "credential" difference).
//
// Identical requests play in recorded order (an invoice payment open,
// then paid) within a session, and once all are played the last one
// repeats. A session is the requests carrying one SessionHeader value,
// else one connection (give the http.Server ConnContext; without it a
// connection is told by its remote address), so two runs of a suite get
// the same answers; POST ResetPath, or Reset, starts every session over.
//
// A request that matches nothing gets MissStatus with MissHeader, an error
// envelope of type MissErrorType whose message names the nearest recorded
// request and what differs (and "nearest" and "differences" members for
// tools), and no credential anywhere: the caller's are redacted from what
// it quotes. The nearest is searched among a bounded number of recordings
// of the same method (and, first, path), outside any lock, so misses do not
// hold up hits. Interactions are indexed by method and path.
type Server struct {
	matcher  *Matcher
	onMiss   func(*http.Request, *MissError)
	requests RequestChecker
	onReject func(*http.Request, *RequestError)

	// Built by NewServer and never changed: requests read them unlocked.
	entries []serverEntry
	files   []string
	index   *index
	labels  [][]*labelInfo // per cassette, in order of its files

	sessions sessions
}

type serverEntry struct {
	candidate
	file        int // index in files
	interaction *cassette.Interaction
	label       *labelInfo // nil when the request was recorded without a labelled credential
}

// WithMaxCassetteSize bounds each cassette file a Server reads, in bytes
// (0: cassette.DefaultMaxSize, 64 MiB): a larger one is an error naming it
// (a *cassette.TooLargeError), read no further than the limit.
func WithMaxCassetteSize(n int64) ServerOption {
	return serverOption(func(c *config) { c.maxCassette = n })
}

// WithSkipHandler is told of each *.yaml file a Server's walk of its
// cassette set passes over for not being a regular file (a named pipe, a
// device), so that a command can say so; by default they pass silently.
func WithSkipHandler(fn func(disk.Skipped)) ServerOption {
	return serverOption(func(c *config) { c.onSkip = fn })
}

// NewServer reads every cassette (*.yaml) under fsys, in lexical order
// (cassette.Walk: regular files only; hidden files and folders are
// skipped). Options read: WithMatchHeaders, WithMissHandler,
// WithRequestCheck, WithRejectHandler, WithMaxCassetteSize,
// WithSkipHandler. A cassette that cannot be read, or is over the size
// limit, is an error naming it; so is a set with no cassette.
func NewServer(fsys fs.FS, opts ...ServerOption) (*Server, error) {
	cfg := serverConfig(opts)
	s := &Server{matcher: NewMatcher(cfg.matchHeaders...), onMiss: cfg.onMiss, requests: cfg.requests, onReject: cfg.onReject, index: newIndex()}
	files, err := stripecassette.Walk(fsys, cfg.onSkip)
	if err != nil {
		return nil, fmt.Errorf("recorder: %w", err)
	}
	for _, p := range files {
		c, err := stripecassette.Load(fsys, p, cfg.maxCassette)
		if err != nil {
			return nil, fmt.Errorf("recorder: %w", err)
		}
		file := len(s.files)
		s.files = append(s.files, p)
		labels := map[string]*labelInfo{}
		var order []*labelInfo
		for _, ci := range c.Interactions {
			i := ci.Interaction
			e := serverEntry{
				candidate:   candidate{cassette: p, index: ci.Index, request: i.Request, shape: s.matcher.recordedShape(i.Request)},
				file:        file,
				interaction: i,
			}
			if cred := e.shape.cred; cred.label != "" {
				l := labels[cred.label]
				if l == nil {
					l = &labelInfo{cred: cred}
					labels[cred.label] = l
					order = append(order, l)
				}
				if l.cred.fp == "" {
					l.cred = cred
				}
				l.rejected = l.rejected || i.Response.Code == http.StatusUnauthorized
				e.label = l
			}
			s.index.add(len(s.entries), e.shape)
			s.entries = append(s.entries, e)
		}
		s.labels = append(s.labels, order)
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

// ServeHTTP answers r from the cassettes; a path under ControlPrefix is
// the Server's own (ResetPath).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, ControlPrefix) {
		s.control(w, r)
		return
	}
	sess := s.sessions.of(r)
	var violations []validators.Violation
	if s.requests != nil {
		violations = s.requests.Check(r)
	}
	if len(violations) > 0 {
		w.Header().Set(RequestViolationHeader, violations[0].Rule)
		// The API's own answer to this request, when recorded, is a 4xx:
		// replay it. Anything else would tell the SDK the request is fine.
		if e, _ := s.lookup(r, sess, false); e == nil || e.interaction.Response.Code < 400 || e.interaction.Response.Code >= 500 {
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
	e, miss := s.lookup(r, sess, true)
	if miss != nil {
		if s.onMiss != nil {
			s.onMiss(r, miss)
		}
		writeMiss(w, miss)
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

// lookup finds the interaction that answers r in its session, or says why
// none does; consume marks it played (false only looks). Only the
// session's own lock is taken, and only to pick among the eligible.
func (s *Server) lookup(r *http.Request, sess *session, consume bool) (*serverEntry, *MissError) {
	sent := s.matcher.requestShape(r)
	fps := fingerprints{}
	var matched []int
	for _, k := range s.index.samePath(sent, s.entries) {
		if len(s.matcher.diffWith(sent, s.entries[k].shape, fps)) == 0 {
			matched = append(matched, k)
		}
	}
	best, eligible := noRank, []int(nil)
	who := map[int]callerIn{}
	for _, k := range matched {
		e := &s.entries[k]
		id, ok := who[e.file]
		if !ok && sent.cred.present {
			id = identify(sent.cred, s.labels[e.file], fps)
			who[e.file] = id
		}
		switch rk := rankOf(e, sent.cred, id); {
		case rk < best:
			best, eligible = rk, append(eligible[:0], k)
		case rk == best && rk != noRank:
			eligible = append(eligible, k)
		}
	}
	if len(eligible) > 0 {
		return &s.entries[sess.play(s.sessions.epoch.Load(), eligible, consume)], nil
	}
	scan := secret.NewScanner(credentials(r.Header, r.Trailer)...)
	if len(matched) > 0 {
		// Recordings match, but the credential may not get any of them.
		e := &s.entries[matched[0]]
		return nil, &MissError{
			Method:  r.Method,
			URL:     scan.Redact(stripecassette.DisplayPathQuery(r.URL.Path, r.URL.RawQuery)),
			Nearest: nearest(scan, e.candidate, []Difference{refusal(e, sent.cred, who[e.file])}),
		}
	}
	near := s.index.near(sent, s.entries)
	cands := make([]candidate, len(near))
	for n, k := range near {
		cands[n] = s.entries[k].candidate
	}
	return nil, s.matcher.miss(r, sent, cands)
}

// writeMiss answers a miss: MissStatus, MissHeader, Stripe-Should-Retry:
// false, and an error envelope of MissErrorType naming the nearest
// recording ("cassette#/interactions/N") and each difference.
func writeMiss(w http.ResponseWriter, miss *MissError) {
	var envelope struct {
		Error struct {
			Type        string   `json:"type"`
			Message     string   `json:"message"`
			Nearest     string   `json:"nearest,omitempty"`
			Differences []string `json:"differences,omitempty"`
		} `json:"error"`
	}
	envelope.Error.Type, envelope.Error.Message = MissErrorType, miss.Error()
	if n := miss.Nearest; n != nil {
		envelope.Error.Nearest = n.Cassette + "#/interactions/" + strconv.Itoa(n.Interaction)
		for _, d := range n.Differences {
			envelope.Error.Differences = append(envelope.Error.Differences, d.String())
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // a query's & stays readable
	enc.SetIndent("", "  ")
	enc.Encode(envelope)
	h := w.Header()
	h.Set(MissHeader, "true")
	h.Set("Stripe-Should-Retry", "false")
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(MissStatus)
	w.Write(buf.Bytes())
}
