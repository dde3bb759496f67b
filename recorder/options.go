package recorder

import (
	"net/http"
	"time"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
)

// DefaultTimeout bounds one request to the upstream, from sending it to the
// last byte of the response body. Stripe's SDKs give up after 80 seconds;
// the proxy answers before they do.
const DefaultTimeout = 60 * time.Second

// DefaultMaxBodySize bounds each request and response body a Recorder
// records: every body is held in memory until Stop saves the cassette.
const DefaultMaxBodySize = 64 << 20

// RecorderOption configures a Recorder (New) and the cassettes it saves,
// or a cassette written with WriteCassette.
type RecorderOption interface{ recorder(*config) }

// ServerOption configures a replay Server (NewServer).
type ServerOption interface{ server(*config) }

// ProxyOption configures a recording Proxy (NewProxy).
type ProxyOption interface{ proxy(*config) }

// MatchOption configures both a Recorder and a Server: how requests are
// matched to recordings.
type MatchOption interface {
	RecorderOption
	ServerOption
}

// TimeoutOption configures both a Recorder and the Proxy in front of it.
type TimeoutOption interface {
	RecorderOption
	ProxyOption
}

// The options' concrete types, one per set of constructors that read
// them: an option given to a constructor that would ignore it does not
// compile, nor does it pass a type assertion.
type (
	recorderOption func(*config)
	serverOption   func(*config)
	proxyOption    func(*config)
	matchOption    func(*config)
	timeoutOption  func(*config)
)

func (o recorderOption) recorder(c *config) { o(c) }
func (o serverOption) server(c *config)     { o(c) }
func (o proxyOption) proxy(c *config)       { o(c) }
func (o matchOption) recorder(c *config)    { o(c) }
func (o matchOption) server(c *config)      { o(c) }
func (o timeoutOption) recorder(c *config)  { o(c) }
func (o timeoutOption) proxy(c *config)     { o(c) }

type config struct {
	mode         Mode
	transport    http.RoundTripper
	matchHeaders []string
	maskPII      bool
	validator    *validators.Validator
	onCapture    func(Capture)
	provenance   string
	replayable   bool
	timeout      time.Duration
	onFault      func(*UpstreamError)
	onMiss       func(*http.Request, *MissError)
	beforeSave   []func(*cassette.Interaction) error
	requests     RequestChecker
	onReject     func(*http.Request, *RequestError)
	// credentialSalt fixes the salt of credential fingerprints (see
	// WithCredentialSalt); empty: random per cassette.
	credentialSalt []byte
	maxBody        int64
	dropRefused    bool
	maxCassette    int64 // see WithMaxCassetteSize
	onSkip         func(disk.Skipped)
	getenv         func(string) string // see WithEnv; ForTest only
}

// newConfig applies opts, each through apply, over the defaults.
func newConfig[O any](opts []O, apply func(O, *config)) config {
	c := config{mode: ModeRecord, timeout: DefaultTimeout}
	for _, o := range opts {
		apply(o, &c)
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodySize
	}
	return c
}

func recorderConfig(opts []RecorderOption) config {
	return newConfig(opts, RecorderOption.recorder)
}

func serverConfig(opts []ServerOption) config { return newConfig(opts, ServerOption.server) }

func proxyConfig(opts []ProxyOption) config { return newConfig(opts, ProxyOption.proxy) }

// WithMode sets what a Recorder does (default ModeRecord).
func WithMode(m Mode) RecorderOption { return recorderOption(func(c *config) { c.mode = m }) }

// WithTransport sets the transport a Recorder sends real requests with
// (default: a transport that bounds connecting and waiting for headers by
// the timeout). Faults it returns become *UpstreamError.
func WithTransport(rt http.RoundTripper) RecorderOption {
	return recorderOption(func(c *config) { c.transport = rt })
}

// WithMatchHeaders makes matching compare these request headers too (for
// example "Stripe-Version"), besides DefaultMatchHeaders. Recorder, Server.
func WithMatchHeaders(names ...string) MatchOption {
	return matchOption(func(c *config) { c.matchHeaders = append(c.matchHeaders, names...) })
}

// WithMaskPII masks personal data (email, name, phone and address fields,
// and their prefixed forms such as customer_email) in saved bodies, forms
// and queries with Masked. Recorder.
func WithMaskPII(mask bool) RecorderOption {
	return recorderOption(func(c *config) { c.maskPII = mask })
}

