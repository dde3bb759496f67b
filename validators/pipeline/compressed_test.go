package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/bench"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// gzipped is data compressed as gzip, one member.
func gzipped(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write(data)
	Expect(err).NotTo(HaveOccurred())
	Expect(w.Close()).To(Succeed())
	return b.Bytes()
}

// zstded is data compressed as zstd by a streaming encoder, as the zstd
// command writes it.
func zstded(data []byte, opts ...zstd.EOption) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b, opts...)
	Expect(err).NotTo(HaveOccurred())
	_, err = w.Write(data)
	Expect(err).NotTo(HaveOccurred())
	Expect(w.Close()).To(Succeed())
	return b.Bytes()
}

// zstdFrame is data as one zstd frame declaring a window of 1<<windowLog
// bytes, its content in one raw block (RFC 8878, section 3.1.1): as the
// zstd command writes with --long, whatever the size of the content.
func zstdFrame(windowLog int, data []byte) []byte {
	Expect(len(data)).To(BeNumerically("<", 128<<10)) // one block's maximum
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd,
		0x00,                    // frame header descriptor: no content size, not single segment, no checksum, no dictionary
		byte(windowLog-10) << 3} // window descriptor: exponent, mantissa 0
	block := uint32(len(data))<<3 | 1 // last block, raw
	frame = append(frame, byte(block), byte(block>>8), byte(block>>16))
	return append(frame, data...)
}

var compressors = map[string]func([]byte) []byte{
	".gz":  gzipped,
	".zst": func(b []byte) []byte { return zstded(b) },
}

