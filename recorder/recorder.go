package recorder

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
	"github.com/stripe-contract/stripe-contract/validators"
)

// Mode is what a Recorder does with requests.
type Mode int

// Modes of a Recorder.
const (
	// ModeRecord sends every request upstream and records it; Stop replaces
	// the cassette with what was recorded (and leaves it alone if nothing was).
	ModeRecord Mode = iota
	// ModeReplayOnly answers from the cassette only; a request it does not
	// hold is a *MissError, and nothing is sent upstream.
	ModeReplayOnly
	// ModeRecordNewEpisodes answers what the cassette holds and records
	// the rest; Stop adds the new interactions to the cassette.
	ModeRecordNewEpisodes
	// ModePassthrough sends every request upstream and records nothing.
	ModePassthrough
)

var modeNames = [...]string{ModeRecord: "record", ModeReplayOnly: "replay", ModeRecordNewEpisodes: "new-episodes", ModePassthrough: "passthrough"}

// String returns the mode's name: record, replay, new-episodes or passthrough.
func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// ParseMode reads a mode's name.
func ParseMode(name string) (Mode, error) {
	for i, n := range modeNames {
		if n == name {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (want %s)", name, strings.Join(modeNames[:], ", "))
}

// ErrStopped is returned by a Recorder's RoundTrip after Stop.
var ErrStopped = errors.New("recorder: stopped")

// Capture is a JSON payload recorded and validated as it came in.
type Capture struct {
	Cassette    string // the cassette's file
	Interaction int    // its index in the cassette: /interactions/N
	Method      string
	URL         string // path and query, unescaped, secrets redacted
	Status      int
	// Pointer is where the payload stands in the cassette:
	// /interactions/N/response/body, or .../request/body for a webhook
	// delivery.
	Pointer string
	Size    int
	// Result is the validation of the payload; its pointers are prefixed
	// with Pointer and secrets in its messages are redacted.
	Result validators.Result
}

// Recorder records and replays Stripe HTTP traffic through a go-vcr
// cassette. It is an http.RoundTripper, safe for concurrent use. Create it
// with New and call Stop when done: Stop is what saves.
type Recorder struct {
	cfg       config
	file      string
	vcr       *vcr.Recorder
	matcher   *Matcher
	validator *validators.Validator
	redactor  redactor

	// loaded is the cassette as it was when the recorder started, to name
	// the nearest recording when a replay misses.
	loaded []*cassette.Interaction

	mu      sync.RWMutex // held shared by requests, exclusively by Stop
	stopped bool

	playedMu sync.Mutex
	played   map[int]bool

	recorded atomic.Int64
	pending  sync.Map // *cassette.Interaction -> *Capture, until go-vcr numbers it
	// scanners holds, from redaction to the secret check, the scanner that
	// knows the credentials each interaction carried before redaction.
	scanners sync.Map // *cassette.Interaction -> *secret.Scanner
}

// New returns a Recorder for the cassette at path (".yaml" is added when
// missing, as go-vcr does). Options read: WithMode, WithTransport,
// WithTimeout, WithMatchHeaders, WithMaskPII, WithValidator,
// WithCaptureHandler, WithProvenance, WithReplayable, WithBeforeSave.
//
// In ModeReplayOnly the cassette must exist; in ModeRecordNewEpisodes it is
// read when it exists. A cassette that cannot be read is an error naming it;
// in the recording modes, so is one whose folder cannot be written, found
// now rather than when Stop would lose what was recorded.
func New(path string, opts ...Option) (*Recorder, error) {
	cfg := newConfig(opts)
	if cfg.mode < ModeRecord || cfg.mode > ModePassthrough {
		return nil, fmt.Errorf("recorder: %w: %v", vcr.ErrInvalidMode, cfg.mode)
	}
	name := strings.TrimSuffix(path, ".yaml")
	if name == "" {
		return nil, fmt.Errorf("recorder: %w", vcr.ErrNoCassetteName)
	}
	r := &Recorder{
		cfg:       cfg,
		file:      name + ".yaml",
		matcher:   NewMatcher(cfg.matchHeaders...),
		validator: cfg.validator,
		redactor:  redactor{maskPII: cfg.maskPII},
		played:    map[int]bool{},
	}
	if r.validator == nil && cfg.onCapture != nil {
		v, err := validators.New()
		if err != nil {
			return nil, fmt.Errorf("recorder: %w", err)
		}
		r.validator = v
	}
	fsys := &atomicFS{header: commentBlock(cfg.provenance)}
	transport := cfg.transport
	if transport == nil {
		transport = defaultTransport(cfg.timeout)
	}
	vmode := map[Mode]vcr.Mode{
		ModeRecord:            vcr.ModeRecordOnly,
		ModeReplayOnly:        vcr.ModeReplayOnly,
		ModeRecordNewEpisodes: vcr.ModeReplayWithNewEpisodes,
		ModePassthrough:       vcr.ModePassthrough,
	}[cfg.mode]
	if cfg.mode == ModeRecord || cfg.mode == ModeRecordNewEpisodes {
		if err := checkWritable(r.file); err != nil {
			return nil, fmt.Errorf("recorder: cassette %s cannot be written: %w", r.file, err)
		}
	}
	if cfg.mode == ModeReplayOnly || cfg.mode == ModeRecordNewEpisodes {
		if fsys.IsFileExists(r.file) {
			c, err := cassette.LoadWithFS(name, fsys)
			if err != nil {
				return nil, fmt.Errorf("recorder: read cassette %s: %w", r.file, err)
			}
			r.loaded = c.Interactions
		}
	}
	vopts := []vcr.Option{
		vcr.WithMode(vmode),
		vcr.WithRealTransport(&faultTransport{next: transport}),
		vcr.WithMatcher(r.matcher.Match),
		// go-vcr would otherwise sleep for the recorded duration on every
		// response, recorded ones included.
		vcr.WithSkipRequestLatency(true),
		vcr.WithReplayableInteractions(cfg.replayable),
		vcr.WithFS(fsys),
		vcr.WithHook(r.afterCapture, vcr.AfterCaptureHook),
		vcr.WithHook(r.beforeResponse, vcr.BeforeResponseReplayHook),
		vcr.WithHook(r.redact, vcr.BeforeSaveHook),
	}
	for _, fn := range cfg.beforeSave {
		vopts = append(vopts, vcr.WithHook(fn, vcr.BeforeSaveHook))
	}
	vopts = append(vopts, vcr.WithHook(r.refuseSecrets, vcr.BeforeSaveHook))
	v, err := vcr.New(name, vopts...)
	if err != nil {
		return nil, fmt.Errorf("recorder: cassette %s: %w", r.file, err)
	}
	r.vcr = v
	return r, nil
}

// File is the cassette's path.
func (r *Recorder) File() string { return r.file }

// Mode is what the recorder does.
func (r *Recorder) Mode() Mode { return r.cfg.mode }

// Recorded is how many interactions were recorded since New.
func (r *Recorder) Recorded() int { return int(r.recorded.Load()) }

// Client returns an *http.Client that sends through the recorder, with the
// recorder's timeout (for stripe-go: stripe.GetBackendWithConfig with
// HTTPClient set to it).
func (r *Recorder) Client() *http.Client {
	return &http.Client{Transport: r, Timeout: r.cfg.timeout}
}

// RoundTrip answers req from the cassette or from the upstream, as the
// mode says. A replay miss is a *MissError; an upstream fault an
// *UpstreamError.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.stopped {
		return nil, ErrStopped
	}
	resp, err := r.vcr.RoundTrip(req)
	if err != nil {
		if errors.Is(err, cassette.ErrInteractionNotFound) {
			return nil, r.miss(req)
		}
		return nil, err
	}
	// go-vcr hands out the cassette's own header maps; callers (a reverse
	// proxy removing hop-by-hop headers) may write to theirs.
	resp.Header = resp.Header.Clone()
	resp.Trailer = resp.Trailer.Clone()
	return resp, nil
}

