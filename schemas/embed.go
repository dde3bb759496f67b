package schemas

import "embed"

// The generated files, one per kind of document the contract covers.
const (
	InvoicePaymentFile = "invoice_payment.schema.json"
	ListFile           = "invoice_payment_list.schema.json"
	EventFile          = "invoice_payment_event.schema.json"
	InvoiceFile        = "invoice.schema.json"
	ErrorFile          = "error.schema.json"
)

// RequestFile holds the request contract: the query parameters of the GET
// requests of the invoice payment API, one subschema per operation.
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

// FS holds the generated schema files, as committed next to this file.
//
//go:embed *.schema.json
var FS embed.FS
