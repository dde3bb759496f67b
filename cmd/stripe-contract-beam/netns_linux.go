package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// isolatedEnv marks the copy of the program that runs in a network
// namespace of its own.
const isolatedEnv = "STRIPE_CONTRACT_BEAM_ISOLATED"

// isolate keeps Prism's job server, which Beam 2.77 binds to every
// interface (net.Listen("tcp", ":0") in
// runners/prism/internal/jobservices), reachable from nowhere but this
// program: the program runs again, with the same arguments, in a new
// network namespace, whose only interface is its own loopback. It returns
// the copy's exit status and true; or false when the work is to be done in
// this process: in the copy itself (once its loopback is up), or where a
// namespace cannot be made (it takes root), saying so on stderr, unless
// required, when that is an error.
func isolate(required bool) (int, bool) {
	if os.Getenv(isolatedEnv) == "1" {
		if err := loopbackUp(); err != nil {
			fmt.Fprintf(os.Stderr, "stripe-contract-beam: bring the network namespace's loopback up: %v\n", err)
			return 2, true
		}
		return 0, false
	}
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), isolatedEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &exit):
		return exit.ExitCode(), true
	case required:
		fmt.Fprintf(os.Stderr, "stripe-contract-beam: cannot run in a network namespace of its own (%v), and must: Prism's job server listens on every interface\n", err)
		return 2, true
	default:
		fmt.Fprintf(os.Stderr, "stripe-contract-beam: warning: Prism's job server listens on every interface while this runs (not isolated: %v; as root it runs in a network namespace of its own)\n", err)
		return 0, false
	}
}

// loopbackUp sets the up flag of this network namespace's lo.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}
