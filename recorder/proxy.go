package recorder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Proxy is a recording reverse proxy: any SDK points its API base at it
// (stripe-node's host and port, stripe-python's api_base, stripe-go's
// backend URL, curl), and it forwards each request to the upstream through
// a Recorder. Upstream faults come back as what they are, within the
// timeout: a refused or reset connection, or a body cut short or too large,
// as 502 Bad Gateway, no response or a stalled body as 504 Gateway Timeout,
// each with a Stripe-shaped error body and a Stripe-Contract-Fault header
// naming the fault; an upstream 5xx is passed through (and recorded) as it
// came. The client's request body must arrive within the timeout and the
// Recorder's size limit: otherwise the answer is 408, 400 or 413, and
// nothing is sent upstream. Nothing is recorded for a fault.
type Proxy struct {
	upstream *url.URL
	rec      *Recorder
	rp       *httputil.ReverseProxy
	timeout  time.Duration
	onFault  func(*UpstreamError)
}

// FaultHeader names the upstream fault in a proxy's error response.
const FaultHeader = "Stripe-Contract-Fault"

// ParseUpstream reads an upstream base URL: http or https, with a host.
// One written without its scheme (127.0.0.1:12111) is refused with the URL
// it probably means.
func ParseUpstream(raw string) (*url.URL, error) {
	const want = "want an http:// or https:// URL with a host, such as https://api.stripe.com or http://127.0.0.1:12111"
	if !strings.Contains(raw, "://") {
		// url.Parse would read "localhost:12111" as a scheme and refuse
		// "127.0.0.1:12111" with a message about path segments.
		return nil, fmt.Errorf("upstream %q: %s%s", raw, want, schemeHint(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("upstream %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstream %q: %s", raw, want)
	}
	if u.User != nil {
		return nil, fmt.Errorf("upstream %q: credentials in the URL would be recorded; send them as the SDK does, in the Authorization header", u.Redacted())
	}
	return u, nil
}

// schemeHint is " (did you mean http://HOST?)" for an upstream written
// without its scheme: http for a loopback host (stripe-mock, a local
// server), https for any other (Stripe's API answers only https).
func schemeHint(raw string) string {
	u, err := url.Parse("http://" + raw)
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	if host := u.Hostname(); host != "localhost" && !net.ParseIP(host).IsLoopback() {
		u.Scheme = "https"
	}
	return " (did you mean " + u.String() + "?)"
}

// NewProxy returns a Proxy that forwards to upstream (a base URL such as
// https://api.stripe.com) through rec. Options read: WithTimeout,
// WithFaultHandler; bodies are bounded by rec's WithMaxBodySize.
func NewProxy(upstream string, rec *Recorder, opts ...ProxyOption) (*Proxy, error) {
	u, err := ParseUpstream(upstream)
	if err != nil {
		return nil, err
	}
	cfg := proxyConfig(opts)
	p := &Proxy{upstream: u, rec: rec, timeout: cfg.timeout, onFault: cfg.onFault}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The query goes upstream as the client wrote it: ReverseProxy
			// re-encodes one it finds odd, and drops one of more than
			// 10,000 pairs altogether.
			pr.Out.URL.RawQuery = pr.In.URL.RawQuery
			pr.SetURL(u)
			pr.Out.Host = u.Host
			// The client's address is neither part of the request nor
			// anyone's business in a cassette.
			pr.Out.RemoteAddr = ""
		},
		Transport:    rec,
		ErrorHandler: p.fault,
		BufferPool:   rec.buffers,
	}
	return p, nil
}

// Upstream is the base URL requests are forwarded to.
func (p *Proxy) Upstream() *url.URL { return p.upstream }

// ServeHTTP reads r's body, which must arrive within the timeout and the
// size limit, then forwards r, bounded by the timeout again.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rc := http.NewResponseController(w)
	// Errors mean a ResponseWriter without deadlines: the server's own
	// ReadTimeout, if any, bounds the body then.
	rc.SetReadDeadline(start.Add(p.timeout))
	body, n, err := readBody(r.Body, r.ContentLength, p.rec.cfg.maxBody, p.rec.buffers)
	if err != nil {
		// The deadline is left to pass (or passed already), so that the
		// server, which reads what is left of a body before answering,
		// gives up at once and closes the connection after the answer.
		rc.SetReadDeadline(time.Now())
		ue := clientBodyFault(r, r.URL.RequestURI(), err, n, p.rec.cfg.maxBody, start)
		if ue.Fault == FaultClientBodyTimeout {
			ue.Timeout = p.timeout
		}
		p.answer(w, ue)
		return
	}
	// Lifted once the body is in: the server's background read would
	// otherwise reach the deadline while the upstream works, and cancel
	// the request as if the client had left.
	rc.SetReadDeadline(time.Time{})
	ctx := context.WithValue(r.Context(), proxiedBodyKey{}, body)
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	out := r.WithContext(ctx)
	if r.Body != http.NoBody {
		out.Body = io.NopCloser(strings.NewReader(body))
	}
	p.rp.ServeHTTP(w, out)
}

// fault answers a request the recorder could not complete.
func (p *Proxy) fault(w http.ResponseWriter, r *http.Request, err error) {
	var ue *UpstreamError
	var encErr *EncodingError
	switch {
	case errors.As(err, &ue):
	case errors.As(err, &encErr):
		// A body that stopped decoding part-way, found as it was read.
		ue = &UpstreamError{Fault: FaultEncoding, Method: r.Method, URL: redactor{}.url(r.URL.String()), Err: err}
	case errors.Is(err, ErrStopped):
		writeError(w, http.StatusServiceUnavailable, "api_error", "stripe-contract record is shutting down; the request was not sent")
		return
	case errors.Is(r.Context().Err(), context.Canceled):
		ue = &UpstreamError{Fault: FaultCanceled, Client: true, Method: r.Method, URL: redactor{}.url(r.URL.String()), Err: err}
	default:
		ue = &UpstreamError{Fault: FaultOther, Method: r.Method, URL: redactor{}.url(r.URL.String()), Err: err}
	}
	if ue.Fault == FaultTimeout || ue.Fault == FaultBodyTimeout {
		ue.Timeout = p.timeout // the bound as configured, not as measured from the transport's start
	}
	p.answer(w, ue)
}

// answer reports a fault and answers it: with a Stripe-shaped error (an
// invalid_request_error for the client's faults, an api_error for the
// upstream's) and the FaultHeader, except to a client that has left.
func (p *Proxy) answer(w http.ResponseWriter, ue *UpstreamError) {
	if p.onFault != nil {
		p.onFault(ue)
	}
	if ue.Fault == FaultCanceled {
		return // the client has gone: nobody to answer
	}
	typ := "api_error"
	if ue.Client {
		typ = "invalid_request_error"
	}
	w.Header().Set(FaultHeader, string(ue.Fault))
	writeError(w, ue.StatusCode(), typ, "stripe-contract record: "+ue.Error())
}

// writeError writes a Stripe-shaped error envelope, indented as Stripe does.
func writeError(w http.ResponseWriter, status int, typ, message string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // a query's & stays readable
	enc.SetIndent("", "  ")
	enc.Encode(map[string]any{"error": map[string]string{"type": typ, "message": message}})
	body := buf.Bytes()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
