package recorder

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/stripe-contract/stripe-contract/validators"
)

// Mode is what a Recorder does with requests.
type Mode int

// Modes of a Recorder.
const (
	// ModeRecord sends every request upstream and records it; Stop replaces
	// the cassette with what was recorded (and writes nothing if nothing was).
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
//
// It records as go-vcr's recorder does, into go-vcr's cassette format
// (package cassette), but captures each exchange itself: go-vcr's RoundTrip
// dumps and re-parses every request (httputil.DumpRequestOut, then
// ParseForm, which refuses a form of more than 10,000 pairs or 10 MB) and
// formats a debug log of each exchange whether or not anyone reads it.
type Recorder struct {
	cfg       config
	name      string // the cassette's file without .yaml, as go-vcr names it
	file      string
	transport http.RoundTripper
	matcher   *Matcher
	validator *validators.Validator
	redactor  redactor
	fsys      *stripecassette.FS
	buffers   *bufferPool

	mu      sync.RWMutex // held shared by requests, exclusively by Stop
	stopped bool

	entriesMu sync.Mutex
	// entries are the cassette's interactions: those loaded from the file
	// (the first loaded of them), then those recorded, in the order they
	// were; an interaction's ID is its index.
	entries []*entry
	loaded  int

	recorded atomic.Int64

	// captures carries each new recording, in order, to the goroutine that
	// validates it and calls the capture handler, off the response's way;
	// validated closes when it has done all. Both are nil without a
	// capture handler.
	captures  chan *cassette.Interaction
	validated chan struct{}
}

// captureQueue is how many recordings may wait for validation before
// requests wait for it too.
const captureQueue = 1024

// entry is an interaction of the cassette, with what matching needs.
type entry struct {
	interaction *cassette.Interaction
	shape       shape
	shaped      bool // shape is computed on first use
	played      bool
}

// New returns a Recorder for the cassette at path (".yaml" is added when
// missing, as go-vcr does). Options read: WithMode, WithTransport,
// WithTimeout, WithMaxBodySize, WithMatchHeaders, WithMaskPII,
// WithValidator, WithCaptureHandler, WithProvenance, WithReplayable,
// WithBeforeSave, WithDropRefused.
//
// In ModeReplayOnly the cassette must exist; in ModeRecordNewEpisodes it is
// read when it exists. A cassette that cannot be read is an error naming it;
// in the recording modes, so is one whose folder cannot be written, found
// now rather than when Stop would lose what was recorded.
func New(path string, opts ...RecorderOption) (*Recorder, error) {
	cfg := recorderConfig(opts)
	if cfg.mode < ModeRecord || cfg.mode > ModePassthrough {
		return nil, fmt.Errorf("recorder: %w: %v", vcr.ErrInvalidMode, cfg.mode)
	}
	name := strings.TrimSuffix(path, ".yaml")
	if name == "" {
		return nil, fmt.Errorf("recorder: %w", vcr.ErrNoCassetteName)
	}
	r := &Recorder{
		cfg:       cfg,
		name:      name,
		file:      name + ".yaml",
		matcher:   NewMatcher(cfg.matchHeaders...),
		validator: cfg.validator,
		redactor:  newRedactor(cfg),
		fsys:      newFS(cfg.provenance),
		buffers:   &bufferPool{},
	}
	if r.validator == nil && cfg.onCapture != nil {
		v, err := validators.New()
		if err != nil {
			return nil, fmt.Errorf("recorder: %w", err)
		}
		r.validator = v
	}
	transport := cfg.transport
	if transport == nil {
		transport = defaultTransport(cfg.timeout)
	}
	r.transport = &faultTransport{next: transport}
	if cfg.mode == ModeRecord || cfg.mode == ModeRecordNewEpisodes {
		if err := disk.CheckWritable(r.file); err != nil {
			return nil, fmt.Errorf("recorder: cassette %s cannot be written: %w", r.file, err)
		}
	}
	if cfg.mode == ModeReplayOnly || cfg.mode == ModeRecordNewEpisodes {
		data, err := r.fsys.ReadFile(r.file)
		switch {
		case errors.Is(err, fs.ErrNotExist) && cfg.mode == ModeReplayOnly:
			return nil, fmt.Errorf("recorder: %w: %s", cassette.ErrCassetteNotFound, r.file)
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("recorder: read cassette %s: %w", r.file, err)
		default:
			// Read as serve and validate read it.
			c, err := stripecassette.Parse(data)
			if err != nil {
				return nil, fmt.Errorf("recorder: read cassette %s: %w", r.file, err)
			}
			for _, i := range c.Interactions {
				i.ID = i.Index
				r.entries = append(r.entries, &entry{interaction: i.Interaction})
			}
			r.loaded = len(r.entries)
		}
	}
	if cfg.onCapture != nil {
		r.captures, r.validated = make(chan *cassette.Interaction, captureQueue), make(chan struct{})
		go r.validate()
	}
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
		closeBody(req)
		return nil, ErrStopped
	}
	if err := req.Context().Err(); err != nil {
		closeBody(req)
		return nil, classify(req, err, 0, time.Now(), false)
	}
	if r.cfg.mode == ModePassthrough {
		return r.transport.RoundTrip(req)
	}
	body, err := r.requestBody(req)
	if err != nil {
		return nil, err
	}
	// As go-vcr does: replay and new-episodes answer from the cassette when
	// they can, and so does record when interactions may repeat.
	if r.cfg.mode != ModeRecord || r.cfg.replayable {
		sent := r.matcher.requestShape(withBody(req, body))
		if i := r.lookup(sent); i != nil {
			return httpResponse(req, i), nil
		}
		if r.cfg.mode == ModeReplayOnly {
			return nil, r.miss(req, sent)
		}
	}
	return r.record(req, body)
}

