// Command compare measures, on two generated NDJSON files and in one run
// (the invoice_payment data of bench.New and the mixed data of
// bench.NewMixed): encoding/json.Valid (syntax only, the floor of any
// validator's work), ajv (Node.js, each line checked against its kind's
// schema file, compiled on first use; one process, and two worker threads
// each compiling its own), the plain jsonschema/v5 path (decode + Validate
// against the kind's file, compiled before timing), and the stripe-contract
// binary as a user runs it (validate --format json, output written to
// /dev/null) on the file and on its .ndjson.gz and .ndjson.zst copies, each
// on one and two cores; then prints one table with each figure's ratio to
// ajv's one process on the same data (and the binary's to json.Valid's at
// the same worker count: json.Valid on the file held in memory, and as a
// whole process timed as the binary is), each method's peak memory, the
// compile times and whether ajv and the binary agree on every line.
//
// Every method runs in a process of its own (json.Valid and jsonschema/v5
// in a copy of this command, started with -child), so that its peak RSS is
// its own: the kernel's maximum resident set size of the child
// (getrusage), which cannot read below this harness's own high-water mark
// when the child starts (a child shares its parent's memory until it
// execs); the harness keeps that small by never loading a data file.
// Run it through run.sh, which installs ajv first.
//
//	go run ./validators/bench/compare -lines 100000 -mixed-lines 20000 -binary ./stripe-contract
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

type result struct {
	name        string
	perSecond   [2]float64    // one core, two cores; 0 when not measured
	maxRSSBytes [2]int64      // the peak RSS of the process measured for each figure
	compile     time.Duration // ajv and jsonschema/v5: compiling the schemas the data needs
	steady      float64       // ajv: lines per second once compiled
	verdicts    [2]string     // ajv and the CLI: each line's verdict, 1 valid (ajv: one process, two threads)
	cpu         time.Duration // the CLI: the least CPU time (user + system) of its runs on 1 worker
}

// dataSet is one generated file and its measurements.
type dataSet struct {
	name  string
	file  string
	lines int
	size  int64
	// compressed maps a suffix (".gz", ".zst") to the size of that copy.
	compressed map[string]int64
	rows       map[string]*result
	// startup is the binary's time on the first headLines lines (1 worker)
	startup time.Duration
}

const (
	rowValid  = "encoding/json.Valid (syntax only; the file held in memory)"
	rowValidW = "encoding/json.Valid, whole process (reads the file, splits it into lines, checks each once; timed start to exit, as the CLI is)"
	rowAjv    = "ajv 8 (1: one process; 2: two worker threads, each compiling its own schemas; JSON.parse + the kind's compiled schema, compile included)"
	rowAjvC   = "ajv 8, once compiled (the one-process run less its compile time)"
	rowV5     = "jsonschema/v5, decode + Validate (the kind's schema, compiled before timing)"
	rowCLI    = "stripe-contract validate --format json, .ndjson (the CLI, compile and output included)"
	rowCLIGz  = "stripe-contract validate --format json, the same lines as .ndjson.gz"
	rowCLIZst = "stripe-contract validate --format json, the same lines as .ndjson.zst"
	rowCLIC   = "stripe-contract, once compiled (lines per CPU second, 1 worker: the run's CPU time less a run's on its first 500 lines)"
)

// compressedRows are the CLI's rows on compressed copies, by suffix.
var compressedRows = []struct{ suffix, row string }{{".gz", rowCLIGz}, {".zst", rowCLIZst}}

// headLines is the prefix of a data file the binary is also timed on, to
// tell its start-up (reading and compiling the schemas the kinds need) from
// its rate once compiled: every kind of both data sets occurs in it.
const headLines = 500

