package main_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/zstd"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
	"github.com/stripe/stripe-mock/embedded"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// stripeContract runs the binary in testdata/ with args and stdin, and
// waits for it to exit.
func stripeContract(stdin string, args ...string) *gexec.Session {
	cmd := exec.Command(binary, args...)
	cmd.Dir = "testdata"
	cmd.Stdin = strings.NewReader(stdin)
	session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	Eventually(session, 2*time.Minute).Should(gexec.Exit())
	return session
}

var inputs = []string{"input/open_with_amount.json", "input/list.json", "input/payments.ndjson"}

var _ = DescribeTable("each output format, on real files, against its golden file",
	func(format string, code int) {
		session := stripeContract("", append([]string{"validate", "--format", format}, inputs...)...)
		Expect(session).To(gexec.Exit(code))
		golden := filepath.Join("testdata", "golden", "validate."+format+".golden")
		if *update {
			Expect(os.WriteFile(golden, session.Out.Contents(), 0o644)).To(Succeed())
		}
		want, err := os.ReadFile(golden)
		Expect(err).NotTo(HaveOccurred(), "run go test ./cmd/stripe-contract -update to create it")
		Expect(string(session.Out.Contents())).To(Equal(string(want)))
	},
	Entry("text", "text", 1),
	Entry("json", "json", 1),
	Entry("junit", "junit", 1),
	Entry("github", "github", 1),
	Entry("html", "html", 1),
)

