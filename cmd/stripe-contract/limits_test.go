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

	It("answers a client trickling its request body within --timeout, naming the fault as the client's", func() {
		upstream := startUpstream(0)
		rec, addr := startServer("record", "--upstream", upstream.URL, "--cassette", filepath.Join(GinkgoT().TempDir(), "trickle.yaml"), "--listen", "127.0.0.1:0", "--timeout", "1s")
		host := strings.TrimPrefix(addr, "http://")
		c, err := net.Dial("tcp", host)
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		began := time.Now()
		fmt.Fprintf(c, "POST /v1/invoices/in_1/pay HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n", host)
		go func() {
			for range 300 { // a byte every 100ms: 30s for the whole body
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		Expect(err).NotTo(HaveOccurred(), "record answers")
		Expect(time.Since(began)).To(BeNumerically("<", 1*time.Second+2*time.Second))
		Expect(resp.StatusCode).To(Equal(http.StatusRequestTimeout))
		Expect(resp.Header.Get("Stripe-Contract-Fault")).To(Equal("client-body-timeout"))
		Eventually(rec.Err).Should(gbytes.Say(`record: client fault \(client-body-timeout\): POST /v1/invoices/in_1/pay: the client's request body stalled after \d+ bytes and did not finish within 1s`))
		Expect(upstream.hits.Load()).To(BeZero())
	})

	It("says a client that left in the middle of its body is the client's fault, not the upstream's", func() {
		upstream := startUpstream(0)
		rec, addr := startServer("record", "--upstream", upstream.URL, "--cassette", filepath.Join(GinkgoT().TempDir(), "gone.yaml"), "--listen", "127.0.0.1:0")
		host := strings.TrimPrefix(addr, "http://")
		c, err := net.Dial("tcp", host)
		Expect(err).NotTo(HaveOccurred())
		fmt.Fprintf(c, "POST /v1/invoices/in_1/pay HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n\r\npaid_out_of_band=true", host)
		c.Close()
		Eventually(rec.Err, 10*time.Second).Should(gbytes.Say(`record: client fault \(client-body-cut\): POST /v1/invoices/in_1/pay: the client's request body broke off after 21 bytes`))
		Expect(string(rec.Err.Contents())).NotTo(ContainSubstring("upstream fault"))
	})

	It("bounds bodies by --max-body-size, each way, recording neither", func() {
		upstream := startUpstream(0)
		file := filepath.Join(GinkgoT().TempDir(), "big.yaml")
		rec, addr := startServer("record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0", "--max-body-size", "256B")
		status, body, h := call("POST", addr+"/v1/invoice_payments/inpay_1", "metadata[note]="+strings.Repeat("x", 300), testKey())
		Expect(status).To(Equal(413), body)
		Expect(h.Get("Stripe-Contract-Fault")).To(Equal("body-too-large"))
		Eventually(rec.Err).Should(gbytes.Say(`record: client fault \(body-too-large\): POST /v1/invoice_payments/inpay_1: the request body is over the 256 bytes limit; nothing was sent upstream .*; --max-body-size raises the limit`))
		status, _, h = call("GET", addr+"/v1/invoice_payments/inpay_1", "", testKey()) // about 400 bytes of JSON
		Expect(status).To(Equal(502))
		Expect(h.Get("Stripe-Contract-Fault")).To(Equal("body-too-large"))
		Eventually(rec.Err).Should(gbytes.Say(`record: upstream fault \(body-too-large\): GET http://127.0.0.1:\d+/v1/invoice_payments/inpay_1: the upstream's response body is over the 256 bytes limit .*; --max-body-size raises the limit`))
		Expect(upstream.hits.Load()).To(BeEquivalentTo(1), "the request too large was not sent")
		rec.Interrupt()
		Eventually(rec, 30*time.Second).Should(gexec.Exit(0))
	})

	DescribeTable("refuses limits that are not sizes or not positive",
		func(args []string, message string) {
			session, err := gexec.Start(exec.Command(binary, args...), GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			Eventually(session, 30*time.Second).Should(gexec.Exit(2))
			Expect(string(session.Err.Contents())).To(ContainSubstring(message))
		},
		Entry("a size without a number", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", "x.yaml", "--max-body-size", "MiB"}, `invalid value "MiB" for flag -max-body-size: want a size such as 64MiB, 500KB or 1048576`),
		Entry("a size of nothing", []string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", "x.yaml", "--max-body-size", "0"}, `record: --max-body-size must be positive`),
		Entry("no connections", []string{"serve", "--cassettes", "../../cassettes", "--max-connections", "0"}, `serve: --max-connections must be positive`),
	)

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
