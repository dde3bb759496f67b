package validators

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Defaults for the limits on a single document.
const (
	DefaultMaxDepth = 512
	DefaultMaxSize  = 16 << 20
)

// MaxDepthLimit is the deepest nesting WithMaxDepth accepts: the JSON
// decoder's own bound (go-json-experiment's jsontext stops there).
const MaxDepthLimit = 10000

// RuleInternal names a validator failure: a bug here, never a verdict on
// the document. Fuzzing checks that it never occurs.
const RuleInternal = "validator.internal"

// Validator checks documents against the contract. It is safe for
// concurrent use; create one and share it.
type Validator struct {
	versions map[string]*apiVersion
	names    []string // the versions' names, oldest first
	dflt     string   // the version WithAPIVersion names, else the newest
	// def and newest are the versions dflt and the last of names name:
	// every document asks for one of them.
	def, newest *apiVersion
	pinned      string // WithAPIVersion's
	noFast      bool
	strict      bool
	maxDepth    int
	maxSize     int
	files       fs.FS
	extra       []Rule
	// extraByID holds WithRules' rules: the Validator's own, beside the
	// contract it may share with others.
	extraByID map[string]Rule
}

// Option configures a Validator.
type Option func(*Validator)

// WithStrict makes undocumented fields errors instead of notices.
func WithStrict(strict bool) Option { return func(v *Validator) { v.strict = strict } }

// WithMaxDepth sets how deeply a document may nest (DefaultMaxDepth), at
// most MaxDepthLimit levels.
func WithMaxDepth(levels int) Option { return func(v *Validator) { v.maxDepth = levels } }

// WithMaxSize sets the largest document accepted, in bytes (DefaultMaxSize).
func WithMaxSize(bytes int) Option { return func(v *Validator) { v.maxSize = bytes } }

// WithFastPath turns the fast path on (the default) or off. The fast path
// recognises clean documents without the full schema engine; it only ever
// answers "no violation", and leaves every other document to the full path,
// so results are the same either way. Off is for measuring and testing.
func WithFastPath(on bool) Option { return func(v *Validator) { v.noFast = !on } }

// WithSchemas reads the schema files of one API version from fsys instead
// of the ones embedded in package schemas (for schemas generated from
// another spec with schemas/generate -spec): every document is judged at
// the version they were generated for.
func WithSchemas(fsys fs.FS) Option { return func(v *Validator) { v.files = fsys } }

// WithAPIVersion judges every document at the embedded API version
// apiVersion, whatever the document or its request names. New fails for a
// version that is not embedded, naming the ones that are
// (*schemas.UnknownVersionError). Without it, each document is judged at
// the version it names (see Validate).
func WithAPIVersion(apiVersion string) Option { return func(v *Validator) { v.pinned = apiVersion } }

// WithRules adds rules checked outside this package to the catalogue that
// Rules and Rule read, so that listings and reports cite them: rules about
// the files documents come in, such as package recorder's cassette rules.
// New fails if one has the ID of a rule already there.
func WithRules(rules ...Rule) Option {
	return func(v *Validator) { v.extra = append(v.extra, rules...) }
}

// New returns a Validator. It compiles the contract of the default API
// version (WithAPIVersion's, else the newest) at once, and each other
// version's the first time a document is judged at it.
func New(opts ...Option) (*Validator, error) {
	v := &Validator{maxDepth: DefaultMaxDepth, maxSize: DefaultMaxSize}
	for _, o := range opts {
		o(v)
	}
	if v.maxDepth < 1 || v.maxSize < 1 {
		return nil, errors.New("validators: limits must be positive")
	}
	if v.maxDepth > MaxDepthLimit {
		return nil, fmt.Errorf("validators: a depth limit of %d is over %d, the JSON decoder's own", v.maxDepth, MaxDepthLimit)
	}
	if err := v.setVersions(); err != nil {
		return nil, fmt.Errorf("validators: %w", err)
	}
	if _, err := v.def.load(v); err != nil {
		return nil, err
	}
	if err := v.setExtra(); err != nil {
		return nil, fmt.Errorf("validators: %w", err)
	}
	return v, nil
}

// base is the contract of the default version, compiled by New.
func (v *Validator) base() *contract { return v.def.c }

// Strict reports whether undocumented fields are errors.
func (v *Validator) Strict() bool { return v.strict }

// MaxSize is the largest document accepted, in bytes.
func (v *Validator) MaxSize() int { return v.maxSize }

// APIVersion is the default API version: the one WithAPIVersion names,
// else the newest embedded (or the one WithSchemas gave). Rules and Rule
// describe its contract.
func (v *Validator) APIVersion() string { return v.dflt }

// Rules returns every rule of the default version's contract and those
// WithRules added, ordered by ID. It reads every schema file's catalogue
// (without compiling them): a listing's cost, not a validation's.
func (v *Validator) Rules() []Rule {
	out, _ := v.Catalogue()
	return out
}