var _ = Describe("validate", func() {
	It("passes the bundled examples (the README's main job)", func() {
		session := stripeContract("", "validate", "../../../schemas/examples/")
		Expect(session).To(gexec.Exit(0))
		Expect(session.Out).To(gbytes.Say(`17 documents checked at 2026-08-26.dahlia \(17\): 17 valid, 0 invalid; 0 errors, 0 warnings, 0 notices`))
	})

	It("prints one text line per violation with source:line, pointer, rule and message", func() {
		session := stripeContract("", "validate", "input/open_with_amount.json", "input/payments.ndjson")
		Expect(session).To(gexec.Exit(1))
		out := string(session.Out.Contents())
		Expect(out).To(ContainSubstring("input/open_with_amount.json:4: error: /amount_paid: is 2000 but status is \"open\"; amount_paid is null until the payment is paid, and set once it is [invoice_payment.amount_paid.null-unless-paid]\n"))
		Expect(out).To(ContainSubstring("input/payments.ndjson:2: error: /currency: is \"USD\"; currency is a three-letter ISO currency code in lowercase [invoice_payment.currency.iso-4217-lowercase]\n"))
		Expect(out).To(ContainSubstring("input/payments.ndjson:4: error: /amount_paid: is not valid JSON"))
		Expect(out).To(ContainSubstring("input/payments.ndjson:7: error: /amount: is missing; amount is required [charge.amount.required]\n"), "a charge is checked as a charge")
		Expect(out).To(ContainSubstring("This field is null until the payment is `paid`."), "the summary cites the docs")
	})

	It("writes exactly one JSON object per document, in input order", func() {
		session := stripeContract("", "validate", "--format", "json", "input/payments.ndjson", "input/list.json")
		Expect(session).To(gexec.Exit(1))
		var sources []string
		var validity []bool
		sc := bufio.NewScanner(bytes.NewReader(session.Out.Contents()))
		for sc.Scan() {
			var row map[string]json.RawMessage
			Expect(json.Unmarshal(sc.Bytes(), &row)).To(Succeed(), sc.Text())
			Expect(row).To(HaveLen(5))
			Expect(row).To(HaveKeyWithValue("api_version", json.RawMessage(`"2026-08-26.dahlia"`)))
			Expect(row).To(HaveKey("kind"))
			var source string
			var valid bool
			json.Unmarshal(row["source"], &source)
			json.Unmarshal(row["valid"], &valid)
			sources = append(sources, source)
			validity = append(validity, valid)
			var violations []map[string]any
			Expect(json.Unmarshal(row["violations"], &violations)).To(Succeed())
			hasError := false
			for _, v := range violations {
				Expect(v).To(HaveLen(4))
				Expect(v).To(HaveKey("rule"))
				Expect(v).To(HaveKey("path"))
				Expect(v).To(HaveKey("message"))
				Expect(v["severity"]).To(BeElementOf("error", "warning", "notice"))
				hasError = hasError || v["severity"] == "error"
			}
			Expect(valid).To(Equal(!hasError), "valid is false only with an error-severity violation")
		}
		Expect(sources).To(Equal([]string{
			"input/payments.ndjson:1", "input/payments.ndjson:2", "input/payments.ndjson:4", "input/payments.ndjson:5",
			"input/payments.ndjson:6", "input/payments.ndjson:7", "input/list.json",
		}))
		Expect(validity).To(Equal([]bool{true, false, false, true, false, false, true}))
	})

	It("writes JUnit XML with a test case per document", func() {
		session := stripeContract("", "validate", "--format", "junit", "input/payments.ndjson", "input/list.json")
		Expect(session).To(gexec.Exit(1))
		var report struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Suites   []struct {
				Name  string `xml:"name,attr"`
				Tests int    `xml:"tests,attr"`
				Cases []struct {
					Name    string    `xml:"name,attr"`
					Failure *struct{} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		Expect(xml.Unmarshal(session.Out.Contents(), &report)).To(Succeed())
		Expect(report.Tests).To(Equal(7))
		Expect(report.Failures).To(Equal(4))
		Expect(report.Suites).To(HaveLen(2))
		Expect(report.Suites[0].Cases).To(HaveLen(6))
		Expect(report.Suites[0].Cases[1].Failure).NotTo(BeNil())
		Expect(report.Suites[0].Cases[0].Failure).To(BeNil())
	})

	It("writes GitHub annotations on the offending line", func() {
		session := stripeContract("", "validate", "--format", "github", "input/open_with_amount.json")
		Expect(session).To(gexec.Exit(1))
		Expect(string(session.Out.Contents())).To(HavePrefix("::error file=input/open_with_amount.json,line=4,title=invoice_payment.amount_paid.null-unless-paid::/amount_paid: is 2000 but status is \"open\";"))
	})

	It("accepts flags after the paths", func() {
		session := stripeContract("", "validate", "input/list.json", "--format", "json")
		Expect(session).To(gexec.Exit(0))
		Expect(string(session.Out.Contents())).To(Equal(`{"source":"input/list.json","kind":"list","api_version":"2026-08-26.dahlia","valid":true,"violations":[]}` + "\n"))
	})

	It("reads NDJSON and pretty-printed documents from stdin", func() {
		ndjson, _ := os.ReadFile("testdata/input/payments.ndjson")
		session := stripeContract(string(ndjson), "validate", "--format", "json", "-")
		Expect(session).To(gexec.Exit(1))
		Expect(strings.Count(string(session.Out.Contents()), "\n")).To(Equal(6))
		Expect(string(session.Out.Contents())).To(HavePrefix(`{"source":"stdin:1",`))

		pretty, _ := os.ReadFile("testdata/input/list.json")
		session = stripeContract(string(pretty), "validate", "--format", "json", "-")
		Expect(session).To(gexec.Exit(0))
		Expect(string(session.Out.Contents())).To(Equal(`{"source":"stdin","kind":"list","api_version":"2026-08-26.dahlia","valid":true,"violations":[]}` + "\n"))
	})

	It("fails on undocumented fields only in strict mode", func() {
		doc := `{"error":{"type":"invalid_request_error","message":"No such invoice payment","brand_new_field":1}}`
		Expect(stripeContract(doc, "validate", "-")).To(gexec.Exit(0))
		session := stripeContract(doc, "validate", "--strict", "-")
		Expect(session).To(gexec.Exit(1))
		Expect(session.Out).To(gbytes.Say(`stdin:1: error: /error/brand_new_field: is not a documented field`))
	})

	It("hides less severe violations with --severity, but still counts them", func() {
		session := stripeContract("", "validate", "--severity", "error", "input/payments.ndjson")
		Expect(session).To(gexec.Exit(1))
		out := string(session.Out.Contents())
		Expect(out).NotTo(ContainSubstring(": notice: "))
		Expect(out).NotTo(ContainSubstring(": warning: "))
		Expect(out).To(ContainSubstring("1 warning, 1 notice"))
	})

	It("skips a named pipe in a directory, saying so, and reads one named as a PATH", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "good.json"), []byte(`{"object":"list","data":[],"has_more":false,"url":"/v1/invoice_payments"}`), 0o644)).To(Succeed())
		fifo := filepath.Join(dir, "pipe.ndjson")
		Expect(syscall.Mkfifo(fifo, 0o600)).To(Succeed())
		session := stripeContract("", "validate", dir)
		Expect(session).To(gexec.Exit(0))
		Expect(string(session.Err.Contents())).To(Equal("stripe-contract: notice: " + fifo + ": skipped: a named pipe, not a regular file (name it as a PATH to read it)\n"))
		Expect(session.Out).To(gbytes.Say("1 document checked at 2026-08-26.dahlia \\(1\\): 1 valid"))

		cmd := exec.Command(binary, "validate", fifo)
		named, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // waits for the reader, as the reader waited for it
		Expect(err).NotTo(HaveOccurred())
		ndjson, _ := os.ReadFile("testdata/input/payments.ndjson")
		w.Write(ndjson)
		w.Close()
		Eventually(named, time.Minute).Should(gexec.Exit(1))
		Expect(named.Out).To(gbytes.Say("6 documents checked"))
	})

	It("reports a broken cassette among good files as its own invalid row, and validates the others", func() {
		dir := GinkgoT().TempDir()
		good, err := os.ReadFile("../../cassettes/docs/list_two_pages.yaml")
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "a.yaml"), good, 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("version: 2\ninteractions: [\n"), 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"object":"list","data":[],"has_more":false,"url":"/v1/invoice_payments"}`), 0o644)).To(Succeed())
		session := stripeContract("", "validate", "--format", "json", dir)
		Expect(session).To(gexec.Exit(1))
		Expect(string(session.Err.Contents())).To(BeEmpty())
		rows := strings.Split(strings.TrimSpace(string(session.Out.Contents())), "\n")
		Expect(rows).To(HaveLen(4)) // two pages, the broken file, c.json
		Expect(rows[2]).To(HavePrefix(`{"source":"` + filepath.Join(dir, "b.yaml") + `:3","kind":"unknown","api_version":"2026-08-26.dahlia","valid":false,"violations":[{"rule":"cassette.unreadable","path":"","message":"not a go-vcr cassette: `))
		Expect(rows[3]).To(Equal(`{"source":"` + filepath.Join(dir, "c.json") + `","kind":"list","api_version":"2026-08-26.dahlia","valid":true,"violations":[]}`))

		text := stripeContract("", "validate", dir)
		Expect(text).To(gexec.Exit(1))
		Expect(text.Out).To(gbytes.Say(`cassette\.unreadable\n\s+a \.yaml file read as a cassette is a go-vcr v4 cassette`), "the summary cites the rule")
	})

	It("caps a cassette's size, with a flag to raise it, and reads no further than the cap", func() {
		dir := GinkgoT().TempDir()
		good, err := os.ReadFile("../../cassettes/docs/list_two_pages.yaml")
		Expect(err).NotTo(HaveOccurred())
		file := filepath.Join(dir, "a.yaml")
		Expect(os.WriteFile(file, good, 0o644)).To(Succeed())
		session := stripeContract("", "validate", "--format", "json", "--max-cassette-size", "100", dir)
		Expect(session).To(gexec.Exit(1))
		Expect(string(session.Out.Contents())).To(Equal(`{"source":"` + file + `","kind":"unknown","api_version":"2026-08-26.dahlia","valid":false,"violations":[{"rule":"cassette.too-large","path":"","message":"is more than 100 bytes, over the limit on a cassette file; a cassette file is no larger than the size limit (64 MiB unless raised with --max-cassette-size)","severity":"error"}]}` + "\n"))
		Expect(stripeContract("", "validate", "--max-cassette-size", fmt.Sprint(len(good)), dir)).To(gexec.Exit(0))

		zero := filepath.Join(dir, "zero.yaml")
		Expect(os.Symlink("/dev/zero", zero)).To(Succeed())
		session = stripeContract("", "validate", "--format", "json", zero)
		Expect(session).To(gexec.Exit(1))
		Expect(string(session.Out.Contents())).To(ContainSubstring(`"rule":"cassette.too-large","path":"","message":"is more than 67108864 bytes`))
	})

	It("escapes file names in every format, so that a line break in one cannot inject a workflow command", func() {
		dir := GinkgoT().TempDir()
		name := filepath.Join(dir, "x\n::error file=evil.json,line=1::injected.json")
		open, _ := os.ReadFile("testdata/input/open_with_amount.json")
		Expect(os.WriteFile(name, open, 0o644)).To(Succeed())
		Expect(syscall.Mkfifo(filepath.Join(dir, "p\n::error::fifo.ndjson"), 0o600)).To(Succeed())
		for _, format := range []string{"text", "json", "junit", "github"} {
			session := stripeContract("", "validate", "--format", format, dir)
			Expect(session).To(gexec.Exit(1), format)
			for _, out := range []string{string(session.Out.Contents()), string(session.Err.Contents())} {
				for line := range strings.SplitSeq(out, "\n") {
					if format == "github" && strings.HasPrefix(line, "::") {
						if strings.HasPrefix(line, "::notice title=stripe-contract validate::") {
							continue // the run's summary
						}
						Expect(line).To(HavePrefix("::error file=" + dir + "/x%0A%3A%3Aerror file=evil.json%2Cline=1%3A%3Ainjected.json,line=4,title="))
						continue
					}
					Expect(strings.TrimSpace(line)).NotTo(HavePrefix("::"), "%s output:\n%s", format, out)
				}
			}
		}
		session := stripeContract("", "validate", dir)
		Expect(string(session.Out.Contents())).To(HavePrefix(`"` + dir + `/x\n::error file=evil.json,line=1::injected.json":4: error: /amount_paid: is 2000 but status is "open"`))
		Expect(string(session.Err.Contents())).To(Equal(`stripe-contract: notice: "` + dir + `/p\n::error::fifo.ndjson": skipped: a named pipe, not a regular file (name it as a PATH to read it)` + "\n"))
	})

	Describe("compressed logs", func() {
		var dir string
		var ndjson []byte
		BeforeEach(func() {
			dir = GinkgoT().TempDir()
			var err error
			ndjson, err = os.ReadFile("testdata/input/payments.ndjson")
			Expect(err).NotTo(HaveOccurred())
		})
		gzipped := func(b []byte) []byte {
			var out bytes.Buffer
			w := gzip.NewWriter(&out)
			w.Write(b)
			Expect(w.Close()).To(Succeed())
			return out.Bytes()
		}
		zstded := func(b []byte) []byte {
			enc, err := zstd.NewWriter(nil)
			Expect(err).NotTo(HaveOccurred())
			defer enc.Close()
			return enc.EncodeAll(b, nil)
		}

		It("reads .ndjson.gz and .jsonl.zst files as the same file uncompressed, naming the compressed file", func() {
			plain := stripeContract("", "validate", "input/payments.ndjson")
			Expect(plain).To(gexec.Exit(1))
			for name, compress := range map[string]func([]byte) []byte{"payments.ndjson.gz": gzipped, "payments.jsonl.zst": zstded} {
				path := filepath.Join(dir, name)
				Expect(os.WriteFile(path, compress(ndjson), 0o644)).To(Succeed())
				session := stripeContract("", "validate", path)
				Expect(session).To(gexec.Exit(1))
				Expect(string(session.Out.Contents())).To(Equal(strings.ReplaceAll(string(plain.Out.Contents()), "input/payments.ndjson", path)))
				Expect(string(session.Out.Contents())).To(ContainSubstring(path + ":2: error: /currency:"))
			}
		})

		It("reads gzip and zstd on stdin, found by their magic bytes", func() {
			plain := stripeContract(string(ndjson), "validate", "--format", "json", "-")
			Expect(plain).To(gexec.Exit(1))
			for _, compressed := range [][]byte{gzipped(ndjson), zstded(ndjson)} {
				session := stripeContract(string(compressed), "validate", "--format", "json", "-")
				Expect(session).To(gexec.Exit(1))
				Expect(string(session.Out.Contents())).To(Equal(string(plain.Out.Contents())))
			}
		})

		It("exits 2 on a truncated file, naming it, after reporting the lines before the cut", func() {
			whole := gzipped(ndjson)
			path := filepath.Join(dir, "cut.ndjson.gz")
			Expect(os.WriteFile(path, whole[:len(whole)-8], 0o644)).To(Succeed()) // the trailer (CRC-32 and size) cut off
			session := stripeContract("", "validate", "--format", "json", path)
			Expect(session).To(gexec.Exit(2))
			Expect(string(session.Err.Contents())).To(Equal("stripe-contract: " + path + ": gzip data is corrupt or truncated after line 7: unexpected EOF\n"))
			Expect(strings.Count(string(session.Out.Contents()), "\n")).To(Equal(6))
			Expect(string(session.Out.Contents())).To(ContainSubstring(`{"source":"` + path + `:7",`))
		})
	})

	DescribeTable("exits 2 on usage errors and unreadable paths, with a message on stderr",
		func(stdin string, message string, args ...string) {
			session := stripeContract(stdin, args...)
			Expect(session).To(gexec.Exit(2))
			Expect(string(session.Err.Contents())).To(ContainSubstring(message))
		},
		Entry("no command", "", "usage: stripe-contract COMMAND"),
		Entry("an unknown command", "", `unknown command "frobnicate"`, "frobnicate"),
		Entry("no path", "", "no PATH given", "validate"),
		Entry("an unknown format", "", `invalid value "xml" for flag -format`, "validate", "--format", "xml", "input/list.json"),
		Entry("an unknown flag", "", "flag provided but not defined: -nope", "validate", "--nope", "input/list.json"),
		Entry("a missing file", "", "input/missing.json: no such file or directory", "validate", "input/missing.json"),
		Entry("a missing file among good ones", "", "nowhere.ndjson: no such file or directory", "validate", "input/list.json", "nowhere.ndjson"),
		Entry("a directory without payloads", "", "no .json, .ndjson or .jsonl files found", "validate", "no-payloads"),
		Entry("empty stdin", "", "no documents found", "validate", "-"),
		Entry("a non-positive limit", "", "must be positive", "validate", "--workers", "0", "input/list.json"),
		Entry("a depth limit beyond the decoder's", "", "validate: --max-depth 20000 is over the limit of 10000 levels (the JSON decoder's own)", "validate", "--max-depth", "20000", "input/list.json"),
		Entry("a non-positive cassette limit", "", "must be positive", "validate", "--max-cassette-size", "0", "input/list.json"),
	)
})

