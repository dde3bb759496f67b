// Command generate writes the contract's JSON Schema files from a Stripe
// OpenAPI spec: by default the one pinned through stripe-mock in go.mod, or
// the spec file named by -spec. It runs from `go generate ./schemas`.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

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
	outDir := fs.String("out", ".", "directory to write the schema files to")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	spec, origin := generator.PinnedSpec()
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
