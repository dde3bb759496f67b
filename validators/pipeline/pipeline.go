// Package pipeline validates documents from files, directories and standard
// input: it splits them into documents (a .json file is one, an .ndjson or
// .jsonl file one per line), validates them on every core, and hands the
// results to a Sink in input order, holding a bounded number of bytes in
// memory whatever the size of the input. A regular NDJSON file is read by
// the workers themselves, each its own byte range (split.go); standard
// input and compressed files (compressed.go) are read by one goroutine.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
)

// Outcome is a document with its result.
type Outcome struct {
	Doc    Document
	Result validators.Result
}

// Sink receives outcomes. Format runs on the worker goroutines,
// concurrently, and must not keep state; Write runs on one goroutine, in
// input order, with the bytes Format returned for that outcome. Neither may
// keep the outcome or the bytes after it returns: their memory is reused.
type Sink interface {
	Format(dst []byte, o *Outcome) []byte
	Write(o *Outcome, formatted []byte) error
}

// RuleCount is how often one rule was broken.
type RuleCount struct {
	Rule     string
	Severity validators.Severity
	Count    int64
}

// Summary counts what a run saw.
type Summary struct {
	Documents  int64
	Valid      int64
	Invalid    int64
	Bytes      int64
	Violations [3]int64 // by severity: errors, warnings, notices
	Rules      map[string]*RuleCount
	// APIVersions counts the documents judged at each API version.
	APIVersions map[string]int64
	Unreadable  []error // paths or files that could not be read
}

// VersionCount is how many documents were judged at one API version.
type VersionCount struct {
	APIVersion string
	Documents  int64
}

// VersionCounts lists the API versions documents were judged at, most
// documents first, then newest first.
func (s *Summary) VersionCounts() []VersionCount {
	out := make([]VersionCount, 0, len(s.APIVersions))
	for v, n := range s.APIVersions {
		out = append(out, VersionCount{v, n})
	}
	slices.SortFunc(out, func(a, b VersionCount) int {
		if a.Documents != b.Documents {
			if a.Documents > b.Documents {
				return -1
			}
			return 1
		}
		return strings.Compare(b.APIVersion, a.APIVersion)
	})
	return out
}

