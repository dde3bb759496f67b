package replay_test

import (
	"io/fs"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
	"github.com/stripe-contract/stripe-contract/suites/replay"
)

var _ = Describe("the cassette set the engine loads", func() {
	text := "version: 2\ninteractions:\n  - request: {url: \"http://127.0.0.1:12111/v1/invoice_payments/inpay_1\", method: GET}\n    response: {code: 200, body: \"{}\"}\n"
	set := fstest.MapFS{"a.yaml": {Data: []byte(text)}, "b.yaml": {Mode: fs.ModeNamedPipe}}

	It("is bounded by WithMaxCassetteSize, naming the file", func() {
		_, err := replay.New(set, replay.WithMaxCassetteSize(int64(len(text)-1)))
		Expect(err).To(MatchError(&cassette.TooLargeError{File: "a.yaml", Limit: int64(len(text) - 1)}))
	})

	It("tells WithSkipHandler of what is not a regular file, and loads the rest", func() {
		var skipped []disk.Skipped
		e, err := replay.New(set, replay.WithMaxCassetteSize(int64(len(text))), replay.WithSkipHandler(func(s disk.Skipped) { skipped = append(skipped, s) }))
		Expect(err).NotTo(HaveOccurred())
		Expect(e.Interactions()).To(HaveLen(1))
		Expect(e.Interactions()[0].Line).To(Equal(3))
		Expect(skipped).To(Equal([]disk.Skipped{{Path: "b.yaml", Type: fs.ModeNamedPipe}}))
	})
})
