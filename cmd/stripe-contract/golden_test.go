package main_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// formats are the report formats every reporting command writes.
var formats = []string{"text", "json", "junit", "github", "html"}

// matchGolden compares a command's output with testdata/golden/NAME, or
// rewrites the file under -update (review the diff as code).
func matchGolden(name string, out []byte) {
	golden := filepath.Join("testdata", "golden", name)
	if *update {
		Expect(os.WriteFile(golden, out, 0o644)).To(Succeed())
	}
	want, err := os.ReadFile(golden)
	Expect(err).NotTo(HaveOccurred(), "run go test ./cmd/stripe-contract -update to create %s", golden)
	Expect(string(out)).To(Equal(string(want)), "%s (rewrite with -update if the change is meant)", golden)
}

// ports stands for the loopback servers' ports, which change from run to run.
var ports = regexp.MustCompile(`127\.0\.0\.1(:|%3A)[0-9]+`)

func normalise(out []byte, replace ...string) []byte {
	s := string(out)
	for i := 0; i+1 < len(replace); i += 2 {
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	return []byte(ports.ReplaceAllString(s, "127.0.0.1${1}PORT"))
}

var _ = Describe("every reporting command's output in every format, against its golden file", func() {
	// A baseline of stripe-mock's deviations without its first entry (so
	// one is new) and with one that does not occur (so one is stale); the
	// run has known, minor and skipped ones too.
	const baseline = "testdata/replay-baseline.json"

	for _, format := range formats {
		It("replay --format "+format, func() {
			session := runReplay(nil, "--target", "stripe-mock", "--cassettes", bundledCassettes, "--baseline", baseline, "--format", format)
			Expect(session.ExitCode()).To(Equal(1), "stderr: %s", session.Err.Contents())
			matchGolden("replay."+format+".golden", normalise(session.Out.Contents()))
		})

		It("webhooks --format "+format, func() {
			refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "no signature", http.StatusBadRequest)
			}))
			DeferCleanup(refusing.Close)
			session := runWebhooks("--cassettes", bundledCassettes, "--target", refusing.URL+"/webhook", "--format", format)
			Expect(session).To(gexec.Exit(1))
			matchGolden("webhooks."+format+".golden", normalise(session.Out.Contents()))
		})

		It("record --format "+format, func() {
			dir := GinkgoT().TempDir()
			file := filepath.Join(dir, "golden.yaml")
			upstream := startUpstream(0)
			rec, proxy := startServer("record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0", "--format", format)
			for _, t := range []string{"/v1/invoice_payments/inpay_paid", "/v1/invoice_payments/inpay_open", "/v1/customers/cus_1"} {
				call("GET", proxy+t, "", testKey())
			}
			rec.Interrupt()
			Eventually(rec, 30*time.Second).Should(gexec.Exit(1))
			matchGolden("record."+format+".golden", normalise(rec.Out.Contents(), dir, "DIR"))
		})
	}
})

var _ = Describe("golden files", func() {
	It("exist for every reporting command in every format, and nothing else", func() {
		var want []string
		for _, command := range []string{"validate", "record", "replay", "webhooks"} {
			for _, format := range formats {
				want = append(want, command+"."+format+".golden")
			}
		}
		entries, err := os.ReadDir(filepath.Join("testdata", "golden"))
		Expect(err).NotTo(HaveOccurred())
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		Expect(got).To(ConsistOf(want))
	})
})

// keysIn calls visit with each object of a decoded JSON value and the key
// that holds it ("" at the top).
func keysIn(v any, under string, visit func(obj map[string]any, under string)) {
	switch n := v.(type) {
	case map[string]any:
		visit(n, under)
		for k, child := range n {
			keysIn(child, k, visit)
		}
	case []any:
		for _, child := range n {
			keysIn(child, under, visit)
		}
	}
}

var _ = Describe("the JSON vocabulary", func() {
	It(`names a finding's pointer "path" in every command, and uses "path" for nothing else`, func() {
		paths := 0
		for _, command := range []string{"validate", "record", "replay", "webhooks"} {
			data, err := os.ReadFile(filepath.Join("testdata", "golden", command+".json.golden"))
			Expect(err).NotTo(HaveOccurred())
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var v any
				Expect(json.Unmarshal([]byte(line), &v)).To(Succeed(), "%s: %s", command, line)
				keysIn(v, "", func(obj map[string]any, under string) {
					Expect(obj).NotTo(HaveKey("pointer"), "%s: %s", command, line)
					p, ok := obj["path"]
					if !ok {
						return
					}
					paths++
					Expect(under).To(BeElementOf("violations", "deviations", "stale"), "%s: \"path\" outside a finding: %s", command, line)
					Expect(obj).To(HaveKey("rule"), "%s: %s", command, line)
					Expect(p).To(Or(Equal(""), HavePrefix("/")), "%s: \"path\" is not a JSON pointer: %s", command, line)
				})
			}
		}
		Expect(paths).To(BeNumerically(">", 100))
	})
})
