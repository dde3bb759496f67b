// Package schemas holds the contract as data: JSON Schema (draft 2020-12)
// files for every resource of Stripe's API (one file each, ResourceFile),
// the list, search result, event and error envelopes, the index of them
// (IndexFile), plus the request contract (the
// query parameters of every GET and the form parameters of every POST
// operation, RequestFile), generated from the
// Stripe OpenAPI spec by ./generator. Every constraint keyword is annotated
// with a stable rule ID (x-rules, x-rule) that each file's x-rule-definitions
// catalogue explains with the doc text it comes from.
//
// Each API version the generator embeds (generator.EmbeddedVersions) has
// its own directory of these files, named for the version
// (2025-09-30.clover/invoice_payment.schema.json): Versions lists them,
// Version returns one's files and Newest names the latest. The same file
// names in every directory; the drift test regenerates each version and
// compares. The binary embeds them as ArchiveFile (each file compressed on
// its own; the request contracts as they are, beside it), which
// ./archive writes from the committed files and a test compares with them.
//
// Regenerate with:
//
//	go generate ./schemas
package schemas

//go:generate go run ./generate -api-version 2025-05-28.basil -out 2025-05-28.basil
//go:generate go run ./generate -api-version 2025-09-30.clover -out 2025-09-30.clover
//go:generate go run ./generate -api-version 2026-08-26.dahlia -out 2026-08-26.dahlia
//go:generate go run ./archive -dir .