// paymentLog is n payment lines, every fifth invalid, with a blank line
// after the tenth, so line numbers and the verdicts differ from line to line.
func paymentLog(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		status := "paid"
		if i%5 == 4 {
			status = "not_a_status"
		}
		b.WriteString(payment(fmt.Sprintf("inpay_%06d", i), status) + "\n")
		if i == 9 {
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

// sameOutcomes checks that got (from the compressed file) says of each
// document what want (from the plain one) says: line, bytes and result.
func sameOutcomes(got, want []pipeline.Outcome, source string) {
	GinkgoHelper()
	Expect(got).To(HaveLen(len(want)))
	for i := range want {
		Expect(got[i].Doc.Source).To(Equal(source))
		Expect(got[i].Doc.Line).To(Equal(want[i].Doc.Line))
		Expect(got[i].Doc.Size).To(Equal(want[i].Doc.Size))
		Expect(got[i].Doc.Data).To(Equal(want[i].Doc.Data))
		Expect(got[i].Result).To(Equal(want[i].Result), got[i].Doc.Location())
	}
}

// errorsOf collects what the error handler is given.
type errorsOf struct {
	mu   sync.Mutex
	errs []error
}

func (e *errorsOf) handler() pipeline.Option {
	return pipeline.WithErrorHandler(func(err error) { e.mu.Lock(); e.errs = append(e.errs, err); e.mu.Unlock() })
}

var _ = Describe("compressed input", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	DescribeTable("gives the verdicts of the same file uncompressed, naming the file and the line",
		func(ext, compression string, data []byte, invalid int, location string) {
			plain := write(dir, "log"+ext, string(data))
			want, wantSum, err := run([]string{plain}, pipeline.WithWorkers(2))
			Expect(err).NotTo(HaveOccurred())
			Expect(wantSum.Invalid).To(BeEquivalentTo(invalid))

			path := write(dir, "log"+ext+compression, string(compressors[compression](data)))
			got, sum, err := run([]string{path}, pipeline.WithWorkers(2))
			Expect(err).NotTo(HaveOccurred())
			Expect(sum.Unreadable).To(BeEmpty())
			sameOutcomes(got.outcomes, want.outcomes, path)
			Expect(got.outcomes[len(got.outcomes)-1].Doc.Location()).To(Equal(path + location))
			Expect(sum.Bytes).To(Equal(wantSum.Bytes))
		},
		Entry(".ndjson.gz", ".ndjson", ".gz", paymentLog(3000), 600, ":3001"),
		Entry(".jsonl.gz", ".jsonl", ".gz", paymentLog(3000), 600, ":3001"),
		Entry(".ndjson.zst", ".ndjson", ".zst", paymentLog(3000), 600, ":3001"),
		Entry(".jsonl.zst", ".jsonl", ".zst", paymentLog(3000), 600, ":3001"),
		Entry(".json.gz: one document", ".json", ".gz", []byte(strings.ReplaceAll(payment("a", "bad"), ",", ",\n  ")), 1, ""),
		Entry(".json.zst: one document", ".json", ".zst", []byte(strings.ReplaceAll(payment("a", "paid"), ",", ",\n  ")), 0, ""),
	)

	It("matches the extension without regard to case", func() {
		path := write(dir, "LOG.NDJSON.GZ", string(gzipped(paymentLog(5))))
		c, sum, err := run([]string{path})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(5))
		Expect(sum.Invalid).To(BeEquivalentTo(1))
	})

	It("is found by a directory walk, by the extension before .gz or .zst", func() {
		write(dir, "a.ndjson.gz", string(gzipped(paymentLog(2))))
		write(dir, "b.jsonl.zst", string(zstded(paymentLog(3))))
		write(dir, "c.json.gz", string(gzipped([]byte(payment("c", "paid")))))
		write(dir, "d.tar.gz", string(gzipped([]byte(payment("d", "paid")))))
		write(dir, "e.gz", string(gzipped([]byte(payment("e", "paid")))))
		write(dir, "f.ndjson.bz2", "BZh")
		c, _, err := run([]string{dir})
		Expect(err).NotTo(HaveOccurred())
		var locations []string
		for _, o := range c.outcomes {
			locations = append(locations, strings.TrimPrefix(o.Doc.Location(), dir+string(filepath.Separator)))
		}
		Expect(locations).To(Equal([]string{"a.ndjson.gz:1", "a.ndjson.gz:2", "b.jsonl.zst:1", "b.jsonl.zst:2", "b.jsonl.zst:3", "c.json.gz"}))
	})

	It("names the compressed extensions when a directory holds nothing to read", func() {
		write(dir, "notes.txt.gz", string(gzipped([]byte("hello"))))
		_, _, err := run([]string{dir})
		Expect(err).To(MatchError(pipeline.ErrNoDocuments))
		Expect(err.Error()).To(ContainSubstring(".ndjson, .ndjson.gz, .ndjson.zst"))
	})

	It("reads every member of a multi-member gzip file (cat a.gz b.gz) and every frame of a zstd one, numbering lines across them", func() {
		a, b := paymentLog(40), paymentLog(25)
		want, _, err := run([]string{write(dir, "plain.ndjson", string(a)+string(b))})
		Expect(err).NotTo(HaveOccurred())
		Expect(want.outcomes).To(HaveLen(65))

		gz := write(dir, "cat.ndjson.gz", string(gzipped(a))+string(gzipped(b)))
		got, _, err := run([]string{gz})
		Expect(err).NotTo(HaveOccurred())
		sameOutcomes(got.outcomes, want.outcomes, gz)

		zst := write(dir, "cat.ndjson.zst", string(zstded(a))+string(zstded(b)))
		got, _, err = run([]string{zst})
		Expect(err).NotTo(HaveOccurred())
		sameOutcomes(got.outcomes, want.outcomes, zst)
	})

	It("reads a compressed cassette with the reader of .yaml", func() {
		cassette, err := os.ReadFile("../../cassettes/stripe-mock/flow_invoice_finalize.yaml")
		Expect(err).NotTo(HaveOccurred())
		read := pipeline.WithReader(".yaml", pipeline.ReadCassette)
		want, _, err := run([]string{write(dir, "flow.yaml", string(cassette))}, read)
		Expect(err).NotTo(HaveOccurred())
		Expect(want.outcomes).NotTo(BeEmpty())
		path := write(dir, "flow.yaml.zst", string(zstded(cassette)))
		got, _, err := run([]string{path}, read)
		Expect(err).NotTo(HaveOccurred())
		sameOutcomes(got.outcomes, want.outcomes, path)
		Expect(got.outcomes[0].Doc.Prefix).To(HavePrefix("/interactions/"))
	})

	It("reads a file named explicitly with another extension when it starts with gzip or zstd magic", func() {
		data := paymentLog(30)
		want, _, err := run([]string{write(dir, "plain.log", string(data))})
		Expect(err).NotTo(HaveOccurred())
		for name, compress := range map[string]func([]byte) []byte{"app.log.1": gzipped, "app.log.2": compressors[".zst"]} {
			path := write(dir, name, string(compress(data)))
			got, _, err := run([]string{path})
			Expect(err).NotTo(HaveOccurred())
			sameOutcomes(got.outcomes, want.outcomes, path)
		}
	})
})

