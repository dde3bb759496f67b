package main

import (
	"encoding/json"
	"io"

	"github.com/stripe-contract/stripe-contract/validators"
)

func writeRulesJSON(w io.Writer, rules []validators.Rule) int {
	type out struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Check    string `json:"check"`
		Summary  string `json:"summary"`
		Doc      string `json:"doc"`
		Source   string `json:"source"`
		File     string `json:"file,omitempty"`
	}
	enc := json.NewEncoder(w)
	for _, r := range rules {
		if err := enc.Encode(out{r.ID, r.Severity.String(), r.Check, r.Summary, r.Doc, r.Source, r.File}); err != nil {
			return exitUsage
		}
	}
	return exitOK
}
