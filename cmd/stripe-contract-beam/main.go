package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	// Beam's file systems for --input and --output: local paths, gs:// and s3://.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
)

const usage = `usage: stripe-contract-beam --input GLOB --output DIR [flags] [Beam pipeline flags]

Validates the NDJSON files GLOB matches (local, gs:// or s3://; .gz
decompressed) on Apache Beam with the verdicts of stripe-contract validate,
and writes under DIR: invalid.ndjson (validate --format json's line for each
invalid document), counts.ndjson (per rule, resource and API version),
summary.json and summary.txt (totals), unreadable.ndjson (files that could
not be read). With no --runner it runs on Prism, in this process.

Exit status: 0 when every document is valid, 1 when any is invalid, 2 for a
usage error, a failed pipeline or a file that cannot be read.

flags:
`

// flags registers the command's own flags on fs (Beam's, such as --runner,
// are on the same global flag set) and returns the Config they fill.
func flags(fs *flag.FlagSet) *Config {
	c := &Config{}
	fs.StringVar(&c.Input, "input", "", "glob of the NDJSON files to validate (local, gs://, s3://; .gz decompressed)")
	fs.StringVar(&c.Output, "output", "", "directory or object prefix the results are written under")
	fs.BoolVar(&c.Strict, "strict", false, "report undocumented fields as errors (default: notices)")
	fs.StringVar(&c.APIVersion, "api-version", "", "judge every document at this embedded API version ("+strings.Join(schemas.Versions(), ", ")+
		"); default: an event's own api_version, else the newest")
	fs.IntVar(&c.MaxSize, "max-document-size", validators.DefaultMaxSize, "largest document accepted, in bytes; larger ones are reported as json.too-large")
	fs.IntVar(&c.MaxDepth, "max-depth", validators.DefaultMaxDepth, "deepest nesting accepted; deeper documents are reported as json.too-deep")
	fs.BoolVar(&c.Reshuffle, "reshuffle", true, "spread each file's documents over all workers before validating them")
	return c
}

func main() {
	c := flags(flag.CommandLine)
	flag.Usage = func() {
		io.WriteString(os.Stderr, usage)
		flag.PrintDefaults()
	}
	flag.Parse()
	if c.localPrism() {
		if code, done := isolate(false); done {
			os.Exit(code)
		}
	}
	quietPrism()
	beam.Init()
	os.Exit(run(context.Background(), *c, os.Stdout, os.Stderr))
}

// localPrism says whether the run is on Prism in this process (no
// --runner, or prism, and no --endpoint of a job server elsewhere) over
// local files only: one that a network namespace of its own (isolate)
// keeps whole.
func (c Config) localPrism() bool {
	runner, endpoint := flagValue("runner"), flagValue("endpoint")
	if runner != "" && runner != "prism" || endpoint != "" {
		return false
	}
	return !strings.Contains(c.Input, "://") && !strings.Contains(c.Output, "://")
}

// flagValue is the value of the command line's flag name ("" if it has
// none).
func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// quietPrism keeps Prism's progress messages (it logs every job's start,
// staging and end at level INFO through log/slog) off stderr; its warnings
// and errors still show. beam.Init sets up the logger at this level, so it
// is called before.
func quietPrism() {
	beamlog.LogLevel = "warn"
}

// errUsage is a Config that cannot run.
var errUsage = errors.New("usage")

// check says what is wrong with c, before any pipeline is built.
func (c Config) check() error {
	switch {
	case c.Input == "" || c.Output == "":
		return fmt.Errorf("%w: --input and --output are required", errUsage)
	case c.MaxSize < 1 || c.MaxDepth < 1:
		return fmt.Errorf("%w: --max-document-size and --max-depth must be positive", errUsage)
	case c.MaxDepth > validators.MaxDepthLimit:
		return fmt.Errorf("%w: --max-depth %d is over the limit of %d levels", errUsage, c.MaxDepth, validators.MaxDepthLimit)
	}
	if c.APIVersion != "" {
		if _, err := schemas.Version(c.APIVersion); err != nil {
			return fmt.Errorf("%w: --api-version: %v", errUsage, err)
		}
	}
	// The workers build the same validator: fail here rather than on each.
	_, err := c.newValidator()
	return err
}

// run builds the pipeline, runs it on the runner Beam's flags name, and
// prints the summary it wrote. It returns the exit status.
func run(ctx context.Context, c Config, stdout, stderr io.Writer) int {
	if err := c.check(); err != nil {
		fmt.Fprintf(stderr, "stripe-contract-beam: %v\n", err)
		return 2
	}
	switch n, err := matches(ctx, c.Input); {
	case err != nil:
		fmt.Fprintf(stderr, "stripe-contract-beam: --input %s: %v\n", c.Input, err)
		return 2
	case n == 0:
		fmt.Fprintf(stderr, "stripe-contract-beam: --input %s matches no files\n", c.Input)
		return 2
	}
	if err := localOutput(c.Output); err != nil {
		fmt.Fprintf(stderr, "stripe-contract-beam: --output %s: %v\n", c.Output, err)
		return 2
	}
	p, s := beam.NewPipelineWithRoot()
	Build(s, c)
	if err := beamx.Run(ctx, p); err != nil {
		fmt.Fprintf(stderr, "stripe-contract-beam: the pipeline failed: %s\n", cause(err))
		return 2
	}
	sum, err := readSummary(ctx, c)
	if err != nil {
		fmt.Fprintf(stderr, "stripe-contract-beam: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, sum.Summary)
	fmt.Fprintf(stdout, "results under %s: %s, %s, %s, %s, %s\n", c.Output, InvalidFile, CountsFile, SummaryFile, SummaryText, UnreadableFile)
	switch {
	case sum.UnreadableFiles > 0:
		fmt.Fprintf(stderr, "stripe-contract-beam: %d files could not be read: see %s\n", sum.UnreadableFiles, c.outPath(UnreadableFile))
		return 2
	case sum.Documents == 0:
		fmt.Fprintf(stderr, "stripe-contract-beam: no documents found in %s (only blank lines?)\n", c.Input)
		return 2
	case sum.Invalid > 0:
		return 1
	}
	return 0
}

// localOutput makes a local output directory, and checks that files can
// be written in it, before any pipeline runs; an object store's prefix
// (gs://, s3://) is left to the run.
func localOutput(dir string) error {
	if strings.Contains(dir, "://") {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".stripe-contract-beam-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// cause is the innermost cause of a pipeline's error: the last line of the
// runner's report (Beam nests each stage's error in the one around it).
func cause(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// matches counts the files glob matches, through Beam's file system for
// its scheme: a glob that matches nothing is said in a line before any
// pipeline runs (the pipeline's own match would fail the job with a
// runner's report).
func matches(ctx context.Context, glob string) (int, error) {
	fs, err := filesystem.New(ctx, glob)
	if err != nil {
		return 0, err
	}
	defer fs.Close()
	files, err := fs.List(ctx, glob)
	return len(files), err
}

// readSummary reads the summary.json a run wrote.
func readSummary(ctx context.Context, c Config) (SummaryJSON, error) {
	var sum SummaryJSON
	name := c.outPath(SummaryFile)
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return sum, fmt.Errorf("read %s: %w", name, err)
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, name)
	if err != nil {
		return sum, fmt.Errorf("read %s: %w", name, err)
	}
	defer r.Close()
	if err := json.NewDecoder(r).Decode(&sum); err != nil {
		return sum, fmt.Errorf("read %s: %w", name, err)
	}
	return sum, nil
}
