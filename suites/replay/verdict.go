package replay

import (
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

// Statuses a verdict gives a deviation; every format and the Ginkgo suites
// read them from the verdict rather than judging again.
const (
	StatusNew   = report.StatusNew   // an error the baseline does not hold: fails the run
	StatusKnown = report.StatusKnown // an error the baseline holds: reported, not failing
	StatusMinor = report.StatusMinor // a warning or a notice: reported, never failing
)

// Judged is a deviation with the status the verdict gave it.
type Judged struct {
	Deviation
	Status string // StatusNew, StatusKnown or StatusMinor
}

// Verdict is a report judged against a baseline.
type Verdict struct {
	// Judged holds every deviation of the report with its status, in the
	// order of the report's results.
	Judged []Judged
	// New are the error-severity deviations the baseline does not hold:
	// each fails the run.
	New []Deviation
	// Known are the error-severity deviations the baseline holds: reported,
	// not failing.
	Known []Deviation
	// Minor are warnings and notices (a field the recording lacks, ...):
	// reported, never failing, never baselined, as validate does not fail on
	// them either.
	Minor []Deviation
	// Stale are baseline entries that no longer occur: they fail the run,
	// so that the baseline is rewritten when the target improves.
	Stale []Entry
	// Skipped counts the interactions not sent to the target.
	Skipped int
}

// Failed reports whether the run fails: a new deviation, or a stale
// baseline entry.
func (v Verdict) Failed() bool { return len(v.New) > 0 || len(v.Stale) > 0 }

// For lists the judged deviations of one interaction, in order.
func (v Verdict) For(cassette string, interaction int) []Judged {
	var out []Judged
	for _, j := range v.Judged {
		if j.Cassette == cassette && j.Interaction == interaction {
			out = append(out, j)
		}
	}
	return out
}

// Judge sorts the report's deviations into new, known and minor against b
// (nil is an empty baseline) and lists b's stale entries.
func (r *Report) Judge(b *Baseline) Verdict {
	var v Verdict
	occurred := map[Entry]bool{}
	for _, res := range r.Results {
		if res.Skipped != "" {
			v.Skipped++
		}
		for _, d := range res.Deviations {
			status := StatusNew
			switch {
			case d.Severity != validators.Error:
				status = StatusMinor
				v.Minor = append(v.Minor, d)
			case b.Contains(d.Entry()):
				status = StatusKnown
				v.Known = append(v.Known, d)
				occurred[d.Entry()] = true
			default:
				v.New = append(v.New, d)
			}
			v.Judged = append(v.Judged, Judged{d, status})
		}
	}
	if b != nil {
		for _, e := range b.Entries {
			if !occurred[e] {
				v.Stale = append(v.Stale, e)
			}
		}
	}
	return v
}

// Baseline is the baseline that makes this report pass: its error-severity
// deviations, sorted, for the target it ran against.
func (r *Report) Baseline() *Baseline {
	var entries []Entry
	for _, d := range r.Deviations() {
		if d.Severity == validators.Error {
			entries = append(entries, d.Entry())
		}
	}
	return newBaseline(r.Target, entries)
}
