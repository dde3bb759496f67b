package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

func TestPipeline(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Pipeline Suite")
}

var v = func() *validators.Validator {
	v, err := validators.New()
	if err != nil {
		panic(err)
	}
	return v
}()

// collector keeps every outcome it is given, in the order Write sees them,
// and checks Format and Write agree on which outcome is which.
type collector struct {
	mu       sync.Mutex
	outcomes []pipeline.Outcome
	failAt   int
}

func (c *collector) Format(dst []byte, o *pipeline.Outcome) []byte {
	return append(dst, o.Doc.Location()...)
}

func (c *collector) Write(o *pipeline.Outcome, formatted []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if string(formatted) != o.Doc.Location() {
		return fmt.Errorf("formatted %q for %s", formatted, o.Doc.Location())
	}
	if c.failAt > 0 && len(c.outcomes)+1 == c.failAt {
		return errors.New("disk full")
	}
	kept := *o
	kept.Doc.Data = bytes.Clone(o.Doc.Data) // the pipeline reuses the memory after Write
	c.outcomes = append(c.outcomes, kept)
	return nil
}

func payment(id, status string) string {
	amount := "null"
	paidAt := "null"
	if status == "paid" {
		amount, paidAt = "1000", "1760003600"
	}
	return fmt.Sprintf(`{"id":%q,"object":"invoice_payment","amount_paid":%s,"amount_requested":1000,"created":1760000000,"currency":"usd","invoice":"in_1","is_default":true,"livemode":false,"payment":{"type":"charge","charge":"ch_1"},"status":%q,"status_transitions":{"canceled_at":null,"paid_at":%s}}`, id, amount, status, paidAt)
}

// longPayment is a valid payment whose line is at least n bytes long: an
// undocumented field (a notice, not an error) carries the padding.
func longPayment(n int) string {
	return strings.Replace(payment("long", "paid"), `{"id"`, `{"note":"`+strings.Repeat("x", n)+`","id"`, 1)
}

func write(dir, name, content string) string {
	path := filepath.Join(dir, name)
	Expect(os.MkdirAll(filepath.Dir(path), 0o755)).To(Succeed())
	Expect(os.WriteFile(path, []byte(content), 0o644)).To(Succeed())
	return path
}

func run(paths []string, opts ...pipeline.Option) (*collector, pipeline.Summary, error) {
	c := &collector{}
	sum, err := pipeline.New(v, opts...).Run(context.Background(), paths, c)
	return c, sum, err
}

