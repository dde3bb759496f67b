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
// Measured on the development machine (2 shared cores, load average ~1.9
// from other work, Go 1.26), 2,000 requests each way, six runs:
//
//	record:      direct p50 31-46µs, p99 178-258µs; proxy p50 149-223µs, p99 0.94-2.0ms
//	passthrough: direct p50 28-42µs, p99 215-436µs; proxy p50 74-111µs, p99 0.83-1.5ms
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
