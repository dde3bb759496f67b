package recorder_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	stripe "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/invoicepayment"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/recorder"
)

// reply is what the replay server sent back.
type reply struct {
	status int
	body   string
	header http.Header
}

// ask sends one request through client; authorization and session are
// left out when empty.
func ask(client *http.Client, method, target, authorization, session, body string) reply {
	req := newRequest(method, target, body)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if session != "" {
		req.Header.Set(recorder.SessionHeader, session)
	}
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return reply{status: resp.StatusCode, body: string(data), header: resp.Header}
}

// newClient is a client with its own connections: a new run of a suite.
func newClient() *http.Client {
	t := &http.Transport{}
	DeferCleanup(t.CloseIdleConnections)
	return &http.Client{Transport: t}
}

// serveDir serves the cassettes under dir on loopback, each connection its
// own session as stripe-contract serve runs it.
func serveDir(dir string, opts ...recorder.ServerOption) (*recorder.Server, string) {
	srv, err := recorder.NewServer(os.DirFS(dir), opts...)
	Expect(err).NotTo(HaveOccurred())
	front := httptest.NewUnstartedServer(srv)
	front.Config.ConnContext = srv.ConnContext
	front.Start()
	DeferCleanup(front.Close)
	return srv, front.URL
}

var _ = Describe("the replay server's answers", func() {
	const object = "/v1/invoice_payments/inpay_1"
	var valid, rejected string

	BeforeEach(func() {
		valid, rejected = randomKey("sk_test_"), randomKey("sk_test_")
	})

	// recordKeys records the object asked for with each key in turn, from
	// an upstream that accepts only valid.
	recordKeys := func(keys ...string) string {
		upstream := keyedUpstream(valid)
		dir := GinkgoT().TempDir()
		rec, err := recorder.New(filepath.Join(dir, "keys.yaml"))
		Expect(err).NotTo(HaveOccurred())
		for _, k := range keys {
			sendWith(rec.Client(), upstream.URL+object, "Bearer "+k)
		}
		Expect(rec.Stop()).To(Succeed())
		return dir
	}

	DescribeTable("are determined by the credential, in any order and on every run",
		func(recordValidFirst bool) {
			keys := []string{valid, rejected}
			if !recordValidFirst {
				keys = []string{rejected, valid}
			}
			_, api := serveDir(recordKeys(keys...))
			dummy := "Bearer " + randomKey("sk_test_") // the CI key, never recorded
			want := map[string]int{"Bearer " + valid: 200, "Bearer " + rejected: 401, dummy: 200, "Basic " + base64Of(rejected+":"): 401, "": 200}
			orders := [][]string{
				{"Bearer " + rejected, "Bearer " + valid, dummy, "Bearer " + rejected, "", "Bearer " + valid, "Basic " + base64Of(rejected+":")},
				{"Bearer " + valid, dummy, "", "Bearer " + valid, "Bearer " + rejected, "Bearer " + rejected, dummy},
			}
			for run := range 2 {
				for _, order := range orders {
					client := newClient()
					for n, auth := range order {
						got := ask(client, "GET", api+object, auth, "", "")
						Expect(got.status).To(Equal(want[auth]), "run %d, request %d (%q)", run, n, strings.SplitN(auth, " ", 2)[0])
					}
				}
			}
		},
		Entry("recorded with the valid key, then the rejected one", true),
		Entry("recorded with the rejected key, then the valid one", false),
	)

	It("recognise a recorded label sent as the credential, as a recorded request sent back verbatim carries it", func() {
		_, api := serveDir(recordKeys(valid, rejected))
		Expect(ask(newClient(), "GET", api+object, "Bearer [REDACTED key 2]", "", "").status).To(Equal(401))
		Expect(ask(newClient(), "GET", api+object, "Bearer [REDACTED key 1]", "", "").status).To(Equal(200))
	})

	It("give a request without a credential the unauthenticated recording when there is one", func() {
		upstream := keyedUpstream(valid)
		dir := GinkgoT().TempDir()
		rec, err := recorder.New(filepath.Join(dir, "anon.yaml"))
		Expect(err).NotTo(HaveOccurred())
		sendWith(rec.Client(), upstream.URL+object, "Bearer "+valid)
		sendWith(rec.Client(), upstream.URL+object, "")
		Expect(rec.Stop()).To(Succeed())
		_, api := serveDir(dir)
		Expect(ask(newClient(), "GET", api+object, "", "", "").status).To(Equal(401))
		Expect(ask(newClient(), "GET", api+object, "Bearer "+randomKey("sk_test_"), "", "").status).To(Equal(200))
	})

	It("miss when only a rejected credential recorded the request and another is sent, saying so", func() {
		_, api := serveDir(recordKeys(rejected))
		got := ask(newClient(), "GET", api+object, "Bearer "+randomKey("sk_test_"), "", "")
		Expect(got.status).To(Equal(recorder.MissStatus))
		Expect(got.body).To(ContainSubstring(`credential: recorded Bearer [REDACTED key 1], rejected (401) when recorded, sent Bearer [REDACTED: another key]`))
		Expect(got.body).NotTo(ContainSubstring(rejected[8:]))
		Expect(ask(newClient(), "GET", api+object, "Bearer "+rejected, "", "").status).To(Equal(401))
	})

	It("match on Authorization with --match-header Authorization, by fingerprint, never quoting a key", func() {
		_, api := serveDir(recordKeys(valid), recorder.WithMatchHeaders("Authorization"))
		Expect(ask(newClient(), "GET", api+object, "Bearer "+valid, "", "").status).To(Equal(200))
		Expect(ask(newClient(), "GET", api+object, "Basic "+base64Of(valid+":"), "", "").status).To(Equal(200))
		other := randomKey("sk_test_")
		got := ask(newClient(), "GET", api+object, "Bearer "+other, "", "")
		Expect(got.status).To(Equal(recorder.MissStatus))
		Expect(got.body).To(ContainSubstring("header Authorization: recorded Bearer [REDACTED key 1], sent Bearer [REDACTED: another key]"))
		Expect(got.body).NotTo(ContainSubstring(other[8:]))
		Expect(got.body).NotTo(ContainSubstring(valid[8:]))
	})

	Describe("of a request recorded twice (open, then paid)", func() {
		var dir string
		BeforeEach(func() {
			dir = GinkgoT().TempDir()
			var is []*cassette.Interaction
			for _, status := range []string{"open", "paid"} {
				is = append(is, &cassette.Interaction{
					Request:  cassette.Request{Method: "GET", URL: "https://api.stripe.com" + object, Headers: http.Header{"Authorization": {"Bearer " + valid}}},
					Response: cassette.Response{Code: 200, Body: `{"status":"` + status + `"}`, Headers: http.Header{"Content-Type": {"application/json"}}},
				})
			}
			Expect(recorder.WriteCassette(filepath.Join(dir, "sequence.yaml"), is)).To(Succeed())
		})
		bodies := func(client *http.Client, api, session string, n int) []string {
			var got []string
			for range n {
				got = append(got, ask(client, "GET", api+object, "Bearer "+valid, session, "").body)
			}
			return got
		}
		sequence := []string{`{"status":"open"}`, `{"status":"paid"}`, `{"status":"paid"}`}

		It("play in order, the last repeating, afresh on each connection: two runs of a suite get the same answers", func() {
			_, api := serveDir(dir)
			Expect(bodies(newClient(), api, "", 3)).To(Equal(sequence))
			Expect(bodies(newClient(), api, "", 3)).To(Equal(sequence))
		})

		It("play in order per Stripe-Contract-Session, whatever the connection", func() {
			_, api := serveDir(dir)
			client := newClient()
			Expect(bodies(client, api, "run-a", 1)).To(Equal(sequence[:1]))
			Expect(bodies(newClient(), api, "run-b", 1)).To(Equal(sequence[:1]))
			Expect(bodies(newClient(), api, "run-a", 2)).To(Equal(sequence[1:]), "run-a goes on from another connection")
			Expect(bodies(client, api, "run-b", 2)).To(Equal(sequence[1:]))
		})

		It("start over after POST "+recorder.ResetPath+" (204) or Reset", func() {
			srv, api := serveDir(dir)
			client := newClient()
			Expect(bodies(client, api, "", 3)).To(Equal(sequence))
			Expect(bodies(client, api, "ci", 2)).To(Equal(sequence[:2]))
			got := ask(client, "POST", api+recorder.ResetPath, "", "", "")
			Expect(got.status).To(Equal(http.StatusNoContent))
			Expect(bodies(client, api, "", 3)).To(Equal(sequence), "the same connection starts over")
			Expect(bodies(client, api, "ci", 1)).To(Equal(sequence[:1]))
			srv.Reset()
			Expect(bodies(client, api, "ci", 3)).To(Equal(sequence))
			Expect(ask(client, "GET", api+recorder.ResetPath, "", "", "").status).To(Equal(http.StatusMethodNotAllowed))
		})

		It("start over per session when the reset names one", func() {
			_, api := serveDir(dir)
			client := newClient()
			Expect(bodies(client, api, "a", 2)).To(Equal(sequence[:2]))
			Expect(bodies(client, api, "b", 2)).To(Equal(sequence[:2]))
			Expect(ask(client, "POST", api+recorder.ResetPath, "", "a", "").status).To(Equal(http.StatusNoContent))
			Expect(bodies(client, api, "a", 1)).To(Equal(sequence[:1]))
			Expect(bodies(client, api, "b", 1)).To(Equal(sequence[2:]))
		})

		It("keep concurrent sessions apart", func() {
			_, api := serveDir(dir)
			done := make(chan []string, 16)
			for g := range 16 {
				client := newClient()
				go func() {
					defer GinkgoRecover()
					done <- bodies(client, api, fmt.Sprintf("run-%d", g), 3)
				}()
			}
			for range 16 {
				Expect(<-done).To(Equal(sequence))
			}
		})

		It("separate connections by their address when the server has no ConnContext", func() {
			srv, err := recorder.NewServer(os.DirFS(dir))
			Expect(err).NotTo(HaveOccurred())
			front := httptest.NewServer(srv)
			DeferCleanup(front.Close)
			Expect(bodies(newClient(), front.URL, "", 3)).To(Equal(sequence))
			Expect(bodies(newClient(), front.URL, "", 3)).To(Equal(sequence))
		})
	})
})