var _ = DescribeTable("compressed standard input, found by its magic bytes",
	func(compress func([]byte) []byte, layout pipeline.Layout) {
		data := paymentLog(500)
		stdin := func(b []byte) []pipeline.Outcome {
			c := &collector{}
			_, err := pipeline.New(v, pipeline.WithStdin(bytes.NewReader(b), layout)).Run(context.Background(), []string{pipeline.Stdin}, c)
			Expect(err).NotTo(HaveOccurred())
			return c.outcomes
		}
		want := stdin(data)
		Expect(want).To(HaveLen(500))
		sameOutcomes(stdin(compress(data)), want, pipeline.StdinName)
	},
	Entry("gzip, layout auto", gzipped, pipeline.LayoutAuto),
	Entry("zstd, layout auto", compressors[".zst"], pipeline.LayoutAuto),
	Entry("gzip, layout ndjson", gzipped, pipeline.LayoutNDJSON),
	Entry("zstd, layout ndjson", compressors[".zst"], pipeline.LayoutNDJSON),
	Entry("plain input stays plain", func(b []byte) []byte { return b }, pipeline.LayoutAuto),
)

var _ = Describe("standard input that starts as a compression's magic does, and is not it", func() {
	DescribeTable("is read as it is: one invalid document",
		func(input string) {
			c := &collector{}
			sum, err := pipeline.New(v, pipeline.WithStdin(strings.NewReader(input), pipeline.LayoutAuto)).Run(context.Background(), []string{pipeline.Stdin}, c)
			Expect(err).NotTo(HaveOccurred())
			Expect(sum.Unreadable).To(BeEmpty())
			Expect(c.outcomes).To(HaveLen(1))
			Expect(c.outcomes[0].Result.Valid()).To(BeFalse()) // not JSON (json.syntax, json.invalid-utf8)
		},
		Entry("zstd's first byte, then the end", "("),
		Entry("zstd's first two bytes", "(\xb5\n"),
		Entry("gzip's first byte, then the end", "\x1f"),
		Entry("gzip's first byte, then another", "\x1f{}\n"),
	)
})