// proxiedBodyKey is the context key under which a Proxy hands its Recorder
// the request body it has read already (bounded and within the timeout),
// so that it is neither read nor copied again.
type proxiedBodyKey struct{}

// requestBody reads and closes req's body, within the size limit.
func (r *Recorder) requestBody(req *http.Request) (string, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return "", nil
	}
	defer req.Body.Close()
	if body, ok := req.Context().Value(proxiedBodyKey{}).(string); ok {
		return body, nil
	}
	start := time.Now()
	body, n, err := readBody(req.Body, req.ContentLength, r.cfg.maxBody, r.buffers)
	if err != nil {
		return "", clientBodyFault(req, req.URL.String(), err, n, r.cfg.maxBody, start)
	}
	return body, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// withBody is a copy of req whose body, already read, reads again.
func withBody(req *http.Request, body string) *http.Request {
	out := req.WithContext(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = io.NopCloser(strings.NewReader(body))
		// The transport may then resend it on a fresh connection when a
		// kept-alive one turns out closed.
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	}
	return out
}

// lookup finds the first interaction sent matches that may be played, as
// go-vcr's cassette does, and marks it played.
func (r *Recorder) lookup(sent shape) *cassette.Interaction {
	r.entriesMu.Lock()
	defer r.entriesMu.Unlock()
	for _, e := range r.entries {
		if e.played && !r.cfg.replayable {
			continue
		}
		if len(r.matcher.diff(sent, r.shapeOf(e))) == 0 {
			e.played = true
			return e.interaction
		}
	}
	return nil
}

// shapeOf is what matching compares of e; entriesMu is held.
func (r *Recorder) shapeOf(e *entry) shape {
	if !e.shaped {
		e.shape, e.shaped = r.matcher.recordedShape(e.interaction.Request), true
	}
	return e.shape
}