func main() {
	if len(os.Args) > 1 && os.Args[1] == launchFlag {
		runLaunch(os.Args[2:])
		return
	}
	lines := flag.Int("lines", 100000, "invoice_payment lines to generate")
	mixedLines := flag.Int("mixed-lines", 20000, "mixed lines to generate")
	dataDir := flag.String("data", "validators/bench/data", "where to write the generated files")
	binary := flag.String("binary", "", "the stripe-contract binary to measure (built by run.sh)")
	benchDir := flag.String("bench", "validators/bench", "the folder holding ajv.js and its node_modules")
	schemaDir := flag.String("schemas", "schemas", "the schema files of one API version (schemas/<version>)")
	repeat := flag.Int("repeat", 3, "runs per measurement; the best is kept")
	bigGB := flag.Float64("big", 0, "instead: generate a file of this many GB and report the CLI's throughput and peak memory on it")
	child := flag.String("child", "", "internal: measure one method (valid, valid-whole, jsonschema) in this process, or write a data file (generate, gzip, zstd), for the harness")
	file := flag.String("file", "", "internal, with -child: the data file")
	workers := flag.Int("workers", 1, "internal, with -child: goroutines checking lines")
	set := flag.String("set", "", "internal, with -child generate: invoice_payment or mixed")
	flag.Parse()
	if *child != "" {
		runChild(*child, *file, *set, *workers, *lines, *repeat)
		return
	}
	if *binary == "" {
		fail("-binary is required")
	}
	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		fail(err.Error())
	}
	if *bigGB > 0 {
		big(*binary, *dataDir, *bigGB)
		return
	}
	sets := []*dataSet{
		{name: "invoice_payment", lines: *lines, file: filepath.Join(*dataDir, fmt.Sprintf("payments-%d.ndjson", *lines))},
		{name: "mixed", lines: *mixedLines, file: filepath.Join(*dataDir, fmt.Sprintf("mixed-%d.ndjson", *mixedLines))},
	}
	for _, d := range sets {
		d.size = generate(d.file, d.name, d.lines)
		d.compressed = map[string]int64{}
		for _, c := range compressedRows {
			d.compressed[c.suffix] = compress(d.file, c.suffix)
		}
		d.rows = map[string]*result{}
		fmt.Printf("data %s: %d lines, %.1f MB, %d bytes per line on average (%s); as .ndjson.gz %.1f MB (gzip, default level), as .ndjson.zst %.1f MB (zstd, default level)\n",
			d.name, d.lines, float64(d.size)/1e6, d.size/int64(d.lines), d.file, float64(d.compressed[".gz"])/1e6, float64(d.compressed[".zst"])/1e6)
	}
	fmt.Printf("machine: %s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())

	for _, d := range sets {
		// json.Valid and the CLI on .ndjson, the figures the targets
		// compare, are measured in turns: a shared machine's load changes
		// over minutes, and measured one after the other they met
		// different loads. Each is the best of its runs (json.Valid's of
		// repeat passes in each of its repeat runs).
		for r := range *repeat {
			d.rows[rowCLI] = best(d.rows[rowCLI], cliRun(*binary, d.file, d.lines, 1, r == 0))
			d.rows[rowValid] = best(d.rows[rowValid], inChild("valid", d.file, *repeat))
			d.rows[rowValidW] = best(d.rows[rowValidW], wholeValid(d.file, d.lines))
		}
		for _, c := range compressedRows {
			d.rows[c.row] = cliRun(*binary, d.file+c.suffix, d.lines, *repeat, true)
		}
		head := headFile(d.file, headLines)
		h := cliRun(*binary, head, headLines, *repeat, false, 1) // only its CPU time on 1 worker is used
		// CPU time, not wall time: waiting for a core shared with other
		// work does not count, and the difference of two wall times on a
		// busy machine was noise.
		var once result
		if full, short := d.rows[rowCLI].cpu, h.cpu; full > short {
			once.perSecond[0] = float64(d.lines-headLines) / (full - short).Seconds()
		}
		d.rows[rowCLIC] = &once
		d.startup = time.Duration(float64(headLines) / h.perSecond[0] * float64(time.Second))
	}
	for _, d := range sets {
		a := ajv(*benchDir, *schemaDir, d.file, *repeat)
		d.rows[rowAjv] = a
		d.rows[rowAjvC] = &result{perSecond: [2]float64{a.steady}}
		d.rows[rowV5] = inChild("jsonschema", d.file, *repeat)
	}

	fmt.Printf("| method | %[1]s: 1 core (lines/s) | 2 cores | peak RSS (MB), 1 / 2 cores | %[2]s: 1 core (lines/s) | 2 cores | peak RSS (MB), 1 / 2 cores |\n|---|---:|---:|---:|---:|---:|---:|\n",
		sets[0].name, sets[1].name)
	for _, name := range []string{rowValid, rowValidW, rowAjv, rowAjvC, rowV5, rowCLI, rowCLIGz, rowCLIZst, rowCLIC} {
		fmt.Printf("| %s |", name)
		for _, d := range sets {
			r := d.rows[name]
			ref := d.rows[rowAjv].perSecond[0]
			for c, rate := range r.perSecond {
				cell := withRatio(rate, ref)
				if cli := name == rowCLI || name == rowCLIGz || name == rowCLIZst; cli && rate > 0 {
					cell += fmt.Sprintf(" · %.2f× json.Valid · %.2f× whole-process json.Valid", rate/d.rows[rowValid].perSecond[c], rate/d.rows[rowValidW].perSecond[c])
				}
				fmt.Printf(" %s |", cell)
			}
			fmt.Printf(" %s |", rssCell(r.maxRSSBytes))
		}
		fmt.Println()
	}
	fmt.Printf("\nratios: (N×) is each figure over ajv's one process (compile included) on the same data; for stripe-contract, · N× json.Valid is over json.Valid's at the same number of cores (in memory, and whole process)\n")
	for _, d := range sets {
		cli, v5, a, valid, whole := d.rows[rowCLI], d.rows[rowV5], d.rows[rowAjv], d.rows[rowValid], d.rows[rowValidW]
		fmt.Printf("%s: stripe-contract on 2 cores %.2f× ajv (one process), %.2f× ajv (two threads), %.1f× plain jsonschema/v5 on 2 cores (%.1f× on 1 core), %.2f× json.Valid on 2 cores (%.2f× on 1), %.2f× whole-process json.Valid on 2 cores (%.2f× on 1); "+
			"2 cores over 1: stripe-contract %.2f×, json.Valid %.2f× (whole process %.2f×), ajv %.2f×; "+
			"compile: ajv %.1f s, jsonschema/v5 %.1f s, stripe-contract %.2f s on its first %d lines (start-up and compile included); "+
			"compressed input on 2 cores: .ndjson.gz %.0f MB/s of decompressed text (%.2f× the .ndjson rate), .ndjson.zst %.0f MB/s (%.2f×); "+
			"verdicts: %s; ajv's two threads: %s; .ndjson.gz: %s; .ndjson.zst: %s\n",
			d.name, cli.perSecond[1]/a.perSecond[0], cli.perSecond[1]/a.perSecond[1], cli.perSecond[1]/v5.perSecond[1], cli.perSecond[0]/v5.perSecond[0],
			cli.perSecond[1]/valid.perSecond[1], cli.perSecond[0]/valid.perSecond[0], cli.perSecond[1]/whole.perSecond[1], cli.perSecond[0]/whole.perSecond[0],
			cli.perSecond[1]/cli.perSecond[0], valid.perSecond[1]/valid.perSecond[0], whole.perSecond[1]/whole.perSecond[0], a.perSecond[1]/a.perSecond[0],
			a.compile.Seconds(), v5.compile.Seconds(), d.startup.Seconds(), headLines,
			d.rows[rowCLIGz].perSecond[1]*float64(d.size)/float64(d.lines)/1e6, d.rows[rowCLIGz].perSecond[1]/cli.perSecond[1],
			d.rows[rowCLIZst].perSecond[1]*float64(d.size)/float64(d.lines)/1e6, d.rows[rowCLIZst].perSecond[1]/cli.perSecond[1],
			agreement("stripe-contract", "ajv", cli.verdicts[0], a.verdicts[0]), agreement("two threads", "one process", a.verdicts[1], a.verdicts[0]),
			agreement(".ndjson.gz", ".ndjson", d.rows[rowCLIGz].verdicts[0], cli.verdicts[0]), agreement(".ndjson.zst", ".ndjson", d.rows[rowCLIZst].verdicts[0], cli.verdicts[0]))
	}
	fmt.Printf("(peak RSS: each program is started by a launcher, a copy of this harness, whose own high-water mark, at most %.1f MB, is the least a program can report)\n", float64(launchFloor)/1e6)
}

