package secret

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Redacted replaces every secret and credential. It is not itself shaped
// like a secret, so a redacted text scans clean.
const Redacted = "[REDACTED]"

// MinCredential is the length in bytes of the shortest credential a
// Scanner looks for: shorter ones would match ordinary text.
const MinCredential = 8

// Scanner finds and replaces Stripe secrets, and the credentials a request
// carried, in every encoding Scan decodes. It is immutable and safe for
// concurrent use; the nil *Scanner and the zero Scanner have no
// credentials.
type Scanner struct {
	creds     [][]byte // longest first
	foldCreds [][]byte // creds in lower case, for names
}

// NewScanner returns a Scanner that also finds the given credentials: the
// values a request carried (its API key, a Basic user and password, cookie
// values), since a server may echo them. Credentials shorter than
// MinCredential bytes, and those that are part of Redacted, are ignored.
func NewScanner(credentials ...string) *Scanner {
	s := &Scanner{}
	for _, c := range credentials {
		if len(c) < MinCredential || strings.Contains(Redacted, c) {
			continue
		}
		if slices.ContainsFunc(s.creds, func(have []byte) bool { return string(have) == c }) {
			continue
		}
		s.creds = append(s.creds, []byte(c))
	}
	slices.SortStableFunc(s.creds, func(a, b []byte) int { return len(b) - len(a) })
	for _, c := range s.creds {
		s.foldCreds = append(s.foldCreds, lowerASCII(nil, c))
	}
	return s
}

// Finding is a secret or credential Scan found. It never holds the value.
type Finding struct {
	// Family is the Name of the secret's Family, FamilyCredential, or
	// FamilyUnscanned.
	Family string
	// Encoding is the chain of encodings around the secret, outermost
	// first, joined by " of ": "" for plain text, "percent-encoded",
	// "base64 of deflate" (a base64 token of a deflate stream), "UTF-16LE".
	Encoding string
	// Start and End are the span of the input holding it: the secret's
	// own bytes when every encoding around it is one of characters
	// (percent, JSON \u, HTML entities, quoted-printable, UTF-16), or else
	// the outermost base64 or hex token or compressed container holding it.
	Start, End int
	// Redactable is true when Redact replaces it in place: false under a
	// compressed container, and for FamilyUnscanned.
	Redactable bool
}

// String says what was found where, without the value.
func (f Finding) String() string {
	enc := f.Encoding
	if enc == "" {
		enc = "plain"
	}
	s := fmt.Sprintf("%s at [%d,%d) (%s)", f.Family, f.Start, f.End, enc)
	if !f.Redactable {
		s += ", not redactable"
	}
	return s
}

// Redact replaces every secret of every family in s by Redacted: in plain
// text, and inside every encoding Scan decodes except compressed
// containers. A secret under character encodings (percent, JSON \u, HTML
// entities, quoted-printable) is replaced exactly, its escapes and all; a
// base64 or hex token holding one is replaced whole; UTF-16 text gets the
// UTF-16 form of Redacted. Text that holds no secret is returned as it is.
func Redact(s string) string { return (*Scanner)(nil).Redact(s) }

// RedactName redacts a header or form field name; see (*Scanner).RedactName.
func RedactName(name string) string { return (*Scanner)(nil).RedactName(name) }

// Scan returns every secret of every family in data; see (*Scanner).Scan.
func Scan(data []byte) []Finding { return (*Scanner)(nil).Scan(data) }

// Redact replaces every secret and every credential of s in s, as the
// package-level Redact does.
func (s *Scanner) Redact(text string) string { return s.redact(text, false) }

// RedactName redacts a header or form field name. net/http canonicalises
// a header name's case ("sk_test_abc" arrives as "Sk_test_abc"), so the
// letters of a family's prefix and of a credential match in either case
// here.
func (s *Scanner) RedactName(name string) string { return s.redact(name, true) }

