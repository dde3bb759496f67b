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

// Files lists every generated file.
var Files = []string{InvoicePaymentFile, ListFile, EventFile, InvoiceFile, ErrorFile}

// FS holds the generated schema files, as committed next to this file.
//
//go:embed *.schema.json
var FS embed.FS
