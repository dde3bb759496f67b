package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stripe-contract/stripe-contract/validators"
)

// SecretPrefix starts every webhook endpoint secret Stripe issues.
const SecretPrefix = "whsec_"

// DefaultTimeout bounds one delivery, from connecting to the end of the
// endpoint's answer. Stripe's docs ask endpoints to return a 2xx quickly,
// before any slow work; a handler that needs longer is itself a finding.
const DefaultTimeout = 10 * time.Second

// ErrSecretFormat is returned for a secret that is not a webhook endpoint
// secret: one that does not start with whsec_ (an API key passed by mistake,
// for instance, which must not be used to sign anything).
var ErrSecretFormat = errors.New("webhook secret must start with " + SecretPrefix + " (the endpoint's signing secret, from the Dashboard or stripe listen)")

// Sign returns the Stripe-Signature header value Stripe would send with
// payload at time t: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>"
// (https://docs.stripe.com/webhooks#verify-manually).
func Sign(payload []byte, secret string, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Replayer sends recorded deliveries to one endpoint. Create it with New; it
// is safe for concurrent use.
type Replayer struct {
	target    *url.URL
	secret    string
	timeout   time.Duration
	now       func() time.Time
	validator *validators.Validator
	client    *http.Client
}

// Option configures a Replayer.
type Option func(*Replayer)

// WithSecret re-signs every delivery with secret (a whsec_ endpoint secret).
func WithSecret(secret string) Option { return func(r *Replayer) { r.secret = secret } }

// WithTimeout bounds each delivery (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(r *Replayer) { r.timeout = d } }

// WithClock sets the time signatures carry (default time.Now).
func WithClock(now func() time.Time) Option { return func(r *Replayer) { r.now = now } }

// WithValidator validates payloads with v (default validators.New()).
func WithValidator(v *validators.Validator) Option {
	return func(r *Replayer) { r.validator = v }
}

// New returns a Replayer that delivers to target, an http or https URL.
// A secret that does not start with whsec_ is ErrSecretFormat.
func New(target string, opts ...Option) (*Replayer, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", target, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target %q: want an http or https URL with a host, such as http://127.0.0.1:4242/webhook", target)
	}
	r := &Replayer{target: u, timeout: DefaultTimeout, now: time.Now}
	for _, o := range opts {
		o(r)
	}
	if r.secret != "" && (!strings.HasPrefix(r.secret, SecretPrefix) || len(r.secret) == len(SecretPrefix)) {
		return nil, ErrSecretFormat
	}
	if r.timeout <= 0 {
		return nil, fmt.Errorf("timeout %v: must be positive", r.timeout)
	}
	if r.validator == nil {
		if r.validator, err = validators.New(); err != nil {
			return nil, err
		}
	}
	r.client = &http.Client{
		Timeout: r.timeout,
		// Stripe does not follow redirects when delivering: a 3xx is a
		// failed delivery, so it is reported as the answer it is.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return r, nil
}

// Signed reports whether deliveries are re-signed.
func (r *Replayer) Signed() bool { return r.secret != "" }

// Target is the endpoint deliveries go to.
func (r *Replayer) Target() string { return r.target.String() }

// Outcome is what became of one delivery.
type Outcome struct {
	Delivery Delivery
	Signed   bool // a fresh Stripe-Signature was sent
	Status   int  // the endpoint's HTTP status; 0 when it did not answer
	Elapsed  time.Duration
	// Err is a *DeliveryError when the endpoint did not answer 2xx.
	Err error
	// Validation is the payload's validation, its pointers prefixed with
	// the delivery's place in the cassette.
	Validation validators.Result
}

// OK reports whether the endpoint answered 2xx and the payload keeps the
// contract.
func (o Outcome) OK() bool { return o.Err == nil && o.Validation.Valid() }

// Problem is what went wrong with a delivery.
type Problem string