var _ = Describe("Run", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("keeps input order across workers and batches", func() {
		var lines []string
		for i := range 5000 {
			status := "paid"
			if i%7 == 0 {
				status = "not_a_status"
			}
			lines = append(lines, payment(fmt.Sprintf("inpay_%05d", i), status))
		}
		path := write(dir, "log.ndjson", strings.Join(lines, "\n")+"\n")
		c, sum, err := run([]string{path}, pipeline.WithWorkers(4))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(5000))
		for i, o := range c.outcomes {
			Expect(o.Doc.Line).To(Equal(i + 1))
			Expect(string(o.Doc.Data)).To(ContainSubstring(fmt.Sprintf(`"inpay_%05d"`, i)))
			Expect(o.Result.Valid()).To(Equal(i%7 != 0), "line %d", i+1)
		}
		Expect(sum.Documents).To(BeEquivalentTo(5000))
		Expect(sum.Invalid).To(BeEquivalentTo(715))
		Expect(sum.Rules).To(HaveKey("invoice_payment.status.enum"))
	})

	It("numbers NDJSON lines from the file, skipping blank ones, and reads CRLF", func() {
		path := write(dir, "log.jsonl", payment("a", "paid")+"\r\n\r\n   \n"+payment("b", "open")+"\r\n\n"+payment("c", "paid"))
		c, _, err := run([]string{path})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(3))
		Expect([]int{c.outcomes[0].Doc.Line, c.outcomes[1].Doc.Line, c.outcomes[2].Doc.Line}).To(Equal([]int{1, 4, 6}))
		for _, o := range c.outcomes {
			Expect(o.Result.Violations).To(BeEmpty(), o.Doc.Location())
		}
	})

	It("reports a bad line with its number and goes on with the rest", func() {
		path := write(dir, "log.ndjson", payment("a", "paid")+"\n{\"object\":\"invoice_payment\",\n"+payment("c", "paid")+"\n")
		c, sum, err := run([]string{path})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(3))
		Expect(c.outcomes[1].Doc.Line).To(Equal(2))
		Expect(c.outcomes[1].Result.Violations[0].Rule).To(Equal(validators.RuleSyntax))
		Expect(c.outcomes[2].Result.Valid()).To(BeTrue())
		Expect(sum.Invalid).To(BeEquivalentTo(1))
	})

	It("skips a line over the size limit without holding it, and reads the next", func() {
		// A 100 MB line between two good ones.
		path := filepath.Join(dir, "big.ndjson")
		f, err := os.Create(path)
		Expect(err).NotTo(HaveOccurred())
		fmt.Fprintln(f, payment("a", "paid"))
		f.WriteString(`{"object":"invoice_payment","id":"`)
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range 100 {
			f.Write(chunk)
		}
		f.WriteString("\"}\n")
		fmt.Fprintln(f, payment("c", "paid"))
		Expect(f.Close()).To(Succeed())

		c, _, err := run([]string{path})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(3))
		big := c.outcomes[1]
		Expect(big.Doc.Line).To(Equal(2))
		Expect(big.Doc.Size).To(BeNumerically(">", 100<<20))
		Expect(big.Doc.Data).To(BeNil())
		Expect(big.Result.Violations).To(ConsistOf(HaveField("Rule", validators.RuleTooLarge)))
		Expect(c.outcomes[2].Doc.Line).To(Equal(3))
		Expect(c.outcomes[2].Result.Valid()).To(BeTrue())
	})

	It("walks directories in lexical order for the known extensions, skipping hidden folders", func() {
		write(dir, "b/two.json", payment("two", "paid"))
		write(dir, "a/one.ndjson", payment("one", "paid")+"\n")
		write(dir, "c/three.jsonl", payment("three", "paid")+"\n")
		write(dir, "c/notes.txt", "not json")
		write(dir, ".git/objects.json", "{}")
		c, _, err := run([]string{dir})
		Expect(err).NotTo(HaveOccurred())
		var sources []string
		for _, o := range c.outcomes {
			sources = append(sources, filepath.ToSlash(strings.TrimPrefix(o.Doc.Source, dir+string(filepath.Separator))))
		}
		Expect(sources).To(Equal([]string{"a/one.ndjson", "b/two.json", "c/three.jsonl"}))
	})

	It("reads a whole .json file as one document, dropping a byte order mark", func() {
		path := write(dir, "one.json", "\xef\xbb\xbf{\n  \"object\": \"list\", \"data\": [],\n  \"has_more\": false, \"url\": \"/v1/invoice_payments\"\n}\n")
		c, _, err := run([]string{path})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(1))
		Expect(c.outcomes[0].Doc.Line).To(Equal(0))
		Expect(c.outcomes[0].Result.Violations).To(BeEmpty())
	})

	It("reports unreadable paths and still validates the others", func() {
		good := write(dir, "good.json", payment("a", "paid"))
		var reported []error
		var mu sync.Mutex
		c, sum, err := run([]string{filepath.Join(dir, "missing.json"), good},
			pipeline.WithErrorHandler(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(1))
		Expect(sum.Unreadable).To(HaveLen(1))
		Expect(reported).To(HaveLen(1))
		var ue *pipeline.UsageError
		Expect(errors.As(reported[0], &ue)).To(BeTrue())
		Expect(ue.Path).To(HaveSuffix("missing.json"))
		Expect(errors.Is(reported[0], os.ErrNotExist)).To(BeTrue())
	})

	It("says so when a directory holds nothing to validate", func() {
		write(dir, "readme.txt", "hello")
		_, sum, err := run([]string{dir})
		Expect(err).To(MatchError(pipeline.ErrNoDocuments))
		Expect(sum.Unreadable).To(HaveLen(1))
	})

	It("stops cleanly when the output cannot be written", func() {
		var lines []string
		for i := range 3000 {
			lines = append(lines, payment(fmt.Sprint(i), "paid"))
		}
		path := write(dir, "log.ndjson", strings.Join(lines, "\n"))
		c := &collector{failAt: 10}
		_, err := pipeline.New(v, pipeline.WithWorkers(2), pipeline.WithMemoryBudget(64<<10)).Run(context.Background(), []string{path}, c)
		Expect(err).To(MatchError("disk full"))
		Expect(c.outcomes).To(HaveLen(9))
	})

	// The workers count their batches' outcomes and the writer adds the
	// counts up: the run's summary is the one of its outcomes counted one
	// by one, in order, also up to a failed write.
	It("sums up exactly the outcomes it wrote", func() {
		var lines []string
		for i := range 4000 {
			line := payment(fmt.Sprintf("inpay_%05d", i), []string{"paid", "open", "not_a_status", "canceled"}[i%4])
			switch {
			case i%13 == 0: // a notice: an undocumented field
				line = strings.Replace(line, `{"id"`, `{"note":"x","id"`, 1)
			case i%17 == 0:
				line = `{"object":"event","api_version":"2025-05-28.basil","id":"evt_1","type":"invoice_payment.paid","created":1,"livemode":false,"pending_webhooks":0,"request":null,"data":{"object":` + line + `}}`
			case i%29 == 0:
				line = "{not json"
			}
			lines = append(lines, line)
		}
		ranged := write(dir, "a.ndjson", strings.Join(lines, "\n")+"\n")
		var gz bytes.Buffer // compressed: streamed rather than read in ranges
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write([]byte(strings.Join(lines[:300], "\n")))
		Expect(zw.Close()).To(Succeed())
		streamed := write(dir, "b.ndjson.gz", gz.String())
		for _, failAt := range []int{0, 1500} {
			c := &collector{failAt: failAt}
			sum, err := pipeline.New(v, pipeline.WithWorkers(3), pipeline.WithMemoryBudget(64<<10)).Run(context.Background(), []string{ranged, streamed}, c)
			want := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
			for i := range c.outcomes {
				want.Add(&c.outcomes[i])
			}
			if failAt > 0 {
				Expect(err).To(MatchError("disk full"))
				Expect(c.outcomes).To(HaveLen(failAt - 1))
				// The outcome whose write failed is counted, as it always was.
				Expect(sum.Documents).To(Equal(want.Documents + 1))
				continue
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(c.outcomes).To(HaveLen(4300))
			Expect([]int64{sum.Documents, sum.Valid, sum.Invalid, sum.Bytes}).To(Equal([]int64{want.Documents, want.Valid, want.Invalid, want.Bytes}))
			Expect(sum.Violations).To(Equal(want.Violations))
			Expect(sum.RuleCounts()).To(Equal(want.RuleCounts()))
			Expect(sum.VersionCounts()).To(Equal(want.VersionCounts()))
			Expect(sum.VersionCounts()).To(HaveLen(2))
			Expect(want.Violations[validators.Notice]).To(BeNumerically(">", 0))
			Expect(want.Invalid).To(BeNumerically(">", 1000))
		}
	})

	It("applies a reader's pointer prefix to the violations", func() {
		path := write(dir, "x.cassette", "ignored")
		reader := func(source string, r io.Reader, maxSize int, emit func(pipeline.Document) error) error {
			return emit(pipeline.Document{Source: source, Data: []byte(`{"object":"invoice_payment"}`), Size: 28, Prefix: "/interactions/3/response/body", Label: "interaction 3"})
		}
		c, _, err := run([]string{path}, pipeline.WithReader(".cassette", reader))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes[0].Result.Violations).To(ContainElement(HaveField("Pointer", "/interactions/3/response/body/id")))
	})
})

