package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/stripe-contract/stripe-contract/suites/replay"
	"github.com/stripe-contract/stripe-contract/suites/sdk"
	"github.com/stripe-contract/stripe-contract/suites/webhook"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

const rulesUsage = `usage: stripe-contract rules [--format text|json] [--api-version V]

Lists every rule any command can report: its ID, severity, aspect, what it
says, the documentation it comes from and where (a spec pointer or a URL),
for the newest embedded API version or the one --api-version names.

Exit status: 0, or 2 for a usage error.

flags:
`

// catalogue gathers every rule any command can emit into the one
// catalogue: the payload rules derived from the schemas with the JSON rules
// and the rules about cassette files (cassette.*), the request rules
// (request.*), and the rules the replay engine (replay.*, pagination.*),
// the webhook replayer (webhook.delivery) and the SDK comparison (sdk.*)
// check themselves. The rules command lists it and every report cites it.
func catalogue(f *contractFlags) (*validators.Catalogue, error) {
	if f == nil {
		f = &contractFlags{}
	}
	v, err := f.newValidator()
	if err != nil {
		return nil, err
	}
	return catalogueOf(v, f.requestOptions(v)...)
}

// catalogueOf is the catalogue with the payload rules of v, the validator a
// command runs with, so that building it compiles no schema twice, and the
// request rules of the request contract req chooses (default: that of v's
// API version).
func catalogueOf(v *validators.Validator, req ...request.Option) (*validators.Catalogue, error) {
	var cassette []validators.Rule
	for _, r := range pipeline.CassetteRules() {
		if _, ok := v.Rule(r.ID); !ok {
			cassette = append(cassette, r)
		}
	}
	if len(req) == 0 {
		req = []request.Option{request.WithAPIVersion(v.APIVersion())}
	}
	c, err := request.New(req...)
	if err != nil {
		return nil, err
	}
	cat, err := validators.NewCatalogue(v.APIVersion(), cassette, replay.Rules(), webhook.Rules(), sdk.Rules())
	if err != nil {
		return nil, err
	}
	// The payload rules (every resource's) and the request rules (every
	// GET and POST) are read when a report cites one, and whole only when
	// the catalogue is listed.
	cat.Include(v)
	cat.Include(c)
	return cat, nil
}

// writeRulesJSON writes one JSON object per rule.
func writeRulesJSON(w io.Writer, rules []validators.Rule) error {
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
			return fmt.Errorf("writing the rules: %w", err)
		}
	}
	return nil
}

// runRules lists the rules: ID, severity, what it says and where the docs say it.
func runRules(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "rules", rulesUsage)
	format := &choice{value: "text", allowed: []string{"text", "json"}}
	fs.Var(format, "format", "output format: text, json")
	versions := addContractFlags(fs, false)
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	cat, err := catalogue(versions)
	if err != nil {
		return err
	}
	rules, err := cat.Complete()
	if err != nil {
		return err
	}
	if format.value == "json" {
		return writeRulesJSON(e.stdout, rules)
	}
	w := bufio.NewWriter(e.stdout)
	fmt.Fprintf(w, "Rules of the contract, Stripe API %s\n\n", cat.APIVersion())
	for _, r := range rules {
		fmt.Fprintf(w, "%s (%s, checked by %s)\n  %s\n  doc: %q\n  source: %s\n\n", r.ID, r.Severity, r.Check, r.Summary, strings.Join(strings.Fields(r.Doc), " "), r.Source)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing the rules: %w", err)
	}
	return nil
}
