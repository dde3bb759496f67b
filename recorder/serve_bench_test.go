package recorder_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// BenchmarkServe measures the replay server over real loopback HTTP, in
// one run, so that the figures compare:
//
//	go test ./recorder -run '^$' -bench Serve
//
// hits/interactions=1 and hits/interactions=2000 send retrieves that the
// cassette answers, one after another on one keep-alive connection, and
// report req/s: with the interactions indexed by method and path, the
// 2,000-interaction cassette should serve within 20% of the 1-interaction
// one. latency/alone and latency/with-misses time hits on a set of 35,000
// interactions, without and then with two goroutines sending misses all the
// while (each one a nearest-recording search), and report the hits' p50 and
// p99: the search runs outside any lock, bounded, so misses must not stall
// hits beyond the CPU they take.
//
// Baseline, before interactions were indexed (2 shared cores, load average
// ~10 from other work, Go 1.26, -benchtime 2s):
//
//	hits/interactions=1     21.9k req/s
//	hits/interactions=2000   2.7k req/s (0.12 of the above: every request scanned every interaction)
//	latency/alone           hit p50 3.5 ms, p99 24 ms
//	latency/with-misses     hit p50 162 ms, p99 278 ms; 12.5 misses/s, 165 ms each (one lock held through the search)
//
// The same before and after, back to back on the machine at rest (load
// average under 1):
//
//	                         before               after (indexed, search unlocked and bounded)
//	hits/interactions=1      25.2k req/s          28.9k req/s
//	hits/interactions=2000    2.9k req/s (0.11)   26.9k req/s (0.93 of 1 interaction)
//	latency/alone            p50 2.7 ms, p99 11 ms        p50 30 µs, p99 191 µs
//	latency/with-misses      p50 96 ms, p99 135 ms;       p50 80 µs, p99 1.1 ms;
//	                         21 misses/s at 98 ms         9,600 misses/s at 211 µs (two goroutines on two cores)
func BenchmarkServe(b *testing.B) {
	for _, n := range []int{1, 2000} {
		front := serveSet(b, n)
		b.Run(fmt.Sprintf("hits/interactions=%d", n), func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
			defer client.CloseIdleConnections()
			for k := range min(n, 200) { // warm
				hit(b, client, front.URL, k%n)
			}
			b.ResetTimer()
			start := time.Now()
			for k := range b.N {
				hit(b, client, front.URL, k%n)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
	const large = 35_000
	front := serveSet(b, large)
	for _, misses := range []bool{false, true} {
		name := "latency/alone"
		if misses {
			name = "latency/with-misses"
		}
		b.Run(name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			defer client.CloseIdleConnections()
			var stop atomic.Bool
			var wg sync.WaitGroup
			var missed atomic.Int64
			var missTime atomic.Int64
			if misses {
				for g := range 2 {
					wg.Go(func() {
						mc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
						defer mc.CloseIdleConnections()
						for k := g; !stop.Load(); k += 2 {
							// A query no recording has, on a recorded path, and
							// a path no recording has: nearest searches of both
							// kinds.
							target := fmt.Sprintf("/v1/invoice_payments/%s?expand[]=nothing%d", benchID(k%large), k)
							if k%2 == 1 {
								target = fmt.Sprintf("/v1/customers/cus_%d", k)
							}
							t := time.Now()
							resp, err := mc.Get(front.URL + target)
							if err != nil {
								continue
							}
							io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							missTime.Add(int64(time.Since(t)))
							missed.Add(1)
						}
					})
				}
				time.Sleep(50 * time.Millisecond) // misses under way before the first hit
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			start := time.Now()
			for k := range b.N {
				t := time.Now()
				hit(b, client, front.URL, (k*7919)%large)
				lat = append(lat, time.Since(t))
			}
			elapsed := time.Since(start)
			b.StopTimer()
			stop.Store(true)
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "hit-p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "hit-p99-µs")
			if n := missed.Load(); n > 0 {
				b.ReportMetric(float64(n)/elapsed.Seconds(), "misses/s")
				b.ReportMetric(float64(missTime.Load()/n)/1e3, "miss-mean-µs")
			}
		})
	}
}

func benchID(k int) string { return fmt.Sprintf("inpay_1QBench%08d", k) }

// serveSet writes a cassette of n retrieves of distinct invoice payments
// and serves it on loopback.
func serveSet(b *testing.B, n int) *httptest.Server {
	b.Helper()
	dir := b.TempDir()
	c := &cassette.Cassette{Version: cassette.CassetteFormatVersion}
	for k := range n {
		body := fmt.Sprintf(`{"id":%q,"object":"invoice_payment","status":"paid"}`, benchID(k))
		c.Interactions = append(c.Interactions, &cassette.Interaction{
			ID: k,
			Request: cassette.Request{Method: "GET", URL: "https://api.stripe.com/v1/invoice_payments/" + benchID(k) + "?expand[]=invoice",
				Headers: http.Header{"Authorization": {"Bearer " + recorder.Redacted}}},
			Response: cassette.Response{Code: 200, Status: "200 OK", Body: body,
				Headers: http.Header{"Content-Type": {"application/json"}}},
		})
	}
	data, err := yaml.Marshal(c)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.yaml"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	srv, err := recorder.NewServer(os.DirFS(dir))
	if err != nil {
		b.Fatal(err)
	}
	front := httptest.NewServer(srv)
	b.Cleanup(front.Close)
	return front
}

func hit(b *testing.B, client *http.Client, base string, k int) {
	req, _ := http.NewRequest("GET", base+"/v1/invoice_payments/"+benchID(k)+"?expand[]=invoice", nil)
	req.Header.Set("Authorization", "Bearer sk_test_bench")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d for interaction %d", resp.StatusCode, k)
	}
}