var _ = Describe("compressed input that does not decompress", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	// broken runs the pipeline over path and returns the documents read and
	// the one error the handler was given, which must be a *CorruptError of
	// the compression inside a *UsageError naming path.
	broken := func(path, compression string, opts ...pipeline.Option) ([]pipeline.Outcome, *pipeline.CorruptError, error) {
		GinkgoHelper()
		var reported errorsOf
		c, sum, err := run([]string{path}, append(opts, reported.handler())...)
		Expect(err).NotTo(HaveOccurred())
		Expect(reported.errs).To(HaveLen(1))
		Expect(sum.Unreadable).To(HaveLen(1))
		var ue *pipeline.UsageError
		Expect(errors.As(reported.errs[0], &ue)).To(BeTrue(), "%v", reported.errs[0])
		Expect(ue.Path).To(Equal(path))
		var ce *pipeline.CorruptError
		Expect(errors.As(reported.errs[0], &ce)).To(BeTrue(), "%v", reported.errs[0])
		Expect(ce.Compression).To(Equal(compression))
		return c.outcomes, ce, reported.errs[0]
	}

	DescribeTable("truncated: the lines before the cut are reported, then an error naming the file",
		func(compression, ext string) {
			data := paymentLog(2000)
			whole := compressors[ext](data)
			path := write(dir, "cut.ndjson"+ext, string(whole[:len(whole)*2/3]))
			outcomes, ce, err := broken(path, compression)
			Expect(len(outcomes)).To(And(BeNumerically(">", 0), BeNumerically("<", 2000)))
			Expect(ce.AfterLine).To(Equal(outcomes[len(outcomes)-1].Doc.Line))
			Expect(err.Error()).To(Equal(fmt.Sprintf("%s: %s data is corrupt or truncated after line %d: %v", path, compression, ce.AfterLine, ce.Err)))
			lines := bytes.Split(data, []byte("\n"))
			for _, o := range outcomes { // whole lines only, each as it was written
				Expect(o.Doc.Data).To(Equal(lines[o.Doc.Line-1]))
			}
		},
		Entry("gzip", "gzip", ".gz"),
		Entry("zstd", "zstd", ".zst"),
	)

	DescribeTable("corrupt: a damaged byte in the middle is an error naming the file, never a silent pass",
		func(compression, ext string) {
			whole := compressors[ext](paymentLog(2000))
			whole[len(whole)/2] ^= 0x55
			path := write(dir, "bad.ndjson"+ext, string(whole))
			outcomes, ce, err := broken(path, compression)
			Expect(len(outcomes)).To(BeNumerically("<", 2000))
			Expect(err.Error()).To(HavePrefix(path + ": " + compression + " data is corrupt or truncated"))
			Expect(ce.Err).To(HaveOccurred())
		},
		Entry("gzip", "gzip", ".gz"),
		Entry("zstd", "zstd", ".zst"),
	)

	DescribeTable("not compressed at all, or empty, though the name says so",
		func(name, content, compression, message string) {
			path := write(dir, name, content)
			outcomes, _, err := broken(path, compression)
			Expect(outcomes).To(BeEmpty())
			Expect(err).To(MatchError(path + ": " + message))
		},
		Entry("plain text named .gz", "plain.ndjson.gz", payment("a", "paid")+"\n", "gzip", "gzip data is corrupt or truncated: gzip: invalid header"),
		Entry("plain text named .zst", "plain.ndjson.zst", payment("a", "paid")+"\n", "zstd", "zstd data is corrupt or truncated: invalid input: magic number mismatch"),
		Entry("an empty .gz file", "empty.ndjson.gz", "", "gzip", "the file is empty: no gzip data, not even its header"),
		Entry("an empty .zst file", "empty.ndjson.zst", "", "zstd", "the file is empty: no zstd data, not even its header"),
		Entry("a gzip header cut short", "short.ndjson.gz", "\x1f\x8b\x08", "gzip", "gzip data is corrupt or truncated: unexpected EOF"),
	)

	It("refuses a zstd frame asking for a window over the limit, before allocating it", func() {
		data := paymentLog(10)
		path := write(dir, "long.ndjson.zst", string(zstdFrame(26, data)))
		_, _, err := broken(path, "zstd")
		Expect(err).To(MatchError(path + ": zstd data asks for a window over the 32 MiB limit (as zstd --long or --ultra levels over 20 make); recompress it with a level from 1 to 20 without --long"))
		// A window of the limit itself is read.
		ok := write(dir, "ok.ndjson.zst", string(zstdFrame(25, data)))
		c, _, err := run([]string{ok})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).To(HaveLen(10))
	})

	It("stops on stdin too, after the lines read", func() {
		whole := gzipped(paymentLog(2000))
		var reported errorsOf
		c := &collector{}
		sum, err := pipeline.New(v, pipeline.WithStdin(bytes.NewReader(whole[:len(whole)/2]), pipeline.LayoutAuto), reported.handler()).
			Run(context.Background(), []string{pipeline.Stdin}, c)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.outcomes).NotTo(BeEmpty())
		Expect(sum.Unreadable).To(HaveLen(1))
		Expect(reported.errs[0].Error()).To(HavePrefix("-: gzip data is corrupt or truncated after line "))
	})
})

