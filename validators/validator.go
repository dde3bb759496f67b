package validators

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stripe-contract/stripe-contract/schemas"
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
	c        *contract
	fast     *fastPath // nil: every document takes the full path
	noFast   bool
	strict   bool
	maxDepth int
	maxSize  int
	files    fs.FS
	extra    []Rule
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

// WithSchemas reads the schema files from fsys instead of the ones embedded
// in package schemas (for schemas generated from another spec).
func WithSchemas(fsys fs.FS) Option { return func(v *Validator) { v.files = fsys } }

// WithRules adds rules checked outside this package to the catalogue that
// Rules and Rule read, so that listings and reports cite them: rules about
// the files documents come in, such as package recorder's cassette rules.
// New fails if one has the ID of a rule already there.
func WithRules(rules ...Rule) Option {
	return func(v *Validator) { v.extra = append(v.extra, rules...) }
}

// New compiles the schemas and returns a Validator.
func New(opts ...Option) (*Validator, error) {
	v := &Validator{maxDepth: DefaultMaxDepth, maxSize: DefaultMaxSize}
	for _, o := range opts {
		o(v)
	}
	if v.files == nil {
		files, err := schemas.Version(schemas.Newest())
		if err != nil {
			return nil, fmt.Errorf("validators: %w", err)
		}
		v.files = files
	}
	if v.maxDepth < 1 || v.maxSize < 1 {
		return nil, errors.New("validators: limits must be positive")
	}
	if v.maxDepth > MaxDepthLimit {
		return nil, fmt.Errorf("validators: a depth limit of %d is over %d, the JSON decoder's own", v.maxDepth, MaxDepthLimit)
	}
	c, err := loadContract(v.files)
	if err != nil {
		return nil, fmt.Errorf("validators: %w", err)
	}
	for _, r := range v.extra {
		if r.ID == "" {
			return nil, fmt.Errorf("validators: a rule added has no ID (%s)", r.Summary)
		}
		if _, dup := c.rules[r.ID]; dup {
			return nil, fmt.Errorf("validators: rule %s is already defined", r.ID)
		}
		c.rules[r.ID] = r
	}
	v.c = c
	if !v.noFast {
		v.fast = newFastPath(c, v.maxDepth)
	}
	return v, nil
}

// Strict reports whether undocumented fields are errors.
func (v *Validator) Strict() bool { return v.strict }

// MaxSize is the largest document accepted, in bytes.
func (v *Validator) MaxSize() int { return v.maxSize }

// APIVersion is the Stripe API version the schemas were generated from.
func (v *Validator) APIVersion() string { return v.c.apiVersion }

// Rules returns every rule, ordered by ID.
func (v *Validator) Rules() []Rule {
	out := make([]Rule, 0, len(v.c.rules))
	for _, r := range v.c.rules {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Rule returns the rule with the given ID.
func (v *Validator) Rule(id string) (Rule, bool) {
	r, ok := v.c.rules[id]
	return r, ok
}

// Validate checks one document (a JSON value) and returns its kind and
// violations. It never panics on any input: a document that is not JSON is
// a result with a json.* violation, not an error.
func (v *Validator) Validate(doc []byte) (res Result) {
	defer func() {
		if p := recover(); p != nil {
			res = Result{Kind: KindUnknown, Violations: []Violation{{
				Rule: RuleInternal, Severity: Error,
				Message: fmt.Sprintf("the validator failed on this document (%v); please report it with the document", p),
			}}}
		}
	}()
	if len(doc) > v.maxSize {
		return v.TooLarge(int64(len(doc)))
	}
	if v.fast != nil {
		if res, ok := v.fast.validate(v, doc); ok {
			return res
		}
	}
	d, derr := decode(doc, v.maxDepth)
	if derr != nil {
		r := v.c.rules[derr.rule]
		return Result{Kind: KindUnknown, Violations: []Violation{{
			Rule: r.ID, Pointer: derr.pointer, Message: derr.message + "; " + r.Summary, Severity: r.Severity, Doc: r.Doc,
		}}}
	}
	return v.validateDecoded(d)
}

// TooLarge is the result for a document of size bytes over the size limit,
// for callers that skip such a document without reading it into memory.
func (v *Validator) TooLarge(size int64) Result {
	return Result{Kind: KindUnknown, Violations: []Violation{v.violation(RuleTooLarge, "",
		fmt.Sprintf("is %d bytes, over the %d-byte limit", size, v.maxSize))}}
}

func (v *Validator) validateDecoded(d decoded) Result {
	kind := kindOf(treeFacts(d.value))
	if kind == KindUnknown {
		return Result{Kind: kind, Violations: []Violation{v.unknownKind(d.value)}}
	}
	schema := v.c.schemas[kind]
	var out []Violation
	if err := schema.Validate(d.value); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			out = append(out, Violation{Rule: RuleInternal, Severity: Error, Message: "the schema could not be applied: " + err.Error()})
		} else {
			e := explainer{c: v.c, doc: tree{d.value}, strict: v.strict}
			e.walk(ve, nil)
			out = e.out
		}
	}
	out = append(out, v.goChecks(kind, d, schema)...)
	return Result{Kind: kind, Violations: sortViolations(out)}
}
