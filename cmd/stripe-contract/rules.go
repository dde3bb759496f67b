package main

import (
	"encoding/json"
	"io"

	"github.com/stripe-contract/stripe-contract/suites/replay"
	"github.com/stripe-contract/stripe-contract/suites/sdk"
	"github.com/stripe-contract/stripe-contract/suites/webhook"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

// catalogue gathers every rule any command can emit into the one
// catalogue: the payload rules derived from the schemas with the JSON rules
// and the rules about cassette files (cassette.*), the request rules
// (request.*), and the rules the replay engine (replay.*, pagination.*),
// the webhook replayer (webhook.delivery) and the SDK comparison (sdk.*)
// check themselves. The rules command lists it and every report cites it.
func catalogue() (*validators.Catalogue, error) {
	v, err := validators.New()
	if err != nil {
		return nil, err
	}
	return catalogueOf(v)
}

// catalogueOf is the catalogue with the payload rules of v, the validator a
// command runs with, so that building it compiles no schema twice.
func catalogueOf(v *validators.Validator) (*validators.Catalogue, error) {
	var cassette []validators.Rule
	for _, r := range pipeline.CassetteRules() {
		if _, ok := v.Rule(r.ID); !ok {
			cassette = append(cassette, r)
		}
	}
	c, err := request.New()
	if err != nil {
		return nil, err
	}
	return validators.NewCatalogue(v.APIVersion(), v.Rules(), cassette, c.Rules(), replay.Rules(), webhook.Rules(), sdk.Rules())
}

func writeRulesJSON(w io.Writer, rules []validators.Rule) int {
	type out struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
		Aspect   string `json:"aspect"`
		Check    string `json:"check"`
		Summary  string `json:"summary"`
		Doc      string `json:"doc"`
		Source   string `json:"source"`
		File     string `json:"file,omitempty"`
	}
	enc := json.NewEncoder(w)
	for _, r := range rules {
		if err := enc.Encode(out{r.ID, r.Severity.String(), r.Aspect, r.Check, r.Summary, r.Doc, r.Source, r.File}); err != nil {
			return exitUsage
		}
	}
	return exitOK
}
