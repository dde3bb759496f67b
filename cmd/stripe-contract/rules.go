package main

import (
	"encoding/json"
	"io"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

// contractRules lists every rule: the payload rules with the rules about
// cassette files (cassette.*), then the request rules (request.*), and the
// API version they are for.
func contractRules() ([]validators.Rule, string, error) {
	v, err := validators.New(validators.WithRules(pipeline.CassetteRules()...))
	if err != nil {
		return nil, "", err
	}
	c, err := request.New()
	if err != nil {
		return nil, "", err
	}
	return append(v.Rules(), c.Rules()...), v.APIVersion(), nil
}

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
