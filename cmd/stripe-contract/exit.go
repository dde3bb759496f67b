package main

import (
	"errors"
	"flag"
	"fmt"
)

// Exit statuses: the one place where what a command returned becomes the
// status a CI reads (exitCode).
const (
	exitOK      = 0 // done, and everything checked kept the contract
	exitInvalid = 1 // done, and something broke the contract or failed
	exitUsage   = 2 // not done: a usage error, or input or output that failed
)

// usageError is a mistake in how a command was called: a flag missing,
// malformed or contradicting another. Exit status 2.
type usageError struct {
	msg string
	// usage, when set, prints the command's usage after the message (for
	// a command called without what it needs).
	usage func()
}

func (u *usageError) Error() string { return u.msg }

// usagef returns a usageError with the message, formatted as fmt.Sprintf.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// missingf is usagef for a command called without what it needs: the
// message is followed by the command's usage, from fs.
func missingf(fs *flag.FlagSet, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), usage: fs.Usage}
}

// errUsageSaid is a usage error the flag package has already explained
// on stderr (a flag not defined, a bad value). Exit status 2.
var errUsageSaid = errors.New("usage error (said above)")

// errFailedSaid is a failure (input that cannot be read, say) that has
// already been said on stderr where it happened. Exit status 2.
var errFailedSaid = errors.New("failed (said above)")

// verdictError is a command that ran to the end and found something
// broken: a document that breaks the contract, a deviation, a delivery
// the endpoint refused. Exit status 1. Its message, if any, is the
// verdict's one line on stderr; the findings themselves are the report's.
type verdictError struct{ msg string }

func (v *verdictError) Error() string { return v.msg }

// verdictf returns a verdictError with the message, formatted as
// fmt.Sprintf; an empty format says nothing more than the report did.
func verdictf(format string, args ...any) error {
	if format == "" {
		return &verdictError{}
	}
	return &verdictError{fmt.Sprintf(format, args...)}
}

// exitCode maps what a command returned to its exit status: nil and -h
// are 0, a verdict 1, a usage error and every other error (reading input,
// writing output, a cassette refused) 2.
func exitCode(err error) int {
	var v *verdictError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &v):
		return exitInvalid
	default:
		return exitUsage
	}
}

// sayError writes on stderr what the error of command cmd needs said:
// nothing for -h or an error said already, the message (and for a command
// called without what it needs, its usage) for a usage error, the message
// for the rest.
func sayError(e *env, cmd string, err error) {
	var u *usageError
	var v *verdictError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp), errors.Is(err, errUsageSaid), errors.Is(err, errFailedSaid):
	case errors.As(err, &u):
		e.errorf("%s: %s", cmd, u.msg)
		if u.usage != nil {
			u.usage()
		}
	case errors.As(err, &v):
		if v.msg != "" {
			e.errorf("%s: %s", cmd, v.msg)
		}
	default:
		e.errorf("%s: %v", cmd, err)
	}
}
