package recorder_test

import (
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// BenchmarkSaveFormUploads measures what saving costs for large form
// bodies: three uploads of 5.6 MB of base64 each, percent-encoded as a form
// sends it (18 MB of bodies, held again in each form), through
// WriteCassette's redaction, secret check and write. peak-MB is the
// largest heap during a save, sampled by a goroutine (samplePeak); B/op is what
// the save allocates in all.
//
//	go test ./recorder -run '^$' -bench SaveFormUploads -benchmem -benchtime 1x
//
// Measured on the development machine (2 shared cores, load average 6-10
// from other sessions, Go 1.26), two runs each, alternating with the code
// before (which allocated a brotli window for each base64 token it tried
// as brotli, grew every buffer of a scan afresh, and decompressed with
// io.ReadAll):
//
//	before: 20.0 s/op, peak 422-512 MB, 6.03 GB/op, 5.2M allocs/op
//	after:  10.9-13.3 s/op, peak 255 MB, 0.87-0.93 GB/op, 3.2M allocs/op
func BenchmarkSaveFormUploads(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	raw := make([]byte, 4<<20)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	body := "purpose=dispute_evidence&file=" + url.QueryEscape(b64)
	var interactions []*cassette.Interaction
	for range 3 {
		i := &cassette.Interaction{}
		i.Request.Method = http.MethodPost
		i.Request.URL = "https://api.stripe.com/v1/files"
		i.Request.Body = body
		i.Request.Headers = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		i.Request.Form, _ = url.ParseQuery(body)
		i.Response.Code = 200
		i.Response.Body = `{"id":"file_1","object":"file"}`
		interactions = append(interactions, i)
	}
	file := filepath.Join(b.TempDir(), "uploads.yaml")
	b.SetBytes(int64(3 * len(body)))
	var peak uint64
	for b.Loop() {
		runtime.GC()
		done := make(chan uint64)
		stop := make(chan struct{})
		go func() { done <- samplePeak(stop) }()
		if err := recorder.WriteCassette(file, interactions); err != nil {
			b.Fatal(err)
		}
		close(stop)
		peak = max(peak, <-done)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}

// samplePeak returns the largest heap seen until stop closes: the bytes
// of heap objects, live or not yet collected, read every millisecond
// through runtime/metrics, which does not stop the world as
// runtime.ReadMemStats does.
func samplePeak(stop chan struct{}) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}
