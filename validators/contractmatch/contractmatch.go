package contractmatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/onsi/gomega/types"
	stripe "github.com/stripe/stripe-go/v85"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
	"github.com/stripe-contract/stripe-contract/validators"
)

// Option chooses the contract a matcher judges by.
type Option func(*config)

type config struct {
	strict    bool
	version   string
	validator *validators.Validator
}

// Strict judges undocumented fields as errors instead of notices
// (validators.WithStrict): a payload with a field the docs do not describe
// then breaks the contract.
func Strict() Option { return func(c *config) { c.strict = true } }

// AtAPIVersion judges every payload at this embedded API version
// (validators.WithAPIVersion), whatever the payload or its response says.
func AtAPIVersion(apiVersion string) Option { return func(c *config) { c.version = apiVersion } }

// WithValidator judges with v, built by the caller with any
// validators.Option; Strict and AtAPIVersion are then ignored.
func WithValidator(v *validators.Validator) Option { return func(c *config) { c.validator = v } }

// validatorKey names a validator the matchers build for themselves.
type validatorKey struct {
	strict  bool
	version string
}

// built holds the validators the matchers built, one per key, each
// compiled once: a Validator is immutable and safe for concurrent use, and
// compiling one for every assertion would cost more than the assertion.
var built sync.Map // validatorKey -> func() (*validators.Validator, error)

func (c *config) get() (*validators.Validator, error) {
	if c.validator != nil {
		return c.validator, nil
	}
	key := validatorKey{c.strict, c.version}
	once, _ := built.LoadOrStore(key, sync.OnceValues(func() (*validators.Validator, error) {
		opts := []validators.Option{validators.WithStrict(key.strict)}
		if key.version != "" {
			opts = append(opts, validators.WithAPIVersion(key.version))
		}
		return validators.New(opts...)
	}))
	return once.(func() (*validators.Validator, error))()
}

func configOf(opts []Option) *config {
	c := &config{}
	for _, o := range opts {
		o(c)
	}
	return c
}

// judgement is what a matcher saw of the actual value.
type judgement struct {
	what   string // "the invoice_payment at 2026-08-26.dahlia", for messages
	result validators.Result
}

// judge validates actual, or takes it as judged when it is a Result.
func (c *config) judge(actual any) (judgement, error) {
	switch a := actual.(type) {
	case validators.Result:
		return judgement{what: describe("the result", a), result: a}, nil
	case *validators.Result:
		if a == nil {
			return judgement{}, fmt.Errorf("contractmatch: got a nil *validators.Result")
		}
		return judgement{what: describe("the result", *a), result: *a}, nil
	case []byte:
		return c.validate("the payload", a, "")
	case json.RawMessage:
		return c.validate("the payload", a, "")
	case string:
		return c.validate("the payload", []byte(a), "")
	case *http.Response:
		if a == nil {
			return judgement{}, fmt.Errorf("contractmatch: got a nil *http.Response")
		}
		body, err := readAndRestore(a)
		if err != nil {
			return judgement{}, err
		}
		what := "the response"
		if a.Request != nil && a.Request.URL != nil {
			what = fmt.Sprintf("the response to %s %s", a.Request.Method, secret.Redact(a.Request.URL.Path))
		}
		return c.validate(what, body, requestedVersion(a.Header, a.Request))
	case *stripe.APIResponse:
		if a == nil {
			return judgement{}, fmt.Errorf("contractmatch: got a nil *stripe.APIResponse (an object stripe-go did not fill from a response?)")
		}
		return c.validate("the response", a.RawJSON, a.Header.Get("Stripe-Version"))
	}
	if last, ok := lastResponse(actual); ok {
		return c.judge(last)
	}
	return judgement{}, fmt.Errorf("contractmatch: cannot judge a %T: want []byte, string, json.RawMessage, *http.Response, *stripe.APIResponse (stripe-go's LastResponse), a stripe-go object, or a validators.Result", actual)
}

func (c *config) validate(what string, doc []byte, requested string) (judgement, error) {
	v, err := c.get()
	if err != nil {
		return judgement{}, fmt.Errorf("contractmatch: %w", err)
	}
	res := v.ValidateRequested(doc, requested)
	return judgement{what: describe(what, res), result: res}, nil
}

// describe names what was judged: "the payload (invoice_payment, judged at
// 2026-08-26.dahlia)".
func describe(what string, r validators.Result) string {
	if r.Kind == "" && r.APIVersion == "" {
		return what
	}
	return fmt.Sprintf("%s (%s, judged at %s)", what, r.Kind, r.APIVersion)
}

// requestedVersion is the API version a response answers: the
// Stripe-Version header Stripe sends back, else the one the request sent.
func requestedVersion(h http.Header, req *http.Request) string {
	if v := h.Get("Stripe-Version"); v != "" {
		return v
	}
	if req != nil {
		return req.Header.Get("Stripe-Version")
	}
	return ""
}

// readAndRestore reads resp's body and puts an unread copy back.
func readAndRestore(resp *http.Response) ([]byte, error) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("contractmatch: reading the response body: %w", err)
	}
	return body, nil
}

