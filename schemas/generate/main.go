// Command generate writes the contract's JSON Schema files from a Stripe
// OpenAPI spec: by default the one pinned through stripe-mock in go.mod, the
// spec of an embedded API version named by -api-version (fetched with
// `go mod download` when it is not the pinned one), or the spec file named
// by -spec. It runs from `go generate ./schemas`.
//
// The event file covers the event types whose data.object is an
// invoice_payment, which only the preview spec of the same release says:
// an embedded version brings its own, a spec of the pinned release reads the
// one compiled in, and -preview-spec names it for another -spec; without it
// the event types are chosen by their name, invoice_payment.*, and a notice
// says so.
//
// On stderr it says, per resource, the prose rules it found in the docs'
// sentences (-v: each with the spec pointer it was found at and its form),
// and whether they were checked against the expectation committed for the
// spec's API version (schemas/generator/expected). A rule the expectation
// lists that is no longer found where it was, or found in another form,
// fails the generation (exit 1) with one line naming the rule and the
// pointer; -update records the expectation again instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specPath := fs.String("spec", "", "OpenAPI spec file (JSON); default: the spec pinned through stripe-mock in go.mod")
	previewPath := fs.String("preview-spec", "", "the preview spec (spec3.beta.sdk.json) of -spec's release, which says what each event type carries; default: the pinned one for a spec of the pinned release, else the event types are chosen by name")
	apiVersion := fs.String("api-version", "", "generate from the GA spec of this embedded API version ("+embeddedVersions()+"); default: the pinned one")
	outDir := fs.String("out", ".", "directory to write the schema files to")
	update := fs.Bool("update", false, "record the prose rules found as the expectation of the spec's API version, instead of checking them")
	expectDir := fs.String("expected", "", "directory of the prose expectations -update writes (default: OUT/generator/expected, the generator package's)")
	verbose := fs.Bool("v", false, "list each prose rule found with its spec pointer and form")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *specPath != "" && *apiVersion != "" {
		fmt.Fprintln(stderr, "generate: -spec and -api-version name two specs; give one")
		return 2
	}
	if *previewPath != "" && *specPath == "" {
		fmt.Fprintln(stderr, "generate: -preview-spec goes with -spec (an embedded version brings its own)")
		return 2
	}
	var opts []generator.Option
	spec, origin := generator.PinnedSpec()
	if *apiVersion != "" {
		specs, err := generator.LoadSpecs(context.Background(), *apiVersion)
		if err != nil {
			fmt.Fprintf(stderr, "generate: %v\n", err)
			return 2
		}
		spec, origin = specs.GA, specs.GAOrigin
		opts = append(opts, generator.WithPreviewSpec(specs.Preview))
	}
	if *specPath != "" {
		b, err := os.ReadFile(*specPath)
		if err != nil {
			fmt.Fprintf(stderr, "generate: %v\n", err)
			return 2
		}
		spec, origin = b, "spec file "+filepath.Base(*specPath)+", "+generator.Fingerprint(b)
	}
	if *previewPath != "" {
		b, err := os.ReadFile(*previewPath)
		if err != nil {
			fmt.Fprintf(stderr, "generate: %v\n", err)
			return 2
		}
		opts = append(opts, generator.WithPreviewSpec(b))
	}
	if *update {
		opts = append(opts, generator.WithExpectation(nil))
	}
	res, err := generator.Derive(spec, origin, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "generate: %v\n", err)
		return 1
	}
	names := make([]string, 0, len(res.Files))
	for name := range res.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := disk.WriteFile(filepath.Join(*outDir, name), res.Files[name]); err != nil {
			fmt.Fprintf(stderr, "generate: %v\n", err)
			return 1
		}
	}
	report(stderr, res, *verbose)
	if *update {
		if err := record(res, *outDir, *expectDir, stderr); err != nil {
			fmt.Fprintf(stderr, "generate: %v\n", err)
			return 1
		}
	}
	return 0
}

// embeddedVersions names the API versions -api-version accepts.
func embeddedVersions() string {
	var names []string
	for _, v := range generator.EmbeddedVersions() {
		names = append(names, v.APIVersion)
	}
	return strings.Join(names, ", ")
}

// report says per resource which prose rules were found, and what the
// generator noticed about them.
func report(w io.Writer, res *generator.Result, verbose bool) {
	checked := "checked against the committed expectation"
	if !res.Checked {
		checked = "not checked: no expectation is committed for this version (record one with -update)"
	}
	fmt.Fprintf(w, "generate: %s: %d prose rules found, %s\n", res.APIVersion, len(res.Prose), checked)
	var order []string
	byResource := map[string][]generator.ProseRule{}
	for _, p := range res.Prose {
		if _, ok := byResource[p.Resource]; !ok {
			order = append(order, p.Resource)
		}
		byResource[p.Resource] = append(byResource[p.Resource], p)
	}
	for _, r := range order {
		rules := byResource[r]
		if !verbose {
			ids := make([]string, len(rules))
			for i, p := range rules {
				ids[i] = strings.TrimPrefix(p.ID, r+".")
			}
			fmt.Fprintf(w, "  %s: %s\n", r, strings.Join(ids, ", "))
			continue
		}
		fmt.Fprintf(w, "  %s:\n", r)
		for _, p := range rules {
			fmt.Fprintf(w, "    %s at %s: %s\n", p.ID, p.Source, p.Form)
		}
	}
	for _, n := range res.Notices {
		fmt.Fprintf(w, "generate: notice: %s\n", n)
	}
}

// record writes the expectation of the spec's version.
func record(res *generator.Result, outDir, expectDir string, stderr io.Writer) error {
	name, err := generator.ExpectationFile(res.APIVersion)
	if err != nil {
		return err
	}
	if expectDir == "" {
		expectDir = filepath.Join(outDir, "generator", "expected")
	}
	b, err := res.Expectation().Render()
	if err != nil {
		return err
	}
	path := filepath.Join(expectDir, name)
	if err := disk.WriteFile(path, b); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "generate: recorded %d prose rules in %s\n", len(res.Prose), path)
	return nil
}
