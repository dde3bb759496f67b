package recorder_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
)

// newRequest is a request as an SDK sends one: a body, when given, is
// form-encoded unless it starts like a JSON object.
func newRequest(method, target, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	Expect(err).NotTo(HaveOccurred())
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	return req
}

// get sends a request with an SDK-like key and returns status and body.
func get(client *http.Client, method, target, body string) (int, string, http.Header) {
	req := newRequest(method, target, body)
	req.Header.Set("Authorization", "Bearer "+randomKey("sk_test_"))
	req.Header.Set("Idempotency-Key", randomKey("idem_"))
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, string(out), resp.Header
}

var _ = Describe("the recording proxy", func() {
	var dir, file string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		file = filepath.Join(dir, "roundtrip.yaml")
	})

	It("records through a real upstream on loopback and replays the same answers from the cassette", func() {
		upstream := startStripeLike()
		var captures []recorder.Capture
		var mu sync.Mutex
		rec, err := recorder.New(file, recorder.WithCaptureHandler(func(c recorder.Capture) {
			mu.Lock()
			captures = append(captures, c)
			mu.Unlock()
		}))
		Expect(err).NotTo(HaveOccurred())
		proxy, err := recorder.NewProxy(upstream.URL, rec)
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(proxy)
		DeferCleanup(front.Close)

		type exchange struct {
			method, path, body string
			status             int
			reply              string
		}
		exchanges := []*exchange{
			{method: "GET", path: "/v1/invoice_payments/inpay_1?expand[]=invoice&expand[]=payment.payment_intent"},
			{method: "GET", path: "/v1/invoice_payments?invoice=in_1&status=paid&payment[type]=payment_intent"},
			{method: "POST", path: "/v1/invoices/in_1/pay", body: "paid_out_of_band=true&metadata[order]=42"},
			{method: "GET", path: "/v1/nowhere"},
		}
		client := &http.Client{Timeout: 10 * time.Second}
		for _, x := range exchanges {
			x.status, x.reply, _ = get(client, x.method, front.URL+x.path, x.body)
		}
		Expect(exchanges[0].status).To(Equal(200))
		Expect(exchanges[3].status).To(Equal(404))
		Expect(rec.Stop()).To(Succeed())
		Expect(upstream.requests.Load()).To(BeEquivalentTo(4))

		By("validating each JSON response as it was captured, numbered as in the cassette")
		Expect(captures).To(HaveLen(4))
		for _, c := range captures {
			Expect(c.Pointer).To(Equal(fmt.Sprintf("/interactions/%d/response/body", c.Interaction)))
			Expect(c.Result.Valid()).To(BeTrue(), "%s: %v", c.URL, c.Result.Violations)
		}

		By("replaying with parameters in another order, arrays indexed as stripe-go writes them, and fresh keys")
		srv, err := recorder.NewServer(os.DirFS(dir))
		Expect(err).NotTo(HaveOccurred())
		replay := httptest.NewServer(srv)
		DeferCleanup(replay.Close)
		requests := upstream.requests.Load()
		reordered := []string{
			"/v1/invoice_payments/inpay_1?expand%5B0%5D=payment.payment_intent&expand%5B1%5D=invoice",
			"/v1/invoice_payments?payment%5Btype%5D=payment_intent&status=paid&invoice=in_1",
			"/v1/invoices/in_1/pay",
			"/v1/nowhere",
		}
		bodies := []string{"", "", "metadata%5Border%5D=42&paid_out_of_band=true", ""}
		for k, x := range exchanges {
			status, reply, h := get(client, x.method, replay.URL+reordered[k], bodies[k])
			Expect(status).To(Equal(x.status))
			Expect(reply).To(Equal(x.reply))
			Expect(h.Get(recorder.ReplayedFromHeader)).To(Equal(fmt.Sprintf("roundtrip.yaml#/interactions/%d", k)))
		}
		Expect(upstream.requests.Load()).To(Equal(requests), "replay never reaches the upstream")

		By("reading the cassette back as validate does, body by body")
		f, err := os.Open(file)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		var prefixes []string
		Expect(pipeline.ReadCassette(file, f, 1<<20, func(d pipeline.Document) error {
			prefixes = append(prefixes, d.Prefix)
			Expect(d.Line).To(BeNumerically(">", 0))
			return nil
		})).To(Succeed())
		Expect(prefixes).To(Equal([]string{"/interactions/0/response/body", "/interactions/1/response/body", "/interactions/2/response/body", "/interactions/3/response/body"}))
	})

	It("records concurrent requests from Go callers and SDKs at once, each under its own index", func() {
		upstream := startStripeLike()
		var mu sync.Mutex
		seen := map[int]string{}
		rec, err := recorder.New(file, recorder.WithCaptureHandler(func(c recorder.Capture) {
			mu.Lock()
			defer mu.Unlock()
			Expect(seen).NotTo(HaveKey(c.Interaction))
			seen[c.Interaction] = c.URL
		}))
		Expect(err).NotTo(HaveOccurred())
		proxy, err := recorder.NewProxy(upstream.URL, rec)
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(proxy)
		DeferCleanup(front.Close)

		const workers, each = 16, 25
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				viaProxy := w%2 == 0
				for k := range each {
					id := fmt.Sprintf("inpay_w%dk%d", w, k)
					var resp *http.Response
					var err error
					if viaProxy {
						resp, err = http.Get(front.URL + "/v1/invoice_payments/" + id)
					} else {
						resp, err = rec.Client().Get(upstream.URL + "/v1/invoice_payments/" + id)
					}
					Expect(err).NotTo(HaveOccurred())
					var got map[string]any
					Expect(json.NewDecoder(resp.Body).Decode(&got)).To(Succeed())
					resp.Body.Close()
					Expect(got["id"]).To(Equal(id))
				}
			}()
		}
		wg.Wait()
		Expect(rec.Stop()).To(Succeed())

		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(workers * each))
		Expect(seen).To(HaveLen(workers * each))
		for n, i := range c.Interactions {
			Expect(i.ID).To(Equal(n))
			u, _ := url.Parse(i.Request.URL)
			id := strings.TrimPrefix(u.Path, "/v1/invoice_payments/")
			Expect(i.Response.Body).To(ContainSubstring(`"id": "`+id+`"`), "interaction %d holds its own response", n)
			Expect(seen[n]).To(Equal(u.Path), "the capture numbered %d is the interaction saved at %d", n, n)
		}
	})

	DescribeTable("an upstream without a scheme is refused with the URL it probably means",
		func(raw, want string) {
			_, err := recorder.ParseUpstream(raw)
			Expect(err).To(MatchError(fmt.Sprintf("upstream %q: want an http:// or https:// URL with a host, such as https://api.stripe.com or http://127.0.0.1:12111 (did you mean %s?)", raw, want)))
		},
		Entry("a loopback address and port", "127.0.0.1:12111", "http://127.0.0.1:12111"),
		Entry("localhost and a port (which url.Parse reads as a scheme)", "localhost:12111", "http://localhost:12111"),
		Entry("an IPv6 loopback address", "[::1]:12111", "http://[::1]:12111"),
		Entry("a public host", "api.stripe.com", "https://api.stripe.com"),
		Entry("a public host with a path", "api.stripe.com/v1", "https://api.stripe.com/v1"),
	)

	It("refuses a scheme it does not speak, or no host, without guessing", func() {
		for _, raw := range []string{"ftp://api.stripe.com", "http://", "", "://x"} {
			_, err := recorder.ParseUpstream(raw)
			Expect(err).To(HaveOccurred(), raw)
			Expect(err.Error()).NotTo(ContainSubstring("did you mean"), raw)
		}
	})

	It("validates off the response's way: a slow capture handler delays no answer, and has every capture, in order, when Stop returns", func() {
		upstream := startStripeLike()
		var mu sync.Mutex
		var seen []int
		rec, err := recorder.New(file, recorder.WithCaptureHandler(func(c recorder.Capture) {
			time.Sleep(200 * time.Millisecond)
			mu.Lock()
			seen = append(seen, c.Interaction)
			mu.Unlock()
		}))
		Expect(err).NotTo(HaveOccurred())
		proxy, err := recorder.NewProxy(upstream.URL, rec)
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(proxy)
		DeferCleanup(front.Close)
		began := time.Now()
		for k := range 5 {
			status, _, _ := get(http.DefaultClient, "GET", fmt.Sprintf("%s/v1/invoice_payments/inpay_%d", front.URL, k), "")
			Expect(status).To(Equal(200))
		}
		Expect(time.Since(began)).To(BeNumerically("<", 5*200*time.Millisecond), "no answer waited for its validation")
		Expect(rec.Stop()).To(Succeed())
		Expect(seen).To(Equal([]int{0, 1, 2, 3, 4}))
	})

	It("refuses an upstream that is not an http(s) URL with a host, or carries credentials", func() {
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		for _, bad := range []string{"", "api.stripe.com", "ftp://api.stripe.com", "http://", "https://sk:key@api.stripe.com"} {
			_, err := recorder.NewProxy(bad, rec)
			Expect(err).To(HaveOccurred(), bad)
			Expect(err.Error()).To(HavePrefix(fmt.Sprintf("upstream %q", strings.Replace(bad, "sk:key", "sk:xxxxx", 1))))
		}
	})
})

