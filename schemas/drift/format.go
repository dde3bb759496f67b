package drift

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes one JSON object per change (JSON lines), in report
// order: {"resource":"invoice_payment","path":"/payment/type",
// "change":"enum-value-added","value":"payment_record","breaking":true,
// "side":"response","oasdiff":"response-property-enum-value-added",...}.
func (r *Report) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, c := range r.Changes {
		if err := enc.Encode(c); err != nil {
			return fmt.Errorf("write the drift report: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the drift report: %w", err)
	}
	return nil
}

// WriteText writes the changes grouped by resource, one line each, and a
// summary line.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Contract drift from %s to %s\n", r.From, r.To)
	for _, res := range r.Resources() {
		fmt.Fprintf(bw, "\n%s\n", res)
		for _, c := range r.Changes {
			if c.Resource == res {
				fmt.Fprintf(bw, "  %s\n", c)
			}
		}
	}
	fmt.Fprintf(bw, "\n%s\n", r.summary())
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the drift report: %w", err)
	}
	return nil
}

// summary is the report in one line: "12 changes in 3 resources, 4
// breaking (enum-value-added 2, field-added 6, ...)".
func (r *Report) summary() string {
	if len(r.Changes) == 0 {
		return fmt.Sprintf("no change from %s to %s", r.From, r.To)
	}
	counts := r.Counts()
	var parts []string
	for _, k := range kinds {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return fmt.Sprintf("%s in %s, %d breaking (%s)", plural(len(r.Changes), "change"), plural(len(r.Resources()), "resource"), r.Breaking(), strings.Join(parts, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// WriteMarkdown writes a table of changes per resource and the summary.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Contract drift from %s to %s\n", r.From, r.To)
	for _, res := range r.Resources() {
		fmt.Fprintf(bw, "\n## %s\n\n| path | change | value | previous | breaking | side | oasdiff |\n|---|---|---|---|---|---|---|\n", cell(res))
		for _, c := range r.Changes {
			if c.Resource != res {
				continue
			}
			value := c.Value
			if c.Rule != "" {
				value = c.Rule + ": " + value
			}
			breaking := "no"
			if c.Breaking {
				breaking = "**yes**"
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s | %s |\n", code(c.Path), c.Kind, cell(value), cell(c.Previous), breaking, c.Side, code(c.Oasdiff))
		}
	}
	fmt.Fprintf(bw, "\n%s\n", r.summary())
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the drift report: %w", err)
	}
	return nil
}

// cell makes s safe in a table cell: no pipe ends it, no newline breaks it.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}
