package recorder

import (
	"net/http"
)

// The credential rule: which of the recordings that match a request (in
// method, path, query, body and compared headers) a Server may answer it
// with, given the credential it carries. Labels are per cassette, so the
// rule is read per cassette:
//
//  1. a caller whose credential is one a cassette recorded (its
//     fingerprint matches a label's, or it sends the label itself) gets
//     that label's interactions;
//  2. otherwise (the CI's dummy key replaying a recording made with a
//     real one) it gets the interactions of labels never rejected (no
//     interaction of theirs answered 401) and of credentials recorded
//     without a label (by an older recorder) that did not answer 401; then,
//     if there are none, those of requests recorded without a credential
//     that did not answer 401;
//  3. a caller without a credential gets the unauthenticated recording
//     when there is one, and otherwise what rule 2 gives;
//  4. a caller whose credential a cassette recorded as rejected gets
//     nothing else of that cassette: only its own rejections.
//
// The first rank with an interaction wins; within it, identical requests
// play in recorded order, per session.

// rank orders the recordings a caller may get; noRank is one it may not.
type rank int

const (
	rankOwn rank = iota
	rankAccepted
	rankUnauthenticated
	noRank
)

// labelInfo is what a Server knows of one label of one cassette.
type labelInfo struct {
	cred     credential
	rejected bool // an interaction recorded with it answered 401
}

// callerIn is what a caller's credential is in one cassette: the label it
// was recorded as, if any.
type callerIn struct {
	label    string
	rejected bool
}

// identify finds the label of a cassette that the caller's credential is.
func identify(sent credential, labels []*labelInfo, fps fingerprints) callerIn {
	for _, l := range labels {
		if sent.sameAs(l.cred, fps) {
			return callerIn{label: l.cred.label, rejected: l.rejected}
		}
	}
	return callerIn{}
}

// rankOf is where the rule puts entry e for a caller sending sent, who is
// who in e's cassette.
func rankOf(e *serverEntry, sent credential, who callerIn) rank {
	rec := e.shape.cred
	if !sent.present {
		switch {
		case !rec.present:
			return rankOwn
		case e.rejected():
			return noRank
		}
		return rankAccepted
	}
	switch {
	case rec.present && rec.label != "" && rec.label == who.label:
		return rankOwn
	case who.rejected, e.rejected():
		return noRank
	case !rec.present:
		return rankUnauthenticated
	}
	return rankAccepted
}

// refusal is the Difference a miss names when the recordings that match
// the request are all ones its credential may not get.
func refusal(e *serverEntry, sent credential, who callerIn) Difference {
	d := Difference{Part: "credential", Recorded: e.shape.cred.display()}
	if d.Recorded == "" {
		d.Recorded = "no credential"
	}
	if e.rejected() {
		d.Recorded += ", rejected (401) when recorded"
	}
	switch {
	case !sent.present:
	case who.label != "":
		d.Sent = sent.schemePrefix() + redactedLabel(who.label)
		if who.rejected {
			d.Sent += ", rejected (401) when recorded"
		}
	default:
		d.Sent = sent.otherDisplay()
	}
	return d
}

func (c credential) schemePrefix() string {
	if c.scheme == "" {
		return ""
	}
	return c.scheme + " "
}

// rejected reports whether the entry's credential is one the API
// rejected: its label's interactions (or, without a label, this one)
// answered 401.
func (e *serverEntry) rejected() bool {
	if e.label != nil {
		return e.label.rejected
	}
	return e.interaction.Response.Code == http.StatusUnauthorized
}
