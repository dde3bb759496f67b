package recorder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Fault is what went wrong with an exchange through the recorder: with the
// upstream, or with the client.
type Fault string

// Faults of the upstream, then of the client (see UpstreamError.Client).
const (
	FaultRefused     Fault = "refused"      // nothing accepted the connection
	FaultReset       Fault = "reset"        // the connection was reset or closed before a response
	FaultTimeout     Fault = "timeout"      // no response within the timeout
	FaultBodyTimeout Fault = "body-timeout" // the response began, but its body did not finish within the timeout
	FaultBodyCut     Fault = "body-cut"     // the connection broke in the middle of the body
	FaultEncoding    Fault = "encoding"     // a Content-Encoding the recorder cannot decode, or a body that does not decode
	FaultOther       Fault = "error"        // anything else: DNS, TLS, a malformed response

	// FaultBodyTooLarge is a body over the size limit (WithMaxBodySize): the
	// client's request body (nothing is sent upstream) or the upstream's
	// response body.
	FaultBodyTooLarge Fault = "body-too-large"

	FaultCanceled          Fault = "canceled"            // the client gave up first
	FaultClientBodyTimeout Fault = "client-body-timeout" // the client's request body did not arrive within the timeout
	FaultClientBodyCut     Fault = "client-body-cut"     // the client's request body broke off
)

// UpstreamError is a request the recorder could not complete: the upstream
// did not answer in full, or (Client) the client's side failed. Nothing is
// recorded for it.
type UpstreamError struct {
	Fault  Fault
	Method string
	// URL is the upstream URL, or for a fault of the client's request the
	// path and query it sent; secrets redacted.
	URL string
	// Client is true for a fault of the client's, not the upstream's: it
	// left, its request body broke off, stalled or was too large.
	Client   bool
	Received int64         // body bytes received before the fault: the response's, or the request's for a fault of the client's
	Elapsed  time.Duration // from sending the request (or receiving it, for a fault of the client's) to the fault
	Timeout  time.Duration // the bound that expired, for the timeouts
	Limit    int64         // the size limit, for FaultBodyTooLarge
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
	case FaultBodyTooLarge:
		what = "the upstream's response body is over the " + sizeString(e.Limit) + " limit"
		if e.Client {
			what = "the request body is over the " + sizeString(e.Limit) + " limit; nothing was sent upstream"
		}
	case FaultClientBodyTimeout:
		what = fmt.Sprintf("the client's request body stalled after %d bytes", e.Received)
		if e.Timeout > 0 {
			what += " and did not finish within " + e.Timeout.String()
		}
	case FaultClientBodyCut:
		what = fmt.Sprintf("the client's request body broke off after %d bytes", e.Received)
	default:
		what = "the upstream request failed"
	}
	msg := fmt.Sprintf("%s %s: %s (after %s)", e.Method, e.URL, what, e.Elapsed.Round(time.Millisecond))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	// The transport's error quotes the URL as sent, secrets and all.
	return secret.Redact(msg)
}

// sizeString writes a byte count as people read a limit: "64 MiB", "1500 bytes".
func sizeString(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// Unwrap returns the transport's error.
func (e *UpstreamError) Unwrap() error { return e.Err }

// StatusCode is the status a proxy answers the fault with: 504 Gateway
// Timeout for the upstream's timeouts, 502 Bad Gateway for its other
// faults; for the client's, 413 Content Too Large, 408 Request Timeout for
// a body that stalled, 400 for one that broke off (499 for a client that
// left).
func (e *UpstreamError) StatusCode() int {
	switch e.Fault {
	case FaultTimeout, FaultBodyTimeout:
		return http.StatusGatewayTimeout
	case FaultCanceled:
		return 499
	case FaultClientBodyTimeout:
		return http.StatusRequestTimeout
	case FaultClientBodyCut:
		return http.StatusBadRequest
	case FaultBodyTooLarge:
		if e.Client {
			return http.StatusRequestEntityTooLarge
		}
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
	// A shallow copy with its own header: only the header changes, and
	// req.Clone would copy the URL, trailer and form too, on every request.
	out := new(http.Request)
	*out = *req
	out.Header = req.Header.Clone()
	if out.Header == nil {
		out.Header = http.Header{}
	}
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
		e.Fault, e.Client = FaultCanceled, true
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

// errTooLarge is a body over its size limit, as readBody finds it.
var errTooLarge = errors.New("body over the size limit")

// readBody reads a body of at most limit bytes, whose declared length is
// declared (-1 when unknown), and returns it with the bytes read: a body
// declared longer is not read at all (errTooLarge), and one found longer is
// read no further than the limit.
func readBody(body io.Reader, declared, limit int64, buffers *bufferPool) (string, int64, error) {
	if body == nil || body == http.NoBody {
		return "", 0, nil
	}
	if declared > limit {
		return "", 0, errTooLarge
	}
	var b strings.Builder
	if declared > 0 {
		b.Grow(int(declared))
	}
	buf := buffers.Get()
	n, err := io.CopyBuffer(&b, io.LimitReader(body, limit+1), buf)
	buffers.Put(buf)
	if err != nil {
		return "", n, err
	}
	if n > limit {
		return "", limit, errTooLarge
	}
	return b.String(), n, nil
}

// bufferPool is a pool of 32 KiB buffers, which a Recorder
// and its Proxy copy bodies through: otherwise each copy allocates its
// own, twice a request, and the collector's work lands on the requests.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.p.Put(&buf) }

// clientBodyFault names the failure to read a client's request body.
func clientBodyFault(req *http.Request, uri string, err error, received, limit int64, start time.Time) *UpstreamError {
	e := &UpstreamError{Method: req.Method, URL: redactor{}.url(uri), Client: true, Received: received, Elapsed: time.Since(start)}
	var netErr net.Error
	switch {
	case errors.Is(err, errTooLarge):
		e.Fault, e.Limit = FaultBodyTooLarge, limit
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		e.Fault, e.Err = FaultClientBodyTimeout, err
	default:
		e.Fault, e.Err = FaultClientBodyCut, err
	}
	return e
}
