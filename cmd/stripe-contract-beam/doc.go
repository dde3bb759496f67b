// Command stripe-contract-beam validates NDJSON files of captured Stripe
// payloads on Apache Beam, with the verdicts of `stripe-contract validate`:
// the same validators, options and JSON rows, spread over the workers of any
// Beam runner. With no --runner it runs on Prism, Beam Go's embedded runner,
// in this process; --runner=dataflow, flink or spark run the same binary on
// a cluster.
//
//	stripe-contract-beam --input 'logs/*.ndjson.gz' --output out [--strict] [--api-version V]
//
// It reads the files a glob matches (local paths, gs:// and s3:// through
// Beam's file systems; .gz decompressed by extension), one document a line,
// and writes under --output:
//
//   - invalid.ndjson: one line per invalid document, exactly as
//     `validate --format json` writes it, its source naming the file and line;
//   - counts.ndjson: documents per rule broken, per resource (kind) and per
//     API version, computed by a Beam combine;
//   - summary.json and summary.txt: the totals, and validate's summary
//     sentence and rule counts;
//   - unreadable.ndjson: the files that could not be read, and why.
//
// A bad line (not JSON, over the size limit, not a known resource) is an
// invalid document like any other, never a pipeline failure; a line over the
// size limit is counted and reported without being held in memory.
package main