// Scan returns every secret and credential left in data, in plain text and
// in every encoding it decodes, nested up to six deep: percent-encoding
// (%5F, and %2B for a base64 '+'), JSON \u escapes anywhere, HTML entities,
// quoted-printable (=5F, soft line breaks), UTF-16LE/BE, base64 (standard
// or URL alphabet, padded or not, at any alignment, wrapped across CRLF or
// LF line breaks), hex, and the compressed containers gzip, zlib, zstd, xz
// and bzip2 (found by magic number anywhere), raw deflate and brotli
// (tried on binary data of 24 bytes or more that is the input, a whole
// token's decoding or a decompressed output). Findings are in input order.
//
// The work is bounded: about 32 times the input in decoded views, and 64
// MiB of decompressed output in all. Where a bound stops it, one finding
// of FamilyUnscanned says where; a refusal check should refuse it too.
func (s *Scanner) Scan(data []byte) []Finding {
	fs := s.run(data, false, true)
	out := make([]Finding, len(fs))
	for i, f := range fs {
		out[i] = f.Finding
	}
	return out
}

// ScanName is Scan for a header or form field name, with prefixes and
// credentials matched in either case (see RedactName).
func (s *Scanner) ScanName(name string) []Finding {
	fs := s.run([]byte(name), true, true)
	out := make([]Finding, len(fs))
	for i, f := range fs {
		out[i] = f.Finding
	}
	return out
}

// maxRounds bounds Redact's passes: replacing one secret can join the text
// around it into another (a credential that starts with Redacted's tail),
// which the next pass replaces.
const maxRounds = 4

func (s *Scanner) redact(text string, fold bool) string {
	data := []byte(text)
	changed := false
	for range maxRounds {
		var edits []finding
		for _, f := range s.run(data, fold, false) {
			if f.Redactable {
				edits = append(edits, f)
			}
		}
		if len(edits) == 0 {
			break
		}
		data = apply(data, edits)
		changed = true
	}
	if !changed {
		return text
	}
	return string(data)
}

// apply replaces the spans of edits in data; overlapping spans merge into
// one, replaced by the replacement of the one that starts first (the
// widest, when they start together).
func apply(data []byte, edits []finding) []byte {
	slices.SortFunc(edits, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	out := make([]byte, 0, len(data))
	pos := 0
	for i := 0; i < len(edits); {
		e := edits[i]
		end := e.End
		j := i + 1
		for j < len(edits) && edits[j].Start < end {
			end = max(end, edits[j].End)
			j++
		}
		out = append(out, data[pos:e.Start]...)
		out = append(out, e.repl...)
		pos = end
		i = j
	}
	return append(out, data[pos:]...)
}

// run finds everything in data: with inflate, inside compressed
// containers too (Redact cannot replace there, so it does not look).
func (s *Scanner) run(data []byte, fold, inflate bool) []finding {
	if len(data) == 0 {
		return nil
	}
	st := states.Get().(*state)
	defer st.release()
	st.fold, st.inflate = fold, inflate
	st.work, st.inflated = workFactor*len(data)+workFloor, maxInflated
	if s != nil {
		st.creds = s.creds
		if fold {
			st.creds = s.foldCreds
		}
	}
	st.visit(st.enter(view{data: data}))
	if len(st.out) == 0 {
		return nil
	}
	return dedupe(slices.Clone(st.out))
}

// states are the states of walks done, kept for the next: a scan of a
// large body reuses the buffers the last one grew (its decoded views,
// escapes, decompressed output and decompressors) instead of growing its
// own.
var states = sync.Pool{New: func() any { return new(state) }}

// maxKept bounds a buffer a state keeps for the next walk: larger ones are
// left to the collector, so that one huge body does not stay in memory.
const maxKept = 16 << 20

// release clears st and puts it back in states.
func (st *state) release() {
	keep := func(b []byte) []byte {
		if cap(b) > maxKept {
			return nil
		}
		return b[:0]
	}
	st.arena, st.lowered = keep(st.arena), keep(st.lowered)
	for d := range st.views {
		st.views[d] = view{}
		st.wraps[d], st.packs[d] = keep(st.wraps[d]), keep(st.packs[d])
		if cap(st.escs[d]) > maxKept/32 {
			st.escs[d] = nil
		}
		st.escs[d] = st.escs[d][:0]
	}
	clear(st.out)
	st.out, st.creds, st.limited = st.out[:0], nil, false
	states.Put(st)
}

// dedupe sorts findings in input order and keeps one of each family at a
// span, the one with the shortest chain of encodings.
func dedupe(fs []finding) []finding {
	slices.SortStableFunc(fs, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End),
			strings.Compare(a.Family, b.Family), cmp.Compare(a.layers, b.layers))
	})
	return slices.CompactFunc(fs, func(a, b finding) bool {
		return a.Start == b.Start && a.End == b.End && a.Family == b.Family
	})
}
