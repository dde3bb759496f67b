package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/stripe/stripe-mock/embedded"
)

// stripeMock is a stripe-mock process on loopback, started by this program
// and stopped by it.
type stripeMock struct {
	cmd    *exec.Cmd
	addr   string // host:port of its HTTP listener
	exited chan error
}

var listening = regexp.MustCompile(`Listening for HTTP at address: (\S+)`)

// stripeMockBinary is the path of the stripe-mock pinned in go.mod's tool
// block: go tool -n builds it (once, cached) and prints where it is.
func stripeMockBinary() (string, error) {
	out, err := exec.Command("go", "tool", "-n", "stripe-mock").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("go tool -n stripe-mock: %v: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("go tool -n stripe-mock: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// writeFixtures writes stripe-mock's bundled fixtures with resources laid
// over them (top-level fields replaced), as a file for its -fixtures flag.
func writeFixtures(dir string, resources map[string]object) (string, error) {
	var fixtures struct {
		Resources map[string]object `json:"resources"`
	}
	if err := json.Unmarshal(embedded.OpenAPIFixtures, &fixtures); err != nil {
		return "", fmt.Errorf("stripe-mock's bundled fixtures: %w", err)
	}
	for name, overlay := range resources {
		base, ok := fixtures.Resources[name]
		if !ok {
			return "", fmt.Errorf("stripe-mock has no %q fixture to lay over", name)
		}
		merged := maps.Clone(base)
		maps.Copy(merged, overlay)
		fixtures.Resources[name] = merged
	}
	data, err := json.Marshal(fixtures)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "fixtures-*.json")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	return filepath.Clean(f.Name()), f.Close()
}

// startStripeMock runs stripe-mock with the fixtures file on loopback,
// HTTP and HTTPS both on ports the system picks, and waits until it
// listens.
func startStripeMock(bin, fixtures string) (*stripeMock, error) {
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:", "-fixtures", fixtures)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start stripe-mock: %w", err)
	}
	m := &stripeMock{cmd: cmd, exited: make(chan error, 1)}
	go func() {
		err := cmd.Wait()
		pw.Close()
		m.exited <- err
	}()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Fprintln(os.Stderr, "stripe-mock:", sc.Text())
			if match := listening.FindStringSubmatch(sc.Text()); match != nil {
				select {
				case found <- match[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case m.addr = <-found:
		return m, nil
	case err := <-m.exited:
		return nil, fmt.Errorf("stripe-mock exited before listening (%v)", err)
	case <-time.After(2 * time.Minute):
		m.stop()
		return nil, errors.New("stripe-mock did not listen within 2 minutes")
	}
}

// stop interrupts stripe-mock and waits for it; it kills it if it lingers.
func (m *stripeMock) stop() {
	m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.exited:
	case <-time.After(10 * time.Second):
		m.cmd.Process.Kill()
		<-m.exited
	}
}