// record sends req upstream and records the exchange, unless the upstream
// fails to answer in full.
func (r *Recorder) record(req *http.Request, body string) (*http.Response, error) {
	out := withBody(req, body)
	start := time.Now()
	resp, err := r.transport.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	duration := time.Since(start)
	defer resp.Body.Close()
	respBody, n, err := readBody(resp.Body, resp.ContentLength, r.cfg.maxBody, r.buffers)
	if errors.Is(err, errTooLarge) {
		return nil, &UpstreamError{Fault: FaultBodyTooLarge, Method: req.Method, URL: redactor{}.url(req.URL.String()), Received: n, Elapsed: time.Since(start), Limit: r.cfg.maxBody}
	}
	if err != nil {
		return nil, err // an *UpstreamError or *EncodingError, named as it was read
	}
	// The fields go-vcr's recorder records, as it records them.
	i := &cassette.Interaction{
		Request: cassette.Request{
			Proto:            req.Proto,
			ProtoMajor:       req.ProtoMajor,
			ProtoMinor:       req.ProtoMinor,
			ContentLength:    req.ContentLength,
			TransferEncoding: req.TransferEncoding,
			Trailer:          req.Trailer,
			Host:             req.Host,
			RemoteAddr:       req.RemoteAddr,
			RequestURI:       req.RequestURI,
			Body:             body,
			Form:             recordedForm(req, body),
			Headers:          req.Header.Clone(),
			URL:              req.URL.String(),
			Method:           req.Method,
		},
		Response: cassette.Response{
			Status:           resp.Status,
			Code:             resp.StatusCode,
			Proto:            resp.Proto,
			ProtoMajor:       resp.ProtoMajor,
			ProtoMinor:       resp.ProtoMinor,
			TransferEncoding: resp.TransferEncoding,
			Trailer:          resp.Trailer,
			ContentLength:    resp.ContentLength,
			Uncompressed:     resp.Uncompressed,
			Body:             respBody,
			Headers:          resp.Header,
			Duration:         duration,
		},
	}
	r.entriesMu.Lock()
	i.ID = len(r.entries)
	r.entries = append(r.entries, &entry{interaction: i})
	if r.captures != nil {
		r.captures <- i // under the lock: validated in the order numbered
	}
	r.entriesMu.Unlock()
	r.recorded.Add(1)
	return httpResponse(req, i), nil
}

// httpResponse is the answer to req that i recorded; its header maps are
// the caller's own (a reverse proxy removes hop-by-hop headers from them).
func httpResponse(req *http.Request, i *cassette.Interaction) *http.Response {
	h := i.Response.Headers.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		Status:           i.Response.Status,
		StatusCode:       i.Response.Code,
		Proto:            i.Response.Proto,
		ProtoMajor:       i.Response.ProtoMajor,
		ProtoMinor:       i.Response.ProtoMinor,
		TransferEncoding: i.Response.TransferEncoding,
		Trailer:          i.Response.Trailer.Clone(),
		ContentLength:    i.Response.ContentLength,
		Uncompressed:     i.Response.Uncompressed,
		Body:             io.NopCloser(strings.NewReader(i.Response.Body)),
		Header:           h,
		Request:          req,
	}
}

// recordedForm is the form go-vcr records for a request: that of
// http.Request.ParseForm, the pairs of a form-encoded POST, PUT or PATCH
// body, then those of the query. It is read without ParseForm's limits
// (10,000 pairs, 10 MB of body), which would refuse requests the API
// takes, and a pair that does not parse is left out instead of failing the
// request.
func recordedForm(req *http.Request, body string) url.Values {
	form := url.Values{}
	switch req.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
			addPairs(form, body)
		}
	}
	if req.URL != nil {
		addPairs(form, req.URL.RawQuery)
	}
	return form
}

// addPairs adds the key=value pairs of a form-encoded string to form, as
// url.ParseQuery reads them (a pair with a semicolon, or with an escape
// that does not decode, is skipped).
func addPairs(form url.Values, s string) {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(key)
		if err != nil {
			continue
		}
		if value, err = url.QueryUnescape(value); err != nil {
			continue
		}
		form[key] = append(form[key], value)
	}
}

