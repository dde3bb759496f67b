// Package schemas holds the contract as data: JSON Schema (draft 2020-12)
// files for Stripe's invoice_payment resource, its list envelope, the
// envelope of the events that carry an invoice_payment, an invoice with
// expanded payments, and the error envelope, plus the request contract (the
// query parameters of the GET requests, RequestFile), generated from the
// Stripe OpenAPI spec by ./generator. Every constraint keyword is annotated
// with a stable rule ID (x-rules, x-rule) that each file's x-rule-definitions
// catalogue explains with the doc text it comes from.
//
// Regenerate with:
//
//	go generate ./schemas
package schemas

//go:generate go run ./generate -out .
