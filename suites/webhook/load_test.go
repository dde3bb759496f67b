package webhook_test

import (
	"io/fs"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/suites/webhook"
)

var _ = Describe("the cassette set Load reads", func() {
	text := "version: 2\ninteractions:\n  - request:\n      url: https://example.com/hook\n      method: POST\n      headers: {Stripe-Signature: [\"t=1,v1=00\"]}\n      body: '{\"object\": \"event\"}'\n    response: {code: 200}\n" +
		"  - request:\n      url: https://example.com/hook\n      method: GET\n      headers: {Stripe-Signature: [\"t=1,v1=00\"]}\n    response: {code: 200}\n"
	set := fstest.MapFS{"a.yaml": {Data: []byte(text)}, "b.yaml": {Mode: fs.ModeNamedPipe}}

	It("is bounded by WithMaxCassetteSize, naming the file", func() {
		_, err := webhook.Load(set, webhook.WithMaxCassetteSize(int64(len(text)-1)))
		Expect(err).To(MatchError(&cassette.TooLargeError{File: "a.yaml", Limit: int64(len(text) - 1)}))
	})

	It("finds the signed POST only, at its body's line, and tells WithSkipHandler what it skipped", func() {
		var skipped []disk.Skipped
		ds, err := webhook.Load(set, webhook.WithSkipHandler(func(s disk.Skipped) { skipped = append(skipped, s) }))
		Expect(err).NotTo(HaveOccurred())
		Expect(ds).To(HaveLen(1), "a GET carrying Stripe-Signature is no delivery")
		Expect(ds[0].Interaction).To(Equal(0))
		Expect(ds[0].Line).To(Equal(7))
		Expect(skipped).To(Equal([]disk.Skipped{{Path: "b.yaml", Type: fs.ModeNamedPipe}}))
	})
})