// rssCell is a row's peak RSS in MB, for one and two cores (one figure when
// only one was measured).
func rssCell(rss [2]int64) string {
	mb := func(b int64) string { return strconv.FormatFloat(float64(b)/1e6, 'f', 0, 64) }
	switch {
	case rss[0] > 0 && rss[1] > 0:
		return mb(rss[0]) + " / " + mb(rss[1])
	case rss[0] > 0:
		return mb(rss[0])
	}
	return "—"
}

// selfHWM is this process's peak resident set size (VmHWM), from /proc: what
// a program it starts now reports as its peak at least (launch.go).
func selfHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "compare:", msg)
	os.Exit(1)
}

func rate(r float64) string {
	switch {
	case r == 0:
		return "—"
	case r < 10_000:
		return strconv.FormatFloat(r/1000, 'f', 2, 64) + "k"
	}
	return strconv.FormatFloat(r/1000, 'f', 0, 64) + "k"
}

// withRatio is a rate and its ratio to ref.
func withRatio(r, ref float64) string {
	if r == 0 || ref == 0 {
		return rate(r)
	}
	x := r / ref
	switch {
	case x >= 10:
		return fmt.Sprintf("%s (%.0f×)", rate(r), x)
	case x >= 1:
		return fmt.Sprintf("%s (%.1f×)", rate(r), x)
	}
	return fmt.Sprintf("%s (%.2f×)", rate(r), x)
}

