package webhook_test

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing/fstest"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	stripewebhook "github.com/stripe/stripe-go/v85/webhook"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/recorder"
	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/suites/webhook"
)

const secret = "whsec_stripecontracttestsecret0000"

// endpoint is a user's webhook handler as Stripe's docs write it: it verifies
// the signature with stripe-go's own webhook.ConstructEvent and answers 400
// when that fails.
type endpoint struct {
	mu       sync.Mutex
	received []string // event IDs accepted
	rejected []string // ConstructEvent's errors
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	event, err := stripewebhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), secret)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil {
		e.rejected = append(e.rejected, err.Error())
		http.Error(w, "signature: "+err.Error(), http.StatusBadRequest)
		return
	}
	e.received = append(e.received, event.ID+" "+string(event.Type)+" "+r.Header.Get("Content-Type"))
	w.WriteHeader(http.StatusOK)
}

func bundled() []webhook.Delivery {
	ds, err := webhook.Load(cassettes.FS)
	Expect(err).NotTo(HaveOccurred())
	return ds
}

// paidCassette holds the invoice_payment.paid delivery, which the specs
// below send one at a time.
const paidCassette = "docs/webhook_invoice_payment_paid.yaml"

// paid is the bundled invoice_payment.paid delivery.
func paid() webhook.Delivery {
	for _, d := range bundled() {
		if d.Cassette == paidCassette {
			return d
		}
	}
	Fail("no delivery in " + paidCassette)
	return webhook.Delivery{}
}

var _ = Describe("Sign", func() {
	payload := []byte(`{"id":"evt_1","object":"event","api_version":"2026-08-26.dahlia","type":"invoice_payment.paid","data":{"object":{}}}`)

	It("writes a header stripe-go's ConstructEvent accepts", func() {
		header := webhook.Sign(payload, secret, time.Now())
		Expect(header).To(MatchRegexp(`^t=\d+,v1=[0-9a-f]{64}$`))
		event, err := stripewebhook.ConstructEvent(payload, header, secret)
		Expect(err).NotTo(HaveOccurred())
		Expect(event.ID).To(Equal("evt_1"))
	})

	It("is the same HMAC as stripe-go computes", func() {
		t := time.Unix(1760003701, 0)
		Expect(webhook.Sign(payload, secret, t)).To(HaveSuffix(",v1=" + hex.EncodeToString(stripewebhook.ComputeSignature(t, payload, secret))))
	})

	It("is refused under another secret, or for another payload", func() {
		header := webhook.Sign(payload, secret, time.Now())
		_, err := stripewebhook.ConstructEvent(payload, header, "whsec_another")
		Expect(err).To(MatchError(stripewebhook.ErrNoValidSignature))
		_, err = stripewebhook.ConstructEvent(append([]byte(" "), payload...), header, secret)
		Expect(err).To(MatchError(stripewebhook.ErrNoValidSignature))
	})
})

var _ = Describe("Load", func() {
	It("finds the bundled deliveries, and not the events retrieved with GET", func() {
		var files []string
		for _, d := range bundled() {
			files = append(files, d.Cassette)
		}
		Expect(files).To(Equal([]string{"docs/flow_webhook_charge_succeeded.yaml", "docs/flow_webhook_customer_created.yaml", paidCassette}))
		d := paid()
		Expect(d.Interaction).To(Equal(0))
		Expect(d.Pointer()).To(Equal("/interactions/0/request/body"))
		Expect(d.Line).To(BeNumerically(">", 10))
		Expect(d.Header.Get("Content-Type")).To(Equal("application/json; charset=utf-8"))
		Expect(string(d.Body)).To(ContainSubstring(`"type": "invoice_payment.paid"`))
	})

	It("names a file that is not a cassette", func() {
		_, err := webhook.Load(fstest.MapFS{"a/broken.yaml": {Data: []byte("version: 2\ninteractions: [\n")}})
		Expect(err).To(MatchError(ContainSubstring("a/broken.yaml")))
		Expect(errors.Is(err, stripecassette.ErrNotCassette)).To(BeTrue())
	})

	It("says when there is no delivery", func() {
		_, err := webhook.Load(fstest.MapFS{"x.txt": {Data: []byte("hi")}})
		Expect(err).To(MatchError(webhook.ErrNoDeliveries))
	})
})

