// Package stripemock runs the real stripe-mock, pinned in go.mod's tool
// block, as a process on loopback: started on ports the system picks,
// waited for until it answers, and stopped by its owner.
//
// The contract suites start it with its own bundled fixtures (it is the
// system under test); cassettes/generate starts it with fixtures written
// from the API reference. Both use this one starter:
//
//	m, err := stripemock.Start(ctx)
//	if err != nil { ... }
//	defer m.Stop()
//	resp, err := http.Get(m.URL() + "/v1/invoice_payments/inpay_123") // with a sk_test_ key
package stripemock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// StartTimeout bounds how long Start waits for stripe-mock to answer,
// building it included (go tool builds it once, then caches it).
const StartTimeout = 2 * time.Minute

// Server is a stripe-mock process on loopback, started by Start and
// stopped by Stop.
type Server struct {
	cmd    *exec.Cmd
	addr   string // host:port of its HTTP listener
	exited chan struct{}
	err    error         // why it exited, set before exited is closed
	copied chan struct{} // closed when its output has all been copied to the log
	once   sync.Once
}

// Option configures Start.
type Option func(*config)

type config struct {
	binary   string
	fixtures string
	log      io.Writer
}

// WithBinary runs this stripe-mock binary instead of the one go.mod pins.
func WithBinary(path string) Option { return func(c *config) { c.binary = path } }

// WithFixtures passes a fixtures file to stripe-mock's -fixtures flag;
// without it stripe-mock answers from its own bundled fixtures.
func WithFixtures(path string) Option { return func(c *config) { c.fixtures = path } }

// WithLog copies stripe-mock's output to w, a line at a time, each prefixed
// with "stripe-mock: " (default: discarded).
func WithLog(w io.Writer) Option { return func(c *config) { c.log = w } }

var listening = regexp.MustCompile(`Listening for HTTP at address: (\S+)`)

// Version is the stripe-mock release go.mod's tool block pins; a test
// keeps the two the same.
const Version = "v0.203.0"

// Install is how to get the pinned stripe-mock outside this module, where
// go tool cannot build it.
const Install = "go install github.com/stripe/stripe-mock@" + Version

// Binary is the path of the stripe-mock pinned in go.mod's tool block:
// go tool -n builds it (once, cached) and prints where it is. It must run
// inside this module; outside it the error says how to get stripe-mock
// instead (Install, then WithBinary).
func Binary() (string, error) {
	out, err := exec.Command("go", "tool", "-n", "stripe-mock").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", &NotFoundError{Err: err}
	}
	return strings.TrimSpace(string(out)), nil
}

// NotFoundError is Binary's failure: go tool could not build the pinned
// stripe-mock, as happens outside a checkout of this module.
type NotFoundError struct {
	Err error // go tool's failure, with what it said
}

// Error says what failed and how to get stripe-mock.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("go tool -n stripe-mock: %v (go tool builds stripe-mock only inside a checkout of stripe-contract; elsewhere, install it with %s and pass its path, e.g. --stripe-mock-bin \"$(go env GOPATH)/bin/stripe-mock\")", e.Err, Install)
}

// Unwrap returns go tool's failure.
func (e *NotFoundError) Unwrap() error { return e.Err }

// Start runs stripe-mock on loopback, HTTP and HTTPS both on ports the
// system picks, and returns once its HTTP listener answers. ctx bounds the
// wait (and StartTimeout), not the process: Stop ends it.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	c := config{log: io.Discard}
	for _, o := range opts {
		o(&c)
	}
	if c.binary == "" {
		bin, err := Binary()
		if err != nil {
			return nil, err
		}
		c.binary = bin
	}
	args := []string{"-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:"}
	if c.fixtures != "" {
		args = append(args, "-fixtures", c.fixtures)
	}
	cmd := exec.Command(c.binary, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start stripe-mock: %w", err)
	}
	s := &Server{cmd: cmd, exited: make(chan struct{}), copied: make(chan struct{})}
	go func() {
		if s.err = cmd.Wait(); s.err == nil {
			s.err = errors.New("exit status 0")
		}
		pw.Close()
		close(s.exited)
	}()
	found := make(chan string, 1)
	go func() {
		defer close(s.copied)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Fprintln(c.log, "stripe-mock:", sc.Text())
			if match := listening.FindStringSubmatch(sc.Text()); match != nil {
				select {
				case found <- match[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	ctx, cancel := context.WithTimeout(ctx, StartTimeout)
	defer cancel()
	select {
	case s.addr = <-found:
	case <-s.exited:
		return nil, fmt.Errorf("stripe-mock exited before listening: %w", s.err)
	case <-ctx.Done():
		s.Stop()
		return nil, fmt.Errorf("stripe-mock did not listen: %w", ctx.Err())
	}
	if err := s.waitAnswering(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitAnswering polls the listener until it answers HTTP at all (any
// status: stripe-mock answers 401 without a key).
func (s *Server) waitAnswering(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("stripe-mock exited before answering: %w", s.err)
		case <-ctx.Done():
			return fmt.Errorf("stripe-mock at %s did not answer: %w (last: %w)", s.addr, ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Addr is the host:port of its HTTP listener.
func (s *Server) Addr() string { return s.addr }

// URL is the base URL of its HTTP listener: http://127.0.0.1:PORT.
func (s *Server) URL() string { return "http://" + s.addr }

// Stop interrupts stripe-mock and waits for it, and for its last output to
// reach the log; it kills it if it lingers beyond 10 seconds. It is safe to
// call more than once.
func (s *Server) Stop() {
	s.once.Do(func() {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
		<-s.copied
	})
}