// generate writes the data set's file, once, in a child (the generators
// hold their templates in memory), and returns its size.
func generate(file, set string, lines int) int64 {
	if info, err := os.Stat(file); err == nil {
		return info.Size()
	}
	self(nil, "-child", "generate", "-set", set, "-lines", strconv.Itoa(lines), "-file", file)
	info, err := os.Stat(file)
	if err != nil {
		fail(err.Error())
	}
	return info.Size()
}

// compress writes file's copy compressed as suffix says (file.gz, file.zst),
// once, in a child, and returns its size.
func compress(file, suffix string) int64 {
	out := file + suffix
	if info, err := os.Stat(out); err == nil {
		return info.Size()
	}
	self(nil, "-child", map[string]string{".gz": "gzip", ".zst": "zstd"}[suffix], "-file", file)
	info, err := os.Stat(out)
	if err != nil {
		fail(err.Error())
	}
	return info.Size()
}

// self runs this command with args (through a launcher), its output to out
// (or discarded), and returns what the launcher measured once it has
// exited successfully.
func self(out io.Writer, args ...string) launched {
	exe, err := os.Executable()
	if err != nil {
		fail(err.Error())
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	l, err := run(cmd)
	if err == nil && l.Exit != 0 {
		err = fmt.Errorf("exit status %d", l.Exit)
	}
	if err != nil {
		fail(fmt.Sprintf("%s: %v", strings.Join(args, " "), err))
	}
	return l
}

// best is the better of two measurements of one method: the higher rate
// on each number of cores, the least CPU time, the higher peak RSS, and
// the verdicts read (a is nil at the first).
func best(a, b *result) *result {
	if a == nil {
		return b
	}
	out := *a
	for c := range out.perSecond {
		out.perSecond[c] = max(a.perSecond[c], b.perSecond[c])
		out.maxRSSBytes[c] = max(a.maxRSSBytes[c], b.maxRSSBytes[c])
	}
	if b.cpu > 0 && (out.cpu == 0 || b.cpu < out.cpu) {
		out.cpu = b.cpu
	}
	for i, v := range b.verdicts {
		if out.verdicts[i] == "" {
			out.verdicts[i] = v
		}
	}
	out.compile = max(a.compile, b.compile)
	return &out
}

// childReport is what a -child measurement prints.
type childReport struct {
	PerSecond float64 `json:"per_second"`
	Compile   float64 `json:"compile_seconds"`
	Lines     int64   `json:"lines"` // valid-whole: the lines it checked
}

// inChild measures method (valid, jsonschema) on file in a child per number
// of cores, for its rate and its own peak RSS.
func inChild(method, file string, repeat int) *result {
	r := &result{}
	for c, workers := range []int{1, 2} {
		var out bytes.Buffer
		ps := self(&out, "-child", method, "-file", file, "-workers", strconv.Itoa(workers), "-repeat", strconv.Itoa(repeat))
		var rep childReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			fail(fmt.Sprintf("-child %s: %v: %q", method, err, out.String()))
		}
		r.perSecond[c], r.maxRSSBytes[c] = rep.PerSecond, ps.MaxRSS
		r.compile = max(r.compile, time.Duration(rep.Compile*float64(time.Second)))
	}
	return r
}