var _ = Describe("New", func() {
	DescribeTable("refuses what is not a whsec_ secret",
		func(s string) {
			_, err := webhook.New("http://127.0.0.1:1/", webhook.WithSecret(s))
			Expect(err).To(MatchError(webhook.ErrSecretFormat))
		},
		Entry("an API key", "sk_test_123"),
		Entry("a bare prefix", "whsec_"),
		Entry("a string without the prefix", "stripe-contract-example-endpoint-secret"),
	)

	DescribeTable("refuses a target that is not an http URL",
		func(target string) {
			_, err := webhook.New(target)
			Expect(err).To(MatchError(ContainSubstring("target")))
		},
		Entry("a path", "/webhook"),
		Entry("another scheme", "ftp://example.com/hook"),
		Entry("no host", "http:///hook"),
	)
})

var _ = Describe("Deliver", func() {
	var (
		ep  *endpoint
		srv *httptest.Server
	)
	BeforeEach(func() {
		ep = &endpoint{}
		srv = httptest.NewServer(ep)
		DeferCleanup(srv.Close)
	})

	It("re-signs each delivery so a verifying endpoint accepts it", func() {
		r, err := webhook.New(srv.URL+"/any/path", webhook.WithSecret(secret))
		Expect(err).NotTo(HaveOccurred())
		outs := r.Run(context.Background(), bundled())
		Expect(outs).To(HaveLen(3))
		Expect(ep.received).To(ConsistOf(
			"evt_3QFlowChargeSucceeded charge.succeeded application/json; charset=utf-8",
			"evt_1QFlowCustomerCreated customer.created application/json; charset=utf-8",
			"evt_1QInvoicePaymentPaid01 invoice_payment.paid application/json; charset=utf-8"))
		for _, out := range outs {
			Expect(out.Err).NotTo(HaveOccurred(), out.Delivery.String())
			Expect(out.Signed).To(BeTrue(), out.Delivery.String())
			Expect(out.Status).To(Equal(200), out.Delivery.String())
			Expect(out.Validation.Violations).To(BeEmpty(), out.Delivery.String())
			Expect(out.OK()).To(BeTrue(), out.Delivery.String())
		}
	})

	It("sends unsigned deliveries without a secret, which a verifying endpoint rejects", func() {
		r, err := webhook.New(srv.URL)
		Expect(err).NotTo(HaveOccurred())
		out := r.Deliver(context.Background(), paid())
		Expect(out.Signed).To(BeFalse())
		Expect(out.OK()).To(BeFalse())
		Expect(ep.rejected).To(Equal([]string{stripewebhook.ErrNotSigned.Error()}))
		var de *webhook.DeliveryError
		Expect(errors.As(out.Err, &de)).To(BeTrue())
		Expect(de.Problem).To(Equal(webhook.ProblemStatus))
		Expect(de.Status).To(Equal(400))
		Expect(out.Err.Error()).To(Equal(`docs/webhook_invoice_payment_paid.yaml interaction 0: POST ` + srv.URL +
			`: endpoint answered 400 Bad Request, want 2xx: "signature: webhook has no Stripe-Signature header"`))
	})

	It("is rejected when signed with the wrong secret", func() {
		r, err := webhook.New(srv.URL, webhook.WithSecret("whsec_notthesecret"))
		Expect(err).NotTo(HaveOccurred())
		out := r.Deliver(context.Background(), paid())
		Expect(out.Status).To(Equal(400))
		Expect(ep.rejected).To(Equal([]string{stripewebhook.ErrNoValidSignature.Error()}))
	})

	It("is rejected when the signature is too old for the endpoint's tolerance", func() {
		r, err := webhook.New(srv.URL, webhook.WithSecret(secret), webhook.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }))
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Deliver(context.Background(), paid()).Status).To(Equal(400))
		Expect(ep.rejected).To(Equal([]string{stripewebhook.ErrTooOld.Error()}))
	})

	DescribeTable("fails on any answer but 2xx",
		func(status int, ok bool) {
			answer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if status == http.StatusFound {
					http.Redirect(w, r, "/elsewhere", status)
					return
				}
				w.WriteHeader(status)
			}))
			defer answer.Close()
			r, err := webhook.New(answer.URL, webhook.WithSecret(secret))
			Expect(err).NotTo(HaveOccurred())
			out := r.Deliver(context.Background(), paid())
			Expect(out.Status).To(Equal(status))
			Expect(out.OK()).To(Equal(ok))
		},
		Entry("200", 200, true),
		Entry("204", 204, true),
		Entry("302: Stripe does not follow redirects", 302, false),
		Entry("404", 404, false),
		Entry("500", 500, false),
	)

	It("gives up on an endpoint that hangs, within the timeout", func() {
		release := make(chan struct{})
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		DeferCleanup(func() { close(release); hang.Close() })
		r, err := webhook.New(hang.URL, webhook.WithTimeout(300*time.Millisecond))
		Expect(err).NotTo(HaveOccurred())
		start := time.Now()
		out := r.Deliver(context.Background(), paid())
		Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second))
		var de *webhook.DeliveryError
		Expect(errors.As(out.Err, &de)).To(BeTrue())
		Expect(de.Problem).To(Equal(webhook.ProblemTimeout))
		Expect(out.Err.Error()).To(HaveSuffix(": no answer within 300ms"))
	})

	It("names a refused connection", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		addr := ln.Addr().String()
		ln.Close()
		r, err := webhook.New("http://" + addr + "/hook")
		Expect(err).NotTo(HaveOccurred())
		out := r.Deliver(context.Background(), paid())
		var de *webhook.DeliveryError
		Expect(errors.As(out.Err, &de)).To(BeTrue())
		Expect(de.Problem).To(Equal(webhook.ProblemRefused))
		Expect(out.Err.Error()).To(ContainSubstring("interaction 0: POST http://" + addr + "/hook: connection refused"))
	})

	It("validates each payload: an endpoint's 2xx does not make a broken event pass", func() {
		dir := GinkgoT().TempDir()
		body := `{"id":"evt_1","object":"event","api_version":"2026-08-26.dahlia","created":1,"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"invoice_payment.paid",` +
			`"data":{"object":{"id":"inpay_1","object":"invoice_payment","amount_paid":2000,"amount_requested":2000,"created":1,"currency":"usd","invoice":"in_1","is_default":true,"livemode":false,` +
			`"payment":{"type":"payment_intent","payment_intent":"pi_1"},"status":"open","status_transitions":{"canceled_at":null,"paid_at":null}}}}`
		Expect(recorder.WriteCassette(filepath.Join(dir, "sub", "bad.yaml"), []*cassette.Interaction{{
			Request: cassette.Request{Method: "POST", URL: "https://example.com/hook", Body: body,
				Headers: http.Header{"Content-Type": {"application/json"}, "Stripe-Signature": {"t=1,v1=00"}}},
			Response: cassette.Response{Code: 200, Status: "200 OK"},
		}})).To(Succeed())
		ds, err := webhook.Load(os.DirFS(dir))
		Expect(err).NotTo(HaveOccurred())
		r, err := webhook.New(srv.URL, webhook.WithSecret(secret))
		Expect(err).NotTo(HaveOccurred())
		out := r.Deliver(context.Background(), ds[0])
		Expect(out.Err).NotTo(HaveOccurred())
		Expect(out.OK()).To(BeFalse())
		Expect(out.Validation.Violations).To(ContainElement(SatisfyAll(
			HaveField("Rule", "invoice_payment.amount_paid.null-unless-paid"),
			HaveField("Pointer", "/interactions/0/request/body/data/object/amount_paid"))))
	})
})