// RuleCounts lists the rules broken, most often first.
func (s *Summary) RuleCounts() []RuleCount {
	out := make([]RuleCount, 0, len(s.Rules))
	for _, rc := range s.Rules {
		out = append(out, *rc)
	}
	slices.SortFunc(out, func(a, b RuleCount) int {
		if a.Count != b.Count {
			if a.Count > b.Count {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return out
}

// Add counts one outcome, as a run does for each document: for callers
// that produce outcomes of their own (webhook deliveries) and report them
// the same way.
func (s *Summary) Add(o *Outcome) {
	s.add(o)
	s.addVersion(o.Result.APIVersion, 1)
}

// addVersion counts n documents judged at API version v ("": none).
func (s *Summary) addVersion(v string, n int64) {
	if v == "" || n == 0 {
		return
	}
	if s.APIVersions == nil {
		s.APIVersions = map[string]int64{}
	}
	s.APIVersions[v] += n
}

// add is Add but for the API version, which the caller counts.
func (s *Summary) add(o *Outcome) {
	s.Documents++
	s.Bytes += o.Doc.Size
	if o.Result.Valid() {
		s.Valid++
	} else {
		s.Invalid++
	}
	for _, v := range o.Result.Violations {
		if int(v.Severity) < len(s.Violations) {
			s.Violations[v.Severity]++
		}
		rc := s.Rules[v.Rule]
		if rc == nil {
			rc = &RuleCount{Rule: v.Rule, Severity: v.Severity}
			s.Rules[v.Rule] = rc
		}
		rc.Count++
	}
}

// merge adds the counts of o, a summary of other documents, to s.
func (s *Summary) merge(o *Summary) {
	s.Documents += o.Documents
	s.Valid += o.Valid
	s.Invalid += o.Invalid
	s.Bytes += o.Bytes
	for i, n := range o.Violations {
		s.Violations[i] += n
	}
	for v, n := range o.APIVersions {
		if s.APIVersions == nil {
			s.APIVersions = map[string]int64{}
		}
		s.APIVersions[v] += n
	}
	for id, rc := range o.Rules {
		if mine := s.Rules[id]; mine != nil {
			mine.Count += rc.Count
		} else {
			c := *rc
			s.Rules[id] = &c
		}
	}
}

// reset empties s for counting again, keeping its maps.
func (s *Summary) reset() {
	clear(s.APIVersions)
	clear(s.Rules)
	rules, versions := s.Rules, s.APIVersions
	*s = Summary{Rules: rules, APIVersions: versions}
	if s.Rules == nil {
		s.Rules = map[string]*RuleCount{}
	}
}

// Pipeline runs a Validator over inputs. Create it with New.
type Pipeline struct {
	v           *validators.Validator
	workers     int
	readers     map[string]Reader
	ndjsonExts  map[string]bool // extensions still read by ReadNDJSON
	stdinLayout Layout
	stdin       io.Reader
	budget      int64
	batchDocs   int
	batchBytes  int
	progress    io.Writer
	onError     func(error)
	onSkip      func(disk.Skipped)
	batches     sync.Pool
}

// Option configures a Pipeline.
type Option func(*Pipeline)

// WithWorkers sets how many goroutines validate (default: GOMAXPROCS).
func WithWorkers(n int) Option { return func(p *Pipeline) { p.workers = n } }

// WithReader reads files with extension ext (".yaml") with r.
func WithReader(ext string, r Reader) Option {
	return func(p *Pipeline) {
		p.readers[strings.ToLower(ext)] = r
		delete(p.ndjsonExts, strings.ToLower(ext))
	}
}

// WithStdin sets what "-" reads (default os.Stdin) and its layout.
func WithStdin(r io.Reader, l Layout) Option {
	return func(p *Pipeline) { p.stdin, p.stdinLayout = r, l }
}

// WithMemoryBudget bounds the bytes of documents held at once (default 64 MiB).
func WithMemoryBudget(bytes int64) Option { return func(p *Pipeline) { p.budget = bytes } }

// WithProgress writes a progress line to w while a long run goes on.
func WithProgress(w io.Writer) Option { return func(p *Pipeline) { p.progress = w } }

// WithErrorHandler is called, from any goroutine, with each input that
// cannot be read; the run goes on with the others.
func WithErrorHandler(fn func(error)) Option { return func(p *Pipeline) { p.onError = fn } }

// WithSkipHandler is called with each file a directory walk passes over
// (see disk.Skipped); by default they pass silently.
func WithSkipHandler(fn func(disk.Skipped)) Option { return func(p *Pipeline) { p.onSkip = fn } }

// New returns a pipeline that validates with v.
func New(v *validators.Validator, opts ...Option) *Pipeline {
	p := &Pipeline{
		v:          v,
		workers:    runtime.GOMAXPROCS(0),
		readers:    map[string]Reader{".json": ReadJSON, ".ndjson": ReadNDJSON, ".jsonl": ReadNDJSON},
		ndjsonExts: map[string]bool{".ndjson": true, ".jsonl": true},
		stdin:      os.Stdin,
		budget:     64 << 20,
		batchDocs:  256,
		batchBytes: 256 << 10,
		onError:    func(error) {},
		onSkip:     func(disk.Skipped) {},
	}
	for _, o := range opts {
		o(p)
	}
	if p.workers < 1 {
		p.workers = 1
	}
	return p
}

// batch is a run of consecutive documents, validated by one worker.
type batch struct {
	docs     []Document
	spans    [][2]int // where each document's bytes stand in arena
	arena    []byte
	outcomes []Outcome
	out      []byte
	ends     []int // end of each outcome's formatted bytes in out
	// sum counts the outcomes, by the worker: the writer adds it to the
	// run's whole, rather than counting each outcome itself.
	sum    Summary
	weight int64
	done   chan struct{}
	rng    *fileRange // set: the worker reads the batch's documents itself
}

// doc is the batch's i-th document, its Data in the arena unless it is a
// problem or over maxSize bytes (its data was not kept).
func (b *batch) doc(i, maxSize int) Document {
	d := b.docs[i]
	if d.problem == nil && d.Size <= int64(maxSize) {
		span := b.spans[i]
		d.Data = b.arena[span[0]:span[1]:span[1]]
	}
	return d
}

func (b *batch) full(maxDocs, maxBytes int) bool {
	return len(b.docs) >= maxDocs || len(b.arena) >= maxBytes
}

// newBatch takes a batch from the pool, emptied, or makes one.
func (p *Pipeline) newBatch() *batch {
	if b, ok := p.batches.Get().(*batch); ok {
		b.docs, b.spans, b.arena, b.out, b.ends = b.docs[:0], b.spans[:0], b.arena[:0], b.out[:0], b.ends[:0]
		b.done, b.rng = make(chan struct{}), nil
		return b
	}
	return &batch{
		docs:  make([]Document, 0, p.batchDocs),
		spans: make([][2]int, 0, p.batchDocs),
		arena: make([]byte, 0, p.batchBytes+p.batchBytes/4),
		out:   make([]byte, 0, 64<<10),
		done:  make(chan struct{}),
	}
}

// Run validates every document under paths and passes the outcomes to sink
// in input order. It returns the summary; the error is non-nil when sink
// failed or nothing could be read.
func (p *Pipeline) Run(ctx context.Context, paths []string, sink Sink) (Summary, error) {
	sum := Summary{Rules: map[string]*RuleCount{}}
	inputs, errs := p.expand(paths)
	for _, err := range errs {
		sum.Unreadable = append(sum.Unreadable, err)
		p.onError(err)
	}
	if len(inputs) == 0 {
		if len(errs) == 0 {
			return sum, ErrNoDocuments
		}
		return sum, errs[0]
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := semaphore.NewWeighted(p.budget)
	work := make(chan *batch, p.workers)
	order := make(chan *batch, p.workers+1)
	readErrs := make(chan error, 1)

	for range p.workers {
		go func() {
			for b := range work {
				if b.rng != nil {
					b.rng.fill(b, p.v.MaxSize())
					b.rng.file.release()
				}
				p.process(b, sink)
				close(b.done)
				// Closing done readies the writer in this worker's P's
				// runnext, where it waited while the worker went on to its
				// next batch, until the other P, out of work because the
				// writer had not drained the order, stole it: the runtime
				// sleeps 3 µs before stealing a runnext (runqgrab), and
				// Linux's 50 µs timer slack made that about 55 µs, at
				// every batch (perf sched: an idle core of 67 µs each
				// 1.15 ms). Yielding runs the writer now.
				runtime.Gosched()
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(work)
		var errs []error
		defer func() { readErrs <- errors.Join(errs...) }()
		cur := p.newBatch()
		flush := func() error {
			if len(cur.docs) == 0 {
				return nil
			}
			cur.weight = min(int64(len(cur.arena))+1, p.budget)
			if err := sem.Acquire(ctx, cur.weight); err != nil {
				return err
			}
			work <- cur
			order <- cur
			cur = p.newBatch()
			return nil
		}
		for _, in := range inputs {
			r, closeInput, err := p.open(in.path)
			if err != nil {
				errs = append(errs, err)
				p.onError(err)
				continue
			}
			if f, ok := r.(*os.File); ok && in.split {
				if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
					// Flushed first: the batches go to the output in order.
					if flush() != nil {
						closeInput()
						return
					}
					rf := &rangeFile{f: f, path: in.path, source: in.path, size: info.Size()}
					if err := p.dispatchRanges(ctx, rf, sem, work, order); err != nil {
						return
					}
					continue
				}
			}
			source := in.path
			if source == Stdin {
				source = StdinName
			}
			add := func(d Document) error {
				start := len(cur.arena)
				cur.arena = append(cur.arena, d.Data...)
				cur.spans = append(cur.spans, [2]int{start, len(cur.arena)})
				d.Data = nil
				cur.docs = append(cur.docs, d)
				if cur.full(p.batchDocs, p.batchBytes) {
					return flush()
				}
				return nil
			}
			err = in.read(source, r, p.v.MaxSize(), add)
			closeInput()
			if ctx.Err() != nil {
				return
			}
			if invalid := (*InvalidFileError)(nil); errors.As(err, &invalid) {
				err = add(Document{Source: source, Line: invalid.Line, problem: &invalid.Violation})
			}
			if err != nil {
				err = &UsageError{Path: in.path, Err: err}
				errs = append(errs, err)
				p.onError(err)
			}
		}
		_ = flush()
	}()

	var writeErr error
	prog := newProgress(p.progress)
	for b := range order {
		<-b.done
		if b.rng != nil && writeErr == nil {
			switch rf := b.rng.file; {
			case rf.failed.Load():
				b.outcomes = b.outcomes[:0] // the file stopped being read at its error
			case b.rng.err != nil:
				rf.failed.Store(true)
				err := &UsageError{Path: rf.path, Err: b.rng.err}
				sum.Unreadable = append(sum.Unreadable, err)
				p.onError(err)
			}
		}
		if writeErr == nil {
			for i := range b.outcomes {
				start := 0
				if i > 0 {
					start = b.ends[i-1]
				}
				if err := sink.Write(&b.outcomes[i], b.out[start:b.ends[i]]); err != nil {
					// Counted up to the one that failed, as when written.
					for j := range i + 1 {
						sum.Add(&b.outcomes[j])
					}
					writeErr = err
					cancel()
					break
				}
			}
			if writeErr == nil && len(b.outcomes) > 0 {
				sum.merge(&b.sum)
			}
			prog.update(&sum)
		}
		sem.Release(b.weight)
		if cap(b.arena) <= 4*p.batchBytes { // keep the pool's batches small
			clear(b.outcomes)
			p.batches.Put(b)
		}
	}
	prog.finish()
	if err := <-readErrs; err != nil {
		sum.Unreadable = append(sum.Unreadable, flatten(err)...)
	}
	return sum, writeErr
}

// dispatchRanges hands the workers rf in ranges of batchBytes, in file
// order, and lets go of rf once all are handed out.
func (p *Pipeline) dispatchRanges(ctx context.Context, rf *rangeFile, sem *semaphore.Weighted, work, order chan<- *batch) error {
	rf.pending.Store(1)
	defer rf.release()
	var prev *fileRange
	step := int64(p.batchBytes)
	for start := int64(0); start < rf.size; start += step {
		b := p.newBatch()
		b.rng = &fileRange{file: rf, start: start, end: min(start+step, rf.size), prev: prev, counted: make(chan struct{})}
		b.weight = min(step+1, p.budget)
		if err := sem.Acquire(ctx, b.weight); err != nil {
			return err
		}
		rf.pending.Add(1)
		work <- b
		order <- b
		prev = b.rng
	}
	return nil
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func (p *Pipeline) open(path string) (io.Reader, func(), error) {
	if path == Stdin {
		return p.stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &UsageError{Path: path, Err: unwrapPathError(err)}
	}
	return f, func() { f.Close() }, nil
}

// Validate judges one document as a run does: a file a Reader found invalid
// as a whole breaks its rule, a document over v's size limit is reported
// too large (its Data is not read), any other is validated at the version
// it asks for; violation pointers are prefixed with the document's Prefix.
// It is for callers that split their input themselves (a distributed
// pipeline's workers), so that their verdicts are validate's.
func Validate(v *validators.Validator, d Document) validators.Result {
	var r validators.Result
	switch {
	case d.problem != nil:
		r = validators.Result{Kind: validators.KindUnknown, APIVersion: v.VersionFor(d.APIVersion), Violations: []validators.Violation{*d.problem}}
	case d.Size > int64(v.MaxSize()):
		r = v.TooLarge(d.Size)
		r.APIVersion = v.VersionFor(d.APIVersion)
	default:
		r = v.ValidateRequested(d.Data, d.APIVersion)
	}
	if d.Prefix != "" {
		for j := range r.Violations {
			r.Violations[j].Pointer = d.Prefix + r.Violations[j].Pointer
		}
	}
	return r
}

// process validates a batch and formats its outcomes: all of them
// validated first, so that a batch read by its worker (b.rng) is numbered
// (which waits for the ranges before it to be counted) only then. The two
// passes were cheaper than one that validated and formatted each document
// in turn, too: 4% less CPU on the invoice benchmark's two workers.
func (p *Pipeline) process(b *batch, sink Sink) {
	b.outcomes = slices.Grow(b.outcomes[:0], len(b.docs))[:len(b.docs)]
	b.ends = slices.Grow(b.ends[:0], len(b.docs))[:len(b.docs)]
	b.sum.reset()
	for i := range b.docs {
		b.outcomes[i].Result = Validate(p.v, b.doc(i, p.v.MaxSize()))
	}
	if b.rng != nil {
		b.rng.number(b)
	}
	// The API versions are counted by runs: a log's lines are mostly at
	// one, and a map update each was about 2% of a run.
	version, run := "", int64(0)
	for i := range b.outcomes {
		b.outcomes[i].Doc = b.doc(i, p.v.MaxSize())
		b.out = sink.Format(b.out, &b.outcomes[i])
		b.ends[i] = len(b.out)
		b.sum.add(&b.outcomes[i])
		if v := b.outcomes[i].Result.APIVersion; v != version {
			b.sum.addVersion(version, run)
			version, run = v, 0
		}
		run++
	}
	b.sum.addVersion(version, run)
}

// progress prints "N documents, X MB, R/s" on one terminal line, once the
// run has lasted a second (a small input finishes before then, silently).
type progress struct {
	w     io.Writer
	start time.Time
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

func (p *progress) update(s *Summary) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	secs := now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\r\x1b[Kvalidated %d documents (%d invalid), %.1f MB, %.0f documents/s",
		s.Documents, s.Invalid, float64(s.Bytes)/1e6, float64(s.Documents)/secs)
}

func (p *progress) finish() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