// wholeValid times json.Valid as the CLI is timed: a child per number of
// cores that reads the file, splits it into lines and checks each once
// (-child valid-whole), from its start to its exit, after the file is read
// through into the page cache. A child that checked other than the file's
// lines is an error, not a rate.
func wholeValid(file string, lines int) *result {
	r := &result{}
	for c, workers := range []int{1, 2} {
		warm(file)
		var out bytes.Buffer
		l := self(&out, "-child", "valid-whole", "-file", file, "-workers", strconv.Itoa(workers))
		var rep childReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			fail(fmt.Sprintf("-child valid-whole: %v: %q", err, out.String()))
		}
		if rep.Lines != int64(lines) {
			fail(fmt.Sprintf("-child valid-whole -workers %d checked %d lines of %s, which has %d", workers, rep.Lines, file, lines))
		}
		r.perSecond[c], r.maxRSSBytes[c] = float64(lines)/l.Elapsed.Seconds(), l.MaxRSS
	}
	return r
}

// runChild is this command started by the harness with -child: it measures
// one in-process method on one number of goroutines and prints a
// childReport, or writes a data file.
func runChild(what, file, set string, workers, lines, repeat int) {
	switch what {
	case "generate":
		write := bench.Write
		if set == "mixed" {
			write = bench.WriteMixed
		}
		writeFile(file, func(w io.Writer) error { _, err := write(w, lines, 1); return err })
		return
	case "gzip", "zstd":
		in, err := os.Open(file)
		if err != nil {
			fail(err.Error())
		}
		defer in.Close()
		suffix := map[string]string{"gzip": ".gz", "zstd": ".zst"}[what]
		writeFile(file+suffix, func(w io.Writer) error {
			zw := io.WriteCloser(gzip.NewWriter(w))
			if what == "zstd" {
				if zw, err = zstd.NewWriter(w, zstd.WithEncoderConcurrency(1)); err != nil {
					return err
				}
			}
			if _, err := io.Copy(zw, in); err != nil {
				return err
			}
			return zw.Close()
		})
		return
	}
	if what == "valid-whole" {
		if err := json.NewEncoder(os.Stdout).Encode(childReport{Lines: validWhole(file, workers)}); err != nil {
			fail(err.Error())
		}
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fail(err.Error())
	}
	docs := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	var rep childReport
	switch what {
	case "valid":
		rep.PerSecond = inProcess(docs, workers, repeat, json.Valid)
	case "jsonschema":
		plain, err := newPlainByKind()
		if err != nil {
			fail(err.Error())
		}
		start := time.Now()
		plain.compileFor(docs)
		rep.Compile = time.Since(start).Seconds()
		rep.PerSecond = inProcess(docs, workers, repeat, plain.Valid)
	default:
		fail("unknown -child " + what)
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fail(err.Error())
	}
}

// validWhole is json.Valid as a plain program would run it on a file:
// each of workers goroutines reads its share of the file (an equal byte
// range, from the first line that starts in it) through a bufio.Scanner
// and checks each line once; a line that is not JSON is an error. It
// returns how many lines it checked.
func validWhole(file string, workers int) int64 {
	f, err := os.Open(file)
	if err != nil {
		fail(err.Error())
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fail(err.Error())
	}
	size := st.Size()
	var wg sync.WaitGroup
	var checked atomic.Int64
	for w := range int64(workers) {
		start, end := size*w/int64(workers), size*(w+1)/int64(workers)
		wg.Go(func() {
			from := max(start-1, 0) // the byte before the range says whether a line starts at its start
			sc := bufio.NewScanner(io.NewSectionReader(f, from, size-from))
			sc.Buffer(make([]byte, 64<<10), 64<<20)
			pos := from
			if start > 0 && sc.Scan() { // the line the byte before the range ends
				pos += int64(len(sc.Bytes())) + 1
			}
			n := int64(0)
			for pos < end && sc.Scan() {
				if !json.Valid(sc.Bytes()) {
					fail(fmt.Sprintf("%s: the line at byte %d is not JSON", file, pos))
				}
				n++
				pos += int64(len(sc.Bytes())) + 1
			}
			checked.Add(n)
			if err := sc.Err(); err != nil {
				fail(err.Error())
			}
		})
	}
	wg.Wait()
	return checked.Load()
}

