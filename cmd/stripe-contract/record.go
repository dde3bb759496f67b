package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

const recordUsage = `usage: stripe-contract record --upstream URL --cassette FILE [flags]

Runs a recording reverse proxy: point any SDK's API base at it (stripe-go's
backend URL, stripe-node's host and port, stripe-python's api_base, curl)
and each request is forwarded to URL and recorded into FILE, a go-vcr v4
cassette. Before the cassette is written, credentials and Stripe secrets
are replaced by [REDACTED]; a cassette that would still hold a secret is
refused and not written. Each JSON response is validated as it comes in and
its violations are printed on standard output in --format.

Upstream faults reach the client within --timeout: 502 for a refused or
reset connection, a body cut short or over --max-body-size, 504 for no
response or a stalled body, each with a Stripe-Contract-Fault header; an
upstream 5xx is passed through and recorded. A client's request body must
arrive within --timeout (408 if it stalls) and within --max-body-size
(413). Nothing is recorded for a fault, and each is named on standard
error as the upstream's or the client's. Ctrl-C, SIGTERM or SIGHUP (a closed terminal) stops
the proxy and saves what was recorded; a kill leaves the previous cassette
as it was. At most --max-connections clients are served at once, and an
idle connection is closed after --idle-timeout.

A cassette that would still hold a secret redaction cannot reach (inside
a compressed body, say) is refused whole, and the session is lost; with
--drop-refused, each such interaction is dropped, named (its index, field,
the secret's family and encoding, never the value), and the others saved.

Exit status: 0 when saved and every response kept the contract, 1 when
saved and some did not, or some interactions were dropped (--drop-refused),
2 for a usage error or a cassette that could not be read or written
(including one refused for holding a secret).

flags:
`

// recordConfig is what record's flags ask for, checked.
type recordConfig struct {
	upstream, path, listen, format, provenance string
	mode                                       recorder.Mode
	timeout                                    time.Duration
	maxBody                                    int64
	dropRefused, maskPII                       bool
	matchHeaders                               []string
	limits                                     *serverLimits
}

func runRecord(ctx context.Context, e *env, args []string) error {
	started := time.Now()
	if os.Getenv("GOGC") == "" {
		// The proxy's added latency tail is half the collector's: while it
		// records, collect less often (save goes back to the default).
		debug.SetGCPercent(400)
	}
	cfg, err := parseRecordFlags(e, args)
	if err != nil {
		return err
	}
	v, err := validators.New()
	if err != nil {
		return err
	}
	cat, err := catalogueOf(v)
	if err != nil {
		return err
	}
	out, err := report.New(cfg.format, e.stdout, report.Options{MinSeverity: validators.Notice, Catalogue: cat, Name: "stripe-contract record"})
	if err != nil {
		return err
	}
	sink := &captureSink{out: out, sum: pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}}
	rec, err := recorder.New(cfg.path,
		recorder.WithMode(cfg.mode),
		recorder.WithTimeout(cfg.timeout),
		recorder.WithMaxBodySize(cfg.maxBody),
		recorder.WithDropRefused(cfg.dropRefused),
		recorder.WithMaskPII(cfg.maskPII),
		recorder.WithMatchHeaders(cfg.matchHeaders...),
		recorder.WithValidator(v),
		recorder.WithCaptureHandler(sink.capture),
		recorder.WithProvenance(cfg.provenance),
	)
	if err != nil {
		return err
	}
	removeStaleTemps(e, cfg.path, started)
	proxy, err := recorder.NewProxy(cfg.upstream, rec,
		recorder.WithTimeout(cfg.timeout),
		recorder.WithFaultHandler(func(f *recorder.UpstreamError) { reportFault(e, f) }),
	)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	warnIfExposed(e, "record", ln.Addr())
	served := serveUntilSignal(ctx, e, ln, serveConfig{
		cmd:         "record",
		handler:     proxy,
		limits:      cfg.limits,
		readTimeout: cfg.timeout,
		// The body, the upstream's answer and writing it back are each
		// bounded by --timeout.
		writeTimeout: 3 * cfg.timeout,
		// Requests in flight may finish (each is bounded by --timeout);
		// then the cassette is saved.
		grace: min(cfg.timeout, 10*time.Second),
		ready: func() {
			e.errorf("record: proxying http://%s -> %s, recording into %s (mode %s); Ctrl-C saves", ln.Addr(), proxy.Upstream(), cfg.path, cfg.mode)
		},
	})
	if served != nil {
		// Save what was recorded all the same, then say why serving stopped.
		e.errorf("record: serve: %v", served)
	}
	dropped, err := save(e, rec, cfg.path)
	if err != nil {
		return err
	}
	if err := sink.close(); err != nil {
		return err
	}
	switch {
	case served != nil:
		return errFailedSaid
	case dropped > 0:
		return verdictf("")
	case sink.sum.Invalid > 0:
		return verdictf("")
	}
	return nil
}

