package main_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// cassetteSet is a folder holding the bundled webhook delivery's cassette
// (webhooks needs a delivery; serve and replay answer it), its size, and,
// when fifo is set, a named pipe named like a cassette beside it.
func cassetteSet(fifo bool) (dir string, size int64) {
	dir = GinkgoT().TempDir()
	data, err := os.ReadFile("../../cassettes/docs/webhook_invoice_payment_paid.yaml")
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(filepath.Join(dir, "a.yaml"), data, 0o644)).To(Succeed())
	if fifo {
		Expect(syscall.Mkfifo(filepath.Join(dir, "b.yaml"), 0o600)).To(Succeed())
	}
	return dir, int64(len(data))
}

// cassetteCommand is how a command that reads a cassette folder is run
// over dir, with extra flags: its arguments, and for the servers, true.
type cassetteCommand func(dir, endpoint string, extra ...string) (args []string, server bool)

func serveCommand(dir, _ string, extra ...string) ([]string, bool) {
	return append([]string{"serve", "--cassettes", dir, "--listen", "127.0.0.1:0"}, extra...), true
}

func replayCommand(dir, _ string, extra ...string) ([]string, bool) {
	return append([]string{"replay", "--target", "replay", "--cassettes", dir}, extra...), false
}

func webhooksCommand(dir, endpoint string, extra ...string) ([]string, bool) {
	return append([]string{"webhooks", "--cassettes", dir, "--target", endpoint}, extra...), false
}

// endpointOK is a webhook endpoint that accepts every delivery.
func endpointOK() string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	DeferCleanup(srv.Close)
	return srv.URL
}

// runCassetteCommand runs command to its end, or for a server until it
// answers, then stops it; it returns the session, exited.
func runCassetteCommand(command cassetteCommand, dir string, extra ...string) *gexec.Session {
	args, server := command(dir, endpointOK(), extra...)
	s, err := gexec.Start(exec.Command(binary, args...), GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { s.Kill().Wait(10 * time.Second) })
	if server {
		// Interrupted once it answers; a serve that refuses its input exits
		// by itself, with its own code (an interrupt sent on its error line
		// could come first and make it 130).
		answering := regexp.MustCompile(`answering at http://127\.0\.0\.1:[0-9]+`)
		Eventually(func() bool { return s.ExitCode() != -1 || answering.Match(s.Err.Contents()) }, 30*time.Second).Should(BeTrue())
		if s.ExitCode() == -1 {
			s.Interrupt()
		}
	}
	Eventually(s, time.Minute).Should(gexec.Exit())
	return s
}

var _ = Describe("the commands that read a cassette folder: serve, replay, webhooks", func() {
	DescribeTable("bound each cassette by --max-cassette-size, as validate does, with an error naming the file",
		func(command cassetteCommand) {
			dir, size := cassetteSet(false)
			over := runCassetteCommand(command, dir, "--max-cassette-size", strconv.FormatInt(size-1, 10))
			Expect(over).To(gexec.Exit(2))
			Expect(string(over.Err.Contents())).To(ContainSubstring("cassette a.yaml is more than " + strconv.FormatInt(size-1, 10) + " bytes, over the limit on a cassette file"))

			at := runCassetteCommand(command, dir, "--max-cassette-size", strconv.FormatInt(size, 10))
			Expect(string(at.Err.Contents())).NotTo(ContainSubstring("over the limit"))
			Expect(at.ExitCode()).To(BeNumerically("<", 2), "a cassette at the limit is read")

			bad := runCassetteCommand(command, dir, "--max-cassette-size", "0")
			Expect(bad).To(gexec.Exit(2))
			Expect(string(bad.Err.Contents())).To(ContainSubstring("--max-cassette-size must be positive"))
		},
		Entry("serve", cassetteCommand(serveCommand)),
		Entry("replay", cassetteCommand(replayCommand)),
		Entry("webhooks", cassetteCommand(webhooksCommand)),
	)

	DescribeTable("skip a named pipe named like a cassette with validate's notice on stderr, and read the rest",
		func(command cassetteCommand) {
			dir, _ := cassetteSet(true)
			s := runCassetteCommand(command, dir)
			Expect(s.ExitCode()).To(BeNumerically("<", 2), "the regular cassette is read; the pipe is never opened")
			Expect(string(s.Err.Contents())).To(ContainSubstring("stripe-contract: notice: " + filepath.Join(dir, "b.yaml") + ": skipped: a named pipe, not a regular file (name it as a PATH to read it)\n"))
		},
		Entry("serve", cassetteCommand(serveCommand)),
		Entry("replay", cassetteCommand(replayCommand)),
		Entry("webhooks", cassetteCommand(webhooksCommand)),
	)
})