var _ = Describe("rules", func() {
	It("lists every rule with the documentation it comes from", func() {
		session := stripeContract("", "rules")
		Expect(session).To(gexec.Exit(0))
		out := string(session.Out.Contents())
		Expect(out).To(ContainSubstring("Stripe API 2026-08-26.dahlia"))
		Expect(out).To(ContainSubstring("invoice_payment.payment.reference-matches-type (error, checked by schema)"))
		Expect(out).To(ContainSubstring("invoice_payment.amount_paid.at-most-requested (warning, checked by go)"))
		Expect(out).To(ContainSubstring("request.invoice_payments.list.limit.range (error, checked by schema)"))
		Expect(out).To(ContainSubstring("request.invoice_payments.retrieve.expand.expandable (error, checked by schema)"))
		Expect(out).To(ContainSubstring("cassette.unreadable (error, checked by go)"))
		Expect(out).To(ContainSubstring("cassette.too-large (error, checked by go)"))
	})

	It("writes them as JSON Lines", func() {
		session := stripeContract("", "rules", "--format", "json")
		Expect(session).To(gexec.Exit(0))
		n := 0
		sc := bufio.NewScanner(bytes.NewReader(session.Out.Contents()))
		for sc.Scan() {
			var r map[string]string
			Expect(json.Unmarshal(sc.Bytes(), &r)).To(Succeed())
			Expect(r["id"]).NotTo(BeEmpty())
			Expect(r["doc"]).NotTo(BeEmpty())
			n++
		}
		Expect(n).To(BeNumerically(">", 100))
	})
})

