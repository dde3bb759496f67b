package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

// newFlagSet returns the flag set of command name, whose -h writes usage and
// then the flags.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		io.WriteString(e.stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlagsOnly parses the arguments of a command that takes flags and no
// operands. When ok is false the command returns code: 0 after -h, the usage
// status after a bad flag or an operand (said on stderr).
func parseFlagsOnly(e *env, fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		e.errorf("%s: unexpected argument %q (flags only)", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return exitOK, true
}

// readableDir reports whether the --cassettes directory of command name can
// be read, saying on stderr why not.
func readableDir(e *env, name, dir string) bool {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		e.errorf("%s: --cassettes %s: not a readable directory", name, dir)
		return false
	}
	return true
}

// parseInterleaved parses flags that may stand before, between or after the
// positional arguments (validate a.json --format json), as users type them.
// "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// choice is a flag whose value is one of a fixed set.
type choice struct {
	value   string
	allowed []string
}

func (c *choice) String() string { return c.value }

func (c *choice) Set(s string) error {
	for _, a := range c.allowed {
		if s == a {
			c.value = s
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(c.allowed, ", "))
}

// byteSize is a flag of a size in bytes: a number, or one with a unit,
// KiB, MiB, GiB (powers of 1024), KB, MB, GB (of 1000) or B.
type byteSize int64

func (b *byteSize) String() string {
	for _, u := range sizeUnits[:3] {
		if *b >= byteSize(u.size) && int64(*b)%u.size == 0 {
			return strconv.FormatInt(int64(*b)/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

var sizeUnits = []struct {
	name string
	size int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}

func (b *byteSize) Set(s string) error {
	number, mult := strings.TrimSpace(s), int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(number, u.name); ok {
			number, mult = strings.TrimSpace(n), u.size
			break
		}
	}
	n, err := strconv.ParseInt(number, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return errors.New("want a size such as 64MiB, 500KB or 1048576")
	}
	*b = byteSize(n * mult)
	return nil
}

// addMaxCassetteFlag defines --max-cassette-size, the one bound on a
// cassette file for every command that reads cassettes; over is what
// happens to a larger one.
func addMaxCassetteFlag(fs *flag.FlagSet, over string) *int64 {
	return fs.Int64("max-cassette-size", cassette.DefaultMaxSize, "largest cassette (.yaml) file read, in bytes; "+over)
}

// checkMaxCassette refuses a --max-cassette-size that is not positive.
func checkMaxCassette(e *env, name string, n int64) bool {
	if n < 1 {
		e.errorf("%s: --max-cassette-size must be positive", name)
		return false
	}
	return true
}

// noticeSkipped says on stderr that a walk passed over a file, as validate
// does: "stripe-contract: notice: DIR/x.yaml: skipped: a named pipe, ...".
// A cassette set's paths are relative to its folder, dir.
func noticeSkipped(e *env, dir string) func(disk.Skipped) {
	return func(s disk.Skipped) {
		if dir != "" {
			s.Path = filepath.Join(dir, s.Path)
		}
		e.errorf("notice: %v", s)
	}
}
