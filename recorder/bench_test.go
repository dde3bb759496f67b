package recorder_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// BenchmarkProxyLatency measures what the recording proxy adds to a
// request on loopback: each iteration sends the same retrieve once straight
// to the upstream and once through the proxy, alternating, so that noise
// from a shared machine falls on both alike, and reports the p50 and p99 of
// each. "record" is the proxy as stripe-contract record runs it (recording,
// validating every response); "passthrough" forwards without recording.
//
//	go test ./recorder -run '^$' -bench ProxyLatency -benchtime 2000x
//
// Measured on the development machine (2 shared cores, load average 2-5
// from other sessions, Go 1.26), 2,000 requests each way, six runs, each
// alternating with a run of the code before (which forwarded through
// httputil.ReverseProxy, set and lifted a read deadline on every request
// and deep-copied each request in the fault transport); "added" is the
// proxy's p99 less the direct p99 of the same run:
//
//	record, before: added p99 0.50-1.07ms (median 0.71), under 1ms in 5 of 6 runs
//	record, after:  added p99 0.44-1.10ms (median 0.50), under 1ms in 5 of 6 runs
//	passthrough, before: 0.32-1.28ms; after: 0.32-0.86ms
//
// Half of what is left is the collector's: the same code with GOGC=off,
// alternating with GOGC=100, four runs each: added p99 0.23-0.42ms against
// 0.48-0.70ms. With GOGC=400, as the record command runs (see its main),
// the previous session measured 0.27-0.44ms.
func BenchmarkProxyLatency(b *testing.B) {
	for _, mode := range []recorder.Mode{recorder.ModeRecord, recorder.ModePassthrough} {
		b.Run(mode.String(), func(b *testing.B) { benchProxy(b, mode) })
	}
}

func benchProxy(b *testing.B, mode recorder.Mode) {
	payload, _ := json.MarshalIndent(invoicePayment("inpay_1Bench"), "", "  ")
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(payload)
	}))
	defer upstream.Close()
	rec, err := recorder.New(filepath.Join(b.TempDir(), "bench.yaml"), recorder.WithMode(mode),
		recorder.WithCaptureHandler(func(recorder.Capture) {}))
	if err != nil {
		b.Fatal(err)
	}
	proxy, err := recorder.NewProxy(upstream.URL, rec)
	if err != nil {
		b.Fatal(err)
	}
	front := httptest.NewServer(proxy)
	defer front.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer client.CloseIdleConnections()

	const target = "/v1/invoice_payments/inpay_1Bench?expand[]=invoice"
	once := func(base string) time.Duration {
		start := time.Now()
		resp, err := client.Get(base + target)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	for range 50 { // warm connections and caches on both paths
		once(upstream.URL)
		once(front.URL)
	}
	direct := make([]time.Duration, 0, b.N)
	viaProxy := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		direct = append(direct, once(upstream.URL))
		viaProxy = append(viaProxy, once(front.URL))
	}
	b.StopTimer()
	report := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), name+"-p50-µs")
		b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), name+"-p99-µs")
	}
	report("direct", direct)
	report("proxy", viaProxy)
	if err := rec.Stop(); err != nil {
		b.Fatal(err)
	}
}
