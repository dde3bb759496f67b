// Command generate writes the contract's JSON Schema files from a Stripe
// OpenAPI spec: by default the one pinned through stripe-mock in go.mod, the
// spec of an embedded API version named by -api-version (fetched with
// `go mod download` when it is not the pinned one), or the spec file named
// by -spec. It runs from `go generate ./schemas`.
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
	apiVersion := fs.String("api-version", "", "generate from the GA spec of this embedded API version ("+embeddedVersions()+"); default: the pinned one")
	outDir := fs.String("out", ".", "directory to write the schema files to")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *specPath != "" && *apiVersion != "" {
		fmt.Fprintln(stderr, "generate: -spec and -api-version name two specs; give one")
		return 2
	}
	spec, origin := generator.PinnedSpec()
	if *apiVersion != "" {
		specs, err := generator.LoadSpecs(context.Background(), *apiVersion)
		if err != nil {
			fmt.Fprintf(stderr, "generate: %v\n", err)
			return 2
		}
		spec, origin = specs.GA, specs.GAOrigin
	}
	if *specPath != "" {
		b, err := os.ReadFile(*specPath)
		if err != nil {
			fmt.Fprintf(stderr, "generate: %v\n", err)
			return 2
		}
		spec, origin = b, "spec file "+filepath.Base(*specPath)+", "+generator.Fingerprint(b)
	}
	files, err := generator.Generate(spec, origin)
	if err != nil {
		fmt.Fprintf(stderr, "generate: %v\n", err)
		return 1
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := disk.WriteFile(filepath.Join(*outDir, name), files[name]); err != nil {
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
