package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
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