// writeFile writes file with fill, through a temporary file: a run cut
// short leaves no partial file to reuse.
func writeFile(file string, fill func(io.Writer) error) {
	tmp := file + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		fail(err.Error())
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		fail(err.Error())
	}
	if err := bw.Flush(); err != nil {
		fail(err.Error())
	}
	if err := f.Close(); err != nil {
		fail(err.Error())
	}
	if err := os.Rename(tmp, file); err != nil {
		fail(err.Error())
	}
}

// passBudget bounds one timed pass of an in-process method (a pass that
// reaches it stops there, its rate that of the lines it checked, and is
// not repeated), and twice it bounds the repeated runs of ajv in one mode
// (no run starts past it), so that a full run stays within about five
// minutes on a shared machine of two cores.
const passBudget = 5 * time.Second

// inProcess times check over the lines on workers goroutines, the best of
// repeat passes.
func inProcess(docs [][]byte, workers, repeat int, check func([]byte) bool) float64 {
	best := 0.0
	for range repeat {
		start := time.Now()
		deadline := start.Add(passBudget)
		var wg sync.WaitGroup
		var mu sync.Mutex
		done, cut := 0, false
		for w := range workers {
			wg.Go(func() {
				n := 0
				i := w
				for ; i < len(docs); i += workers {
					check(docs[i])
					if n++; n%64 == 0 && time.Now().After(deadline) {
						break
					}
				}
				mu.Lock()
				done += n
				cut = cut || i < len(docs)
				mu.Unlock()
			})
		}
		wg.Wait()
		best = max(best, float64(done)/time.Since(start).Seconds())
		if cut {
			break
		}
	}
	return best
}

// ajv runs ajv.js in one process and on two worker threads, the best of
// repeat runs each (fewer when a run is long).
func ajv(benchDir, schemaDir, file string, repeat int) *result {
	r := &result{}
	for c, threads := range []int{1, 2} {
		start := time.Now()
		for range repeat {
			cmd := exec.Command("node", filepath.Join(benchDir, "ajv.js"), schemaDir, file, strconv.Itoa(threads))
			var stdout bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
			l, err := run(cmd)
			if err == nil && l.Exit != 0 {
				err = fmt.Errorf("exit status %d", l.Exit)
			}
			if err != nil {
				fail("ajv: " + err.Error() + " (did run.sh install ajv?)")
			}
			out := stdout.Bytes()
			var m struct {
				Rate     float64 `json:"payloads_per_second"`
				Lines    float64 `json:"lines"`
				Seconds  float64 `json:"seconds"`
				Compile  float64 `json:"compile_seconds"`
				Verdicts string  `json:"verdicts"`
			}
			if err := json.Unmarshal(out, &m); err != nil {
				fail("ajv output: " + err.Error())
			}
			r.maxRSSBytes[c] = max(r.maxRSSBytes[c], l.MaxRSS)
			if m.Rate > r.perSecond[c] {
				r.perSecond[c], r.verdicts[c] = m.Rate, m.Verdicts
				if threads == 1 {
					r.compile = time.Duration(m.Compile * float64(time.Second))
					r.steady = m.Lines / (m.Seconds - m.Compile)
				}
			}
			if time.Since(start) > 2*passBudget {
				break
			}
		}
	}
	return r
}

// cliRun times the binary as a user runs it, output discarded, on 1 and 2
// workers (or only the counts given), keeps its largest resident set size
// for each, and with verdicts reads each line's from one more run.
func cliRun(binary, file string, lines, repeat int, verdicts bool, workerCounts ...int) *result {
	if len(workerCounts) == 0 {
		workerCounts = []int{1, 2}
	}
	r := &result{}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		fail(err.Error())
	}
	defer devnull.Close()
	for _, workers := range workerCounts {
		c := workers - 1
		best := time.Duration(1 << 62)
		for range repeat {
			warm(file)
			cmd := exec.Command(binary, "validate", "--format", "json", "--workers", strconv.Itoa(workers), file)
			cmd.Stdout, cmd.Stderr = devnull, os.Stderr
			l, err := run(cmd)
			if err != nil || l.Exit != 1 {
				fail(fmt.Sprintf("stripe-contract exited %d on %s (%v); the data holds invalid lines, so 1 is expected", l.Exit, file, err))
			}
			r.maxRSSBytes[c] = max(r.maxRSSBytes[c], l.MaxRSS)
			if cpu := l.User + l.System; workers == 1 && (r.cpu == 0 || cpu < r.cpu) {
				r.cpu = cpu
			}
			best = min(best, l.Elapsed)
		}
		r.perSecond[c] = float64(lines) / best.Seconds()
	}
	if verdicts {
		r.verdicts[0] = cliVerdicts(binary, file)
	}
	return r
}

