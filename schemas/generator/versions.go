package generator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/stripe/stripe-mock/embedded"
)

// StripeMockModule is the Go module whose releases carry Stripe's OpenAPI
// specs, one API version per release.
const StripeMockModule = "github.com/stripe/stripe-mock"

// The files of a stripe-mock release that hold the specs, as its
// embedded/embedded.go names them.
const (
	gaSpecPath      = "embedded/openapi/spec3.json"
	previewSpecPath = "embedded/openapi/spec3.beta.sdk.json"
)

// EmbeddedVersion is one Stripe API version the contract covers and the
// stripe-mock release whose specs state it.
type EmbeddedVersion struct {
	// APIVersion is the Stripe API version, as the GA spec's info.version
	// and an event's api_version name it: "2025-09-30.clover".
	APIVersion string
	// ModuleVersion is the stripe-mock release that carries its specs.
	ModuleVersion string
	// Pinned says this is the release go.mod requires, whose specs are
	// compiled into the binary; the others are fetched from the module proxy.
	Pinned bool
}

// EmbeddedVersions lists the API versions the contract covers, oldest first.
// Each call returns a new slice.
//
// go.mod can require one stripe-mock only, so one version is pinned and the
// others are downloaded by LoadSpecs.
func EmbeddedVersions() []EmbeddedVersion {
	return []EmbeddedVersion{
		{APIVersion: "2025-05-28.basil", ModuleVersion: "v0.195.0"},
		{APIVersion: "2025-09-30.clover", ModuleVersion: "v0.197.0"},
		{APIVersion: "2026-08-26.dahlia", ModuleVersion: "v0.203.0", Pinned: true},
	}
}

// ErrVersionNotEmbedded is returned (wrapped) for an API version that
// EmbeddedVersions does not list.
var ErrVersionNotEmbedded = errors.New("API version not embedded")

// LookupVersion returns the entry of EmbeddedVersions for apiVersion.
func LookupVersion(apiVersion string) (EmbeddedVersion, error) {
	var known []string
	for _, v := range EmbeddedVersions() {
		if v.APIVersion == apiVersion {
			return v, nil
		}
		known = append(known, v.APIVersion)
	}
	return EmbeddedVersion{}, fmt.Errorf("%w: %q (embedded: %s)", ErrVersionNotEmbedded, apiVersion, strings.Join(known, ", "))
}

// VersionSpecs holds the two OpenAPI documents of one API version: the GA
// spec (spec3.json), which the contract is derived from, and the preview spec
// (spec3.beta.sdk.json), which is read only for what the GA spec does not
// state, such as the resource each event type carries.
type VersionSpecs struct {
	Version EmbeddedVersion
	// GA is spec3.json; GAOrigin says where it came from, for x-generated-from.
	GA       []byte
	GAOrigin string
	// Preview is spec3.beta.sdk.json, and PreviewOrigin where it came from.
	Preview       []byte
	PreviewOrigin string
}

// LoadSpecs returns the specs of apiVersion, which must be one of
// EmbeddedVersions: the pinned version's from the stripe-mock package
// compiled in, the others' from the module cache, downloaded first through
// `go mod download` (so the go command and the Go module proxy must be
// reachable). It checks that each spec states the version it is filed under.
func LoadSpecs(ctx context.Context, apiVersion string) (*VersionSpecs, error) {
	v, err := LookupVersion(apiVersion)
	if err != nil {
		return nil, err
	}
	if !v.Pinned {
		return downloadSpecs(ctx, v)
	}
	vs := &VersionSpecs{Version: v}
	vs.GA, vs.GAOrigin = PinnedSpec()
	vs.Preview = embedded.BetaOpenAPISpec
	vs.PreviewOrigin = StripeMockModule + " embedded.BetaOpenAPISpec (openapi/spec3.beta.sdk.json), " + Fingerprint(vs.Preview)
	return checkSpecs(vs)
}

// DownloadSpecs returns the specs of apiVersion as LoadSpecs does, but
// reads the pinned version's from the module cache too (downloading it if
// need be), never from the stripe-mock package: a program that calls it,
// and not LoadSpecs or PinnedSpec, carries no spec in its binary (the
// linker drops the unreferenced embedded bytes), which is what the CLI's
// drift command needs.
func DownloadSpecs(ctx context.Context, apiVersion string) (*VersionSpecs, error) {
	v, err := LookupVersion(apiVersion)
	if err != nil {
		return nil, err
	}
	return downloadSpecs(ctx, v)
}

