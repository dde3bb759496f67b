// Command compare measures, on two generated NDJSON files and in one run
// (the invoice_payment data of bench.New and the mixed data of
// bench.NewMixed): encoding/json.Valid (syntax only, the floor of any
// validator's work), ajv (Node.js, one process, each line checked against
// its kind's schema file, compiled on first use), the plain jsonschema/v5
// path (decode + Validate against the kind's file, compiled before timing),
// and the stripe-contract binary as a user runs it (validate --format json,
// output written to /dev/null), on one and two cores; then prints one table
// with each figure's ratio to ajv's on the same data, the compile times, the
// binary's peak memory and whether ajv and the binary agree on every line.
// Run it through run.sh, which installs ajv first.
//
//	go run ./validators/bench/compare -lines 100000 -mixed-lines 20000 -binary ./stripe-contract
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/stripe-contract/stripe-contract/validators/bench"
)

type result struct {
	name        string
	perSecond   [2]float64 // one core, two cores; 0 when not measured
	maxRSSBytes int64
	compile     time.Duration // ajv and jsonschema/v5: compiling the schemas the data needs
	steady      float64       // ajv: lines per second once compiled
	verdicts    string        // ajv and the CLI: each line's verdict, 1 valid
	cpu         time.Duration // the CLI: the least CPU time (user + system) of its runs on 1 worker
}

// dataSet is one generated file and its measurements.
type dataSet struct {
	name  string
	file  string
	lines int
	size  int64
	rows  map[string]*result
	// startup is the binary's time on the first headLines lines (1 worker)
	startup time.Duration
}

const (
	rowValid = "encoding/json.Valid (syntax only)"
	rowAjv   = "ajv 8 (one process, JSON.parse + the kind's compiled schema; compile included)"
	rowAjvC  = "ajv 8, once compiled (the same run less its compile time)"
	rowV5    = "jsonschema/v5, decode + Validate (the kind's schema, compiled before timing)"
	rowCLI   = "stripe-contract validate --format json (the CLI, compile and output included)"
	rowCLIC  = "stripe-contract, once compiled (lines per CPU second, 1 worker: the run's CPU time less a run's on its first 500 lines)"
)

// headLines is the prefix of a data file the binary is also timed on, to
// tell its start-up (reading and compiling the schemas the kinds need) from
// its rate once compiled: every kind of both data sets occurs in it.
const headLines = 500

