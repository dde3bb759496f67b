package recorder_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder"
)

var _ = Describe("stopping a recorder that recorded nothing", func() {
	It("leaves an existing cassette as it was in ModeRecord", func() {
		file := filepath.Join(GinkgoT().TempDir(), "kept.yaml")
		kept := []byte("# mine\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(file, kept, 0o600)).To(Succeed())
		rec, err := recorder.New(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.Stop()).To(Succeed())
		Expect(os.ReadFile(file)).To(Equal(kept))
	})

	It("refuses requests after Stop", func() {
		rec, err := recorder.New(filepath.Join(GinkgoT().TempDir(), "stopped.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.Stop()).To(Succeed())
		_, err = rec.RoundTrip(sent("GET", "/v1/invoice_payments/inpay_1", ""))
		Expect(err).To(MatchError(recorder.ErrStopped))
	})
})