// downloadSpecs reads the specs of v from its stripe-mock release in the
// module cache.
func downloadSpecs(ctx context.Context, v EmbeddedVersion) (*VersionSpecs, error) {
	vs := &VersionSpecs{Version: v}
	dir, err := downloadModule(ctx, StripeMockModule, v.ModuleVersion)
	if err != nil {
		return nil, err
	}
	origin := func(path string, b []byte) string {
		return StripeMockModule + "@" + v.ModuleVersion + " " + path + ", " + Fingerprint(b)
	}
	if vs.GA, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(gaSpecPath))); err != nil {
		return nil, fmt.Errorf("read the %s spec: %w", v.APIVersion, err)
	}
	vs.GAOrigin = origin(gaSpecPath, vs.GA)
	if vs.Preview, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(previewSpecPath))); err != nil {
		return nil, fmt.Errorf("read the %s preview spec: %w", v.APIVersion, err)
	}
	vs.PreviewOrigin = origin(previewSpecPath, vs.Preview)
	return checkSpecs(vs)
}

// checkSpecs checks that each spec states the version it is filed under.
func checkSpecs(vs *VersionSpecs) (*VersionSpecs, error) {
	v := vs.Version
	if err := checkInfoVersion(vs.GA, vs.GAOrigin, v.APIVersion); err != nil {
		return nil, err
	}
	if err := checkInfoVersion(vs.Preview, vs.PreviewOrigin, previewVersion(v.APIVersion)); err != nil {
		return nil, err
	}
	return vs, nil
}

// previewVersion is how a preview spec's info.version begins: the release
// date of the GA version, ".preview", then the betas it includes
// ("2026-08-26.preview; embedded_connect_beta=v2; ...").
func previewVersion(apiVersion string) string {
	date, _, _ := strings.Cut(apiVersion, ".")
	return date + ".preview"
}

// checkInfoVersion checks that spec's info.version is want, or begins with
// want and a ";" (a preview's list of betas).
func checkInfoVersion(spec []byte, origin, want string) error {
	got, err := infoVersion(spec)
	if err != nil {
		return fmt.Errorf("%s: %w", origin, err)
	}
	if got != want && !strings.HasPrefix(got, want+";") {
		return fmt.Errorf("%s: info.version is %q, want %q", origin, clip(got, 60), want)
	}
	return nil
}

// infoVersion reads only info.version of a spec, without decoding the rest
// into values.
func infoVersion(spec []byte) (string, error) {
	var doc struct {
		Info struct {
			Version string `json:"version"`
		} `json:"info"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		return "", fmt.Errorf("parse OpenAPI spec: %w", err)
	}
	if doc.Info.Version == "" {
		return "", errors.New("info.version (the Stripe API version) is empty")
	}
	return doc.Info.Version, nil
}

// DownloadError is returned when `go mod download` cannot provide a module
// version: the go command is missing, the module proxy is unreachable, or it
// does not have that version.
type DownloadError struct {
	Module, Version string
	// Reason is what the go command said (its JSON Error field or the last
	// line of its standard error), or why it could not run.
	Reason string
	Err    error
}

// Error says which module version could not be downloaded, what that
// needs, and why it failed.
func (e *DownloadError) Error() string {
	return fmt.Sprintf("download %s@%s with `go mod download` (needs the go command and the Go module proxy, GOPROXY): %s", e.Module, e.Version, e.Reason)
}

// Unwrap returns the error of running the go command, if any.
func (e *DownloadError) Unwrap() error { return e.Err }

// downloadModule runs `go mod download -json module@version` and returns the
// module's directory in the module cache. A version already in the cache is
// not fetched again.
func downloadModule(ctx context.Context, module, version string) (string, error) {
	fail := func(reason string, err error) (string, error) {
		return "", &DownloadError{Module: module, Version: version, Reason: reason, Err: err}
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fail("the go command is not on PATH", err)
	}
	cmd := exec.CommandContext(ctx, goCmd, "mod", "download", "-json", module+"@"+version)
	// Outside any module, so that no go.mod or go.work is read or changed.
	cmd.Dir = os.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var out struct {
		Dir   string
		Error string
	}
	jsonErr := json.Unmarshal(stdout.Bytes(), &out)
	switch {
	case out.Error != "":
		return fail(lastLine(out.Error), runErr)
	case runErr != nil:
		if msg := lastLine(stderr.String()); msg != "" {
			return fail(msg, runErr)
		}
		return fail(runErr.Error(), runErr)
	case jsonErr != nil:
		return fail("unreadable output: "+jsonErr.Error(), jsonErr)
	case out.Dir == "":
		return fail("no module directory in its output", nil)
	}
	return out.Dir, nil
}

// lastLine is the last non-empty line of s, clipped: the go command's
// messages end with the cause.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return clip(strings.TrimSpace(lines[len(lines)-1]), 300)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