// warm reads file through, untimed, so that the run after it reads it from
// the page cache, as json.Valid's children hold theirs in memory: this
// machine's kernel reclaims cold page cache (DAMON), and a run that
// found its input evicted was timed reading the disk.
func warm(file string) {
	f, err := os.Open(file)
	if err != nil {
		fail(err.Error())
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		fail(err.Error())
	}
}

// cliVerdicts reads each line's verdict from the binary's JSON output,
// streamed.
func cliVerdicts(binary, file string) string {
	cmd := exec.Command(binary, "validate", "--format", "json", file)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail(err.Error())
	}
	if err := cmd.Start(); err != nil {
		fail(err.Error())
	}
	var v strings.Builder
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var row struct {
			Valid bool `json:"valid"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			fail("could not read stripe-contract's output: " + err.Error())
		}
		v.WriteByte("01"[btoi(row.Valid)])
	}
	if err := sc.Err(); err != nil {
		fail(err.Error())
	}
	if cmd.Wait(); cmd.ProcessState.ExitCode() != 1 {
		fail(fmt.Sprintf("stripe-contract exited %d on %s; 1 is expected", cmd.ProcessState.ExitCode(), file))
	}
	return v.String()
}

// headFile writes the first n lines of file beside it, once, streamed.
func headFile(file string, n int) string {
	head := strings.TrimSuffix(file, ".ndjson") + fmt.Sprintf("-head%d.ndjson", n)
	if _, err := os.Stat(head); err == nil {
		return head
	}
	in, err := os.Open(file)
	if err != nil {
		fail(err.Error())
	}
	defer in.Close()
	br := bufio.NewReader(in)
	writeFile(head, func(w io.Writer) error {
		for i := range n {
			line, err := br.ReadBytes('\n')
			if err != nil {
				return fmt.Errorf("%s has fewer than %d lines (%d): %w", file, n, i, err)
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	})
	return head
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// agreement compares the per-line verdicts of two methods, a and b.
func agreement(a, b, va, vb string) string {
	valid := strings.Count(va, "1")
	if va == vb {
		return fmt.Sprintf("%s and %s agree on every line (%d valid, %d invalid)", a, b, valid, len(va)-valid)
	}
	if len(va) != len(vb) {
		return fmt.Sprintf("%s judged %d lines, %s %d", a, len(va), b, len(vb))
	}
	var differ []string
	for i := range va {
		if va[i] != vb[i] {
			differ = append(differ, strconv.Itoa(i+1))
		}
	}
	return fmt.Sprintf("%s and %s DISAGREE on %d lines (%s: %d valid of %d; lines %s)",
		a, b, len(differ), a, valid, len(va), strings.Join(differ[:min(len(differ), 10)], ", "))
}

// big measures the CLI on a multi-GB file: streaming keeps its memory flat.
func big(binary, dataDir string, gb float64) {
	lines := int(gb * 1e9 / 505)
	file := filepath.Join(dataDir, fmt.Sprintf("payments-%d.ndjson", lines))
	size := generate(file, "invoice_payment", lines)
	r := cliRun(binary, file, lines, 1, false, 2) // only the 2-core figures are reported
	fmt.Printf("%.2f GB, %d lines: stripe-contract validate --format json on 2 cores: %s payloads/s, %.0f MB/s, peak memory (max RSS) %.1f MB (floor %.1f MB)\n",
		float64(size)/1e9, lines, rate(r.perSecond[1]), r.perSecond[1]*float64(size)/float64(lines)/1e6, float64(r.maxRSSBytes[1])/1e6, float64(launchFloor)/1e6)
}