// Stop waits for requests in flight, then saves the cassette in the
// recording modes: redacted, checked for secrets, written atomically. It
// returns a *SecretError, and writes nothing, when a secret would remain;
// with WithDropRefused(true), a *DroppedError naming the interactions it
// dropped for that, having written the others.
// When nothing was recorded nothing is written: no cassette is created,
// and an existing one is left as it was. Stop is safe to call more than
// once.
func (r *Recorder) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil
	}
	r.stopped = true
	if r.captures != nil {
		// Every capture is reported before Stop returns, and before
		// redaction changes the interactions.
		close(r.captures)
		<-r.validated
	}
	if r.cfg.mode != ModeRecord && r.cfg.mode != ModeRecordNewEpisodes {
		return nil
	}
	if r.recorded.Load() == 0 {
		return nil
	}
	interactions := make([]*cassette.Interaction, len(r.entries))
	for n, e := range r.entries {
		interactions[n] = e.interaction
	}
	return save(r.file, interactions, r.loaded, r.cfg, r.fsys)
}

// DroppedError is what Stop returns, given WithDropRefused(true), when
// some interactions would still have held a Stripe secret after redaction:
// those were dropped, each named in Refused, and the cassette was written
// with the others. The secrets themselves are never part of it.
type DroppedError struct {
	Cassette string
	// Refused are the interactions dropped, numbered as they were recorded
	// (and reported to the capture handler); in the cassette written, the
	// ones after each moved up.
	Refused []*SecretError
	// Saved counts the new interactions written; when it is 0 nothing was
	// written, and a cassette that existed was left as it was.
	Saved int
}

// Error names every interaction dropped: where, which family of secret,
// how it was encoded.
func (e *DroppedError) Error() string {
	parts := make([]string, len(e.Refused))
	for n, se := range e.Refused {
		parts[n] = se.what()
	}
	noun := "interactions"
	if len(e.Refused) == 1 {
		noun = "interaction"
	}
	rest := fmt.Sprintf("the other %d were saved", e.Saved)
	switch e.Saved {
	case 0:
		rest = "nothing else was recorded, so nothing was written"
	case 1:
		rest = "the other one was saved"
	}
	return fmt.Sprintf("dropped %d %s from cassette %s: %s; %s",
		len(e.Refused), noun, e.Cassette, strings.Join(parts, "; "), rest)
}

// save writes interactions as the cassette at file through fsys, numbered
// in order, each first redacted (in place), passed to the BeforeSave hooks
// and checked for secrets: the one way every cassette reaches disk. The
// first loaded were read from the file; when none of the others is left to
// write, nothing is written.
func save(file string, interactions []*cassette.Interaction, loaded int, cfg config, fsys cassette.FS) error {
	rd := newRedactor(cfg)
	c := cassette.New(strings.TrimSuffix(file, ".yaml"))
	c.MarshalFunc = yaml.Marshal
	var refused []*SecretError
	fresh := 0
	for n, i := range interactions {
		i.ID = n
		scan := rd.interaction(i)
		for _, fn := range cfg.beforeSave {
			if err := fn(i); err != nil {
				return fmt.Errorf("recorder: save %s: %w", file, err)
			}
		}
		if field, f, found := checkInteraction(scan, i); found {
			se := &SecretError{Cassette: file, Interaction: i.ID, Field: field, Family: f.Family, Encoding: f.Encoding}
			if !cfg.dropRefused {
				return se
			}
			refused = append(refused, se)
			continue
		}
		if n >= loaded {
			fresh++
		}
		c.Interactions = append(c.Interactions, i)
	}
	if len(refused) > 0 && fresh == 0 {
		return &DroppedError{Cassette: file, Refused: refused, Saved: fresh}
	}
	for {
		err := c.SaveWithFS(fsys)
		if err == nil {
			break
		}
		var se *SecretError
		if !errors.As(err, &se) {
			return fmt.Errorf("recorder: save %s: %w", file, err)
		}
		// The last check, of the file's bytes, names the interaction whose
		// part holds what it found: that one is dropped, when asked, and
		// the rest written.
		k := slices.IndexFunc(c.Interactions, func(i *cassette.Interaction) bool { return i.ID == se.Interaction })
		if !cfg.dropRefused || k < 0 {
			return se
		}
		if c.Interactions[k].ID >= loaded {
			fresh--
		}
		c.Interactions = slices.Delete(c.Interactions, k, k+1)
		refused = append(refused, se)
		if fresh == 0 {
			return &DroppedError{Cassette: file, Refused: refused, Saved: 0}
		}
	}
	if len(refused) > 0 {
		return &DroppedError{Cassette: file, Refused: refused, Saved: fresh}
	}
	return nil
}

