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
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
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
	return p, nil
}

// Upstream is the base URL requests are forwarded to.
func (p *Proxy) Upstream() *url.URL { return p.upstream }

// ServeHTTP reads r's body, which must arrive within the timeout and the
// size limit, then forwards r, bounded by the timeout again.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == http.NoBody || r.Body == nil {
		// Nothing to read, so no deadline to set and lift: most Stripe
		// requests (every retrieve and list) take this way.
		p.forward(w, r, "")
		return
	}
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
	p.forward(w, r, body)
}

// forward sends r, whose body (if any) has been read as body, on to the
// upstream through the Recorder, bounded by the timeout.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, body string) {
	ctx := r.Context()
	if r.Body != http.NoBody && r.Body != nil {
		ctx = context.WithValue(ctx, proxiedBodyKey{}, body)
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	out := p.outgoing(r.WithContext(ctx))
	if r.Body != http.NoBody && r.Body != nil {
		out.Body = io.NopCloser(strings.NewReader(body))
	}
	resp, err := p.rec.RoundTrip(out)
	if err != nil {
		p.fault(w, out, err)
		return
	}
	defer resp.Body.Close()
	p.respond(w, resp)
}

// hopHeaders are the hop-by-hop headers (RFC 9110, section 7.6.1), which
// a proxy does not forward.
var hopHeaders = [...]string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// removeHopHeaders removes the hop-by-hop headers from h, and those its
// Connection header names.
func removeHopHeaders(h http.Header) {
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, name := range hopHeaders {
		delete(h, name)
	}
}

// outgoing is r as it goes upstream, as httputil.ReverseProxy (which the
// proxy used before forwarding by itself, a hop's worth of copies and
// allocations fewer) would send it: its own header without hop-by-hop or
// Forwarded headers, the upstream's scheme, host and base path, the query
// as the client wrote it (ReverseProxy re-encoded one it found odd, and
// dropped one of more than 10,000 pairs), and no client address, which is
// neither part of the request nor anyone's business in a cassette.
func (p *Proxy) outgoing(r *http.Request) *http.Request {
	out := r // a shallow copy already (WithContext)
	out.Header = r.Header.Clone()
	if out.Header == nil {
		out.Header = http.Header{}
	}
	trailers := httpguts.HeaderValuesContainsToken(out.Header["Te"], "trailers")
	removeHopHeaders(out.Header)
	if trailers {
		out.Header.Set("Te", "trailers")
	}
	for _, name := range [...]string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
		delete(out.Header, name)
	}
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header.Set("User-Agent", "") // not Go's own
	}
	u := *r.URL
	u.Scheme, u.Host = p.upstream.Scheme, p.upstream.Host
	u.Path, u.RawPath = joinURLPath(p.upstream, r.URL)
	out.URL = &u
	out.Host = p.upstream.Host
	out.RemoteAddr = ""
	out.RequestURI = r.RequestURI
	out.Close = false
	return out
}

// joinURLPath joins the upstream's base path and the request's path, with
// one slash between them, as httputil.ProxyRequest.SetURL does.
func joinURLPath(a, b *url.URL) (path, rawpath string) {
	if a.RawPath == "" && b.RawPath == "" {
		return singleJoiningSlash(a.Path, b.Path), ""
	}
	apath, bpath := a.EscapedPath(), b.EscapedPath()
	aslash, bslash := strings.HasSuffix(apath, "/"), strings.HasPrefix(bpath, "/")
	switch {
	case aslash && bslash:
		return a.Path + b.Path[1:], apath + bpath[1:]
	case !aslash && !bslash:
		return a.Path + "/" + b.Path, apath + "/" + bpath
	}
	return a.Path + b.Path, apath + bpath
}

func singleJoiningSlash(a, b string) string {
	aslash, bslash := strings.HasSuffix(a, "/"), strings.HasPrefix(b, "/")
	switch {
	case aslash && bslash:
		return a + b[1:]
	case !aslash && !bslash:
		return a + "/" + b
	}
	return a + b
}

// respond writes the upstream's (or the cassette's) answer to the client:
// headers without hop-by-hop ones, the trailers announced, the body (each
// write flushed when its length is unknown, so that a stream streams),
// then the trailers. A body that fails part-way aborts the connection, as
// ReverseProxy does, so that the client sees it cut rather than whole.
func (p *Proxy) respond(w http.ResponseWriter, resp *http.Response) {
	removeHopHeaders(resp.Header)
	h := w.Header()
	for k, vv := range resp.Header {
		h[k] = append(h[k], vv...)
	}
	announced := len(resp.Trailer)
	if announced > 0 {
		names := make([]string, 0, announced)
		for k := range resp.Trailer {
			names = append(names, k)
		}
		h.Add("Trailer", strings.Join(names, ", "))
	}
	w.WriteHeader(resp.StatusCode)
	var err error
	if resp.ContentLength == -1 {
		err = copyFlushing(w, resp.Body, p.rec.buffers)
	} else {
		buf := p.rec.buffers.Get()
		_, err = io.CopyBuffer(w, resp.Body, buf)
		p.rec.buffers.Put(buf)
	}
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if len(resp.Trailer) == announced {
		for k, vv := range resp.Trailer {
			h[k] = append(h[k], vv...)
		}
		return
	}
	for k, vv := range resp.Trailer {
		h[http.TrailerPrefix+k] = append(h[http.TrailerPrefix+k], vv...)
	}
}

// copyFlushing copies src to w, flushing after each write.
func copyFlushing(w http.ResponseWriter, src io.Reader, buffers *bufferPool) error {
	rc := http.NewResponseController(w)
	buf := buffers.Get()
	defer buffers.Put(buf)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			rc.Flush()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
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
