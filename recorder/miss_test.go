package recorder_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"
)

var _ = Describe("a replay miss", func() {
	var dir, file string
	var upstream *stripeLike

	// A cassette of three requests, recorded from a real upstream.
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		file = filepath.Join(dir, "retrieve.yaml")
		upstream = startStripeLike()
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		for _, target := range []string{
			"/v1/invoice_payments/inpay_1?expand[]=invoice",
			"/v1/invoice_payments?invoice=in_1&status=paid",
			"/v1/invoice_payments/inpay_2",
		} {
			get(rec.Client(), "GET", upstream.URL+target, "")
		}
		Expect(rec.Stop()).To(Succeed())
	})

	Context("in a Recorder replaying for Go callers", func() {
		It("is a *MissError naming the nearest recording and what differs", func() {
			rec, err := recorder.New(file, recorder.WithMode(recorder.ModeReplayOnly))
			Expect(err).NotTo(HaveOccurred())
			_, err = rec.RoundTrip(sent("GET", "/v1/invoice_payments/inpay_1?expand[]=payment.payment_intent", ""))
			Expect(err).To(MatchError(&recorder.MissError{
				Method: "GET", URL: "/v1/invoice_payments/inpay_1?expand[]=payment.payment_intent",
				Nearest: &recorder.Nearest{
					Cassette: file, Interaction: 0, Method: "GET", URL: "/v1/invoice_payments/inpay_1?expand[]=invoice",
					Differences: []recorder.Difference{{Part: "query", Recorded: "expand[]=invoice", Sent: "expand[]=payment.payment_intent"}},
				},
			}))
			Expect(err.Error()).To(Equal("no recorded interaction matches GET /v1/invoice_payments/inpay_1?expand[]=payment.payment_intent; " +
				"nearest is interaction 0 of " + file + " (GET /v1/invoice_payments/inpay_1?expand[]=invoice): " +
				"query: recorded expand[]=invoice, sent expand[]=payment.payment_intent"))
			Expect(errors.Is(err, cassette.ErrInteractionNotFound)).To(BeTrue(), "go-vcr callers can still test for a miss")
		})

		It("says a matching recording was already replayed, through *http.Client too", func() {
			rec, err := recorder.New(file, recorder.WithMode(recorder.ModeReplayOnly))
			Expect(err).NotTo(HaveOccurred())
			client := rec.Client()
			resp, err := client.Get(upstream.URL + "/v1/invoice_payments/inpay_2")
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			_, err = client.Get(upstream.URL + "/v1/invoice_payments/inpay_2")
			var miss *recorder.MissError
			Expect(errors.As(err, &miss)).To(BeTrue())
			Expect(miss.Nearest).To(Equal(&recorder.Nearest{Cassette: file, Interaction: 2, Method: "GET", URL: "/v1/invoice_payments/inpay_2", Replayed: true}))
			Expect(miss.Error()).To(HaveSuffix("interaction 2 of " + file + " (GET /v1/invoice_payments/inpay_2) matches but was already replayed, and each interaction plays once"))
		})

		It("replays a recording again with WithReplayable", func() {
			rec, err := recorder.New(file, recorder.WithMode(recorder.ModeReplayOnly), recorder.WithReplayable(true))
			Expect(err).NotTo(HaveOccurred())
			for range 3 {
				status, _, _ := get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_2", "")
				Expect(status).To(Equal(200))
			}
		})

		It("prefers a recording of the same resource over another path", func() {
			rec, err := recorder.New(file, recorder.WithMode(recorder.ModeReplayOnly))
			Expect(err).NotTo(HaveOccurred())
			_, err = rec.RoundTrip(sent("GET", "/v1/invoice_payments?invoice=in_1&status=open", ""))
			var miss *recorder.MissError
			Expect(errors.As(err, &miss)).To(BeTrue())
			Expect(miss.Nearest.Interaction).To(Equal(1))
			Expect(miss.Nearest.Differences).To(Equal([]recorder.Difference{{Part: "query", Recorded: "status=paid", Sent: "status=open"}}))
		})

		It("is an error naming the file when the cassette does not exist", func() {
			_, err := recorder.New(filepath.Join(dir, "absent.yaml"), recorder.WithMode(recorder.ModeReplayOnly))
			Expect(err).To(MatchError(cassette.ErrCassetteNotFound))
			Expect(err.Error()).To(ContainSubstring(filepath.Join(dir, "absent.yaml")))
		})
	})

	Context("in the replay server", func() {
		It("answers with an error envelope naming the nearest recording, and reports it", func() {
			var mu sync.Mutex
			var misses []*recorder.MissError
			srv, err := recorder.NewServer(os.DirFS(dir), recorder.WithMissHandler(func(_ *http.Request, m *recorder.MissError) {
				mu.Lock()
				misses = append(misses, m)
				mu.Unlock()
			}))
			Expect(err).NotTo(HaveOccurred())
			front := httptest.NewServer(srv)
			DeferCleanup(front.Close)

			resp, err := http.Get(front.URL + "/v1/invoice_payments?invoice=in_1&status=canceled")
			Expect(err).NotTo(HaveOccurred())
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(recorder.MissStatus))
			Expect(resp.Header.Get(recorder.MissHeader)).To(Equal("true"))
			var envelope map[string]map[string]any
			Expect(json.Unmarshal(body, &envelope)).To(Succeed())
			Expect(envelope).To(Equal(map[string]map[string]any{"error": {
				"type":        recorder.MissErrorType,
				"message":     "no recorded interaction matches GET /v1/invoice_payments?invoice=in_1&status=canceled; nearest is interaction 1 of retrieve.yaml (GET /v1/invoice_payments?invoice=in_1&status=paid): query: recorded status=paid, sent status=canceled",
				"nearest":     "retrieve.yaml#/interactions/1",
				"differences": []any{"query: recorded status=paid, sent status=canceled"},
			}}))
			Expect(misses).To(HaveLen(1))
			Expect(misses[0].Nearest.Cassette).To(Equal("retrieve.yaml"))

			resp, err = http.Get(front.URL + "/v1/customers/cus_1")
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(recorder.MissStatus), "no recording has this path: a miss all the same")
		})

		It("plays a request recorded twice in order, then repeats the last answer", func() {
			seqDir := GinkgoT().TempDir()
			c := cassette.New(filepath.Join(seqDir, "sequence"))
			for _, status := range []string{"open", "paid"} {
				c.AddInteraction(&cassette.Interaction{
					Request:  cassette.Request{Method: "GET", URL: "https://api.stripe.com/v1/invoice_payments/inpay_1"},
					Response: cassette.Response{Code: 200, Body: `{"status":"` + status + `"}`, Headers: http.Header{"Content-Type": {"application/json"}}},
				})
			}
			Expect(recorder.WriteCassette(c.File, c.Interactions)).To(Succeed())
			srv, err := recorder.NewServer(os.DirFS(seqDir))
			Expect(err).NotTo(HaveOccurred())
			var got []string
			for range 3 {
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, httptest.NewRequest("GET", "/v1/invoice_payments/inpay_1", nil))
				got = append(got, w.Body.String())
			}
			Expect(got).To(Equal([]string{`{"status":"open"}`, `{"status":"paid"}`, `{"status":"paid"}`}))
		})

		It("refuses a directory without cassettes, and a cassette it cannot read, naming it", func() {
			_, err := recorder.NewServer(os.DirFS(GinkgoT().TempDir()))
			Expect(err).To(MatchError("recorder: no cassettes (*.yaml files) found"))

			bad := GinkgoT().TempDir()
			Expect(os.WriteFile(filepath.Join(bad, "broken.yaml"), []byte("version: 2\ninteractions: [\n"), 0o644)).To(Succeed())
			_, err = recorder.NewServer(os.DirFS(bad))
			Expect(err).To(MatchError(stripecassette.ErrNotCassette))
			Expect(err.Error()).To(MatchRegexp(`^recorder: cassette broken.yaml: not a go-vcr cassette: .* at L3\.C1: did not find expected node content$`))
		})
	})
})

