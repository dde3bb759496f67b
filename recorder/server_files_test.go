package recorder_test

import (
	"os"
	"path/filepath"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder"
	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"
	"github.com/stripe-contract/stripe-contract/recorder/disk"
)

var _ = Describe("the cassette set a Server reads", func() {
	It("is bounded by WithMaxCassetteSize, naming the file, and tells WithSkipHandler what it skipped", func() {
		dir := GinkgoT().TempDir()
		text := "version: 2\ninteractions: []\n"
		Expect(os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(text), 0o644)).To(Succeed())
		Expect(syscall.Mkfifo(filepath.Join(dir, "b.yaml"), 0o600)).To(Succeed())

		_, err := recorder.NewServer(os.DirFS(dir), recorder.WithMaxCassetteSize(int64(len(text)-1)))
		Expect(err).To(MatchError(&stripecassette.TooLargeError{File: "a.yaml", Limit: int64(len(text) - 1)}))
		Expect(err).To(MatchError("recorder: cassette a.yaml is more than 27 bytes, over the limit on a cassette file"))

		var skipped []disk.Skipped
		srv, err := recorder.NewServer(os.DirFS(dir), recorder.WithMaxCassetteSize(int64(len(text))),
			recorder.WithSkipHandler(func(s disk.Skipped) { skipped = append(skipped, s) }))
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Cassettes()).To(Equal([]string{"a.yaml"}))
		Expect(skipped).To(Equal([]disk.Skipped{{Path: "b.yaml", Type: os.ModeNamedPipe}}))
	})
})
