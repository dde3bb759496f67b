package pipeline

import (
	"errors"
	"io"
	"strconv"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/validators"
)

// Rules about cassette files themselves, reported by validate as one
// invalid result row for the file (see CassetteRules).
const (
	RuleCassetteUnreadable = "cassette.unreadable"
	RuleCassetteTooLarge   = "cassette.too-large"
)

// CassetteRules are the rules about cassette files, for
// validators.WithRules: a file that is not a go-vcr v4 cassette, or is over
// the size limit, breaks one of them instead of having its payloads checked.
func CassetteRules() []validators.Rule { return []validators.Rule{ruleUnreadable, ruleTooLarge} }

var (
	ruleUnreadable = validators.Rule{ID: RuleCassetteUnreadable, Severity: validators.Error, Check: "go",
		Summary: "a .yaml file read as a cassette is a go-vcr v4 cassette: YAML, version: 2, and a list of interactions with parseable URLs",
		Doc:     "CassetteFormatVersion is the supported cassette version. Version: Cassette format version. Interactions: Interactions between client and server.",
		Source:  "gopkg.in/dnaeon/go-vcr.v4/pkg/cassette (CassetteFormatVersion = 2, type Cassette)"}
	ruleTooLarge = validators.Rule{ID: RuleCassetteTooLarge, Severity: validators.Error, Check: "go",
		Summary: "a cassette file is no larger than the size limit (64 MiB unless raised with --max-cassette-size)",
		Doc:     "A cassette is read whole and decoded into a tree many times its size, so its size is bounded, as a document's is: an implementation may set limits on the size of texts that it accepts.",
		Source:  "cassette.DefaultMaxSize (recorder/cassette); RFC 8259 section 9"}
)

// invalidCassette makes err, about the file at line, a result row for
// validate breaking rule r: what was found (err's message), then the rule.
func invalidCassette(r validators.Rule, line int, err error) error {
	found := err.Error()
	if tl := (*cassette.TooLargeError)(nil); errors.As(err, &tl) {
		found = tl.Found() // the row names the file already
	}
	return &InvalidFileError{Line: line, Err: err,
		Violation: validators.Violation{Rule: r.ID, Message: found + "; " + r.Summary, Severity: r.Severity, Doc: r.Doc}}
}

// ReadCassette is a Reader for go-vcr cassettes (register it with
// WithReader(".yaml", pipeline.ReadCassette)): CassetteReader with the
// default size limit.
func ReadCassette(source string, r io.Reader, maxSize int, emit func(Document) error) error {
	return CassetteReader{}.Read(source, r, maxSize, emit)
}

// CassetteReader reads go-vcr cassettes, with package recorder/cassette.
type CassetteReader struct {
	// MaxSize is the largest cassette file read, in bytes; 0 means
	// cassette.DefaultMaxSize. Nothing past it is read.
	MaxSize int64
}

// Read is a Reader. It emits the Stripe JSON of every interaction (see
// cassette.PayloadOf) with its pointer prefixed by the interaction's place
// in the file, /interactions/N/response/body, its label naming the request,
// the line of the body in the file, and the API version its request asked
// for (the Stripe-Version header), at which it is judged when it names
// none itself. Interactions without a JSON body
// are skipped. A file that is not YAML, or not a version 2 cassette, is an
// error naming the line (errors.Is cassette.ErrNotCassette); a file over the
// size limit is a *cassette.TooLargeError. Both are *InvalidFileError, so
// that validate reports the file as an invalid result row (rules
// cassette.unreadable and cassette.too-large).
func (cr CassetteReader) Read(source string, r io.Reader, maxSize int, emit func(Document) error) error {
	c, err := cassette.Read(source, r, cr.MaxSize)
	if errors.Is(err, cassette.ErrTooLarge) {
		return invalidCassette(ruleTooLarge, 0, err)
	}
	if fe := (*cassette.FormatError)(nil); errors.As(err, &fe) {
		return invalidCassette(ruleUnreadable, fe.Line, err)
	}
	if err != nil {
		return err
	}
	for _, i := range c.Interactions {
		p := cassette.PayloadOf(i.Interaction)
		if !p.IsJSON() {
			continue
		}
		doc := Document{
			Source: source,
			Line:   i.PayloadLine(),
			Size:   int64(len(p.Body)),
			Prefix: "/interactions/" + strconv.Itoa(i.Index) + p.Pointer,
			Label:  i.Label(),
			// The version the request asked for judges its response.
			APIVersion: p.APIVersion,
		}
		if len(p.Body) <= maxSize {
			doc.Data = []byte(p.Body)
		}
		if err := emit(doc); err != nil {
			return err
		}
	}
	return nil
}
