package suites_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/suites/replay"
)

// targetsEnv chooses targets: a comma-separated list of replay,
// stripe-mock, live and http(s) base URLs. Unset, the built-in three run
// (live skips itself without a key).
const targetsEnv = "STRIPE_CONTRACT_TARGETS"

// replayTimeout bounds starting a target and replaying every cassette
// against it (go tool builds stripe-mock on its first run).
const replayTimeout = 4 * time.Minute

// builtinTargets are the targets with a container of their own, each
// labelled with its name.
var builtinTargets = []string{replay.TargetReplay, replay.TargetStripeMock, replay.TargetLive}

// engine is built while the spec tree is built: the specs are named after
// the interactions it loads.
var engine = func() *replay.Engine {
	e, err := replay.New(cassettes.FS)
	if err != nil {
		panic(fmt.Sprintf("loading the bundled cassettes: %v", err))
	}
	return e
}()

// chosenTargets reads STRIPE_CONTRACT_TARGETS.
func chosenTargets() (names []string, all bool) {
	raw := strings.TrimSpace(os.Getenv(targetsEnv))
	if raw == "" {
		return builtinTargets, true
	}
	for _, n := range strings.Split(raw, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	return names, false
}

// rewriteCommand is how a target's baseline is rewritten.
func rewriteCommand(target, baseline string) string {
	return fmt.Sprintf("go run ./cmd/stripe-contract replay --target %s --cassettes cassettes/ --update-baseline %s", target, baseline)
}

var _ = Describe("the targets chosen in "+targetsEnv, func() {
	It("are built-in targets or http(s) URLs", func() {
		names, _ := chosenTargets()
		for _, n := range names {
			if slices.Contains(builtinTargets, n) {
				continue
			}
			Expect(n).To(Or(HavePrefix("http://"), HavePrefix("https://")),
				"%s=%q: %q is not a target; want replay, stripe-mock, live or an http(s) base URL", targetsEnv, os.Getenv(targetsEnv), n)
		}
	})
})

var _ = describeTargets()

// describeTargets declares a container per built-in target, and one per URL
// in STRIPE_CONTRACT_TARGETS.
func describeTargets() bool {
	names, _ := chosenTargets()
	for _, name := range builtinTargets {
		describeTarget(name, name, slices.Contains(names, name))
	}
	for _, name := range names {
		if !slices.Contains(builtinTargets, name) && (strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://")) {
			describeTarget(name, "url", true)
		}
	}
	return true
}

// describeTarget declares the specs of one target: one per recorded
// interaction, and one for the baseline's stale entries.
func describeTarget(name, label string, chosen bool) {
	baselineFile := filepath.Join("baselines", name+".json")
	Describe("target "+name, Label(label), Ordered, ContinueOnFailure, func() {
		var (
			report   *replay.Report
			verdict  replay.Verdict
			baseline *replay.Baseline
		)
		BeforeAll(func(ctx SpecContext) {
			if !chosen {
				Skip(fmt.Sprintf("target %s is not in %s=%s", name, targetsEnv, os.Getenv(targetsEnv)))
			}
			t, err := replay.Open(ctx, name, cassettes.FS, os.Getenv)
			if errors.Is(err, replay.ErrLiveNotConfigured) {
				Skip(err.Error())
			}
			Expect(err).NotTo(HaveOccurred(), "target %s", name)
			DeferCleanup(t.Close)
			report, err = engine.Run(ctx, t)
			Expect(err).NotTo(HaveOccurred(), "replaying the cassettes against %s", name)
			baseline, err = replay.ReadBaseline(baselineFile)
			if errors.Is(err, fs.ErrNotExist) && name != replay.TargetStripeMock && name != replay.TargetReplay {
				baseline, err = nil, nil // live and URL targets may run without one
			}
			Expect(err).NotTo(HaveOccurred())
			verdict = report.Judge(baseline)
			fmt.Fprintf(GinkgoWriter, "target %s: %d interactions, %d skipped, %d new deviations, %d known (%s), %d minor, %d stale baseline entries\n",
				name, len(report.Results), verdict.Skipped, len(verdict.New), len(verdict.Known), baselineFile, len(verdict.Minor), len(verdict.Stale))
		}, NodeTimeout(replayTimeout))

		for _, in := range engine.Interactions() {
			It(in.Name(), func() {
				res, ok := report.Result(in.Cassette, in.Index)
				Expect(ok).To(BeTrue(), "no result for %s", in.Source())
				if res.Skipped != "" {
					Skip(res.Skipped)
				}
				// The engine's verdict judged each deviation; the spec reads its status.
				var fresh []string
				for _, d := range verdict.For(in.Cassette, in.Index) {
					switch d.Status {
					case replay.StatusMinor:
						fmt.Fprintf(GinkgoWriter, "%s: %s\n", d.Severity, d.Deviation)
					case replay.StatusKnown:
						AddReportEntry("known deviation", d.String())
						fmt.Fprintf(GinkgoWriter, "known (in %s): %s\n", baselineFile, d.Deviation)
					default:
						fresh = append(fresh, d.String())
					}
				}
				Expect(fresh).To(BeEmpty(), "%s broke the recording or the contract in ways %s does not hold (if they are expected, rewrite it: %s):\n%s",
					name, baselineFile, rewriteCommand(name, "suites/"+baselineFile), strings.Join(fresh, "\n"))
			})
		}

		It("still shows every deviation of "+baselineFile, func() {
			var stale []string
			for _, e := range verdict.Stale {
				stale = append(stale, e.String())
			}
			Expect(stale).To(BeEmpty(), "%s lists deviations %s no longer shows; rewrite it: %s\n%s",
				baselineFile, name, rewriteCommand(name, "suites/"+baselineFile), strings.Join(stale, "\n"))
		})
	})
}