// faultCase starts an upstream that misbehaves one way and returns its URL.
type faultCase func() string

// rawUpstream accepts connections on loopback and hands each, with its
// request read, to serve.
func rawUpstream(serve func(c net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(ln.Close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				http.ReadRequest(bufio.NewReader(c))
				serve(c)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

const faultTimeout = 700 * time.Millisecond

var _ = DescribeTable("an upstream fault reaches the client as what it is, within the timeout, and is not recorded",
	func(start faultCase, status int, fault recorder.Fault, message string) {
		file := filepath.Join(GinkgoT().TempDir(), "faults.yaml")
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		var faults []*recorder.UpstreamError
		var mu sync.Mutex
		proxy, err := recorder.NewProxy(start(), rec, recorder.WithTimeout(faultTimeout), recorder.WithFaultHandler(func(e *recorder.UpstreamError) {
			mu.Lock()
			faults = append(faults, e)
			mu.Unlock()
		}))
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(proxy)
		DeferCleanup(front.Close)

		began := time.Now()
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(front.URL + "/v1/invoice_payments/inpay_1")
		Expect(err).NotTo(HaveOccurred(), "the proxy answers; it does not hang up or hang")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(time.Since(began)).To(BeNumerically("<", faultTimeout+2*time.Second))
		Expect(resp.StatusCode).To(Equal(status))
		Expect(resp.Header.Get(recorder.FaultHeader)).To(Equal(string(fault)))
		Expect(string(body)).To(MatchRegexp(message))
		if fault != "" {
			var envelope struct {
				Error struct{ Type, Message string }
			}
			Expect(json.Unmarshal(body, &envelope)).To(Succeed())
			Expect(envelope.Error.Type).To(Equal("api_error"))
			Expect(faults).To(HaveLen(1))
			Expect(faults[0].Fault).To(Equal(fault))
		}

		Expect(rec.Stop()).To(Succeed())
		if fault != "" {
			Expect(file).NotTo(BeAnExistingFile(), "nothing recorded, nothing written")
		} else {
			c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Interactions).To(HaveLen(1))
			Expect(c.Interactions[0].Response.Code).To(Equal(status))
		}
	},
	Entry("refused: nothing listens, 502",
		faultCase(func() string {
			ln, _ := net.Listen("tcp", "127.0.0.1:0")
			addr := ln.Addr().String()
			ln.Close()
			return "http://" + addr
		}),
		502, recorder.FaultRefused, `refused the connection`),
	Entry("reset: the upstream resets the connection, 502",
		faultCase(func() string {
			return rawUpstream(func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) })
		}),
		502, recorder.FaultReset, `reset or closed the connection before responding`),
	Entry("closed: the upstream closes without a response, 502",
		faultCase(func() string { return rawUpstream(func(c net.Conn) {}) }),
		502, recorder.FaultReset, `reset or closed the connection before responding`),
	Entry("timeout: no response within the timeout, 504",
		faultCase(func() string {
			return rawUpstream(func(c net.Conn) { time.Sleep(faultTimeout + time.Second) })
		}),
		504, recorder.FaultTimeout, `sent no response within 700ms`),
	Entry("slow body: headers, a few bytes, then a stall past the timeout, 504",
		faultCase(func() string {
			return rawUpstream(func(c net.Conn) {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"id\": \"inpay_1\",")
				time.Sleep(faultTimeout + time.Second)
			})
		}),
		504, recorder.FaultBodyTimeout, `response body stalled after 17 bytes and did not finish within 700ms`),
	Entry("body cut: the connection closes in the middle of the body, 502",
		faultCase(func() string {
			return rawUpstream(func(c net.Conn) {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"id\": \"inpay_1\",")
			})
		}),
		502, recorder.FaultBodyCut, `broke the connection after 17 bytes of the response body`),
	Entry("5xx: an upstream error is passed through as it came, and recorded",
		faultCase(func() string {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(503)
				io.WriteString(w, `{"error":{"type":"api_error","message":"Stripe is temporarily unavailable"}}`)
			}))
			DeferCleanup(s.Close)
			return s.URL
		}),
		503, recorder.Fault(""), `^\{"error":\{"type":"api_error","message":"Stripe is temporarily unavailable"\}\}$`),
)

