package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas"
)

const versionUsage = `usage: stripe-contract version [--format text|json]
       stripe-contract --version

Prints what this build is and what it judges by: the module's version from
the build information (a release tag for go install ...@vX.Y.Z, a pseudo-
version or "(devel)" for a build from a checkout, with its commit when known),
the Go release it was built with, the API versions whose contract is embedded,
and the SHA-256 of the embedded schema files, all of them and per version
(two builds with the same digest judge every document alike).

Exit status: 0, or 2 for a usage error.

flags:
`

// buildVersion is what version prints.
type buildVersion struct {
	Module        string           `json:"module"`
	Version       string           `json:"version"`
	Commit        string           `json:"commit,omitempty"`
	Modified      bool             `json:"modified,omitempty"`
	Go            string           `json:"go"`
	APIVersions   []versionContent `json:"api_versions"`
	SchemasSHA256 string           `json:"schemas_sha256"`
}

// versionContent is one embedded API version and its files' digest.
type versionContent struct {
	APIVersion    string `json:"api_version"`
	SchemasSHA256 string `json:"schemas_sha256"`
}

// readBuildVersion gathers the build information and the contract's
// digests; a binary built without module support says "(unknown)".
func readBuildVersion() (buildVersion, error) {
	v := buildVersion{Module: "github.com/stripe-contract/stripe-contract", Version: "(unknown)", Go: "(unknown)"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.Go = bi.GoVersion
		if bi.Main.Path != "" {
			v.Module, v.Version = bi.Main.Path, bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	for _, av := range schemas.Versions() {
		d, err := schemas.VersionDigest(av)
		if err != nil {
			return v, err
		}
		v.APIVersions = append(v.APIVersions, versionContent{av, d})
	}
	v.SchemasSHA256 = schemas.Digest()
	return v, nil
}

// runVersion prints the build's version, its embedded API versions and the
// digest of their schemas.
func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", versionUsage)
	format := &choice{value: "text", allowed: []string{"text", "json"}}
	fs.Var(format, "format", "output format: text, json")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	v, err := readBuildVersion()
	if err != nil {
		return err
	}
	if format.value == "json" {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "stripe-contract %s (%s, built with %s)\n", v.Version, v.Module, v.Go)
	if v.Commit != "" {
		modified := ""
		if v.Modified {
			modified = " (modified)"
		}
		fmt.Fprintf(&b, "commit: %s%s\n", v.Commit, modified)
	}
	fmt.Fprintf(&b, "schemas sha256: %s\n", v.SchemasSHA256)
	b.WriteString("API versions embedded (oldest first; documents naming none are judged at the last):\n")
	for _, av := range v.APIVersions {
		fmt.Fprintf(&b, "  %-20s sha256 %s\n", av.APIVersion, av.SchemasSHA256)
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}