// parseRecordFlags reads and checks record's flags.
func parseRecordFlags(e *env, args []string) (*recordConfig, error) {
	fs := newFlagSet(e, "record", recordUsage)
	upstream := fs.String("upstream", "", "base URL to forward to, e.g. https://api.stripe.com or http://127.0.0.1:12111 (stripe-mock)")
	file := fs.String("cassette", "", "cassette file to record into (.yaml)")
	listen := fs.String("listen", "127.0.0.1:12113", "address to listen on (loopback unless you say otherwise; port 0 picks one)")
	mode := &choice{value: "record", allowed: []string{"record", "new-episodes"}}
	fs.Var(mode, "mode", "record: a new cassette; new-episodes: replay what FILE holds and add what it does not")
	force := fs.Bool("force", false, "in --mode record, replace FILE if it exists")
	timeout := fs.Duration("timeout", recorder.DefaultTimeout, "bound on reading each client's request body, and on each upstream request, headers and body")
	maxBody := byteSize(recorder.DefaultMaxBodySize)
	fs.Var(&maxBody, "max-body-size", "largest request or response body recorded (64MiB, 500KB, bytes); a larger one is answered 413 or 502 and not recorded")
	dropRefused := fs.Bool("drop-refused", false, "drop each interaction that would still hold a secret redaction cannot reach, naming it, and save the others (exit 1); without it the whole cassette is refused (exit 2)")
	maskPII := fs.Bool("mask-pii", false, "mask personal data (email, name, phone and address fields) with [MASKED]")
	var matchHeaders headerList
	fs.Var(&matchHeaders, "match-header", "also match requests on this header, e.g. Stripe-Version (repeatable; new-episodes mode)")
	format := &choice{value: "text", allowed: report.Names()}
	fs.Var(format, "format", "format of the validation report on stdout: "+strings.Join(report.Names(), ", "))
	note := fs.String("note", "", "where the recording comes from, written as comments at the top of the cassette (default: the upstream and the date)")
	// Each client connection may hold one to the upstream as well: 256
	// of each stay within a 1024-file limit.
	limits := addServerFlags(fs, 256)
	if err := parseFlagsOnly(fs, args); err != nil {
		return nil, err
	}
	if *upstream == "" || *file == "" {
		return nil, missingf(fs, "--upstream and --cassette are required")
	}
	if _, err := recorder.ParseUpstream(*upstream); err != nil {
		return nil, usagef("--upstream: %v", err)
	}
	switch {
	case *timeout <= 0:
		return nil, usagef("--timeout must be positive")
	case maxBody <= 0:
		return nil, usagef("--max-body-size must be positive")
	}
	if err := limits.check(); err != nil {
		return nil, err
	}
	recMode, _ := recorder.ParseMode(mode.value)
	path, err := cassettePath(*file, recMode, *force)
	if err != nil {
		return nil, err
	}
	return &recordConfig{
		upstream: *upstream, path: path, listen: *listen, format: format.value,
		provenance: provenance(*note, *upstream, path, recMode),
		mode:       recMode, timeout: *timeout, maxBody: int64(maxBody),
		dropRefused: *dropRefused, maskPII: *maskPII, matchHeaders: matchHeaders, limits: limits,
	}, nil
}

// cassettePath is the file --cassette names, with .yaml added; refused
// when it is a directory, or exists and mode would replace it without
// --force.
func cassettePath(file string, mode recorder.Mode, force bool) (string, error) {
	if info, err := os.Stat(file); err == nil && info.IsDir() {
		// Before the suffix: --cassette rec/ would otherwise record into rec/.yaml.
		return "", usagef("--cassette %s is a directory", file)
	}
	path := file
	if !strings.HasSuffix(path, ".yaml") {
		path += ".yaml"
	}
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return "", usagef("--cassette %s is a directory", path)
		}
		if mode == recorder.ModeRecord && !force {
			return "", usagef("cassette %s exists: --mode new-episodes adds to it, --force replaces it", path)
		}
	}
	return path, nil
}

// provenance is the comment block a new recording opens with: the --note,
// or where and when it was recorded, after what an extended cassette said
// of its first interactions.
func provenance(note, upstream, path string, mode recorder.Mode) string {
	if note != "" {
		return note
	}
	today := time.Now().UTC().Format(time.DateOnly)
	p := fmt.Sprintf("Recorded by stripe-contract record through its recording proxy from %s on %s.\nCredentials and Stripe secrets were redacted before writing.", upstream, today)
	if mode == recorder.ModeRecordNewEpisodes {
		if old, err := cassette.ReadProvenance(path); err == nil && old != "" {
			p = fmt.Sprintf("%s\nExtended by stripe-contract record (--mode new-episodes) from %s on %s.", old, upstream, today)
		}
	}
	return p
}

