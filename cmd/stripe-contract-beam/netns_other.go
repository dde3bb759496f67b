//go:build !linux

package main

import (
	"fmt"
	"os"
)

// isolate does the work in this process: network namespaces are Linux's.
// Prism's job server listens on every interface while it runs; required,
// that is an error.
func isolate(required bool) (int, bool) {
	if required {
		fmt.Fprintln(os.Stderr, "stripe-contract-beam: cannot run in a network namespace of its own here, and must: Prism's job server listens on every interface")
		return 2, true
	}
	fmt.Fprintln(os.Stderr, "stripe-contract-beam: warning: Prism's job server listens on every interface while this runs")
	return 0, false
}
