package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/suites/replay"
	"github.com/stripe-contract/stripe-contract/suites/stripemock"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

const replayUsage = `usage: stripe-contract replay --cassettes DIR [--target replay|stripe-mock|live|URL] [flags]

Sends every request recorded in the go-vcr cassettes (*.yaml) under DIR to a
target and checks each answer: the recorded HTTP status, a body valid under
the contract, and structurally equal to the recorded one (fields, JSON types,
nullness, values; IDs, timestamps and URLs excepted); lists walked with
starting_after also keep the pagination contract. The same engine as the
Ginkgo suites in suites/.

Targets: replay (the cassettes served in process), stripe-mock (the real one
pinned in go.mod, with its own fixtures: built by go tool inside a checkout
of this module; elsewhere install it with
go install github.com/stripe/stripe-mock@v0.203.0 and pass --stripe-mock-bin),
live (Stripe's API with STRIPE_API_KEY, test-mode keys only, and optionally
STRIPE_API_BASE; without a key the run is skipped), or an http(s) base URL
(sent STRIPE_API_KEY when set). Webhook deliveries are sent to the replay
target only.

Known deviations are read from --baseline and reported without failing;
--update-baseline FILE writes this run's deviations to FILE instead.

Exit status: 0 when no deviation is new and no baseline entry is stale, or
when the run is skipped (--target live without STRIPE_API_KEY: nothing was
sent, nothing failed, as go test passes a skipped test), 1 when any is, 2 for
a usage error (unknown target, unreadable cassettes or baseline, a live-mode
key) or a target that cannot be started.

flags:
`

func runReplay(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "replay", replayUsage)
	dir := fs.String("cassettes", "", "directory of cassettes to replay (walked for .yaml files), e.g. cassettes/")
	target := fs.String("target", replay.TargetReplay, "replay, stripe-mock, live, or an http(s) base URL")
	baselineFile := fs.String("baseline", "", "baseline of known deviations (JSON), e.g. suites/baselines/stripe-mock.json")
	update := fs.String("update-baseline", "", "write this run's deviations as the baseline FILE and exit 0")
	format := &choice{value: "text", allowed: report.Names()}
	fs.Var(format, "format", "output format on stdout: "+strings.Join(report.Names(), ", "))
	junit := fs.String("junit", "", "also write a JUnit XML report to this file")
	maxCassette := addMaxCassetteFlag(fs, "a larger one is an error naming it, read no further")
	mockBin := fs.String("stripe-mock-bin", "", "the stripe-mock binary --target stripe-mock runs (default: the one go.mod pins, built by go tool inside this module)")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if *mockBin != "" && *target != replay.TargetStripeMock {
		return usagef("--stripe-mock-bin is for --target %s", replay.TargetStripeMock)
	}
	if err := checkMaxCassette(*maxCassette); err != nil {
		return err
	}
	if *dir == "" {
		return missingf(fs, "--cassettes is required")
	}
	if *update != "" && *baselineFile != "" {
		return usagef("--baseline and --update-baseline: give one")
	}
	if err := readableDir(*dir); err != nil {
		return err
	}
	var baseline *replay.Baseline
	if *baselineFile != "" {
		var err error
		if baseline, err = replay.ReadBaseline(*baselineFile); err != nil {
			return err
		}
	}
	fsys := os.DirFS(*dir)
	engine, err := replay.New(fsys, replay.WithMaxCassetteSize(*maxCassette), replay.WithSkipHandler(noticeSkipped(e, *dir)))
	if err != nil {
		return fmt.Errorf("%s: %w", *dir, err)
	}
	var t *replay.Target
	if *mockBin != "" {
		t, err = replay.StripeMock(ctx, stripemock.WithBinary(*mockBin))
	} else {
		t, err = replay.Open(ctx, *target, fsys, os.Getenv, recorder.WithMaxCassetteSize(*maxCassette))
	}
	if errors.Is(err, replay.ErrLiveNotConfigured) {
		return skipLive(e, *junit, err)
	}
	if err != nil {
		return fmt.Errorf("--target %s: %w", *target, err)
	}
	defer t.Close()
	rep, err := engine.Run(ctx, t)
	if err != nil {
		return err
	}
	if *update != "" {
		b := rep.Baseline()
		rewrite := "go run ./cmd/stripe-contract replay --target " + *target + " --cassettes " + *dir + " --update-baseline " + *update
		if err := b.WriteFile(*update, rewrite); err != nil {
			return err
		}
		e.errorf("replay: wrote %d deviations of %s to %s", len(b.Entries), *target, *update)
		return nil
	}
	verdict := rep.Judge(baseline)
	cat, err := catalogue(nil)
	if err != nil {
		return err
	}
	opts := replay.WriteOptions{Root: *dir, Baseline: *baselineFile, Catalogue: cat}
	if err := replay.Write(e.stdout, format.value, rep, verdict, opts); err != nil {
		return err
	}
	if *junit != "" {
		if err := writeJUnitFile(*junit, rep, verdict, opts); err != nil {
			return fmt.Errorf("--junit %s: %w", *junit, err)
		}
	}
	if format.value != "text" {
		e.errorf("%s", replay.Summary(rep, verdict))
	}
	if verdict.Failed() {
		return verdictf("")
	}
	return nil
}

// skipLive says on stderr that the live target is skipped, and why, and
// writes the --junit file, if asked for, with the run as one skipped test
// case: a CI that reads the file finds it, and the skip in it.
func skipLive(e *env, junit string, why error) error {
	e.errorf("replay: skipped: %v", why)
	if junit == "" {
		return nil
	}
	f, err := os.Create(junit)
	if err != nil {
		return fmt.Errorf("--junit %s: %w", junit, err)
	}
	w, err := report.NewWriter("junit", f, report.Options{Name: "stripe-contract replay"})
	if err == nil {
		err = w.Write(&report.Case{Source: replay.TargetLive, Suite: "replay --target " + replay.TargetLive, Name: "replay --target " + replay.TargetLive, Skipped: why.Error()})
	}
	if err == nil {
		err = w.Close(report.Trailer{})
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--junit %s: %w", junit, err)
	}
	return nil
}

func writeJUnitFile(path string, rep *replay.Report, v replay.Verdict, opts replay.WriteOptions) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := replay.Write(f, "junit", rep, v, opts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