func main() {
	lines := flag.Int("lines", 100000, "invoice_payment lines to generate")
	mixedLines := flag.Int("mixed-lines", 20000, "mixed lines to generate")
	dataDir := flag.String("data", "validators/bench/data", "where to write the generated files")
	binary := flag.String("binary", "", "the stripe-contract binary to measure (built by run.sh)")
	benchDir := flag.String("bench", "validators/bench", "the folder holding ajv.js and its node_modules")
	schemaDir := flag.String("schemas", "schemas", "the schema files of one API version (schemas/<version>)")
	repeat := flag.Int("repeat", 3, "runs per measurement; the best is kept")
	bigGB := flag.Float64("big", 0, "instead: generate a file of this many GB and report the CLI's throughput and peak memory on it")
	flag.Parse()
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
		write := bench.Write
		if d.name == "mixed" {
			write = bench.WriteMixed
		}
		d.size = generate(d.file, d.lines, write)
		d.rows = map[string]*result{}
		fmt.Printf("data %s: %d lines, %.1f MB, %d bytes per line on average (%s)\n", d.name, d.lines, float64(d.size)/1e6, d.size/int64(d.lines), d.file)
	}
	fmt.Printf("machine: %s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())

	// The CLI first, while this process is small: a child started from a
	// large process reports that process's memory as its own peak.
	debug.FreeOSMemory()
	floor := selfRSS()
	for _, d := range sets {
		d.rows[rowCLI] = cliRun(*binary, d.file, d.lines, *repeat, true)
		head := headFile(d.file, headLines)
		h := cliRun(*binary, head, headLines, *repeat, false)
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
		data, err := os.ReadFile(d.file)
		if err != nil {
			fail(err.Error())
		}
		docs := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		d.rows[rowValid] = inProcess(docs, *repeat, json.Valid)
		a := ajv(*benchDir, *schemaDir, d.file, *repeat)
		d.rows[rowAjv] = a
		d.rows[rowAjvC] = &result{perSecond: [2]float64{a.steady}}
		plain, err := newPlainByKind()
		if err != nil {
			fail(err.Error())
		}
		start := time.Now()
		plain.compileFor(docs)
		compile := time.Since(start)
		v5 := inProcess(docs, *repeat, plain.Valid)
		v5.compile = compile
		d.rows[rowV5] = v5
	}

	fmt.Printf("| method | %s: 1 core (lines/s) | 2 cores | %s: 1 core (lines/s) | 2 cores |\n|---|---:|---:|---:|---:|\n", sets[0].name, sets[1].name)
	for _, name := range []string{rowValid, rowAjv, rowAjvC, rowV5, rowCLI, rowCLIC} {
		fmt.Printf("| %s |", name)
		for _, d := range sets {
			ref := d.rows[rowAjv].perSecond[0]
			for _, r := range d.rows[name].perSecond {
				fmt.Printf(" %s |", withRatio(r, ref))
			}
		}
		fmt.Println()
	}
	fmt.Printf("\nratios: each figure over ajv's (one process, compile included) on the same data\n")
	for _, d := range sets {
		cli, v5, a := d.rows[rowCLI], d.rows[rowV5], d.rows[rowAjv]
		fmt.Printf("%s: stripe-contract on 2 cores %.2f× ajv, %.1f× plain jsonschema/v5 on 2 cores (%.1f× on 1 core), %.0f%% of json.Valid on 2 cores; "+
			"compile: ajv %.1f s, jsonschema/v5 %.1f s, stripe-contract %.2f s on its first %d lines (start-up and compile included); stripe-contract peak memory (max RSS) %.1f MB; verdicts: %s\n",
			d.name, cli.perSecond[1]/a.perSecond[0], cli.perSecond[1]/v5.perSecond[1], cli.perSecond[0]/v5.perSecond[0],
			100*cli.perSecond[1]/d.rows[rowValid].perSecond[1], a.compile.Seconds(), v5.compile.Seconds(), d.startup.Seconds(), headLines,
			float64(cli.maxRSSBytes)/1e6, agreement(cli.verdicts, a.verdicts))
	}
	fmt.Printf("(peak memory floor: this harness held %.1f MB when it started the binary)\n", float64(floor)/1e6)
}

// selfRSS is this process's resident set size, from /proc.
func selfRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
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

func generate(file string, lines int, write func(io.Writer, int, uint64) (int64, error)) int64 {
	if info, err := os.Stat(file); err == nil {
		return info.Size()
	}
	tmp := file + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		fail(err.Error())
	}
	n, err := write(f, lines, 1)
	if err != nil {
		fail(err.Error())
	}
	if err := f.Close(); err != nil {
		fail(err.Error())
	}
	if err := os.Rename(tmp, file); err != nil { // a run cut short leaves no partial file to reuse
		fail(err.Error())
	}
	return n
}

// passBudget bounds one timed pass of an in-process method, and a run of
// ajv long enough that repeating it adds little, so that a full run stays
// within minutes on a shared machine: a pass that reaches it stops there
// and its rate is that of the lines it checked, and it is not repeated.
const passBudget = 10 * time.Second

// inProcess times check over the lines on one and on two goroutines.
func inProcess(docs [][]byte, repeat int, check func([]byte) bool) *result {
	r := &result{}
	for c, workers := range []int{1, 2} {
		for range repeat {
			start := time.Now()
			deadline := start.Add(passBudget)
			var wg sync.WaitGroup
			var mu sync.Mutex
			done, cut := 0, false
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
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
				}()
			}
			wg.Wait()
			r.perSecond[c] = max(r.perSecond[c], float64(done)/time.Since(start).Seconds())
			if cut {
				break
			}
		}
	}
	return r
}

