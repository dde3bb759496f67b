package replay

import "github.com/stripe-contract/stripe-contract/validators"

// Verdict is a report judged against a baseline.
type Verdict struct {
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
			switch {
			case d.Severity != validators.Error:
				v.Minor = append(v.Minor, d)
			case b.Contains(d.Entry()):
				v.Known = append(v.Known, d)
				occurred[d.Entry()] = true
			default:
				v.New = append(v.New, d)
			}
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
