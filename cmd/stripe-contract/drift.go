package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas/drift"
	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

const driftUsage = `usage: stripe-contract drift FROM TO [--format text|json|markdown] [--fail-on-breaking]

Compares the contract of API version FROM with that of TO (both embedded
versions, such as 2025-09-30.clover and 2026-08-26.dahlia): per resource and
field, fields added or removed, required and nullable changes, type and enum
changes, event types added, removed or renamed, prose rules found or lost,
and request parameters; each says whether it breaks consumers of responses or
of requests, classified as oasdiff classifies the same change. Each version's
specs are read from the Go module cache (stripe-mock's release of it) with go
mod download, which fetches them through the Go module proxy when missing.

Exit status: 0; 1 with --fail-on-breaking when a change is breaking; 2 for a
usage error, a version that is not embedded, or one whose contract cannot be
loaded.

flags:
`

// runDrift reports what the contract gained and lost between two versions.
func runDrift(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "drift", driftUsage)
	format := &choice{value: "text", allowed: []string{"text", "json", "markdown"}}
	fs.Var(format, "format", "output format: text, json (one change a line), markdown")
	failOnBreaking := fs.Bool("fail-on-breaking", false, "exit 1 when any change breaks a consumer of responses or requests")
	versions, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return errUsageSaid
	}
	if len(versions) != 2 {
		return missingf(fs, "want two API versions, FROM and TO (embedded: %s), got %d", embeddedNames(), len(versions))
	}
	for _, v := range versions {
		if _, err := generator.LookupVersion(v); err != nil {
			return usagef("%q is not an embedded API version (embedded: %s)", v, embeddedNames())
		}
	}
	contracts := make([]*drift.Contract, 2)
	for i, v := range versions {
		c, err := drift.Load(ctx, v)
		if err != nil {
			var dl *generator.DownloadError
			if errors.As(err, &dl) {
				return fmt.Errorf("%w (drift reads each version's specs from the module cache, which needs the Go module proxy for a release not yet in it: is it reachable?)", err)
			}
			return err
		}
		contracts[i] = c
	}
	report, err := drift.Compare(contracts[0], contracts[1])
	if err != nil {
		return err
	}
	switch format.value {
	case "json":
		err = report.WriteJSON(e.stdout)
	case "markdown":
		err = report.WriteMarkdown(e.stdout)
	default:
		err = report.WriteText(e.stdout)
	}
	if err != nil {
		return err
	}
	if n := report.Breaking(); *failOnBreaking && n > 0 {
		return verdictf("%d breaking change(s) from %s to %s", n, report.From, report.To)
	}
	return nil
}

// embeddedNames lists the embedded API versions, oldest first.
func embeddedNames() string {
	var names []string
	for _, v := range generator.EmbeddedVersions() {
		names = append(names, v.APIVersion)
	}
	return strings.Join(names, ", ")
}