// WithValidator validates captured responses with v (default:
// validators.New()). Recorder.
func WithValidator(v *validators.Validator) RecorderOption {
	return recorderOption(func(c *config) { c.validator = v })
}

// WithCaptureHandler calls fn with every JSON response recorded,
// validated, in the order recorded: from one goroutine beside the
// requests, so that no answer waits for validation, and for all of them
// before Stop returns. Recorder.
func WithCaptureHandler(fn func(Capture)) RecorderOption {
	return recorderOption(func(c *config) { c.onCapture = fn })
}

// WithProvenance heads the saved cassette with text, as YAML comments:
// where its interactions came from. Without it, the comments heading an
// existing cassette are kept. Recorder.
func WithProvenance(text string) RecorderOption {
	return recorderOption(func(c *config) { c.provenance = text })
}

// WithReplayable lets an interaction be replayed more than once (go-vcr
// plays each once by default, which suits recorded sequences). Recorder.
func WithReplayable(replayable bool) RecorderOption {
	return recorderOption(func(c *config) { c.replayable = replayable })
}

// WithTimeout bounds each upstream request, headers and body (default
// DefaultTimeout). Recorder (its default transport and client), Proxy
// (which bounds reading each client's request body by it too).
func WithTimeout(d time.Duration) TimeoutOption {
	return timeoutOption(func(c *config) { c.timeout = d })
}

// WithMaxBodySize bounds each request and response body, in bytes
// (default DefaultMaxBodySize): a larger one is a FaultBodyTooLarge, not
// recorded. Recorder, and the Proxy in front of it.
func WithMaxBodySize(n int64) RecorderOption {
	return recorderOption(func(c *config) { c.maxBody = n })
}

// WithDropRefused makes Stop drop each interaction that would still hold a
// secret after redaction and save the others, returning a *DroppedError
// that names each one dropped, instead of refusing the whole cassette with
// a *SecretError (the default). Recorder.
func WithDropRefused(drop bool) RecorderOption {
	return recorderOption(func(c *config) { c.dropRefused = drop })
}

// WithFaultHandler calls fn with every fault the proxy answers for: the
// upstream's (refused, reset, timeout, body stalled, cut or too large) and
// the client's (gone, request body stalled, cut or too large; see
// UpstreamError.Client). Proxy.
func WithFaultHandler(fn func(*UpstreamError)) ProxyOption {
	return proxyOption(func(c *config) { c.onFault = fn })
}

// WithBeforeSave runs fn on each interaction before the cassette is saved,
// after redaction and before the secret check (so fn cannot put a secret
// back unnoticed): to make recordings reproducible, for example, by fixing
// Date headers. Recorder, WriteCassette.
func WithBeforeSave(fn func(*cassette.Interaction) error) RecorderOption {
	return recorderOption(func(c *config) { c.beforeSave = append(c.beforeSave, fn) })
}

// WithMissHandler calls fn with every request that matches no recorded
// interaction, before the Stripe-shaped error is sent. Server.
func WithMissHandler(fn func(*http.Request, *MissError)) ServerOption {
	return serverOption(func(c *config) { c.onMiss = fn })
}

// RequestChecker checks a request against the request contract before a
// Server answers it, and says what the API would answer one that breaks
// it. *request.Checker (package validators/request) is the one this
// project provides; the interface keeps this package free of it.
type RequestChecker interface {
	// Check returns the request's violations of the contract; none for a
	// conforming request or one the contract does not cover.
	Check(r *http.Request) []validators.Violation
	// ErrorResponse is the API's answer to a request with these violations:
	// a status (400) and a JSON error envelope.
	ErrorResponse(violations []validators.Violation) (status int, body []byte)
}

// WithRequestCheck makes a Server check every request with rc. A request
// that breaks the contract is answered with rc's error envelope, unless the
// interaction it matches recorded a 4xx: that answer is the API's own
// rejection, and is replayed. A recorded 2xx (or any non-4xx) answer to a
// non-conforming request is never replayed as a success. Server.
func WithRequestCheck(rc RequestChecker) ServerOption {
	return serverOption(func(c *config) { c.requests = rc })
}

// WithRejectHandler calls fn with every request a Server answers with the
// request contract's error envelope, before it is sent. Server.
func WithRejectHandler(fn func(*http.Request, *RequestError)) ServerOption {
	return serverOption(func(c *config) { c.onReject = fn })
}
