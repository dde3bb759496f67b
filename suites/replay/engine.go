package replay

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

// DefaultTimeout bounds one request to a target, from sending it to the last
// byte of its answer.
const DefaultTimeout = 30 * time.Second

// Engine replays a set of cassettes against targets. It is safe to run
// against several targets at once.
type Engine struct {
	set          [][]Interaction // by cassette, in lexical order
	v            *validators.Validator
	requestCheck func(*http.Request) []validators.Violation
	checkSet     bool // WithRequestCheck was given, perhaps with nil
	timeout      time.Duration
	maxCassette  int64
	onSkip       func(disk.Skipped)
}

// Option configures an Engine.
type Option func(*Engine)

// WithValidator checks bodies with v (default: validators.New()).
func WithValidator(v *validators.Validator) Option { return func(e *Engine) { e.v = v } }

// WithTimeout bounds each request to a target (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(e *Engine) { e.timeout = d } }

// WithRequestCheck checks each recorded API request (not webhook deliveries)
// against the request contract with check, given the request as it is sent
// (its URL relative to the target, its form body readable). A violation on a
// request the recording shows answered 2xx is a deviation of the
// interaction, its pointer prefixed with /request; on a request answered
// 4xx it is expected (the cassette shows the API rejecting it) and not
// reported. The default is the request contract of package
// validators/request, derived from the same spec as the schemas; nil turns
// the check off.
func WithRequestCheck(check func(*http.Request) []validators.Violation) Option {
	return func(e *Engine) { e.requestCheck, e.checkSet = check, true }
}

// New loads every cassette (*.yaml) under fsys, in lexical order, hidden
// files and folders skipped. A cassette that cannot be read is an error
// naming it and the line; so is a set without cassettes.
func New(fsys fs.FS, opts ...Option) (*Engine, error) {
	e := &Engine{timeout: DefaultTimeout}
	for _, o := range opts {
		o(e)
	}
	set, err := loadCassettes(fsys, e.maxCassette, e.onSkip)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	e.set = set
	if e.v == nil {
		if e.v, err = validators.New(); err != nil {
			return nil, err
		}
	}
	if !e.checkSet {
		c, err := request.New()
		if err != nil {
			return nil, err
		}
		e.requestCheck = c.Check
	}
	return e, nil
}

// Interactions lists every interaction the engine replays, cassette by
// cassette, in order.
func (e *Engine) Interactions() []Interaction {
	var all []Interaction
	for _, c := range e.set {
		all = append(all, c...)
	}
	return all
}

// Report is what a run against one target found.
type Report struct {
	Target  string
	Results []Result // one per interaction, in the order of Interactions
}

// Result is what one interaction's replay found.
type Result struct {
	Interaction Interaction
	// Status is the target's HTTP status; 0 when skipped or unanswered.
	Status int
	// Skipped says why the interaction was not sent; "" when it was.
	Skipped string
	// Body is the target's answer body, which the deviations at
	// /response/body point into (the HTML report quotes it); nil when
	// skipped or unanswered.
	Body       []byte
	Deviations []Deviation
}

// Deviations lists every deviation of the run, in interaction order.
func (r *Report) Deviations() []Deviation {
	var all []Deviation
	for _, res := range r.Results {
		all = append(all, res.Deviations...)
	}
	return all
}

// Result returns the result of the interaction at cassette#index.
func (r *Report) Result(cassette string, index int) (Result, bool) {
	for _, res := range r.Results {
		if res.Interaction.Cassette == cassette && res.Interaction.Index == index {
			return res, true
		}
	}
	return Result{}, false
}

// answer is a target's reply to one interaction.
type answer struct {
	status int
	body   []byte
	json   bool
}

// Run replays every interaction against t, cassette by cassette and in
// order (a walk through a list's pages, an object read before and after a
// change), and checks each answer. The error is non-nil only when the
// target cannot be readied or ctx ends; what the target answers, or fails
// to, is in the report.
func (e *Engine) Run(ctx context.Context, t *Target) (*Report, error) {
	base, done, err := t.open(ctx)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", t.Name, err)
	}
	defer done()
	client := &http.Client{
		Timeout: e.timeout,
		// A redirect is an answer to check, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	rep := &Report{Target: t.Name}
	for _, c := range e.set {
		answers := make([]*answer, len(c))
		first := len(rep.Results)
		for n, in := range c {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			res := Result{Interaction: in}
			if in.Webhook && !t.webhooks {
				res.Skipped = "a webhook delivery, not an API request: replay it to an endpoint instead"
				rep.Results = append(rep.Results, res)
				continue
			}
			res.Deviations = e.checkRequest(base, t, in)
			a, err := e.send(ctx, client, base, t, in)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				res.Deviations = append(res.Deviations, deviation(in, finding{"", RuleNoAnswer,
					fmt.Sprintf("no answer from %s: %v", t.Name, err), validators.Error}))
				rep.Results = append(rep.Results, res)
				continue
			}
			answers[n] = a
			res.Status, res.Body = a.status, a.body
			for _, f := range e.checkAnswer(in, a) {
				res.Deviations = append(res.Deviations, deviation(in, f))
			}
			rep.Results = append(rep.Results, res)
		}
		for _, d := range e.checkPagination(c, answers) {
			rep.Results[first+d.Interaction].Deviations = append(rep.Results[first+d.Interaction].Deviations, d)
		}
	}
	return rep, nil
}

