package recorder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Fault is what went wrong with an upstream.
type Fault string

// Upstream faults.
const (
	FaultRefused     Fault = "refused"      // nothing accepted the connection
	FaultReset       Fault = "reset"        // the connection was reset or closed before a response
	FaultTimeout     Fault = "timeout"      // no response within the timeout
	FaultBodyTimeout Fault = "body-timeout" // the response began, but its body did not finish within the timeout
	FaultBodyCut     Fault = "body-cut"     // the connection broke in the middle of the body
	FaultCanceled    Fault = "canceled"     // the client gave up first
	FaultEncoding    Fault = "encoding"     // a Content-Encoding the recorder cannot decode, or a body that does not decode
	FaultOther       Fault = "error"        // anything else: DNS, TLS, a malformed response
)

// UpstreamError is a request the upstream did not answer in full. Nothing
// is recorded for it.
type UpstreamError struct {
	Fault    Fault
	Method   string
	URL      string        // the upstream URL, secrets redacted
	Received int64         // body bytes received before the fault
	Elapsed  time.Duration // from sending the request to the fault
	Timeout  time.Duration // the bound that expired, for the timeouts
	Err      error
}

// Error says what happened, to which request, after how long.
func (e *UpstreamError) Error() string {
	var what string
	switch e.Fault {
	case FaultRefused:
		what = "the upstream refused the connection"
	case FaultReset:
		what = "the upstream reset or closed the connection before responding"
	case FaultTimeout:
		what = "the upstream sent no response"
		if e.Timeout > 0 {
			what += " within " + e.Timeout.String()
		}
	case FaultBodyTimeout:
		what = fmt.Sprintf("the upstream's response body stalled after %d bytes", e.Received)
		if e.Timeout > 0 {
			what += " and did not finish within " + e.Timeout.String()
		}
	case FaultBodyCut:
		what = fmt.Sprintf("the upstream broke the connection after %d bytes of the response body", e.Received)
	case FaultCanceled:
		what = "the client canceled the request"
	case FaultEncoding:
		what = "the response body cannot be recorded"
	default:
		what = "the upstream request failed"
	}
	// The transport's error quotes the URL as sent, secrets and all.
	return secret.Redact(fmt.Sprintf("%s %s: %s (after %s): %v", e.Method, e.URL, what, e.Elapsed.Round(time.Millisecond), e.Err))
}

// Unwrap returns the transport's error.
func (e *UpstreamError) Unwrap() error { return e.Err }

// StatusCode is the status a proxy answers the fault with: 504 Gateway
// Timeout for the timeouts, 502 Bad Gateway for the others (499 for a
// client that left).
func (e *UpstreamError) StatusCode() int {
	switch e.Fault {
	case FaultTimeout, FaultBodyTimeout:
		return http.StatusGatewayTimeout
	case FaultCanceled:
		return 499
	}
	return http.StatusBadGateway
}

// defaultTransport bounds connecting, TLS and waiting for headers; the
// body is bounded by the request's context (Proxy) or the client's
// timeout (Recorder.Client).
func defaultTransport(timeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: min(timeout, 30*time.Second), KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = min(timeout, 10*time.Second)
	t.ResponseHeaderTimeout = timeout
	t.MaxIdleConnsPerHost = 64
	return t
}

// faultTransport names upstream faults (as *UpstreamError), for the
// request and for the body as it is read. It asks the upstream for
// "identity" (which also keeps Go's transport from asking for gzip on its
// own) and decodes any Content-Encoding that comes back all the same (see
// decodeBody), so what is recorded, redacted and validated is the body as
// the client reads it.
type faultTransport struct {
	next http.RoundTripper
}

func (t *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.Header.Set("Accept-Encoding", "identity")
	start := time.Now()
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return nil, classify(req, err, 0, start, false)
	}
	resp.Body = &faultBody{ReadCloser: resp.Body, req: req, start: start}
	if err := decodeBody(resp); err != nil {
		resp.Body.Close()
		return nil, classify(req, err, 0, start, false)
	}
	return resp, nil
}

type faultBody struct {
	io.ReadCloser
	req   *http.Request
	start time.Time
	n     int64
}

func (b *faultBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF {
		return n, classify(b.req, err, b.n, b.start, true)
	}
	return n, err
}

// classify names a transport error.
func classify(req *http.Request, err error, received int64, start time.Time, inBody bool) *UpstreamError {
	var ue *UpstreamError
	if errors.As(err, &ue) {
		return ue
	}
	e := &UpstreamError{Method: req.Method, URL: redactor{}.url(req.URL.String()), Received: received, Elapsed: time.Since(start), Err: err}
	if deadline, ok := req.Context().Deadline(); ok {
		e.Timeout = deadline.Sub(start).Round(time.Millisecond)
	}
	var netErr net.Error
	ctxErr := req.Context().Err()
	timedOut := errors.Is(ctxErr, context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
	var encErr *EncodingError
	switch {
	case errors.As(err, &encErr):
		e.Fault = FaultEncoding
	case errors.Is(ctxErr, context.Canceled):
		e.Fault = FaultCanceled
	case timedOut && inBody:
		e.Fault = FaultBodyTimeout
	case timedOut:
		e.Fault = FaultTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Fault = FaultRefused
	case inBody && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE)):
		e.Fault = FaultBodyCut
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE):
		e.Fault = FaultReset
	default:
		e.Fault = FaultOther
	}
	return e
}
