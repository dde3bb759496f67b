package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"golang.org/x/term"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

const validateUsage = `usage: stripe-contract validate [flags] PATH...

Validates Stripe payloads against the documented contract of every resource.
PATH is a file, a directory (walked for regular .json, .ndjson, .jsonl and
.yaml files, each also compressed as .gz or .zst; a named pipe, socket or
device there is skipped with a notice) or - for standard input. A .json
file holds one document; .ndjson and .jsonl files hold one per line (blank
lines are skipped). A file ending in .gz (gzip, multi-member too) or .zst
(zstd) after one of these extensions is decompressed as it is read, lines
numbered in the decompressed text; standard input and files named with
another extension are decompressed when they start with gzip or zstd magic
bytes. A corrupt or truncated compressed file is an error naming it, after
the documents before the damage are reported. A .yaml file is a
go-vcr cassette, whose JSON response bodies are documents, their pointers
prefixed with /interactions/N/response/body (a .yaml file that is not a
cassette, or is over --max-cassette-size, is one invalid row). A document is
recognised by its object member: any resource of the API version (its
deleted form with "deleted": true), a list or search result (each item
checked as its own resource), an event (data.object checked against the
resource its type carries), or, without one, a Stripe error envelope.

Each document is judged at one Stripe API version, the first of: the one
--api-version names; an event's own api_version, when its contract is
embedded; the Stripe-Version header of the request a cassette interaction
recorded; the newest embedded version. A document naming a version that is
not embedded is judged at the newest, with the notice
api_version.not-embedded. --schemas DIR judges every document with the
schema files of one version generated from any spec instead.

Exit status: 0 when every document is valid, 1 when any is invalid, 2 for a
usage error or a path that cannot be read.

flags:
`

func runValidate(ctx context.Context, e *env, args []string) error {
	defer limitMemory()()
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := &choice{value: "text", allowed: report.Names()}
	fs.Var(format, "format", "output format: "+strings.Join(report.Names(), ", "))
	strict := fs.Bool("strict", false, "report undocumented fields as errors (default: notices)")
	severity := &choice{value: "notice", allowed: []string{"error", "warning", "notice"}}
	fs.Var(severity, "severity", "least severe violations to print in text and github output: error, warning, notice")
	layout := &choice{value: "auto", allowed: []string{"auto", "json", "ndjson"}}
	fs.Var(layout, "input", "layout of stdin and of files with other extensions: auto (NDJSON, or one pretty-printed document), json, ndjson")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "documents validated in parallel")
	maxSize := fs.Int("max-document-size", validators.DefaultMaxSize, "largest document accepted, in bytes; larger ones are reported as json.too-large")
	maxDepth := fs.Int("max-depth", validators.DefaultMaxDepth, fmt.Sprintf("deepest nesting accepted, at most %d levels; deeper documents are reported as json.too-deep", validators.MaxDepthLimit))
	maxCassette := addMaxCassetteFlag(fs, "larger ones are reported as cassette.too-large")
	versions := addContractFlags(fs, true)
	fs.Usage = func() {
		io.WriteString(e.stderr, validateUsage)
		fs.PrintDefaults()
	}
	paths, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return errUsageSaid
	}
	if len(paths) == 0 {
		return missingf(fs, "no PATH given (a file, a directory, or - for stdin)")
	}
	if *workers < 1 || *maxSize < 1 || *maxDepth < 1 || *maxCassette < 1 {
		return usagef("--workers, --max-document-size, --max-depth and --max-cassette-size must be positive")
	}
	if *maxDepth > validators.MaxDepthLimit {
		return usagef("--max-depth %d is over the limit of %d levels (the JSON decoder's own)", *maxDepth, validators.MaxDepthLimit)
	}
	v, err := versions.newValidator(validators.WithStrict(*strict), validators.WithMaxSize(*maxSize), validators.WithMaxDepth(*maxDepth),
		validators.WithRules(pipeline.CassetteRules()...))
	if err != nil {
		return err
	}
	min, _ := validators.ParseSeverity(severity.value)
	// One write per document would be a system call per line of a log.
	stdout := bufio.NewWriterSize(e.stdout, 256<<10)
	cat, err := catalogueOf(v, versions.requestOptions(v)...)
	if err != nil {
		return err
	}
	out, err := report.New(format.value, stdout, report.Options{MinSeverity: min, Catalogue: cat, Name: "stripe-contract validate"})
	if err != nil {
		return err
	}
	inputLayout, _ := pipeline.ParseLayout(layout.value)
	opts := []pipeline.Option{
		pipeline.WithWorkers(*workers),
		pipeline.WithStdin(e.stdin, inputLayout),
		pipeline.WithErrorHandler(func(err error) { e.errorf("%v", err) }),
		pipeline.WithSkipHandler(noticeSkipped(e, "")),
		pipeline.WithReader(".yaml", pipeline.CassetteReader{MaxSize: *maxCassette}.Read),
	}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opts = append(opts, pipeline.WithProgress(e.stderr))
	}
	sum, err := pipeline.New(v, opts...).Run(ctx, paths, out)
	if err != nil && len(sum.Unreadable) == 0 {
		// Not a path problem: the output could not be written, or there was nothing to read.
		return err
	}
	if err := out.Close(&sum); err != nil {
		return err
	}
	if err := stdout.Flush(); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	switch {
	case len(sum.Unreadable) > 0:
		return errFailedSaid // each said by the error handler
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted after %d documents", sum.Documents)
	case sum.Documents == 0:
		shown := make([]string, len(paths))
		for i, p := range paths {
			shown[i] = disk.DisplayName(p)
		}
		return fmt.Errorf("no documents found in %s (only blank lines?)", strings.Join(shown, ", "))
	case sum.Invalid > 0:
		return verdictf("")
	}
	return nil
}
