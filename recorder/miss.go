package recorder

import (
	"fmt"
	"net/http"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// MissError is a request that matches no recorded interaction. It names the
// nearest recording and what differs, because a bare "not found" leaves the
// user to diff requests by hand. errors.Is(err,
// cassette.ErrInteractionNotFound) holds, as for go-vcr's own miss.
type MissError struct {
	Method string // the request's method
	URL    string // its path and query, unescaped, as people read them
	// Nearest is the closest recording, or nil when there is none.
	Nearest *Nearest
}

// Nearest is the recorded interaction closest to a request that matched nothing.
type Nearest struct {
	Cassette    string       // the cassette's file
	Interaction int          // its index in the cassette: /interactions/N
	Method      string       // the recorded method
	URL         string       // the recorded path and query, unescaped
	Differences []Difference // what differs; empty when Replayed
	// Replayed is true when the recording matches but has already been
	// played and interactions play once.
	Replayed bool
	// MaskedOnly is true when every difference is Masked: the request
	// lacks parameters the recording masked (WithMaskPII), and nothing
	// else differs.
	MaskedOnly bool
}

// Error says what was sent, the nearest recording and how they differ.
func (e *MissError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no recorded interaction matches %s %s", e.Method, e.URL)
	n := e.Nearest
	switch {
	case n == nil:
		b.WriteString("; there are no recorded interactions")
	case n.Replayed:
		fmt.Fprintf(&b, "; interaction %d of %s (%s %s) matches but was already replayed, and each interaction plays once", n.Interaction, n.Cassette, n.Method, n.URL)
	default:
		fmt.Fprintf(&b, "; nearest is interaction %d of %s (%s %s): ", n.Interaction, n.Cassette, n.Method, n.URL)
		for i, d := range n.Differences {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(d.String())
		}
		if n.MaskedOnly {
			b.WriteString("; only values masked when recorded differ")
		}
	}
	return b.String()
}

// Unwrap makes errors.Is(err, cassette.ErrInteractionNotFound) true.
func (e *MissError) Unwrap() error { return cassette.ErrInteractionNotFound }

// candidate is a recorded interaction a request may match.
type candidate struct {
	cassette string
	index    int
	request  cassette.Request
	shape    shape
	replayed bool
}

// miss builds the MissError for a request that matched none of cands.
func (m *Matcher) miss(r *http.Request, sent shape, cands []candidate) *MissError {
	// A miss is printed and sent back: what it quotes of the request goes
	// through redaction, knowing the credentials the request carried.
	scan := secret.NewScanner(credentials(r.Header, r.Trailer)...)
	e := &MissError{Method: r.Method, URL: scan.Redact(stripecassette.DisplayPathQuery(r.URL.Path, r.URL.RawQuery))}
	best := -1
	var bestDiffs []Difference
	for i, c := range cands {
		diffs := m.diff(sent, c.shape)
		s := score(diffs, sent, c.shape)
		if best < 0 || s < score(bestDiffs, sent, cands[best].shape) {
			best, bestDiffs = i, diffs
		}
	}
	if best < 0 {
		return e
	}
	e.Nearest = nearest(scan, cands[best], bestDiffs)
	e.Nearest.Replayed = len(bestDiffs) == 0 && cands[best].replayed
	return e
}

// nearest names a candidate and how a request differs from it, every
// difference redacted with the request's credentials known.
func nearest(scan *secret.Scanner, c candidate, diffs []Difference) *Nearest {
	masked := len(diffs) > 0
	for k := range diffs {
		diffs[k].Sent = scan.Redact(diffs[k].Sent)
		diffs[k].Recorded = scan.Redact(diffs[k].Recorded)
		masked = masked && diffs[k].Masked
	}
	return &Nearest{
		Cassette:    c.cassette,
		Interaction: c.index,
		Method:      c.request.Method,
		URL:         stripecassette.DisplayURL(c.request.URL),
		Differences: diffs,
		MaskedOnly:  masked,
	}
}
