package replay

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

// Entry is a known deviation in a baseline: where it is and which rule, not
// its message (messages carry values that may change from run to run).
type Entry struct {
	Cassette    string `json:"cassette"`
	Interaction int    `json:"interaction"`
	Rule        string `json:"rule"`
	Pointer     string `json:"pointer"`
}

// Source names the entry's interaction: "docs/list_two_pages.yaml#1".
func (e Entry) Source() string { return fmt.Sprintf("%s#%d", e.Cassette, e.Interaction) }

// String is "cassette#N pointer [rule]".
func (e Entry) String() string { return fmt.Sprintf("%s %s [%s]", e.Source(), e.Pointer, e.Rule) }

func compareEntries(a, b Entry) int {
	return cmp.Or(
		cmp.Compare(a.Cassette, b.Cassette),
		cmp.Compare(a.Interaction, b.Interaction),
		cmp.Compare(a.Pointer, b.Pointer),
		cmp.Compare(a.Rule, b.Rule),
	)
}

// Baseline is the checked-in list of a target's known deviations: the
// suites and the replay command report them without failing, fail on any
// deviation not in it, and flag its entries that no longer occur.
type Baseline struct {
	Target  string  // the target it was written for
	Entries []Entry // sorted, without duplicates
}

// baselineFile is a baseline as it is stored.
type baselineFile struct {
	Target  string  `json:"target"`
	Rewrite string  `json:"rewrite,omitempty"`
	Entries []Entry `json:"deviations"`
}

// ReadBaseline reads a baseline file. A missing file is an error wrapping
// fs.ErrNotExist; so is a malformed one, naming the file.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	var f baselineFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	for i, e := range f.Entries {
		if e.Cassette == "" || e.Rule == "" || e.Interaction < 0 {
			return nil, fmt.Errorf("baseline %s: deviation %d: cassette and rule are required, interaction is an index", path, i)
		}
	}
	return newBaseline(f.Target, f.Entries), nil
}

func newBaseline(target string, entries []Entry) *Baseline {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, compareEntries)
	return &Baseline{Target: target, Entries: slices.Compact(entries)}
}

// Contains reports whether e is a known deviation.
func (b *Baseline) Contains(e Entry) bool {
	if b == nil {
		return false
	}
	_, found := slices.BinarySearchFunc(b.Entries, e, compareEntries)
	return found
}

// WriteFile writes the baseline to path, one entry per line, sorted by
// cassette, interaction, pointer and rule, so that its diffs read well. The
// file names the command that rewrites it. It is written crash-safely
// (disk.WriteFile: temporary file, fsync, rename, folder fsync), so a
// failure or a crash leaves the old one whole.
func (b *Baseline) WriteFile(path, rewrite string) error {
	var buf bytes.Buffer
	head, err := json.Marshal(b.Target)
	if err != nil {
		return err
	}
	fmt.Fprintf(&buf, "{\n  \"target\": %s,\n", head)
	if rewrite != "" {
		r, _ := json.Marshal(rewrite)
		fmt.Fprintf(&buf, "  \"rewrite\": %s,\n", r)
	}
	buf.WriteString("  \"deviations\": [")
	for i, e := range b.Entries {
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		buf.Write(line)
	}
	if len(b.Entries) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	if err := disk.WriteFile(path, buf.Bytes()); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return nil
}