var _ = Describe("a replay miss, as an SDK sees it", func() {
	var dir string
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		body, _ := json.Marshal(invoicePayment("inpay_1QMiss"))
		Expect(recorder.WriteCassette(filepath.Join(dir, "retrieve.yaml"), []*cassette.Interaction{{
			Request:  cassette.Request{Method: "GET", URL: "https://api.stripe.com/v1/invoice_payments/inpay_1QMiss?expand[]=invoice"},
			Response: cassette.Response{Code: 200, Body: string(body), Headers: http.Header{"Content-Type": {"application/json"}}},
		}})).To(Succeed())
	})

	It("is a status Stripe never sends, not retried, with an error type that is not Stripe's, naming the nearest recording", func() {
		_, api := serveDir(dir)
		got := ask(newClient(), "GET", api+"/v1/invoice_payments/inpay_1QMiss?expand[]=payment", "Bearer "+randomKey("sk_test_"), "", "")
		Expect(got.status).To(Equal(http.StatusMisdirectedRequest))
		Expect(got.header.Get(recorder.MissHeader)).To(Equal("true"))
		Expect(got.header.Get("Stripe-Should-Retry")).To(Equal("false"))
		var envelope struct {
			Error struct {
				Type, Message, Nearest string
				Differences            []string
			}
		}
		Expect(json.Unmarshal([]byte(got.body), &envelope)).To(Succeed())
		Expect(envelope.Error.Type).To(Equal(recorder.MissErrorType))
		Expect(envelope.Error.Type).NotTo(BeElementOf("api_error", "card_error", "idempotency_error", "invalid_request_error"))
		Expect(envelope.Error.Nearest).To(Equal("retrieve.yaml#/interactions/0"))
		Expect(envelope.Error.Differences).To(Equal([]string{"query: recorded expand[]=invoice, sent expand[]=payment"}))
		Expect(envelope.Error.Message).To(Equal("no recorded interaction matches GET /v1/invoice_payments/inpay_1QMiss?expand[]=payment; " +
			"nearest is interaction 0 of retrieve.yaml (GET /v1/invoice_payments/inpay_1QMiss?expand[]=invoice): query: recorded expand[]=invoice, sent expand[]=payment"))
	})

	It("reaches stripe-go as a *stripe.Error of status 421 and type stripe_contract_miss, no InvalidRequestError, after one request despite retries", func() {
		srv, err := recorder.NewServer(os.DirFS(dir))
		Expect(err).NotTo(HaveOccurred())
		var requests atomic.Int64
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			srv.ServeHTTP(w, r)
		}))
		DeferCleanup(front.Close)
		backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
			URL:               stripe.String(front.URL),
			HTTPClient:        &http.Client{Timeout: 10 * time.Second},
			MaxNetworkRetries: stripe.Int64(2),
			LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
			EnableTelemetry:   stripe.Bool(false),
		})
		client := invoicepayment.Client{B: backend, Key: randomKey("sk_test_")}
		params := &stripe.InvoicePaymentParams{}
		params.AddExpand("payment")
		_, err = client.Get("inpay_1QMiss", params)
		var se *stripe.Error
		Expect(errors.As(err, &se)).To(BeTrue(), "got %v", err)
		Expect(se.HTTPStatusCode).To(Equal(421))
		Expect(string(se.Type)).To(Equal("stripe_contract_miss"))
		Expect(se.Msg).To(ContainSubstring("nearest is interaction 0 of retrieve.yaml"))
		var invalid *stripe.InvalidRequestError
		Expect(errors.As(err, &invalid)).To(BeFalse(), "a test that expects Stripe's invalid_request_error must not pass on a miss")
		Expect(requests.Load()).To(Equal(int64(1)), "stripe-go does not retry a 421")
	})
})

