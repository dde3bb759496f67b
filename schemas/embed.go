package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// The generated files, one per kind of document the contract covers. Every
// API version's directory holds each of them under the same name.
const (
	InvoicePaymentFile = "invoice_payment.schema.json"
	ListFile           = "invoice_payment_list.schema.json"
	EventFile          = "invoice_payment_event.schema.json"
	InvoiceFile        = "invoice.schema.json"
	ErrorFile          = "error.schema.json"
)

// RequestFile holds the request contract: the query parameters of every GET
// and the form parameters of every POST operation of the API, one subschema
// per operation.
const RequestFile = "requests.schema.json"

// Files lists the generated files that describe documents Stripe sends
// (responses, events, errors): the ones package validators checks payloads
// against. Each call returns a new slice, so a caller cannot change the list
// another caller sees.
func Files() []string {
	return []string{InvoicePaymentFile, ListFile, EventFile, InvoiceFile, ErrorFile}
}

// AllFiles lists every generated file: Files and RequestFile.
func AllFiles() []string { return append(Files(), RequestFile) }

// embedded holds the generated files of every API version, each version in
// a directory named for it (2026-08-26.dahlia/invoice_payment.schema.json),
// as committed next to this file.
//
//go:embed */*.schema.json
var embedded embed.FS

// Versions lists the API versions whose contract is embedded, oldest first.
// Stripe's version names begin with their release date, so this order is
// also the order of their names. Each call returns a new slice.
func Versions() []string {
	entries, err := fs.ReadDir(embedded, ".")
	if err != nil {
		return nil // an embed.FS reads its root without error
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
// judged at when nothing names another.
func Newest() string {
	vs := Versions()
	return vs[len(vs)-1]
}

// Version returns the generated files of an embedded API version, named as
// Files and RequestFile list them. A version that is not embedded is an
// error naming the ones that are.
func Version(apiVersion string) (fs.FS, error) {
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
