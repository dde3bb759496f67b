package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/stripe-contract/stripe-contract/suites/replay"
)

const (
	bundledCassettes  = "../../cassettes"
	stripeMockBase    = "../../suites/baselines/stripe-mock.json"
	replayBaseline    = "../../suites/baselines/replay.json"
	replayCLITimeout  = 3 * time.Minute
	replayExitTimeout = 30 * time.Second
)

// verdictLine is a deviation as the replay command's JSON format and the
// engine's Verdict both say it, for comparing the two front doors.
type verdictLine struct {
	Cassette    string
	Interaction int
	Rule        string
	Path        string
	Status      string // new, known, minor
}

// runReplay runs the replay command and returns its session once it exits.
func runReplay(env []string, args ...string) *gexec.Session {
	cmd := exec.Command(binary, append([]string{"replay"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	Eventually(session, replayCLITimeout).Should(gexec.Exit())
	return session
}

// cliVerdict reads the JSON format's lines.
func cliVerdict(out []byte) (lines []verdictLine, skipped []string, stale []replay.Entry) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct {
			Source     string `json:"source"`
			Skipped    string `json:"skipped"`
			Deviations []struct {
				Rule, Path, Status string
			} `json:"deviations"`
			Summary *struct {
				Stale []struct {
					Cassette    string `json:"cassette"`
					Interaction int    `json:"interaction"`
					Rule        string `json:"rule"`
					Path        string `json:"path"`
				} `json:"stale"`
			} `json:"summary"`
		}
		Expect(json.Unmarshal(sc.Bytes(), &row)).To(Succeed(), "line %q", sc.Text())
		if row.Summary != nil {
			for _, e := range row.Summary.Stale {
				stale = append(stale, replay.Entry{Cassette: e.Cassette, Interaction: e.Interaction, Rule: e.Rule, Pointer: e.Path})
			}
			continue
		}
		if row.Skipped != "" {
			skipped = append(skipped, row.Source)
		}
		var cassette string
		var n int
		for i := len(row.Source) - 1; i >= 0; i-- {
			if row.Source[i] == '#' {
				cassette = row.Source[:i]
				Expect(json.Unmarshal([]byte(row.Source[i+1:]), &n)).To(Succeed())
				break
			}
		}
		for _, d := range row.Deviations {
			lines = append(lines, verdictLine{cassette, n, d.Rule, d.Path, d.Status})
		}
	}
	return lines, skipped, stale
}

// engineVerdict runs the engine itself, as the suites do, on the same
// cassettes and baseline.
func engineVerdict(target, baselineFile string) (lines []verdictLine, skipped []string, stale []replay.Entry) {
	fsys := os.DirFS(bundledCassettes)
	e, err := replay.New(fsys)
	Expect(err).NotTo(HaveOccurred())
	t, err := replay.Open(context.Background(), target, fsys, os.Getenv)
	Expect(err).NotTo(HaveOccurred())
	defer t.Close()
	rep, err := e.Run(context.Background(), t)
	Expect(err).NotTo(HaveOccurred())
	var b *replay.Baseline
	if baselineFile != "" {
		b, err = replay.ReadBaseline(baselineFile)
		Expect(err).NotTo(HaveOccurred())
	}
	v := rep.Judge(b)
	add := func(ds []replay.Deviation, status func(replay.Deviation) string) {
		for _, d := range ds {
			lines = append(lines, verdictLine{d.Cassette, d.Interaction, d.Rule, d.Pointer, status(d)})
		}
	}
	add(v.New, func(replay.Deviation) string { return "new" })
	add(v.Known, func(replay.Deviation) string { return "known" })
	add(v.Minor, func(replay.Deviation) string { return "minor" })
	for _, res := range rep.Results {
		if res.Skipped != "" {
			skipped = append(skipped, res.Interaction.Source())
		}
	}
	return lines, skipped, v.Stale
}

var _ = Describe("stripe-contract replay", func() {
	DescribeTable("gives the engine's verdicts on the same cassettes",
		func(target, baselineFile string, wantExit int) {
			args := []string{"--target", target, "--cassettes", bundledCassettes, "--format", "json"}
			if baselineFile != "" {
				args = append(args, "--baseline", baselineFile)
			}
			session := runReplay(nil, args...)
			Expect(session.ExitCode()).To(Equal(wantExit), "stderr: %s", session.Err.Contents())
			gotLines, gotSkipped, gotStale := cliVerdict(session.Out.Contents())
			wantLines, wantSkipped, wantStale := engineVerdict(target, baselineFile)
			Expect(gotLines).To(ConsistOf(wantLines))
			Expect(gotSkipped).To(ConsistOf(wantSkipped))
			Expect(gotStale).To(ConsistOf(wantStale))
			if wantExit == 1 {
				Expect(gotLines).To(ContainElement(HaveField("Status", "new")))
			}
		},
		Entry("replay, its empty baseline: exit 0", replay.TargetReplay, replayBaseline, 0),
		Entry("stripe-mock, its baseline: exit 0, every deviation known", replay.TargetStripeMock, stripeMockBase, 0),
		Entry("stripe-mock, no baseline: exit 1, every deviation new", replay.TargetStripeMock, "", 1),
	)

	It("rewrites a baseline with one command, identical to the committed one when nothing changed", func() {
		out := filepath.Join(GinkgoT().TempDir(), "stripe-mock.json")
		session := runReplay(nil, "--target", "stripe-mock", "--cassettes", bundledCassettes, "--update-baseline", out)
		Expect(session.ExitCode()).To(Equal(0), "stderr: %s", session.Err.Contents())
		Expect(session.Err).To(gbytes.Say(`wrote \d+ deviations of stripe-mock`))
		want, err := replay.ReadBaseline(stripeMockBase)
		Expect(err).NotTo(HaveOccurred())
		got, err := replay.ReadBaseline(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Entries).To(Equal(want.Entries))
	})

	It("fails on stale baseline entries, naming them, and writes JUnit with --junit", func() {
		dir := GinkgoT().TempDir()
		stale := filepath.Join(dir, "stale.json")
		Expect(os.WriteFile(stale, []byte(`{"target":"replay","deviations":[{"cassette":"stripe-mock/retrieve_open.yaml","interaction":0,"rule":"replay.status","pointer":"/response/code"}]}`), 0o644)).To(Succeed())
		junit := filepath.Join(dir, "junit.xml")
		session := runReplay(nil, "--target", "replay", "--cassettes", bundledCassettes, "--baseline", stale, "--junit", junit)
		Expect(session.ExitCode()).To(Equal(1))
		Expect(session.Out).To(gbytes.Say(`stale.json \(stripe-mock/retrieve_open.yaml#0\): stale: /response/code: no longer occurs; rewrite the baseline with --update-baseline \[replay.status\]`))
		data, err := os.ReadFile(junit)
		Expect(err).NotTo(HaveOccurred())
		var suites struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
		}
		Expect(xml.Unmarshal(data, &suites)).To(Succeed())
		Expect(suites.Tests).To(Equal(42)) // 41 interactions and the baseline
		Expect(suites.Failures).To(Equal(1))
	})

	It("writes GitHub annotations on the cassette's line", func() {
		session := runReplay(nil, "--target", "stripe-mock", "--cassettes", bundledCassettes, "--format", "github")
		Expect(session.ExitCode()).To(Equal(1))
		Expect(session.Out).To(gbytes.Say(`::error file=../../cassettes/stripe-mock/retrieve_open.yaml,line=\d+,title=[a-z_.-]+::interaction 0: GET /v1/invoice_payments/inpay_1QOpen000000000001: /`))
	})

	DescribeTable("exits 2 on usage errors, saying what is wrong",
		func(env []string, args []string, message string) {
			session := runReplay(env, args...)
			Expect(session.ExitCode()).To(Equal(2))
			Expect(session.Err).To(gbytes.Say(message))
		},
		Entry("an unknown target", nil, []string{"--cassettes", bundledCassettes, "--target", "stripe-mok"}, `unknown target "stripe-mok"`),
		Entry("an unreadable cassettes folder", nil, []string{"--cassettes", "no/such/dir"}, `--cassettes no/such/dir: not a readable directory`),
		Entry("no cassettes folder", nil, []string{"--target", "replay"}, `--cassettes is required`),
		Entry("a live-mode key", []string{"STRIPE_API_KEY=sk_live_notreal"}, []string{"--cassettes", bundledCassettes, "--target", "live"}, `live-mode key \(sk_live_\.\.\.\)`),
		Entry("--stripe-mock-bin for another target", nil, []string{"--cassettes", bundledCassettes, "--target", "replay", "--stripe-mock-bin", "/bin/true"}, `--stripe-mock-bin is for --target stripe-mock`),
		Entry("a missing baseline", nil, []string{"--cassettes", bundledCassettes, "--baseline", "no/such.json"}, `baseline no/such.json`),
		Entry("an unknown format", nil, []string{"--cassettes", bundledCassettes, "--format", "xml"}, `must be one of text, json, junit, github, html`),
	)

	It("skips the live target without a key: says so, exits 0, and the --junit file holds the skip", func() {
		junit := filepath.Join(GinkgoT().TempDir(), "live.xml")
		session := runReplay([]string{"STRIPE_API_KEY="}, "--cassettes", bundledCassettes, "--target", "live", "--junit", junit)
		Expect(session.ExitCode()).To(Equal(0), "stderr: %s", session.Err.Contents())
		Expect(session.Err).To(gbytes.Say(`replay: skipped: the live target needs a test-mode key: set STRIPE_API_KEY=sk_test_`))
		var suites struct {
			Tests   int `xml:"tests,attr"`
			Skipped int `xml:"skipped,attr"`
		}
		b, err := os.ReadFile(junit)
		Expect(err).NotTo(HaveOccurred())
		Expect(xml.Unmarshal(b, &suites)).To(Succeed())
		Expect(suites.Tests).To(Equal(1))
		Expect(suites.Skipped).To(Equal(1))
	})

	It("outside a checkout of this module, says how to get stripe-mock", func() {
		cassettes, err := filepath.Abs(bundledCassettes)
		Expect(err).NotTo(HaveOccurred())
		cmd := exec.Command(binary, "replay", "--target", "stripe-mock", "--cassettes", cassettes)
		cmd.Dir = GinkgoT().TempDir()
		session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(session, replayCLITimeout).Should(gexec.Exit(2))
		Expect(session.Err).To(gbytes.Say(`go install github.com/stripe/stripe-mock@v0\.203\.0 and pass its path, e\.g\. --stripe-mock-bin`))
	})

	It("runs the stripe-mock --stripe-mock-bin names", func() {
		session := runReplay(nil, "--target", "stripe-mock", "--stripe-mock-bin", "/nonexistent/stripe-mock", "--cassettes", bundledCassettes)
		Expect(session.ExitCode()).To(Equal(2))
		Expect(session.Err).To(gbytes.Say(`start stripe-mock: fork/exec /nonexistent/stripe-mock`))
	})
})
