package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// The generated files of every API version: one per resource of the spec
// (ResourceFile names it: customer.schema.json, deleted_customer.schema.json,
// invoice_payment.schema.json, ...), the envelopes that carry resources, and
// the index of them all. Every API version's directory holds its files under
// these names.
const (
	InvoicePaymentFile = "invoice_payment.schema.json" // the invoice_payment resource
	InvoiceFile        = "invoice.schema.json"         // the invoice resource
	ListFile           = "list.schema.json"            // a list (object "list") of any resource
	SearchResultFile   = "search_result.schema.json"   // a search result (object "search_result")
	EventFile          = "event.schema.json"           // an event of any type
	ErrorFile          = "error.schema.json"           // the error envelope
	// IndexFile lists the version's resources (component, object value,
	// deleted form, file) and its event types with the resources they
	// carry: what a validator reads to find a document's file without
	// reading them all.
	IndexFile = "index.json"
)

// RequestFile holds the request contract: the query parameters of every GET
// and the form parameters of every POST operation of the API, one subschema
// per operation.
const RequestFile = "requests.schema.json"

// ResourceFile is the name of the file of the resource whose component (in
// the spec's components.schemas) is component: customer.schema.json,
// radar.value_list.schema.json.
func ResourceFile(component string) string { return component + ".schema.json" }

// EnvelopeFiles lists the files of the documents that carry resources:
// lists, search results, events and errors. Each call returns a new slice.
func EnvelopeFiles() []string {
	return []string{ListFile, SearchResultFile, EventFile, ErrorFile}
}

// Files lists the files of an API version's directory (fsys, as Version
// returns it) that describe documents Stripe sends: every resource's and
// the envelopes', sorted. The request file and the index are not among them.
func Files(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".schema.json") && n != RequestFile {
			out = append(out, n)
		}
	}
	return out, nil
}

// archive is ArchiveFile: the generated files of every API version but the
// request contracts, each version in a directory named for it
// (2026-08-26.dahlia/invoice_payment.schema.json), as committed next to
// this file.
//
//go:embed contract.zip
var archive string

// requestFiles are every version's request contract, as committed.
//
//go:embed */requests.schema.json
var requestFiles embed.FS

// embedded is the generated files of every API version, or, if the
// archive does not open (a broken build), a file system whose every read
// says why.
var embedded = openEmbedded(archive)

func openEmbedded(raw string) fs.FS {
	fsys, err := OpenArchive(strings.NewReader(raw), int64(len(raw)))
	if err != nil {
		return brokenFS{fmt.Errorf("the embedded contract (%s) is unreadable: %w", ArchiveFile, err)}
	}
	return withRequests{archive: fsys, requests: requestFiles}
}

// Versions lists the API versions whose contract is embedded, oldest first.
// Stripe's version names begin with their release date, so this order is
// also the order of their names. Each call returns a new slice.
func Versions() []string {
	entries, err := fs.ReadDir(embedded, ".")
	if err != nil {
		return nil // only a broken build's archive fails to list
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// Newest is the most recent API version embedded: the one documents are
// judged at when nothing names another. It is "" only in a build whose
// archive does not open, where Version then says why.
func Newest() string {
	vs := Versions()
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// Version returns the generated files of an embedded API version, named as
// Files and RequestFile list them. A version that is not embedded is an
// error naming the ones that are.
func Version(apiVersion string) (fs.FS, error) {
	if b, broken := embedded.(brokenFS); broken {
		return nil, b.err
	}
	if !slices.Contains(Versions(), apiVersion) {
		return nil, &UnknownVersionError{Version: apiVersion}
	}
	return fs.Sub(embedded, apiVersion)
}

// UnknownVersionError is the error for an API version whose contract is not
// embedded.
type UnknownVersionError struct {
	Version string // the version asked for
}

// Error names the version asked for and the embedded ones.
func (e *UnknownVersionError) Error() string {
	return fmt.Sprintf("API version %q is not embedded (embedded: %s)", e.Version, strings.Join(Versions(), ", "))
}