// Problems a delivery can meet.
const (
	ProblemStatus  Problem = "status"  // the endpoint answered, but not 2xx
	ProblemRefused Problem = "refused" // nothing accepted the connection
	ProblemTimeout Problem = "timeout" // no full answer within the timeout
	ProblemOther   Problem = "error"   // anything else: DNS, TLS, a reset
)

// DeliveryError is a delivery the endpoint did not accept.
type DeliveryError struct {
	Cassette    string
	Interaction int
	Target      string
	Problem     Problem
	Status      int    // the status, for ProblemStatus
	Body        string // the start of the endpoint's answer, for ProblemStatus
	Timeout     time.Duration
	Err         error // the transport's error, for the other problems
}

// Error says which delivery, where it went and what came back.
func (e *DeliveryError) Error() string {
	where := fmt.Sprintf("%s interaction %d: POST %s", e.Cassette, e.Interaction, e.Target)
	switch e.Problem {
	case ProblemStatus:
		msg := fmt.Sprintf("%s: endpoint answered %d %s, want 2xx", where, e.Status, http.StatusText(e.Status))
		if e.Body != "" {
			msg += ": " + strconv.Quote(e.Body)
		}
		return msg
	case ProblemRefused:
		return where + ": connection refused: is the endpoint running?"
	case ProblemTimeout:
		return fmt.Sprintf("%s: no answer within %v", where, e.Timeout)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

// Unwrap returns the transport's error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// headersNotReplayed are recorded headers a replay must not copy: the old
// signature, and what the transport sets for the new request.
var headersNotReplayed = []string{SignatureHeader, "Content-Length", "Host", "Transfer-Encoding", "Connection", "Accept-Encoding", "Authorization", "Cookie"}

// Deliver POSTs d to the target and validates its payload.
func (r *Replayer) Deliver(ctx context.Context, d Delivery) Outcome {
	out := Outcome{Delivery: d, Signed: r.Signed()}
	out.Validation = r.validator.Validate(d.Body)
	for i := range out.Validation.Violations {
		out.Validation.Violations[i].Pointer = d.Pointer() + out.Validation.Violations[i].Pointer
	}
	fail := func(p Problem, err error) Outcome {
		out.Err = &DeliveryError{Cassette: d.Cassette, Interaction: d.Interaction, Target: r.target.String(), Problem: p, Timeout: r.timeout, Err: err}
		return out
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.target.String(), bytes.NewReader(d.Body))
	if err != nil {
		return fail(ProblemOther, err)
	}
	for name, values := range d.Header {
		req.Header[name] = append([]string(nil), values...)
	}
	for _, name := range headersNotReplayed {
		req.Header.Del(name)
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if r.secret != "" {
		req.Header.Set(SignatureHeader, Sign(d.Body, r.secret, r.now()))
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		out.Elapsed = time.Since(start)
		return fail(classify(err), err)
	}
	// Read (a bounded part of) the answer within the timeout: an endpoint
	// that sends headers and then stalls has not answered.
	snippet, readErr := io.ReadAll(io.LimitReader(resp.Body, 512))
	if readErr == nil {
		_, readErr = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	}
	resp.Body.Close()
	out.Elapsed = time.Since(start)
	out.Status = resp.StatusCode
	if readErr != nil {
		return fail(classify(readErr), readErr)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		out.Err = &DeliveryError{Cassette: d.Cassette, Interaction: d.Interaction, Target: r.target.String(), Problem: ProblemStatus,
			Status: resp.StatusCode, Body: strings.TrimSpace(string(snippet))}
	}
	return out
}

// Run delivers each of ds in order and returns their outcomes. It stops
// early, leaving the rest out, when ctx is done.
func (r *Replayer) Run(ctx context.Context, ds []Delivery) []Outcome {
	outs := make([]Outcome, 0, len(ds))
	for _, d := range ds {
		if ctx.Err() != nil {
			break
		}
		outs = append(outs, r.Deliver(ctx, d))
	}
	return outs
}

func classify(err error) Problem {
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return ProblemRefused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return ProblemTimeout
	}
	return ProblemOther
}