// countingUpstream answers with how much of the request reached it: the
// pairs of its query and of its body, counted without Go's form limits.
func countingUpstream() string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		pairs := func(s string) int {
			if s == "" {
				return 0
			}
			return strings.Count(s, "&") + 1
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"query_pairs": %d, "body_pairs": %d, "body_bytes": %d}`, pairs(r.URL.RawQuery), pairs(string(body)), len(body))
	}))
	DeferCleanup(s.Close)
	return s.URL
}

var _ = Describe("big requests through the proxy", func() {
	manyPairs := func(n int) string {
		var b strings.Builder
		for k := range n {
			if k > 0 {
				b.WriteByte('&')
			}
			fmt.Fprintf(&b, "metadata[k%d]=%d", k, k)
		}
		return b.String()
	}

	DescribeTable("are forwarded whole and recorded, their form too, past Go's form limits",
		func(query, body string, queryPairs, bodyPairs int) {
			skipUnderRace()
			file := filepath.Join(GinkgoT().TempDir(), "big.yaml")
			rec, err := recorder.New(file)
			Expect(err).NotTo(HaveOccurred())
			proxy, err := recorder.NewProxy(countingUpstream(), rec)
			Expect(err).NotTo(HaveOccurred())
			front := httptest.NewServer(proxy)
			DeferCleanup(front.Close)

			status, reply, _ := get(&http.Client{Timeout: time.Minute}, "POST", front.URL+"/v1/customers/cus_1?"+query, body)
			Expect(status).To(Equal(200), reply)
			Expect(reply).To(MatchJSON(fmt.Sprintf(`{"query_pairs": %d, "body_pairs": %d, "body_bytes": %d}`, queryPairs, bodyPairs, len(body))))
			Expect(rec.Stop()).To(Succeed())
			c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Interactions).To(HaveLen(1))
			i := c.Interactions[0]
			Expect(i.Request.Body).To(Equal(body))
			Expect(i.Request.Form).To(HaveLen(queryPairs+bodyPairs), "every pair, each key distinct")
		},
		Entry("a form body of 10,001 parameters", "expand[]=x", manyPairs(10_001), 1, 10_001),
		Entry("a form body over 10 MB", "expand[]=x", "description="+strings.Repeat("x", 11<<20), 1, 1),
		Entry("a query of 10,001 parameters", manyPairs(10_001), "description=x", 10_001, 1),
	)
})

// limitCase is a request to a proxy limited to 1 KiB of body, and the
// upstream it reaches.
type limitCase func() (upstream http.HandlerFunc, method, body string, chunked bool)

var _ = DescribeTable("a body over the size limit is a body-too-large fault, answered at once, not recorded",
	func(start limitCase, status int, client bool, envelope string) {
		handler, method, body, chunked := start()
		var reached atomic.Int64
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached.Add(1)
			handler(w, r)
		}))
		DeferCleanup(upstream.Close)
		file := filepath.Join(GinkgoT().TempDir(), "limit.yaml")
		rec, err := recorder.New(file, recorder.WithMaxBodySize(1024))
		Expect(err).NotTo(HaveOccurred())
		var faults []*recorder.UpstreamError
		var mu sync.Mutex
		proxy, err := recorder.NewProxy(upstream.URL, rec, recorder.WithFaultHandler(func(e *recorder.UpstreamError) {
			mu.Lock()
			faults = append(faults, e)
			mu.Unlock()
		}))
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(proxy)
		DeferCleanup(front.Close)

		var rd io.Reader = strings.NewReader(body)
		if chunked {
			rd = io.MultiReader(rd) // no length known: sent chunked
		}
		req, _ := http.NewRequest(method, front.URL+"/v1/files", rd)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		Expect(err).NotTo(HaveOccurred())
		reply, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(status), string(reply))
		Expect(rec.Stop()).To(Succeed())
		if status == 200 {
			Expect(faults).To(BeEmpty())
			c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Interactions).To(HaveLen(1))
			return
		}
		Expect(resp.Header.Get(recorder.FaultHeader)).To(Equal("body-too-large"))
		var e struct {
			Error struct{ Type, Message string }
		}
		Expect(json.Unmarshal(reply, &e)).To(Succeed())
		Expect(e.Error.Type).To(Equal(envelope))
		Expect(e.Error.Message).To(ContainSubstring("over the 1 KiB limit"))
		Expect(faults).To(HaveLen(1))
		Expect(faults[0].Fault).To(Equal(recorder.FaultBodyTooLarge))
		Expect(faults[0].Client).To(Equal(client))
		Expect(faults[0].Limit).To(BeEquivalentTo(1024))
		if client {
			Expect(reached.Load()).To(BeZero(), "nothing is sent upstream")
		}
		Expect(file).NotTo(BeAnExistingFile(), "nothing is recorded")
	},
	Entry("a request body of 1 KiB and one byte, its length declared: 413",
		limitCase(func() (http.HandlerFunc, string, string, bool) {
			return func(w http.ResponseWriter, r *http.Request) {}, "POST", strings.Repeat("a", 1025), false
		}), 413, true, "invalid_request_error"),
	Entry("a chunked request body over 1 KiB: 413",
		limitCase(func() (http.HandlerFunc, string, string, bool) {
			return func(w http.ResponseWriter, r *http.Request) {}, "POST", strings.Repeat("a", 4096), true
		}), 413, true, "invalid_request_error"),
	Entry("a response body over 1 KiB, its length declared: 502",
		limitCase(func() (http.HandlerFunc, string, string, bool) {
			return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("b", 1025))) }, "GET", "", false
		}), 502, false, "api_error"),
	Entry("a streamed response body over 1 KiB: 502",
		limitCase(func() (http.HandlerFunc, string, string, bool) {
			return func(w http.ResponseWriter, r *http.Request) {
				for range 8 {
					w.Write([]byte(strings.Repeat("b", 512)))
					w.(http.Flusher).Flush()
				}
			}, "GET", "", false
		}), 502, false, "api_error"),
	Entry("bodies of exactly 1 KiB each way: recorded",
		limitCase(func() (http.HandlerFunc, string, string, bool) {
			return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("b", 1024))) }, "POST", strings.Repeat("a", 1024), true
		}), 200, false, ""),
)

var _ = Describe("a fault of the client's", func() {
	var file string
	var faults chan *recorder.UpstreamError
	var upstream *stripeLike
	startProxy := func(timeout time.Duration) string {
		upstream = startStripeLike()
		file = filepath.Join(GinkgoT().TempDir(), "client.yaml")
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rec.Stop)
		faults = make(chan *recorder.UpstreamError, 4)
		proxy, err := recorder.NewProxy(upstream.URL, rec, recorder.WithTimeout(timeout), recorder.WithFaultHandler(func(e *recorder.UpstreamError) { faults <- e }))
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(proxy) // no server timeouts: the proxy bounds the body itself
		DeferCleanup(front.Close)
		return strings.TrimPrefix(front.URL, "http://")
	}
	post := func(addr string, declared int) net.Conn {
		c, err := net.Dial("tcp", addr)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { c.Close() })
		fmt.Fprintf(c, "POST /v1/invoices/in_1/pay HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\npaid_out_of_band=true", addr, declared)
		return c
	}

	It("is named as the client's when the client leaves in the middle of its body", func() {
		c := post(startProxy(faultTimeout), 100)
		c.Close()
		var f *recorder.UpstreamError
		Eventually(faults, 5*time.Second).Should(Receive(&f))
		Expect(f.Fault).To(Equal(recorder.FaultClientBodyCut))
		Expect(f.Client).To(BeTrue())
		Expect(f.Received).To(BeEquivalentTo(len("paid_out_of_band=true")))
		Expect(f.Error()).To(ContainSubstring("the client's request body broke off after 21 bytes"))
		Expect(upstream.requests.Load()).To(BeZero())
	})

	It("is answered 408 within the timeout when the client's body stalls", func() {
		c := post(startProxy(faultTimeout), 100)
		began := time.Now()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		Expect(err).NotTo(HaveOccurred(), "the proxy answers")
		Expect(time.Since(began)).To(BeNumerically("<", faultTimeout+2*time.Second))
		Expect(resp.StatusCode).To(Equal(http.StatusRequestTimeout))
		Expect(resp.Header.Get(recorder.FaultHeader)).To(Equal(string(recorder.FaultClientBodyTimeout)))
		body, _ := io.ReadAll(resp.Body)
		Expect(string(body)).To(ContainSubstring("the client's request body stalled after 21 bytes and did not finish within 700ms"))
		var f *recorder.UpstreamError
		Expect(faults).To(Receive(&f))
		Expect(f.Client).To(BeTrue())
		Expect(upstream.requests.Load()).To(BeZero())
	})

	It("is named as the client's when the client leaves before the answer", func() {
		addr := startProxy(5 * time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/v1/invoice_payments/inpay_1", nil)
		upstream.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel() // the client gives up while the upstream works
			time.Sleep(300 * time.Millisecond)
		})
		_, err := http.DefaultClient.Do(req)
		Expect(err).To(HaveOccurred())
		var f *recorder.UpstreamError
		Eventually(faults, 5*time.Second).Should(Receive(&f))
		Expect(f.Fault).To(Equal(recorder.FaultCanceled))
		Expect(f.Client).To(BeTrue())
	})
})
