package main_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// startWithFDLimit runs the binary as startServer does, with at most
// fds open files (hard limit): what a small ulimit -n allows.
func startWithFDLimit(fds int, args ...string) (*gexec.Session, string) {
	cmd := exec.Command("sh", append([]string{"-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, fds), binary}, args...)...)
	session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { session.Kill().Wait(10 * time.Second) })
	Eventually(session.Err, 30*time.Second).Should(gbytes.Say(`http://127\.0\.0\.1:[0-9]+`))
	return session, regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(string(session.Err.Contents()))
}

// holdIdle opens n connections to addr, each sending one keep-alive request
// and then never reading, writing or closing: idle clients.
func holdIdle(addr string, n int) {
	host := strings.TrimPrefix(addr, "http://")
	for k := range n {
		c, err := net.Dial("tcp", host)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		fmt.Fprintf(c, "GET /v1/invoice_payments/inpay_idle%d HTTP/1.1\r\nHost: %s\r\n\r\n", k, host)
	}
}

var _ = Describe("record and serve under hostile clients", func() {
	DescribeTable("idle connections beyond --max-connections, more than the process has files for, lock a new client out no longer than the idle timeout",
		func(command func(upstream, dir string) []string) {
			upstream := startUpstream(0)
			args := append(command(upstream.URL, GinkgoT().TempDir()), "--listen", "127.0.0.1:0", "--max-connections", "8", "--idle-timeout", "300ms")
			_, addr := startWithFDLimit(48, args...)
			holdIdle(addr, 64)

			began := time.Now()
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			resp, err := client.Get(addr + "/v1/invoice_payments/inpay_new")
			Expect(err).NotTo(HaveOccurred(), "a new client is answered")
			resp.Body.Close()
			// 64 idle clients, 8 at a time, each let go 300ms after its answer.
			Expect(time.Since(began)).To(BeNumerically("<", 15*time.Second))
		},
		Entry("record", func(upstream, dir string) []string {
			return []string{"record", "--upstream", upstream, "--cassette", filepath.Join(dir, "idle.yaml")}
		}),
		Entry("serve", func(upstream, dir string) []string {
			return []string{"serve", "--cassettes", "../../cassettes"}
		}),
	)

	It("closes a connection that sends no request within the header timeout", func() {
		upstream := startUpstream(0)
		_, addr := startServer("record", "--upstream", upstream.URL, "--cassette", filepath.Join(GinkgoT().TempDir(), "slow.yaml"), "--listen", "127.0.0.1:0", "--timeout", "1s")
		c, err := net.Dial("tcp", strings.TrimPrefix(addr, "http://"))
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		began := time.Now()
		c.Write([]byte("GET /v1/invoice_payments/inpay_1 HTTP/1.1\r\n")) // and never the rest of the headers
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err = bufio.NewReader(c).ReadByte()
		Expect(err).To(HaveOccurred(), "the proxy hangs up")
		Expect(time.Since(began)).To(BeNumerically("<", 1*time.Second+3*time.Second))
	})

	It("saves on SIGHUP (a closed terminal) as on Ctrl-C", func() {
		upstream := startUpstream(0)
		file := filepath.Join(GinkgoT().TempDir(), "hup.yaml")
		rec, proxy := startServer("record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0")
		call("GET", proxy+"/v1/invoice_payments/inpay_hup", "", testKey())
		rec.Signal(syscall.SIGHUP)
		Eventually(rec, 30*time.Second).Should(gexec.Exit(0))
		Expect(rec.Err).To(gbytes.Say(`saved ` + regexp.QuoteMeta(file) + ` \(1 new interaction\)`))
		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(1))
	})

	It("stops serve on SIGHUP and SIGTERM with exit 0", func() {
		for _, sig := range []os.Signal{syscall.SIGHUP, syscall.SIGTERM} {
			srv, _ := startServer("serve", "--cassettes", "../../cassettes", "--listen", "127.0.0.1:0")
			srv.Signal(sig)
			Eventually(srv, 30*time.Second).Should(gexec.Exit(0), "%v", sig)
		}
	})
})