// validate reports each new recording to the capture handler, validated,
// until Stop. It runs beside the requests: validating a payload costs
// several times what recording it does, and a client waiting for its
// answer need not wait for that too.
func (r *Recorder) validate() {
	defer close(r.validated)
	for i := range r.captures {
		r.capture(i)
	}
}

// capture validates a newly recorded payload and hands it to the capture
// handler.
func (r *Recorder) capture(i *cassette.Interaction) {
	p := stripecassette.PayloadOf(i)
	if !p.IsJSON() {
		return
	}
	body, pointer := p.Body, p.Pointer
	// What is printed of the capture goes through the same redaction as
	// the cassette, after decoding: a key sent percent-encoded in the URL
	// must not reach the report once the URL is shown unescaped.
	scan := scannerFor(i)
	// Judged at the API version the request asked for (its Stripe-Version
	// header), unless the payload names its own.
	res := r.validator.ValidateRequested([]byte(body), p.APIVersion)
	pointer = fmt.Sprintf("/interactions/%d%s", i.ID, pointer)
	for k := range res.Violations {
		v := &res.Violations[k]
		v.Message = scan.Redact(v.Message)
		v.Pointer = pointer + v.Pointer
	}
	r.cfg.onCapture(Capture{
		Cassette:    r.file,
		Interaction: i.ID,
		Method:      i.Request.Method,
		URL:         scan.Redact(stripecassette.DisplayURL(r.redactor.url(i.Request.URL))),
		Status:      i.Response.Code,
		Pointer:     pointer,
		Size:        len(body),
		Result:      res,
	})
}

func (r *Recorder) miss(req *http.Request, sent shape) *MissError {
	r.entriesMu.Lock()
	cands := make([]candidate, r.loaded)
	for n, e := range r.entries[:r.loaded] {
		cands[n] = candidate{cassette: r.file, index: n, request: e.interaction.Request, shape: r.shapeOf(e), replayed: e.played && !r.cfg.replayable}
	}
	r.entriesMu.Unlock()
	return r.matcher.miss(req, sent, cands)
}

// WriteCassette saves interactions as a go-vcr cassette at path (".yaml"
// is added when missing), through the same redaction, secret check and
// atomic write as a Recorder's Stop: for cassettes built rather than
// recorded, such as ones written from the API reference. The interactions
// are numbered in order; the caller's values are not modified. Options
// read: WithProvenance, WithMaskPII, WithBeforeSave.
func WriteCassette(path string, interactions []*cassette.Interaction, opts ...RecorderOption) error {
	cfg := recorderConfig(opts)
	copies := make([]*cassette.Interaction, len(interactions))
	for n, i := range interactions {
		copies[n] = &cassette.Interaction{Request: i.Request, Response: i.Response}
	}
	cfg.dropRefused = false
	return save(strings.TrimSuffix(path, ".yaml")+".yaml", copies, 0, cfg, newFS(cfg.provenance))
}
