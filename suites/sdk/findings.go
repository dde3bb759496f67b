package sdk

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Finding is a known, explained loss of an SDK: a kind of loss at a place
// in its types. Where is a Loss's Where, or a prefix ending in ".*" that
// stands for every place under it ("InvoicePayment.Invoice.*": the whole
// expanded invoice, another resource with its own contract).
type Finding struct {
	Kind  Kind
	Where string
	// Explanation says what is lost and why it matters, for the README
	// and the report.
	Explanation string
	// Line is where the finding stands in its file.
	Line int
}

// Name is the finding as specs and the README name it:
// "sdk.null-as-zero: InvoicePayment.AmountPaid".
func (f Finding) Name() string { return string(f.Kind) + ": " + f.Where }

// Matches reports whether l is an occurrence of f.
func (f Finding) Matches(l Loss) bool {
	if l.Kind != f.Kind {
		return false
	}
	if prefix, ok := strings.CutSuffix(f.Where, ".*"); ok {
		return strings.HasPrefix(l.Where, prefix+".") || strings.HasPrefix(l.Where, prefix+"[")
	}
	return l.Where == f.Where
}

// ParseFindings reads a findings file: a YAML list of {kind, where,
// explanation}. An unknown kind or key, a missing value or a finding listed
// twice is an error naming its line.
func ParseFindings(data []byte) ([]Finding, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if root.Kind == 0 {
		return nil, nil
	}
	seq := &root
	if seq.Kind == yaml.DocumentNode && len(seq.Content) == 1 {
		seq = seq.Content[0]
	}
	if seq.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: want a list of findings (- kind: ..., where: ..., explanation: ...)", seq.Line)
	}
	var out []Finding
	seen := map[string]int{}
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: want a finding: kind, where, explanation", item.Line)
		}
		f := Finding{Line: item.Line}
		for i := 0; i+1 < len(item.Content); i += 2 {
			key, val := item.Content[i], item.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: %s: want a string", val.Line, key.Value)
			}
			switch key.Value {
			case "kind":
				f.Kind = Kind(val.Value)
			case "where":
				f.Where = val.Value
			case "explanation":
				f.Explanation = strings.Join(strings.Fields(val.Value), " ")
			default:
				return nil, fmt.Errorf("line %d: unknown key %q (want kind, where, explanation)", key.Line, key.Value)
			}
		}
		switch {
		case !slices.Contains(Kinds(), f.Kind):
			return nil, fmt.Errorf("line %d: kind %q: want one of %v", f.Line, f.Kind, Kinds())
		case f.Where == "":
			return nil, fmt.Errorf("line %d: %s: where is missing", f.Line, f.Kind)
		case f.Explanation == "":
			return nil, fmt.Errorf("line %d: %s: explanation is missing: say what is lost", f.Line, f.Name())
		}
		if prev, dup := seen[f.Name()]; dup {
			return nil, fmt.Errorf("line %d: %s is already listed at line %d", f.Line, f.Name(), prev)
		}
		seen[f.Name()] = f.Line
		out = append(out, f)
	}
	return out, nil
}

// Reconcile sorts losses by the known finding each is an occurrence of:
// occurrences[i] holds the indexes in losses of known[i]'s occurrences (a
// finding naming the exact place wins over a ".*" one), and unlisted the
// indexes of the losses no finding explains. Indexes, so that callers keep
// whatever they hold beside each loss (the cassette it came from). A
// finding with no occurrence no longer happens: the SDK was fixed, or the
// cassettes changed.
func Reconcile(known []Finding, losses []Loss) (occurrences [][]int, unlisted []int) {
	occurrences = make([][]int, len(known))
	for n, l := range losses {
		best := -1
		for i, f := range known {
			if !f.Matches(l) {
				continue
			}
			if best < 0 || (strings.HasSuffix(known[best].Where, ".*") && !strings.HasSuffix(f.Where, ".*")) {
				best = i
			}
		}
		if best < 0 {
			unlisted = append(unlisted, n)
			continue
		}
		occurrences[best] = append(occurrences[best], n)
	}
	return occurrences, unlisted
}