var _ = Describe("the binary", func() {
	It("does not carry the OpenAPI spec: only the generator reads it", func() {
		out, err := exec.Command("go", "list", "-deps", "github.com/stripe-contract/stripe-contract/cmd/stripe-contract").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("github.com/stripe-contract/stripe-contract/schemas\n"))
		// What validates, records and replays never reads a spec.
		out, err = exec.Command("go", "list", "-deps", "github.com/stripe-contract/stripe-contract/validators/...",
			"github.com/stripe-contract/stripe-contract/recorder/...", "github.com/stripe-contract/stripe-contract/suites/...").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).NotTo(ContainSubstring("github.com/stripe/stripe-mock/embedded"))
		Expect(string(out)).NotTo(ContainSubstring("schemas/generator"))
		// The drift command derives two versions' contracts through the
		// generator, which it links, but reads every spec from the module
		// cache (generator.DownloadSpecs): the bytes the stripe-mock package
		// embeds are not in the binary.
		bin, err := os.ReadFile(binary)
		Expect(err).NotTo(HaveOccurred())
		for name, spec := range map[string][]byte{"spec3.json": embedded.OpenAPISpec, "spec3.beta.sdk.json": embedded.BetaOpenAPISpec} {
			mid := len(spec) / 2
			Expect(bytes.Contains(bin, spec[mid:mid+4096])).To(BeFalse(), "the binary holds %s", name)
		}
	})
})
