package main

import (
	"flag"
	"os"
	"strings"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

// contractFlags choose the contract a command judges at: --api-version,
// one embedded API version for every document, and (validate only)
// --schemas, the files of one version generated from any spec.
type contractFlags struct {
	apiVersion string
	schemasDir string
}

// addContractFlags defines --api-version, and --schemas when withSchemas.
func addContractFlags(fs *flag.FlagSet, withSchemas bool) *contractFlags {
	f := &contractFlags{}
	fs.StringVar(&f.apiVersion, "api-version", "", "judge every document at this embedded API version ("+strings.Join(schemas.Versions(), ", ")+
		"); default: an event's own api_version, else a cassette request's Stripe-Version header, else the newest")
	if withSchemas {
		fs.StringVar(&f.schemasDir, "schemas", "", "judge every document with the schema files in this directory (written by `go run ./schemas/generate -spec SPEC -out DIR`) instead of the embedded ones")
	}
	return f
}

// validatorOptions are the validators options the flags ask for; a version
// that is not embedded, or a --schemas directory that cannot be read, is a
// usage error.
func (f *contractFlags) validatorOptions() ([]validators.Option, error) {
	var opts []validators.Option
	if f.apiVersion != "" {
		if _, err := schemas.Version(f.apiVersion); err != nil {
			return nil, usagef("--api-version: %v", err)
		}
		opts = append(opts, validators.WithAPIVersion(f.apiVersion))
	}
	if f.schemasDir != "" {
		if info, err := os.Stat(f.schemasDir); err != nil || !info.IsDir() {
			return nil, usagef("--schemas %s: not a readable directory", f.schemasDir)
		}
		opts = append(opts, validators.WithSchemas(os.DirFS(f.schemasDir)))
	}
	return opts, nil
}

// newValidator is validators.New with the flags' options and opts; schema
// files that --schemas names but that are not a contract are a usage error.
func (f *contractFlags) newValidator(opts ...validators.Option) (*validators.Validator, error) {
	own, err := f.validatorOptions()
	if err != nil {
		return nil, err
	}
	v, err := validators.New(append(own, opts...)...)
	if err != nil && f.schemasDir != "" {
		return nil, usagef("--schemas %s: %v", f.schemasDir, err)
	}
	return v, err
}

// requestOptions are the request contract's options for the contract v
// judges at: the same --schemas directory, or v's default version.
func (f *contractFlags) requestOptions(v *validators.Validator) []request.Option {
	if f != nil && f.schemasDir != "" {
		return []request.Option{request.WithSchemas(os.DirFS(f.schemasDir))}
	}
	return []request.Option{request.WithAPIVersion(v.APIVersion())}
}