func deviation(in Interaction, f finding) Deviation {
	return Deviation{
		Cassette: in.Cassette, Interaction: in.Index, Method: in.Method, Path: in.Path,
		Pointer: f.pointer, Rule: f.rule, Message: f.message, Severity: f.severity,
	}
}

// newRequest builds the request the target is sent: the recorded method,
// path, query and body, the recorded headers but the credentials and those
// the transport sets, and the target's key.
func newRequest(ctx context.Context, base string, t *Target, in Interaction) (*http.Request, error) {
	rec := in.Recorded.Request
	var body io.Reader
	if rec.Body != "" {
		body = strings.NewReader(rec.Body)
	}
	req, err := http.NewRequestWithContext(ctx, rec.Method, base+in.Path, body)
	if err != nil {
		return nil, err
	}
	for name, values := range rec.Headers {
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Proxy-Authorization", "Cookie", "Content-Length", "Accept-Encoding", "Host", "Connection", "Transfer-Encoding", "User-Agent",
			recorder.CredentialHeader: // what the recording says of its key, not something to send
			continue
		}
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	req.Header.Set("User-Agent", "stripe-contract replay")
	if !in.Webhook {
		key := t.key
		if in.Recorded.Response.Code == http.StatusUnauthorized {
			key = RefusedKey
		}
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return req, nil
}

func (e *Engine) send(ctx context.Context, client *http.Client, base string, t *Target, in Interaction) (*answer, error) {
	req, err := newRequest(ctx, base, t, in)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit := int64(e.v.MaxSize())
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("the body is over %d bytes", limit)
	}
	return &answer{status: resp.StatusCode, body: body, json: cassette.IsJSON(string(body), resp.Header.Get("Content-Type"))}, nil
}

// checkRequest applies the request check, if any, to an API request.
func (e *Engine) checkRequest(base string, t *Target, in Interaction) []Deviation {
	if e.requestCheck == nil || in.Webhook {
		return nil
	}
	code := in.Recorded.Response.Code
	if code >= 400 && code < 500 {
		return nil // the recording shows the API rejecting it: expected
	}
	req, err := newRequest(context.Background(), base, t, in)
	if err != nil {
		return nil // send reports it
	}
	var out []Deviation
	for _, v := range e.requestCheck(req) {
		out = append(out, deviation(in, finding{"/request" + v.Pointer, v.Rule,
			v.Message + fmt.Sprintf(" (the recording shows it answered %d)", code), v.Severity}))
	}
	return out
}

// checkAnswer compares one answer with the recording: status, the
// contract, and the body's structure.
func (e *Engine) checkAnswer(in Interaction, a *answer) []finding {
	rec := in.Recorded.Response
	var out []finding
	if a.status != rec.Code {
		out = append(out, finding{"/response/code", RuleStatus,
			fmt.Sprintf("is %d, recorded %d", a.status, rec.Code), validators.Error})
	}
	recordedJSON := cassette.IsJSON(rec.Body, rec.Headers.Get("Content-Type"))
	// A webhook endpoint's reply is its own, not Stripe's: it is compared
	// with the recorded reply but not held to the contract.
	if !in.Webhook && (recordedJSON || a.json) {
		// Judged at the API version the recorded request asked for.
		for _, v := range e.v.ValidateRequested(a.body, in.Recorded.Request.Headers.Get(cassette.VersionHeader)).Violations {
			out = append(out, finding{"/response/body" + v.Pointer, v.Rule, v.Message, v.Severity})
		}
	}
	if a.status != rec.Code || !recordedJSON {
		return out // another status answers with another body; nothing to compare
	}
	want, err := decodeJSON([]byte(rec.Body))
	if err != nil {
		return out // the recording's own problem; validate reports it
	}
	got, err := decodeJSON(a.body)
	if err != nil {
		out = append(out, finding{"/response/body", RuleNotJSON,
			fmt.Sprintf("is not JSON (%v); the recording is", err), validators.Error})
		return out
	}
	return append(out, compareBodies("/response/body", want, got)...)
}