var apiResponseType = reflect.TypeFor[*stripe.APIResponse]()

// lastResponse finds the LastResponse of a stripe-go object (a
// *stripe.Customer, a *stripe.InvoicePayment): every resource embeds
// stripe.APIResource, which holds it.
func lastResponse(actual any) (*stripe.APIResponse, bool) {
	v := reflect.ValueOf(actual)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	f := v.Elem().FieldByName("LastResponse")
	if !f.IsValid() || f.Type() != apiResponseType {
		return nil, false
	}
	return f.Interface().(*stripe.APIResponse), true
}

// KeepTheContract matches a payload that has no error-severity violation
// under the contract opts choose (default: the embedded contract, the
// payload's own API version, undocumented fields as notices).
func KeepTheContract(opts ...Option) types.GomegaMatcher {
	return &keepMatcher{cfg: configOf(opts)}
}

type keepMatcher struct {
	cfg  *config
	seen judgement
}

// Match reports whether actual keeps the contract.
func (m *keepMatcher) Match(actual any) (bool, error) {
	j, err := m.cfg.judge(actual)
	if err != nil {
		return false, err
	}
	m.seen = j
	return j.result.Valid(), nil
}

// FailureMessage lists the violations that break the contract.
func (m *keepMatcher) FailureMessage(any) string {
	errs := errorsOf(m.seen.result)
	var b strings.Builder
	fmt.Fprintf(&b, "Expected %s to keep the contract, but it breaks %s:\n", m.seen.what, plural(len(errs), "rule", "rules"))
	writeViolations(&b, errs)
	if rest := len(m.seen.result.Violations) - len(errs); rest > 0 {
		fmt.Fprintf(&b, "(and %s that do not break it)\n", plural(rest, "warning or notice", "warnings or notices"))
	}
	return b.String()
}

// NegatedFailureMessage says the payload kept the contract.
func (m *keepMatcher) NegatedFailureMessage(any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Expected %s to break the contract, but it keeps it", m.seen.what)
	if len(m.seen.result.Violations) > 0 {
		b.WriteString("; it has only these warnings and notices:\n")
		writeViolations(&b, m.seen.result.Violations)
	} else {
		b.WriteString(" with no violation at all\n")
	}
	return b.String()
}

// HaveViolation matches a payload that breaks rule (its ID, as the rules
// command lists it) at pointer (an RFC 6901 JSON pointer into the payload;
// "" is the whole of it), at any severity.
func HaveViolation(rule, pointer string, opts ...Option) types.GomegaMatcher {
	return &violationMatcher{cfg: configOf(opts), rule: rule, pointer: pointer}
}

type violationMatcher struct {
	cfg           *config
	rule, pointer string
	seen          judgement
}

// Match reports whether actual breaks the rule at the pointer.
func (m *violationMatcher) Match(actual any) (bool, error) {
	j, err := m.cfg.judge(actual)
	if err != nil {
		return false, err
	}
	m.seen = j
	for _, v := range j.result.Violations {
		if v.Rule == m.rule && v.Pointer == m.pointer {
			return true, nil
		}
	}
	return false, nil
}

// FailureMessage says which violation was wanted and lists those found.
func (m *violationMatcher) FailureMessage(any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Expected %s to break %s at %s, but it does not", m.seen.what, m.rule, validators.DisplayPointer(m.pointer))
	vs := m.seen.result.Violations
	if len(vs) == 0 {
		b.WriteString("; it has no violation at all\n")
		return b.String()
	}
	fmt.Fprintf(&b, "; it has %s:\n", plural(len(vs), "violation", "violations"))
	writeViolations(&b, vs)
	return b.String()
}

// NegatedFailureMessage says the violation was found.
func (m *violationMatcher) NegatedFailureMessage(any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Expected %s not to break %s at %s, but it does:\n", m.seen.what, m.rule, validators.DisplayPointer(m.pointer))
	for _, v := range m.seen.result.Violations {
		if v.Rule == m.rule && v.Pointer == m.pointer {
			writeViolations(&b, []validators.Violation{v})
		}
	}
	return b.String()
}

func errorsOf(r validators.Result) []validators.Violation {
	var out []validators.Violation
	for _, v := range r.Violations {
		if v.Severity == validators.Error {
			out = append(out, v)
		}
	}
	return out
}

// docLimit is the most of a rule's documentation a message quotes.
const docLimit = 300

// writeViolations writes each violation as
//
//	error /amount_paid: is 2000 but status is "open"; ... [invoice_payment.amount_paid.null-unless-paid]
//	    doc: "The amount paid ..."
//
// its message redacted of secrets, its doc folded on one line.
func writeViolations(b *strings.Builder, vs []validators.Violation) {
	for _, v := range vs {
		fmt.Fprintf(b, "  %s %s: %s [%s]\n", v.Severity, validators.DisplayPointer(v.Pointer), secret.Redact(v.Message), v.Rule)
		if doc := strings.Join(strings.Fields(v.Doc), " "); doc != "" {
			fmt.Fprintf(b, "      doc: %q\n", truncate(doc, docLimit))
		}
	}
}

// truncate cuts s to at most n bytes at a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
