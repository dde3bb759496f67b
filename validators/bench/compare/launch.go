package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// launchFlag starts this command as a launcher: it runs the program after
// it and reports its usage (launchReport) on file descriptor 3.
const launchFlag = "-launch"

// launchReport is what a launcher reports of the program it ran.
type launchReport struct {
	MaxRSS  int64         `json:"max_rss_bytes"`
	User    time.Duration `json:"user_ns"`
	System  time.Duration `json:"system_ns"`
	Elapsed time.Duration `json:"elapsed_ns"`
	Exit    int           `json:"exit"`
	Floor   int64         `json:"floor_bytes"` // the launcher's own peak RSS when it started the program
}

// launchFloor is the largest Floor of the runs so far: the least peak RSS
// any measured program could report.
var launchFloor int64

// launched holds what a measured run reports.
type launched struct {
	launchReport
	state *os.ProcessState // the launcher's
}

// run starts cmd through a launcher, a copy of this command, which starts
// cmd's program itself and measures it. Linux starts a program's peak RSS
// (ru_maxrss) at its parent's when it execs, and this harness's heap holds
// every verdict it compares: a program it started directly would report
// the harness's peak as its own when that is larger. The launcher's is a
// few MB (the floor the table prints).
func run(cmd *exec.Cmd) (launched, error) {
	exe, err := os.Executable()
	if err != nil {
		return launched{}, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return launched{}, err
	}
	defer r.Close()
	cmd.Args = append([]string{exe, launchFlag, "--", cmd.Path}, cmd.Args[1:]...)
	cmd.Path = exe
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		return launched{}, err
	}
	w.Close()
	raw, readErr := io.ReadAll(r)
	waitErr := cmd.Wait()
	out := launched{state: cmd.ProcessState}
	if err := json.Unmarshal(raw, &out.launchReport); err != nil {
		return out, fmt.Errorf("launcher: %v (%v, %v)", err, readErr, waitErr)
	}
	launchFloor = max(launchFloor, out.Floor)
	return out, nil
}

// runLaunch is this command started with launchFlag: args are "--", the
// program and its arguments. Its exit status is the program's.
func runLaunch(args []string) {
	if len(args) < 2 || args[0] != "--" {
		fail("usage: compare " + launchFlag + " -- PROGRAM [ARGS...]")
	}
	report := os.NewFile(3, "report")
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	floor := selfHWM()
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fail(err.Error())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fail("no rusage for " + args[1])
	}
	rep := launchReport{MaxRSS: ru.Maxrss * 1024, User: cmd.ProcessState.UserTime(), System: cmd.ProcessState.SystemTime(),
		Elapsed: elapsed, Exit: cmd.ProcessState.ExitCode(), Floor: floor}
	if err := json.NewEncoder(report).Encode(rep); err != nil {
		fail(err.Error())
	}
	os.Exit(rep.Exit)
}
