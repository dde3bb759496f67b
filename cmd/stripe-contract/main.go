// Command stripe-contract checks Stripe API traffic, every resource and
// event type, against its documented contract.
//
//	stripe-contract validate [flags] PATH...   validate payloads (files, directories, - for stdin)
//	stripe-contract rules [--format text|json]  list the contract's rules and the docs they come from
//	stripe-contract record --upstream URL --cassette FILE  record traffic through a proxy into a cassette
//	stripe-contract serve --cassettes DIR      answer requests from recorded cassettes
//	stripe-contract drift FROM TO [--format text|json|markdown] [--fail-on-breaking]  compare two API versions' contracts
//	stripe-contract replay --cassettes DIR --target replay|stripe-mock|live|URL  check a target's answers to recorded requests
//	stripe-contract webhooks --cassettes DIR --target URL  replay recorded webhook deliveries to an endpoint, re-signed
//	stripe-contract version [--format text|json]  print the build's version, API versions and schemas' SHA-256 (also --version)
//
// Exit status: 0 when every document is valid, 1 when any is invalid, 2 for
// a usage error or a path that cannot be read. Each subcommand returns an
// error, and exitCode (exit.go) is the one place that maps it to a status.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// command is a subcommand: its one-line description and its entry point.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
	// handlesCredentials marks the commands that see requests' credentials
	// (record, serve, replay, webhooks): everything they print goes through
	// secret redaction first, whatever printed it.
	handlesCredentials bool
}

// env is what a command may touch: its streams, injected for tests.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (e *env) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "stripe-contract: "+format+"\n", args...)
}

var commands = map[string]command{
	"validate": {"validate payloads (files, directories, - for stdin)", runValidate, false},
	"rules":    {"list the contract's rules and the documentation each comes from", runRules, false},
	"record":   {"record Stripe traffic through a proxy into a go-vcr cassette, redacted and validated", runRecord, true},
	"serve":    {"answer requests from recorded cassettes, for SDK test suites in any language", runServe, true},
	"replay":   {"replay recorded cassettes against a target (replay, stripe-mock, live, URL) and check its answers", runReplay, true},
	"drift":    {"compare the contracts of two API versions: what changed, and what breaks consumers", runDrift, false},
	"webhooks": {"replay recorded webhook deliveries to your endpoint, re-signed with --webhook-secret; checks 2xx", runWebhooks, true},
	"version":  {"print the build's version, its embedded API versions and their schemas' SHA-256", runVersion, false},
}

func main() {
	// The collector runs at Go's default pace (GOGC=100): the work
	// allocates about 1 KB a line, so it costs 2-3% of the CPU on a large
	// log. validate adds a soft memory limit (memory.go).
	stopProfile := func() {}
	if path := os.Getenv("STRIPE_CONTRACT_CPUPROFILE"); path != "" {
		// For reports of slow runs: go tool pprof stripe-contract PATH.
		var err error
		if stopProfile, err = startCPUProfile(path); err != nil {
			fmt.Fprintf(os.Stderr, "stripe-contract: STRIPE_CONTRACT_CPUPROFILE: %v\n", err)
			stopProfile = func() {}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	stopProfile()
	if path := os.Getenv("STRIPE_CONTRACT_MEMPROFILE"); path != "" {
		// What the heap holds at the end (the compiled contract, after a
		// collection): go tool pprof -sample_index=inuse_space stripe-contract PATH.
		if err := writeHeapProfile(path); err != nil {
			fmt.Fprintf(os.Stderr, "stripe-contract: STRIPE_CONTRACT_MEMPROFILE: %v\n", err)
		}
	}
	os.Exit(code)
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// run runs the command line args with the streams given, and returns its
// exit status: main's whole job, in-process for tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	return exitCode(dispatch(ctx, e, args))
}

// dispatch runs the subcommand args name and says on stderr what its error
// needs said; no command, or one not known, is a usage error.
func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		usage(e.stderr)
		return errUsageSaid
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		return nil
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		e.errorf("unknown command %q", args[0])
		usage(e.stderr)
		return errUsageSaid
	}
	if cmd.handlesCredentials {
		out, errOut := secret.NewWriter(e.stdout, nil), secret.NewWriter(e.stderr, nil)
		defer out.Flush()
		defer errOut.Flush()
		e.stdout, e.stderr = out, errOut
	}
	err := cmd.run(ctx, e, args[1:])
	sayError(e, args[0], err)
	return err
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: stripe-contract COMMAND [flags] [args]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'stripe-contract COMMAND -h' for a command's flags.\n")
	io.WriteString(w, b.String())
}
