// Command compare measures, on one generated NDJSON file and in one run:
// encoding/json.Valid (syntax only, the floor of any validator's work), ajv
// (Node.js, one process), the plain jsonschema/v5 path (decode + Validate),
// and the stripe-contract binary as a user runs it (validate --format json,
// output written to /dev/null), on one and two cores; then prints one table
// with the ratios. Run it through run.sh, which installs ajv first.
//
//	go run ./validators/bench/compare -lines 200000 -binary ./stripe-contract
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
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

	"github.com/stripe-contract/stripe-contract/validators/baseline"
	"github.com/stripe-contract/stripe-contract/validators/bench"
)

type result struct {
	name        string
	perSecond   [2]float64 // one core, two cores; 0 when not measured
	note        string
	maxRSSBytes int64
}

func main() {
	lines := flag.Int("lines", 200000, "lines to generate")
	dataDir := flag.String("data", "validators/bench/data", "where to write the generated file")
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
	file := filepath.Join(*dataDir, fmt.Sprintf("payments-%d.ndjson", *lines))
	size := generate(file, *lines)
	fmt.Printf("data: %d lines, %.1f MB, %d bytes per line on average (%s)\n", *lines, float64(size)/1e6, size/int64(*lines), file)
	fmt.Printf("machine: %s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())

	// The CLI first, while this process is small: a child started from a
	// large process reports that process's memory as its own peak.
	debug.FreeOSMemory()
	floor := selfRSS()
	cli := cliRun(*binary, file, *lines, *repeat)

	data, err := os.ReadFile(file)
	if err != nil {
		fail(err.Error())
	}
	docs := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	var rows []result
	rows = append(rows, inProcess("encoding/json.Valid", docs, *repeat, json.Valid))
	rows = append(rows, ajv(*benchDir, *schemaDir, file, *repeat))
	plain, err := baseline.New()
	if err != nil {
		fail(err.Error())
	}
	rows = append(rows, inProcess("jsonschema/v5, decode + Validate", docs, *repeat, plain.Valid))
	rows = append(rows, cli)

	fmt.Printf("| method | 1 core (payloads/s) | 2 cores (payloads/s) |\n|---|---:|---:|\n")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.name, rate(r.perSecond[0]), rate(r.perSecond[1]))
	}
	valid, ajvRow, v5 := rows[0], rows[1], rows[2]
	fmt.Printf("\nstripe-contract on 2 cores: %.2f× ajv (one process), %.1f× plain jsonschema/v5 on 2 cores (%.1f× on 1 core), %.0f%% of json.Valid on 2 cores\n",
		cli.perSecond[1]/ajvRow.perSecond[0], cli.perSecond[1]/v5.perSecond[1], cli.perSecond[0]/v5.perSecond[0], 100*cli.perSecond[1]/valid.perSecond[1])
	fmt.Printf("stripe-contract peak memory (max RSS): %.1f MB (a measurement floor: this harness held %.1f MB when it started the runs)\n", float64(cli.maxRSSBytes)/1e6, float64(floor)/1e6)
	fmt.Printf("verdicts: %s\n", agreement(*binary, file, ajvRow.note))
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
	if r == 0 {
		return "—"
	}
	return strconv.FormatFloat(r/1000, 'f', 0, 64) + "k"
}

func generate(file string, lines int) int64 {
	if info, err := os.Stat(file); err == nil {
		return info.Size()
	}
	f, err := os.Create(file)
	if err != nil {
		fail(err.Error())
	}
	n, err := bench.Write(f, lines, 1)
	if err != nil {
		fail(err.Error())
	}
	if err := f.Close(); err != nil {
		fail(err.Error())
	}
	return n
}

// inProcess times check over every line on one and on two goroutines.
func inProcess(name string, docs [][]byte, repeat int, check func([]byte) bool) result {
	r := result{name: name}
	for c, workers := range []int{1, 2} {
		best := time.Duration(1 << 62)
		for range repeat {
			start := time.Now()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < len(docs); i += workers {
						check(docs[i])
					}
				}()
			}
			wg.Wait()
			best = min(best, time.Since(start))
		}
		r.perSecond[c] = float64(len(docs)) / best.Seconds()
	}
	return r
}

func ajv(benchDir, schemaDir, file string, repeat int) result {
	r := result{name: "ajv 8 (Node.js: JSON.parse + compiled validator, one process)"}
	best := 0.0
	for range repeat {
		out, err := exec.Command("node", filepath.Join(benchDir, "ajv.js"), schemaDir, file).Output()
		if err != nil {
			fail("ajv: " + err.Error() + " (did run.sh install ajv?)")
		}
		var m struct {
			Rate     float64 `json:"payloads_per_second"`
			Verdicts string  `json:"verdicts"`
		}
		if err := json.Unmarshal(out, &m); err != nil {
			fail("ajv output: " + err.Error())
		}
		best, r.note = max(best, m.Rate), m.Verdicts
	}
	r.perSecond[0] = best
	return r
}

// cliRun times the binary as a user runs it, output discarded, and keeps
// its largest resident set size.
func cliRun(binary, file string, lines, repeat int) result {
	r := result{name: "stripe-contract validate --format json (the CLI, output included)"}
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
			best = min(best, elapsed)
		}
		r.perSecond[c] = float64(lines) / best.Seconds()
	}
	return r
}

// agreement compares stripe-contract's per-line verdicts with ajv's.
func agreement(binary, file, ajvDigest string) string {
	cmd := exec.Command(binary, "validate", "--format", "json", file)
	out, _ := cmd.Output()
	h := sha256.New()
	n, valid := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var row struct {
			Valid bool `json:"valid"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return "could not read stripe-contract's output: " + err.Error()
		}
		n++
		if row.Valid {
			valid++
			h.Write([]byte("1"))
		} else {
			h.Write([]byte("0"))
		}
	}
	if hex.EncodeToString(h.Sum(nil)) == ajvDigest {
		return fmt.Sprintf("stripe-contract and ajv agree on every line (%d valid, %d invalid)", valid, n-valid)
	}
	return fmt.Sprintf("stripe-contract and ajv DISAGREE on some lines (stripe-contract: %d valid of %d)", valid, n)
}

// big measures the CLI on a multi-GB file: streaming keeps its memory flat.
func big(binary, dataDir string, gb float64) {
	lines := int(gb * 1e9 / 505)
	file := filepath.Join(dataDir, fmt.Sprintf("payments-%d.ndjson", lines))
	size := generate(file, lines)
	debug.FreeOSMemory()
	floor := selfRSS()
	r := cliRun(binary, file, lines, 1)
	fmt.Printf("%.2f GB, %d lines: stripe-contract validate --format json on 2 cores: %s payloads/s, %.0f MB/s, peak memory (max RSS) %.1f MB (floor %.1f MB)\n",
		float64(size)/1e9, lines, rate(r.perSecond[1]), r.perSecond[1]*float64(size)/float64(lines)/1e6, float64(r.maxRSSBytes)/1e6, float64(floor)/1e6)
}
