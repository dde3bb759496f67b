package recorder_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder"
)

var _ = DescribeTable("an option is of the types of the constructors that read it, and of no other",
	func(o any, forRecorder, forServer, forProxy bool) {
		_, r := o.(recorder.RecorderOption)
		_, s := o.(recorder.ServerOption)
		_, p := o.(recorder.ProxyOption)
		Expect([]bool{r, s, p}).To(Equal([]bool{forRecorder, forServer, forProxy}), "recorder, server, proxy")
	},
	Entry("WithMode: Recorder", recorder.WithMode(recorder.ModeRecord), true, false, false),
	Entry("WithDropRefused: Recorder", recorder.WithDropRefused(true), true, false, false),
	Entry("WithCredentialSalt: Recorder", recorder.WithCredentialSalt(nil), true, false, false),
	Entry("WithMatchHeaders: Recorder and Server", recorder.WithMatchHeaders("Stripe-Version"), true, true, false),
	Entry("WithMissHandler: Server", recorder.WithMissHandler(nil), false, true, false),
	Entry("WithRequestCheck: Server", recorder.WithRequestCheck(nil), false, true, false),
	Entry("WithTimeout: Recorder and Proxy", recorder.WithTimeout(0), true, false, true),
	Entry("WithFaultHandler: Proxy", recorder.WithFaultHandler(nil), false, false, true),
)

var _ = It("DefaultMatchHeaders returns a copy its caller may change", func() {
	h := recorder.DefaultMatchHeaders()
	Expect(h).To(Equal([]string{"Stripe-Account", "Stripe-Context"}))
	h[0] = "Changed"
	Expect(recorder.DefaultMatchHeaders()[0]).To(Equal("Stripe-Account"))
})