var _ = Describe("a replay miss of a request carrying credentials", func() {
	It("quotes none of them, in the answer or the error, whatever headers are matched", func() {
		dir := GinkgoT().TempDir()
		upstream := startStripeLike()
		rec, err := recorder.New(filepath.Join(dir, "keyed.yaml"))
		Expect(err).NotTo(HaveOccurred())
		get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_1", "")
		Expect(rec.Stop()).To(Succeed())

		var logged []string
		srv, err := recorder.NewServer(os.DirFS(dir),
			recorder.WithMatchHeaders("Authorization", "X-Api-Token"),
			recorder.WithMissHandler(func(_ *http.Request, m *recorder.MissError) { logged = append(logged, m.Error()) }))
		Expect(err).NotTo(HaveOccurred())
		front := httptest.NewServer(srv)
		DeferCleanup(front.Close)

		key := randomKey("sk_test_")
		opaque := "opaque-token-that-no-pattern-knows"
		for _, auth := range []string{"Bearer " + key, "Basic " + base64Of(key+":"), "Bearer " + opaque} {
			req, _ := http.NewRequest("GET", front.URL+"/v1/invoice_payments/inpay_1?key="+key, nil)
			req.Header.Set("Authorization", auth)
			req.Header.Set("X-Api-Token", key)
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			Expect(resp.Header.Get(recorder.MissHeader)).To(Equal("true"))
			for _, leak := range []string{key[8:], opaque, base64Of(key + ":")} {
				Expect(string(body)).NotTo(ContainSubstring(leak))
			}
			Expect(string(body)).To(ContainSubstring("header Authorization"), "the answer still says what differs")
		}
		Expect(logged).To(HaveLen(3))
		for _, l := range logged {
			Expect(l).NotTo(ContainSubstring(key[8:]))
			Expect(l).NotTo(ContainSubstring(opaque))
		}
	})
})

func base64Of(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
