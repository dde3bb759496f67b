package main_test

import (
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

var _ = Describe("serve and the request contract", func() {
	It("answers a request the API rejects with its 400 envelope and logs it; replays the API's own 400", func() {
		srv, api := startServer("serve", "--cassettes", "../../cassettes", "--listen", "127.0.0.1:0")
		DeferCleanup(func() {
			srv.Interrupt()
			Eventually(srv, 30*time.Second).Should(gexec.Exit(0))
		})

		status, body, h := call("GET", api+"/v1/invoice_payments?invoice=in_1QInvoicePaid0000001&limit=0", "", testKey())
		Expect(status).To(Equal(400))
		Expect(h.Get("Stripe-Contract-Request-Violation")).To(Equal("request.invoice_payments.list.limit.range"))
		var envelope struct {
			Error struct{ Type, Message, Param, Code string }
		}
		Expect(json.Unmarshal([]byte(body), &envelope)).To(Succeed())
		Expect(envelope.Error.Type).To(Equal("invalid_request_error"))
		Expect(envelope.Error.Param).To(Equal("limit"))
		Expect(envelope.Error.Message).To(Equal("limit is 0; limit is between 1 and 100"))
		Eventually(srv.Err).Should(gbytes.Say(`serve: rejected: GET /v1/invoice_payments\?invoice=in_1QInvoicePaid0000001&limit=0 breaks the request contract: /query/limit: limit is 0; limit is between 1 and 100 \[request.invoice_payments.list.limit.range\]`))

		status, _, h = call("GET", api+"/v1/invoice_payments?invoice=in_1QInvoicePaid0000001&status=succeeded", "", testKey())
		Expect(status).To(Equal(400))
		Expect(h.Get("Stripe-Contract-Replayed-From")).To(Equal("stripe-mock/error_400_invalid_status.yaml#/interactions/0"))
	})

	It("replays without checking with --check-requests=false", func() {
		srv, api := startServer("serve", "--cassettes", "../../cassettes", "--listen", "127.0.0.1:0", "--check-requests=false")
		DeferCleanup(func() {
			srv.Interrupt()
			Eventually(srv, 30*time.Second).Should(gexec.Exit(0))
		})
		status, _, h := call("GET", api+"/v1/invoice_payments?invoice=in_1QInvoicePaid0000001&limit=0", "", testKey())
		Expect(status).To(Equal(421), "a miss, in a status Stripe never sends")
		Expect(h.Get("Stripe-Contract-Request-Violation")).To(BeEmpty())
		Expect(h.Get("Stripe-Contract-Miss")).To(Equal("true"))
	})
})