// removeStaleTemps removes the temporary files a killed save of path left
// (older than this run, so no save of ours is writing them), saying so.
func removeStaleTemps(e *env, path string, started time.Time) {
	stale, err := disk.RemoveStaleTemps(path, started)
	for _, f := range stale {
		e.errorf("record: removed %s, a temporary file left by a save that was killed", f)
	}
	if err != nil {
		e.errorf("record: warning: looking for temporary files a killed save left: %v", err)
	}
}

// save stops rec, which writes the cassette, and says what was saved. It
// returns how many interactions were dropped (--drop-refused), or why
// nothing could be saved.
func save(e *env, rec *recorder.Recorder, path string) (dropped int, err error) {
	n := rec.Recorded()
	if os.Getenv("GOGC") == "" {
		// runRecord collects less often, for the proxy's latency; the save
		// builds and checks copies of the whole cassette, and would take
		// several times the memory that way.
		debug.SetGCPercent(100)
	}
	if err := rec.Stop(); err != nil {
		var de *recorder.DroppedError
		var se *recorder.SecretError
		switch {
		case errors.As(err, &de):
			e.errorf("record: %v", err)
			n, dropped = de.Saved, len(de.Refused)
		case errors.As(err, &se):
			e.errorf("record: %v", err)
			return 0, fmt.Errorf("the %d %s of this session are lost; with --drop-refused, record drops each interaction it must refuse, naming it, and saves the others", n, plural(n, "interaction"))
		default:
			return 0, err
		}
	}
	nothing, suffix := "nothing recorded", ""
	if dropped > 0 {
		nothing, suffix = "nothing left to save", fmt.Sprintf(", %d dropped", dropped)
	}
	switch _, err := os.Stat(path); {
	case n > 0:
		e.errorf("record: saved %s (%d new %s%s)", path, n, plural(n, "interaction"), suffix)
	case err == nil:
		e.errorf("record: %s; %s left as it was", nothing, path)
	default:
		e.errorf("record: %s; no cassette written", nothing)
	}
	return dropped, nil
}

// plural is noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// reportFault says on stderr what the proxy could not complete, and whose
// fault it was.
func reportFault(e *env, f *recorder.UpstreamError) {
	side := "upstream"
	if f.Client {
		side = "client"
	}
	hint := ""
	if f.Fault == recorder.FaultBodyTooLarge {
		hint = "; --max-body-size raises the limit"
	}
	e.errorf("record: %s fault (%s): %v%s", side, f.Fault, f, hint)
}

// captureSink hands captured responses to a report format, one at a time,
// and counts them as validate's pipeline does.
type captureSink struct {
	mu  sync.Mutex
	out report.Format
	sum pipeline.Summary
	err error
}

func (s *captureSink) capture(c recorder.Capture) {
	o := &pipeline.Outcome{
		Doc: pipeline.Document{
			Source: c.Cassette,
			Size:   int64(c.Size),
			Prefix: c.Pointer,
			Label:  fmt.Sprintf("interaction %d: %s %s -> %d", c.Interaction, c.Method, c.URL, c.Status),
		},
		Result: c.Result,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sum.Documents++
	s.sum.Bytes += int64(c.Size)
	if c.Result.Valid() {
		s.sum.Valid++
	} else {
		s.sum.Invalid++
	}
	for _, v := range c.Result.Violations {
		if int(v.Severity) < len(s.sum.Violations) {
			s.sum.Violations[v.Severity]++
		}
		rc := s.sum.Rules[v.Rule]
		if rc == nil {
			rc = &pipeline.RuleCount{Rule: v.Rule, Severity: v.Severity}
			s.sum.Rules[v.Rule] = rc
		}
		rc.Count++
	}
	if s.err == nil {
		s.err = s.out.Write(o, s.out.Format(nil, o))
	}
}

func (s *captureSink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	return s.out.Close(&s.sum)
}

// headerList is a repeatable flag of header names.
type headerList []string

func (h *headerList) String() string { return strings.Join(*h, ",") }

func (h *headerList) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty header name")
	}
	*h = append(*h, s)
	return nil
}

// warnIfExposed says so when a server listens beyond loopback.
func warnIfExposed(e *env, cmd string, addr net.Addr) {
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		e.errorf("%s: warning: listening on %s, reachable from other machines; use 127.0.0.1:PORT to keep it local", cmd, addr)
	}
}