var _ = Describe("a file a reader finds invalid as a whole", func() {
	It("is one invalid result row, and the files after it are still validated", func() {
		dir := GinkgoT().TempDir()
		bad := write(dir, "a.cassette", "ignored")
		good := write(dir, "b.json", payment("b", "paid"))
		broken := validators.Violation{Rule: "cassette.unreadable", Message: "not a cassette; a cassette is one", Severity: validators.Error}
		reader := func(source string, r io.Reader, maxSize int, emit func(pipeline.Document) error) error {
			return &pipeline.InvalidFileError{Line: 3, Violation: broken, Err: errors.New("not a cassette")}
		}
		var reported []error
		c, sum, err := run([]string{bad, good}, pipeline.WithReader(".cassette", reader), pipeline.WithErrorHandler(func(err error) { reported = append(reported, err) }))
		Expect(err).NotTo(HaveOccurred())
		Expect(reported).To(BeEmpty())
		Expect(sum.Unreadable).To(BeEmpty())
		Expect(c.outcomes).To(HaveLen(2))
		Expect(c.outcomes[0].Doc.Location()).To(Equal(bad + ":3"))
		Expect(c.outcomes[0].Result).To(Equal(validators.Result{Kind: validators.KindUnknown, APIVersion: "2026-08-26.dahlia", Violations: []validators.Violation{broken}}))
		Expect(c.outcomes[1].Result.Valid()).To(BeTrue())
		Expect(sum.Invalid).To(BeEquivalentTo(1))
		Expect(sum.Rules).To(HaveKey("cassette.unreadable"))
	})
})