var _ = Describe("a cassette recorded with --mask-pii", func() {
	var dir string
	BeforeEach(func() {
		upstream := startStripeLike()
		dir = GinkgoT().TempDir()
		rec, err := recorder.New(filepath.Join(dir, "masked.yaml"), recorder.WithMaskPII(true))
		Expect(err).NotTo(HaveOccurred())
		client := rec.Client()
		get(client, "GET", upstream.URL+"/v1/invoice_payments?"+url.Values{"query": {"email:'jane@example.com' AND status:'paid'"}}.Encode(), "")
		get(client, "POST", upstream.URL+"/v1/invoice_payments", "customer_email=jane%40example.com&shipping[name]=Jane+Doe&description=VIP+customer")
		get(client, "GET", upstream.URL+"/v1/invoice_payments/jane@example.com", "")
		req, _ := http.NewRequest("POST", upstream.URL+"/v1/invoice_payments/inpay_1", strings.NewReader(`{"receipt_email":"jane@example.com","amount":2000}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(rec.Stop()).To(Succeed())
		data, _ := os.ReadFile(filepath.Join(dir, "masked.yaml"))
		Expect(string(data)).NotTo(ContainSubstring("jane"))
	})

	It("replays to any value of a masked parameter: query, form, JSON member, path segment, Search query clause", func() {
		_, api := serveDir(dir)
		client := newClient()
		for _, r := range []struct{ method, target, body string }{
			{"GET", "/v1/invoice_payments?" + url.Values{"query": {"email:'bob@example.org' AND status:'paid'"}}.Encode(), ""},
			{"POST", "/v1/invoice_payments", "customer_email=bob%40example.org&shipping[name]=Bob+Roe&description=VIP+customer"},
			{"GET", "/v1/invoice_payments/bob@example.org", ""},
			{"POST", "/v1/invoice_payments/inpay_1", `{"receipt_email":"bob@example.org","amount":2000}`},
		} {
			got := ask(client, r.method, api+r.target, "", "", r.body)
			Expect(got.status).To(Equal(200), "%s %s: %s", r.method, r.target, got.body)
		}
	})

	It("still compares what was not masked, and says when only a masked value differs", func() {
		_, api := serveDir(dir)
		client := newClient()
		got := ask(client, "GET", api+"/v1/invoice_payments?"+url.Values{"query": {"email:'bob@example.org' AND status:'open'"}}.Encode(), "", "", "")
		Expect(got.status).To(Equal(recorder.MissStatus))
		got = ask(client, "POST", api+"/v1/invoice_payments", "", "", "shipping[name]=Bob+Roe&description=VIP+customer")
		Expect(got.status).To(Equal(recorder.MissStatus))
		Expect(got.body).To(ContainSubstring("body: recorded customer_email=[MASKED], not sent (masked when recorded: [MASKED] stands for any value, but the parameter must be sent)"))
		Expect(got.body).To(ContainSubstring("; only values masked when recorded differ"))
	})
})