// Stop waits for requests in flight, then saves the cassette in the
// recording modes: redacted, checked for secrets, written atomically. It
// returns a *SecretError, and writes nothing, when a secret would remain.
// In ModeRecord with nothing recorded, an existing cassette is left as it
// was. Stop is safe to call more than once.
func (r *Recorder) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil
	}
	r.stopped = true
	if r.cfg.mode == ModeRecord && r.recorded.Load() == 0 && (&atomicFS{}).IsFileExists(r.file) {
		return nil
	}
	if err := r.vcr.Stop(); err != nil {
		var se *SecretError
		if errors.As(err, &se) {
			return se
		}
		return fmt.Errorf("recorder: save %s: %w", r.file, err)
	}
	return nil
}

// afterCapture validates a newly recorded payload. Its index is not known
// yet (go-vcr numbers the interaction right after this hook), so the
// capture waits in pending until beforeResponse sees the numbered
// interaction.
func (r *Recorder) afterCapture(i *cassette.Interaction) error {
	r.recorded.Add(1)
	if r.cfg.onCapture == nil {
		return nil
	}
	body, pointer, ok := payload(i)
	if !ok {
		return nil
	}
	// What is printed of the capture goes through the same redaction as
	// the cassette, after decoding: a key sent percent-encoded in the URL
	// must not reach the report once the URL is shown unescaped.
	scan := scannerFor(i)
	res := r.validator.Validate([]byte(body))
	for k := range res.Violations {
		res.Violations[k].Message = scan.Redact(res.Violations[k].Message)
	}
	r.pending.Store(i, &Capture{
		Cassette: r.file,
		Method:   i.Request.Method,
		URL:      scan.Redact(recordedDisplayURL(r.redactor.url(i.Request.URL))),
		Status:   i.Response.Code,
		Pointer:  pointer,
		Size:     len(body),
		Result:   res,
	})
	return nil
}