var _ = DescribeTable("stdin",
	func(input string, layout pipeline.Layout, lines []int, valid []bool) {
		c := &collector{}
		_, err := pipeline.New(v, pipeline.WithStdin(strings.NewReader(input), layout)).Run(context.Background(), []string{pipeline.Stdin}, c)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(len(lines)))
		for i, o := range c.outcomes {
			Expect(o.Doc.Source).To(Equal(pipeline.StdinName))
			Expect(o.Doc.Line).To(Equal(lines[i]))
			Expect(o.Result.Valid()).To(Equal(valid[i]), "%v", o.Result.Violations)
		}
	},
	Entry("NDJSON", payment("a", "paid")+"\n"+payment("b", "bad")+"\n", pipeline.LayoutAuto, []int{1, 2}, []bool{true, false}),
	Entry("a pretty-printed document, as curl shows a response", "{\n  \"object\": \"list\",\n  \"data\": [],\n  \"has_more\": false,\n  \"url\": \"/v1/invoice_payments\"\n}\n", pipeline.LayoutAuto, []int{0}, []bool{true}),
	Entry("a pretty-printed broken document is one invalid document", "{\n  \"object\": \"list\",\n  \"data\": [\n}\n", pipeline.LayoutAuto, []int{0}, []bool{false}),
	Entry("NDJSON whose first line is broken stays NDJSON", "{\"object\": oops}\n"+payment("b", "paid")+"\n", pipeline.LayoutAuto, []int{1, 2}, []bool{false, true}),
	Entry("NDJSON whose first line is over 64 KiB stays NDJSON (the whole line decides, not a peek)",
		longPayment(70<<10)+"\n"+payment("b", "bad")+"\n", pipeline.LayoutAuto, []int{1, 2}, []bool{true, false}),
	Entry("a pretty-printed document whose first line is over 64 KiB is one document",
		"{\"metadata\": {\"note\": \""+strings.Repeat("x", 70<<10)+"\"},\n\"object\": \"invoice_payment\"}\n", pipeline.LayoutAuto, []int{0}, []bool{false}),
	Entry("forced NDJSON", "{\n}\n", pipeline.LayoutNDJSON, []int{1, 2}, []bool{false, false}),
	Entry("forced JSON", payment("a", "paid")+"\n", pipeline.LayoutJSON, []int{0}, []bool{true}),
)

var _ = Describe("reading input of no known layout (stdin, other extensions)", func() {
	It("reads a file with another extension, its first line over 64 KiB, as NDJSON", func() {
		dir := GinkgoT().TempDir()
		var lines []string
		for i := range 100 {
			status := "paid"
			if i%10 == 9 {
				status = "bad"
			}
			lines = append(lines, payment(fmt.Sprint(i), status))
		}
		path := write(dir, "app.log", longPayment(100<<10)+"\n"+strings.Join(lines, "\n")+"\n")
		c, sum, err := run([]string{path})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(101))
		Expect(sum.Invalid).To(BeEquivalentTo(10))
		Expect(c.outcomes[100].Doc.Line).To(Equal(101))
	})

	It("reads NDJSON whose first line is over the size limit as NDJSON, that line too large", func() {
		small, err := validators.New(validators.WithMaxSize(4 << 10))
		Expect(err).NotTo(HaveOccurred())
		input := longPayment(8<<10) + "\n" + payment("b", "paid") + "\n" + payment("c", "bad") + "\n"
		c := &collector{}
		_, err = pipeline.New(small, pipeline.WithStdin(strings.NewReader(input), pipeline.LayoutAuto)).Run(context.Background(), []string{pipeline.Stdin}, c)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(3))
		Expect(c.outcomes[0].Result.Violations).To(ConsistOf(HaveField("Rule", validators.RuleTooLarge)))
		Expect(c.outcomes[1].Result.Valid()).To(BeTrue())
		Expect(c.outcomes[2].Doc.Line).To(Equal(3))
		Expect(c.outcomes[2].Result.Valid()).To(BeFalse())
	})

	It("keeps the line numbers of a pretty-printed document that follows blank lines", func() {
		input := "\n\n{\n  \"object\": \"invoice_payment\",\n  \"id\": \"inpay_1\",\n  \"status\": \"nope\"\n}\n"
		c := &collector{}
		_, err := pipeline.New(v, pipeline.WithStdin(strings.NewReader(input), pipeline.LayoutAuto)).Run(context.Background(), []string{pipeline.Stdin}, c)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(1))
		Expect(validators.LineOf(c.outcomes[0].Doc.Data, "/status")).To(Equal(6))
	})
})