var _ = Describe("a decompression bomb", func() {
	// bomb is one line of n bytes, which gzip shrinks about a thousandfold.
	bomb := func(n int) []byte {
		var b bytes.Buffer
		w, err := gzip.NewWriterLevel(&b, gzip.BestSpeed)
		Expect(err).NotTo(HaveOccurred())
		w.Write([]byte(payment("a", "paid") + "\n" + `{"object":"invoice_payment","id":"`))
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		for range n >> 20 {
			w.Write(chunk)
		}
		w.Write([]byte("\"}\n" + payment("c", "bad") + "\n"))
		Expect(w.Close()).To(Succeed())
		return b.Bytes()
	}

	DescribeTable("is held to the document size limit, in memory as in verdict",
		func(name string, lines int) {
			const size = 512 << 20
			compressed := bomb(size)
			Expect(len(compressed)).To(BeNumerically("<", size/500))
			path := write(GinkgoT().TempDir(), name, string(compressed))
			runtime.GC()
			defer debug.SetGCPercent(debug.SetGCPercent(400)) // a looser pace than the CLI's 100: an upper bound
			stop := heapPeak()
			c, _, err := run([]string{path})
			peak := stop()
			Expect(err).NotTo(HaveOccurred())
			Expect(c.outcomes).To(HaveLen(lines))
			big := c.outcomes[min(1, lines-1)]
			Expect(big.Doc.Size).To(BeNumerically(">", size))
			Expect(big.Doc.Data).To(BeNil())
			Expect(big.Result.Violations).To(ConsistOf(HaveField("Rule", validators.RuleTooLarge)))
			// At most 16 MiB of the document is held (the limit), in a
			// buffer grown to it by doubling, collected late at GOGC 400:
			// 79 MB measured, far below the 512 MB a decompressed copy holds.
			GinkgoWriter.Printf("peak heap %.1f MB for %d MB decompressed\n", float64(peak)/1e6, size>>20)
			Expect(peak).To(BeNumerically("<", 128<<20), "peak heap %.1f MB for %d MB decompressed", float64(peak)/1e6, size>>20)
		},
		Entry("one NDJSON line of 512 MB, between two small ones", "bomb.ndjson.gz", 3),
		Entry("a .json.gz document of 512 MB", "bomb.json.gz", 1),
	)
})

// Throughput on compressed logs, against the same lines uncompressed in the
// same run, and what decompression alone costs:
//
//	go test ./validators/pipeline -run '^$' -bench Compressed -cpu 1,2
func BenchmarkCompressed(b *testing.B) {
	const lines = 50_000
	var plain bytes.Buffer
	if _, err := bench.Write(&plain, lines, 1); err != nil {
		b.Fatal(err)
	}
	var gz, zst bytes.Buffer
	gw := gzip.NewWriter(&gz)
	zw, err := zstd.NewWriter(&zst)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []io.WriteCloser{gw, zw} {
		if _, err := w.Write(plain.Bytes()); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".ndjson", plain.Bytes()}, {".ndjson.gz", gz.Bytes()}, {".ndjson.zst", zst.Bytes()}} {
		path := filepath.Join(dir, "log"+f.ext)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run("validate"+f.ext, func(b *testing.B) {
			b.SetBytes(int64(plain.Len()))
			for b.Loop() {
				sum, err := pipeline.New(v).Run(context.Background(), []string{path}, discard{})
				if err != nil || sum.Documents != lines || len(sum.Unreadable) > 0 {
					b.Fatalf("%d documents, %v, %v", sum.Documents, err, sum.Unreadable)
				}
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(float64(len(f.data))/1e6, "file-MB")
		})
	}
	decoders := []struct {
		name string
		data []byte
		open func(io.Reader) (io.Reader, error)
	}{
		{"gzip", gz.Bytes(), func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		{"zstd", zst.Bytes(), func(r io.Reader) (io.Reader, error) {
			return zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(32<<20))
		}},
	}
	for _, d := range decoders {
		b.Run("decompress-only/"+d.name, func(b *testing.B) {
			b.SetBytes(int64(plain.Len()))
			for b.Loop() {
				r, err := d.open(bytes.NewReader(d.data))
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, r); err != nil || n != int64(plain.Len()) {
					b.Fatalf("%d bytes, %v", n, err)
				}
			}
		})
	}
}