// beforeResponse runs for every response about to be returned: a new
// recording, now numbered, is reported; a replayed one is remembered.
func (r *Recorder) beforeResponse(i *cassette.Interaction) error {
	if v, ok := r.pending.LoadAndDelete(i); ok {
		c := v.(*Capture)
		c.Interaction = i.ID
		c.Pointer = fmt.Sprintf("/interactions/%d%s", i.ID, c.Pointer)
		for k := range c.Result.Violations {
			viol := &c.Result.Violations[k]
			viol.Pointer = c.Pointer + viol.Pointer
		}
		r.cfg.onCapture(*c)
		return nil
	}
	r.playedMu.Lock()
	r.played[i.ID] = true
	r.playedMu.Unlock()
	return nil
}

// redact is the first BeforeSaveHook.
func (r *Recorder) redact(i *cassette.Interaction) error {
	r.scanners.Store(i, r.redactor.interaction(i))
	return nil
}

// refuseSecrets is the last BeforeSaveHook: after redaction, any secret
// left stops the save.
func (r *Recorder) refuseSecrets(i *cassette.Interaction) error {
	var scan *secret.Scanner
	if v, ok := r.scanners.LoadAndDelete(i); ok {
		scan = v.(*secret.Scanner)
	}
	if field, f, found := checkInteraction(scan, i); found {
		return &SecretError{Cassette: r.file, Interaction: i.ID, Field: field, Family: f.Family, Encoding: f.Encoding}
	}
	return nil
}

func (r *Recorder) miss(req *http.Request) *MissError {
	r.playedMu.Lock()
	cands := make([]candidate, len(r.loaded))
	for n, i := range r.loaded {
		cands[n] = candidate{cassette: r.file, index: n, request: i.Request, shape: r.matcher.recordedShape(i.Request), replayed: r.played[n] && !r.cfg.replayable}
	}
	r.playedMu.Unlock()
	return r.matcher.miss(req, r.matcher.requestShape(req), cands)
}

// WriteCassette saves interactions as a go-vcr cassette at path (".yaml"
// is added when missing), through the same redaction, secret check and
// atomic write as a Recorder's Stop: for cassettes built rather than
// recorded, such as ones written from the API reference. The interactions
// are numbered in order; the caller's values are not modified. Options
// read: WithProvenance, WithMaskPII, WithBeforeSave.
func WriteCassette(path string, interactions []*cassette.Interaction, opts ...Option) error {
	cfg := newConfig(opts)
	name := strings.TrimSuffix(path, ".yaml")
	c := cassette.New(name)
	c.MarshalFunc = yaml.Marshal
	rd := redactor{maskPII: cfg.maskPII}
	for _, i := range interactions {
		cp := &cassette.Interaction{Request: i.Request, Response: i.Response}
		scan := rd.interaction(cp)
		for _, fn := range cfg.beforeSave {
			if err := fn(cp); err != nil {
				return err
			}
		}
		c.AddInteraction(cp)
		if field, f, found := checkInteraction(scan, cp); found {
			return &SecretError{Cassette: c.File, Interaction: cp.ID, Field: field, Family: f.Family, Encoding: f.Encoding}
		}
	}
	return c.SaveWithFS(&atomicFS{header: commentBlock(cfg.provenance)})
}