func ajv(benchDir, schemaDir, file string, repeat int) *result {
	r := &result{}
	for range repeat {
		start := time.Now()
		cmd := exec.Command("node", filepath.Join(benchDir, "ajv.js"), schemaDir, file)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fail("ajv: " + err.Error() + " (did run.sh install ajv?)")
		}
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
		if m.Rate > r.perSecond[0] {
			r.perSecond[0], r.verdicts = m.Rate, m.Verdicts
			r.compile = time.Duration(m.Compile * float64(time.Second))
			r.steady = m.Lines / (m.Seconds - m.Compile)
		}
		if time.Since(start) > 2*passBudget {
			break
		}
	}
	return r
}

// cliRun times the binary as a user runs it, output discarded, keeps its
// largest resident set size, and with verdicts reads each line's from one
// more run.
func cliRun(binary, file string, lines, repeat int, verdicts bool) *result {
	r := &result{}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		fail(err.Error())
	}
	defer devnull.Close()
	for c, workers := range []int{1, 2} {
		best := time.Duration(1 << 62)
		for range repeat {
			cmd := exec.Command(binary, "validate", "--format", "json", "--workers", strconv.Itoa(workers), file)
			cmd.Stdout = devnull
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				fail(fmt.Sprintf("stripe-contract exited %d (%v); the data holds invalid lines, so 1 is expected", code, err))
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				r.maxRSSBytes = max(r.maxRSSBytes, ru.Maxrss*1024)
			}
			if cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); workers == 1 && (r.cpu == 0 || cpu < r.cpu) {
				r.cpu = cpu
			}
			best = min(best, elapsed)
		}
		r.perSecond[c] = float64(lines) / best.Seconds()
	}
	if !verdicts {
		return r
	}
	out, _ := exec.Command(binary, "validate", "--format", "json", file).Output()
	var v strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(out))
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
	r.verdicts = v.String()
	return r
}

// headFile writes the first n lines of file beside it, once.
func headFile(file string, n int) string {
	head := strings.TrimSuffix(file, ".ndjson") + fmt.Sprintf("-head%d.ndjson", n)
	if _, err := os.Stat(head); err == nil {
		return head
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fail(err.Error())
	}
	end := 0
	for range n {
		i := bytes.IndexByte(data[end:], '\n')
		if i < 0 {
			fail(fmt.Sprintf("%s has fewer than %d lines", file, n))
		}
		end += i + 1
	}
	if err := os.WriteFile(head, data[:end], 0o644); err != nil {
		fail(err.Error())
	}
	return head
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// agreement compares stripe-contract's per-line verdicts with ajv's.
func agreement(cli, ajv string) string {
	valid := strings.Count(cli, "1")
	if cli == ajv {
		return fmt.Sprintf("stripe-contract and ajv agree on every line (%d valid, %d invalid)", valid, len(cli)-valid)
	}
	if len(cli) != len(ajv) {
		return fmt.Sprintf("stripe-contract judged %d lines, ajv %d", len(cli), len(ajv))
	}
	var differ []string
	for i := range cli {
		if cli[i] != ajv[i] {
			differ = append(differ, strconv.Itoa(i+1))
		}
	}
	return fmt.Sprintf("stripe-contract and ajv DISAGREE on %d lines (stripe-contract: %d valid of %d; lines %s)",
		len(differ), valid, len(cli), strings.Join(differ[:min(len(differ), 10)], ", "))
}

// big measures the CLI on a multi-GB file: streaming keeps its memory flat.
func big(binary, dataDir string, gb float64) {
	lines := int(gb * 1e9 / 505)
	file := filepath.Join(dataDir, fmt.Sprintf("payments-%d.ndjson", lines))
	size := generate(file, lines, bench.Write)
	debug.FreeOSMemory()
	floor := selfRSS()
	r := cliRun(binary, file, lines, 1, false)
	fmt.Printf("%.2f GB, %d lines: stripe-contract validate --format json on 2 cores: %s payloads/s, %.0f MB/s, peak memory (max RSS) %.1f MB (floor %.1f MB)\n",
		float64(size)/1e9, lines, rate(r.perSecond[1]), r.perSecond[1]*float64(size)/float64(lines)/1e6, float64(r.maxRSSBytes)/1e6, float64(floor)/1e6)
}