var _ = Describe("walking a directory", func() {
	It("reads regular files and links to them, and skips named pipes, sockets and devices, naming each", func() {
		dir := GinkgoT().TempDir()
		good := write(dir, "a-good.ndjson", payment("a", "paid")+"\n")
		Expect(syscall.Mkfifo(filepath.Join(dir, "b-fifo.ndjson"), 0o600)).To(Succeed())
		Expect(os.Symlink("/dev/zero", filepath.Join(dir, "c-zero.json"))).To(Succeed())
		Expect(os.Symlink(good, filepath.Join(dir, "d-link.json"))).To(Succeed())
		sock, err := net.Listen("unix", filepath.Join(dir, "e.jsonl"))
		Expect(err).NotTo(HaveOccurred())
		defer sock.Close()

		var skipped []disk.Skipped
		done := make(chan []string)
		go func() {
			defer GinkgoRecover()
			c, _, err := run([]string{dir}, pipeline.WithSkipHandler(func(s disk.Skipped) { skipped = append(skipped, s) }))
			Expect(err).NotTo(HaveOccurred())
			var sources []string
			for _, o := range c.outcomes {
				sources = append(sources, filepath.Base(o.Doc.Source))
			}
			done <- sources
		}()
		Eventually(done, 10*time.Second).Should(Receive(Equal([]string{"a-good.ndjson", "d-link.json"})), "a walk that opens a named pipe waits forever")
		Expect(skipped).To(Equal([]disk.Skipped{
			{Path: filepath.Join(dir, "b-fifo.ndjson"), Type: fs.ModeNamedPipe},
			{Path: filepath.Join(dir, "c-zero.json"), Type: fs.ModeDevice | fs.ModeCharDevice},
			{Path: filepath.Join(dir, "e.jsonl"), Type: fs.ModeSocket},
		}))
		Expect(skipped[0].String()).To(Equal(filepath.Join(dir, "b-fifo.ndjson") + ": skipped: a named pipe, not a regular file (name it as a PATH to read it)"))
	})

	It("reads a named pipe named as a PATH, as cat would", func() {
		fifo := filepath.Join(GinkgoT().TempDir(), "pipe")
		Expect(syscall.Mkfifo(fifo, 0o600)).To(Succeed())
		go func() {
			defer GinkgoRecover()
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			Expect(err).NotTo(HaveOccurred())
			fmt.Fprintln(f, payment("a", "paid"))
			fmt.Fprintln(f, payment("b", "bad"))
			f.Close()
		}()
		c, sum, err := run([]string{fifo})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(2))
		Expect(sum.Invalid).To(BeEquivalentTo(1))
	})
})

var _ = Describe("Validate", func() {
	It("gives each document of a file read by ReadNDJSON the result a run gives it", func() {
		dir := GinkgoT().TempDir()
		path := write(dir, "mixed.ndjson", payment("a", "paid")+"\n"+"not json\n"+payment("b", "open")+"\n"+longPayment(200)+"\n"+
			strings.Replace(payment("c", "open"), `"amount_paid":null`, `"amount_paid":5`, 1)+"\n")
		small, err := validators.New(validators.WithMaxSize(150))
		Expect(err).NotTo(HaveOccurred())
		c := &collector{}
		_, err = pipeline.New(small).Run(context.Background(), []string{path}, c)
		Expect(err).NotTo(HaveOccurred())

		f, err := os.Open(path)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		var got []pipeline.Outcome
		Expect(pipeline.ReadNDJSON(path, f, small.MaxSize(), func(d pipeline.Document) error {
			r := pipeline.Validate(small, d)
			d.Data = bytes.Clone(d.Data)
			got = append(got, pipeline.Outcome{Doc: d, Result: r})
			return nil
		})).To(Succeed())
		Expect(got).To(Equal(c.outcomes))
		Expect(got[1].Result.Violations).To(ContainElement(HaveField("Rule", validators.RuleSyntax)))
		Expect(got[3].Doc.Data).To(BeNil())
		Expect(got[3].Result.Violations).To(ConsistOf(HaveField("Rule", validators.RuleTooLarge)))
	})

	It("prefixes the pointers with the document's Prefix", func() {
		r := pipeline.Validate(v, pipeline.Document{Source: "x", Data: []byte(`{"object":"invoice_payment"}`), Size: 28, Prefix: "/interactions/3/response/body"})
		Expect(r.Violations).To(ContainElement(HaveField("Pointer", "/interactions/3/response/body/id")))
	})
})