// Catalogue returns every rule, as Rules does, or why a schema file could
// not be read: what a Catalogue that includes v lists.
func (v *Validator) Catalogue() ([]Rule, error) {
	all, err := v.base().allRules()
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(all)+len(v.extraByID))
	for _, r := range all {
		out = append(out, r)
	}
	for _, r := range v.extraByID {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Rule returns the rule with the given ID. It reads at most the one schema
// file the rule's namespace names (the resource before its field path), so
// that looking a rule up costs a file, not the contract.
func (v *Validator) Rule(id string) (Rule, bool) {
	if r, ok := v.extraByID[id]; ok {
		return r, true
	}
	return v.contractRule(id)
}

// contractRule is Rule among the contract's rules only.
func (v *Validator) contractRule(id string) (Rule, bool) {
	c := v.base()
	if r, ok := c.rule(id); ok {
		return r, true
	}
	if file := c.fileOfRule(id); file != "" && c.load(file) == nil {
		return c.rule(id)
	}
	return Rule{}, false
}

// Validate checks one document (a JSON value) and returns its kind, the
// API version it was judged at, and its violations. It never panics on any
// input: a document that is not JSON is a result with a json.* violation,
// not an error.
//
// The version is the one WithAPIVersion names; else an event's own
// api_version when its contract is embedded; else the newest embedded. A
// document naming a version that is not embedded is judged at the newest,
// with a notice (RuleVersionNotEmbedded) naming the version used.
func (v *Validator) Validate(doc []byte) Result { return v.ValidateRequested(doc, "") }

// ValidateRequested is Validate for a document that answers a request for
// API version requested (its Stripe-Version header, as a cassette records
// it): a document that names no embedded version itself is judged at
// requested when that is embedded (after WithAPIVersion and an event's
// api_version, before the newest).
func (v *Validator) ValidateRequested(doc []byte, requested string) (res Result) {
	defer func() {
		if p := recover(); p != nil {
			res = Result{Kind: KindUnknown, APIVersion: v.VersionFor(requested), Violations: []Violation{{
				Rule: RuleInternal, Severity: Error,
				Message: fmt.Sprintf("the validator failed on this document (%v); please report it with the document", p),
			}}}
		}
	}()
	if len(doc) > v.maxSize {
		res = v.TooLarge(int64(len(doc)))
		res.APIVersion = v.VersionFor(requested)
		return res
	}
	if res, ok := v.validateFast(doc, requested); ok {
		return res
	}
	d, derr := decode(doc, v.maxDepth)
	if derr != nil {
		r, _ := v.base().rule(derr.rule)
		return Result{Kind: KindUnknown, APIVersion: v.VersionFor(requested), Violations: []Violation{{
			Rule: r.ID, Pointer: derr.pointer, Message: derr.message + "; " + r.Summary, Severity: r.Severity, Doc: r.Doc,
		}}}
	}
	a, notice := v.choose(treeAPIVersion(d.value), requested)
	c, err := a.load(v)
	if err != nil {
		return v.unloadable(a, err)
	}
	res = v.validateDecoded(c, d)
	res.APIVersion = a.name
	return withNotice(res, notice)
}

// validateFast answers through the fast path of the version doc is judged
// at, when it can (see fastPath.validate).
func (v *Validator) validateFast(doc []byte, requested string) (Result, bool) {
	base := v.def
	if base.fast == nil {
		return Result{}, false
	}
	t, ok := base.fast.scan(doc)
	if !ok {
		return Result{}, false
	}
	own, ok := tapeAPIVersion(t)
	if !ok {
		base.fast.release(t)
		return Result{}, false
	}
	a, notice := v.choose(own, requested)
	owner := base.fast // whose pool the tape goes back to
	if a != base {
		if _, err := a.load(v); err != nil {
			owner.release(t)
			return v.unloadable(a, err), true
		}
		if a.fast == nil {
			owner.release(t)
			return Result{}, false
		}
		if a.fast.maxDepth != base.fast.maxDepth { // the tape is the same at any version, scanned to the same depth
			owner.release(t)
			if t, ok = a.fast.scan(doc); !ok {
				return Result{}, false
			}
			owner = a.fast
		}
	}
	defer owner.release(t)
	res, ok := a.fast.validate(v, t)
	if !ok {
		return Result{}, false
	}
	res.APIVersion = a.name
	return withNotice(res, notice), true
}

// unloadable is the result for a document judged at a version whose
// contract does not compile: a bug in the embedded files, reported as one.
func (v *Validator) unloadable(a *apiVersion, err error) Result {
	return Result{Kind: KindUnknown, APIVersion: a.name, Violations: []Violation{{
		Rule: RuleInternal, Severity: Error, Message: "the contract could not be loaded: " + err.Error(),
	}}}
}

// withNotice adds the version notice, if any, to res.
func withNotice(res Result, notice *Violation) Result {
	if notice != nil {
		res.Violations = sortViolations(append(res.Violations, *notice))
	}
	return res
}

// TooLarge is the result for a document of size bytes over the size limit,
// for callers that skip such a document without reading it into memory.
// Its APIVersion is the default one (see VersionFor).
func (v *Validator) TooLarge(size int64) Result {
	return Result{Kind: KindUnknown, APIVersion: v.dflt, Violations: []Violation{v.base().violation(RuleTooLarge, "",
		fmt.Sprintf("is %d bytes, over the %d-byte limit", size, v.maxSize))}}
}

func (v *Validator) validateDecoded(c *contract, d decoded) Result {
	kind := kindOf(treeFacts(d.value), c)
	if kind == KindUnknown {
		return Result{Kind: kind, Violations: []Violation{c.unknownKind(d.value)}}
	}
	schema, err := c.schema(kind)
	if err != nil {
		return Result{Kind: kind, Violations: []Violation{{Rule: RuleInternal, Severity: Error, Message: "the contract could not be loaded: " + err.Error()}}}
	}
	var out []Violation
	if err := schema.Validate(d.value); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			out = append(out, Violation{Rule: RuleInternal, Severity: Error, Message: "the schema could not be applied: " + err.Error()})
		} else {
			e := explainer{c: c, doc: tree{d.value}, strict: v.strict}
			e.walk(ve, nil)
			out = e.out
		}
	}
	out = append(out, c.goChecks(kind, d, schema)...)
	return Result{Kind: kind, Violations: sortViolations(out)}
}
