package main_test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
)

// startServer runs the binary as a long-lived server and returns its
// session and the address it reports listening on.
func startServer(args ...string) (*gexec.Session, string) {
	session, err := gexec.Start(exec.Command(binary, args...), GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { session.Kill().Wait(10 * time.Second) })
	Eventually(session.Err, 30*time.Second).Should(gbytes.Say(`http://127\.0\.0\.1:[0-9]+`))
	addr := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(string(session.Err.Contents()))
	return session, addr
}

// testKey is a Stripe-shaped key that exists only for this run.
func testKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "sk_test_" + hex.EncodeToString(b)
}

// call sends one request with an SDK's headers and returns status and body.
func call(method, target, body, key string) (int, string, http.Header) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	Expect(err).NotTo(HaveOccurred())
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, string(out), resp.Header
}

// upstream answers like Stripe, on loopback, and counts requests.
type upstream struct {
	*httptest.Server
	hits atomic.Int64
}

// startUpstream serves invoice payments whose status the path names (paid
// by default; an "open" one breaks the contract on purpose), and 404 for
// anything else, each after delay.
func startUpstream(delay time.Duration) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		id := strings.TrimPrefix(r.URL.Path, "/v1/invoice_payments/")
		if id == r.URL.Path {
			w.WriteHeader(404)
			fmt.Fprintf(w, `{"error": {"type": "invalid_request_error", "message": "Unrecognized request URL (%s: %s)"}}`, r.Method, r.URL.Path)
			return
		}
		status, amountPaid, paidAt := "paid", "2000", "1760003600"
		if strings.Contains(id, "open") {
			status, amountPaid, paidAt = "open", "2000", "null" // amount_paid set while open: a violation
		}
		fmt.Fprintf(w, `{
  "id": %q, "object": "invoice_payment", "amount_paid": %s, "amount_requested": 2000,
  "created": 1760000000, "currency": "usd", "invoice": "in_1", "is_default": true, "livemode": false,
  "payment": {"type": "payment_intent", "payment_intent": "pi_1"}, "status": %q,
  "status_transitions": {"canceled_at": null, "paid_at": %s}
}`, id, amountPaid, status, paidAt)
	}))
	DeferCleanup(u.Close)
	return u
}

var secretShape = regexp.MustCompile(`(sk|rk)_(live|test)_[A-Za-z0-9]|whsec_[A-Za-z0-9]`)

var _ = Describe("the README's main job", func() {
	It("is validating the bundled cassettes, and it passes on a fresh clone", func() {
		readme, err := os.ReadFile("../../README.md")
		Expect(err).NotTo(HaveOccurred())
		block := regexp.MustCompile("(?s)```sh\n(.*?)```").FindSubmatch(readme)
		Expect(block).NotTo(BeNil())
		lines := strings.Split(strings.TrimSpace(string(block[1])), "\n")
		Expect(lines).To(HaveLen(2), "the README opens with exactly two commands")
		command, _, _ := strings.Cut(lines[0], "#")
		args := strings.Fields(command)
		Expect(args[:3]).To(Equal([]string{"go", "run", "./cmd/stripe-contract"}))
		Expect(args[3:]).To(Equal([]string{"validate", "cassettes/"}))
		cmd := exec.Command(binary, args[3:]...)
		cmd.Dir = "../.."
		session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(session, 2*time.Minute).Should(gexec.Exit(0))
		Expect(string(session.Out.Contents())).To(MatchRegexp(`^(\d+) documents checked at 2026-08-26.dahlia \(\d+\): (\d+) valid, 0 invalid; 0 errors`))
		Expect(strings.TrimSpace(lines[1])).To(HavePrefix("go test ./..."))
	})
})

var _ = Describe("record, serve and validate, as a user runs them", func() {
	It("records through the proxy with curl-like clients, saves on Ctrl-C, replays with serve, validates", func() {
		dir := GinkgoT().TempDir()
		file := filepath.Join(dir, "mine.yaml")
		upstream := startUpstream(0)
		key := testKey()

		rec, proxy := startServer("record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0")
		targets := []string{
			"/v1/invoice_payments/inpay_paid?expand[]=invoice&expand[]=payment.payment_intent",
			"/v1/invoice_payments/inpay_open",
			"/v1/customers/cus_1",
		}
		var replies []string
		for _, t := range targets {
			_, body, _ := call("GET", proxy+t, "", key)
			replies = append(replies, body)
		}
		rec.Interrupt()
		Eventually(rec, 30*time.Second).Should(gexec.Exit(1), "saved, and one response broke the contract")
		Expect(rec.Err).To(gbytes.Say(`saved ` + regexp.QuoteMeta(file) + ` \(3 new interactions\)`))
		out := string(rec.Out.Contents())
		Expect(out).To(ContainSubstring(file + " (interaction 1: GET /v1/invoice_payments/inpay_open -> 200): error: /interactions/1/response/body/amount_paid: is 2000 but status is \"open\""))
		Expect(out).To(ContainSubstring("3 documents checked: 2 valid, 1 invalid"))

		data, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(bytes.Contains(data, []byte(key))).To(BeFalse())
		Expect(secretShape.Find(data)).To(BeNil())
		Expect(string(data)).To(HavePrefix("# Recorded by stripe-contract record through its recording proxy from " + upstream.URL))

		By("validating the cassette, pointers prefixed with the interaction")
		v := exec.Command(binary, "validate", file)
		vs, err := gexec.Start(v, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(vs, 30*time.Second).Should(gexec.Exit(1))
		Expect(string(vs.Out.Contents())).To(MatchRegexp(regexp.QuoteMeta(file) + `:\d+ \(interaction 1: GET /v1/invoice_payments/inpay_open\): error: /interactions/1/response/body/amount_paid: is 2000`))

		By("replaying with serve, upstream gone, expand[] in another order")
		upstream.Close()
		srv, api := startServer("serve", "--cassettes", dir, "--listen", "127.0.0.1:0")
		_, body, h := call("GET", api+"/v1/invoice_payments/inpay_paid?expand%5B0%5D=payment.payment_intent&expand%5B1%5D=invoice", "", testKey())
		Expect(body).To(Equal(replies[0]))
		Expect(h.Get("Stripe-Contract-Replayed-From")).To(Equal("mine.yaml#/interactions/0"))
		status, body, _ := call("GET", api+"/v1/invoice_payments/inpay_paid?expand[]=invoice", "", testKey())
		Expect(status).To(Equal(421))
		var envelope struct {
			Error struct{ Type, Message string }
		}
		Expect(json.Unmarshal([]byte(body), &envelope)).To(Succeed())
		Expect(envelope.Error.Type).To(Equal("stripe_contract_miss"))
		Expect(envelope.Error.Message).To(Equal("no recorded interaction matches GET /v1/invoice_payments/inpay_paid?expand[]=invoice; nearest is interaction 0 of mine.yaml (GET /v1/invoice_payments/inpay_paid?expand[]=invoice&expand[]=payment.payment_intent): query: recorded expand[]=payment.payment_intent, not sent"))
		Eventually(srv.Err).Should(gbytes.Say(`serve: miss: no recorded interaction matches GET /v1/invoice_payments/inpay_paid\?expand\[\]=invoice; nearest is interaction 0 of mine.yaml`))
		srv.Interrupt()
		Eventually(srv, 30*time.Second).Should(gexec.Exit(0))
	})

	It("adds to a cassette in --mode new-episodes, answering what it holds from it", func() {
		dir := GinkgoT().TempDir()
		file := filepath.Join(dir, "grow.yaml")
		upstream := startUpstream(0)
		for round, targets := range [][]string{{"/v1/invoice_payments/inpay_a"}, {"/v1/invoice_payments/inpay_a", "/v1/invoice_payments/inpay_b"}} {
			before := upstream.hits.Load()
			rec, proxy := startServer("record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0", "--mode", "new-episodes")
			for _, t := range targets {
				call("GET", proxy+t, "", testKey())
			}
			rec.Interrupt()
			Eventually(rec, 30*time.Second).Should(gexec.Exit(0))
			Expect(upstream.hits.Load()-before).To(BeEquivalentTo(1), "round %d: only the new request reaches the upstream", round)
			c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Interactions).To(HaveLen(round+1), "round %d", round)
		}
		data, err := os.ReadFile(file)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(data)).To(MatchRegexp(`^# Recorded by stripe-contract record through its recording proxy from http://127.0.0.1:\d+ on \d{4}-\d\d-\d\d\.\n`+
			`# Credentials and Stripe secrets were redacted before writing\.\n`+
			`# Extended by stripe-contract record \(--mode new-episodes\) from http://127.0.0.1:\d+ on \d{4}-\d\d-\d\d\.\n---\n`), "the provenance of the first recording is kept")
	})

	DescribeTable("refuses bad input with a clear error, exit 2, writing nothing",
		func(args []string, message string) {
			cmd := exec.Command(binary, args...)
			cmd.Dir = "testdata"
			session, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(func() { session.Kill().Wait(10 * time.Second) })
			Eventually(session, 30*time.Second).Should(gexec.Exit(2))
			Expect(string(session.Err.Contents())).To(ContainSubstring(message))
		},
		Entry("no flags", []string{"record"}, "record: --upstream and --cassette are required"),
		Entry("an upstream without a scheme", []string{"record", "--upstream", "api.stripe.com", "--cassette", "x.yaml"}, `record: --upstream: upstream "api.stripe.com": want an http:// or https:// URL with a host`),
		Entry("an upstream address without its scheme", []string{"record", "--upstream", "127.0.0.1:12111", "--cassette", "x.yaml"}, `record: --upstream: upstream "127.0.0.1:12111": want an http:// or https:// URL with a host, such as https://api.stripe.com or http://127.0.0.1:12111 (did you mean http://127.0.0.1:12111?)`),
		Entry("serve without --cassettes", []string{"serve"}, "serve: --cassettes is required"),
		Entry("serve on a missing directory", []string{"serve", "--cassettes", "no/such/dir"}, "serve: --cassettes no/such/dir: not a readable directory"),
		Entry("serve on a directory without cassettes", []string{"serve", "--cassettes", "input"}, "serve: input: recorder: no cassettes (*.yaml files) found"),
	)

	It("refuses at once, exit 2, a cassette it could not save, before recording anything", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)).To(Succeed())
		file := filepath.Join(dir, "file", "mine.yaml")
		session, err := gexec.Start(exec.Command(binary, "record", "--upstream", "http://127.0.0.1:1", "--cassette", file, "--listen", "127.0.0.1:0"), GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { session.Kill().Wait(10 * time.Second) })
		Eventually(session, 10*time.Second).Should(gexec.Exit(2))
		Expect(string(session.Err.Contents())).To(Equal("stripe-contract: record: recorder: cassette " + file + " cannot be written: " + filepath.Join(dir, "file") + " is not a folder\n"))
	})

	It("removes the temporary files a killed save left next to the cassette, saying so", func() {
		dir := GinkgoT().TempDir()
		file := filepath.Join(dir, "mine.yaml")
		stale, other := filepath.Join(dir, ".mine.yaml.tmp-2946"), filepath.Join(dir, ".yours.yaml.tmp-17")
		old := time.Now().Add(-time.Hour)
		for _, f := range []string{stale, other} {
			Expect(os.WriteFile(f, []byte("version: 2\ninteractions:\n  - id: 0\n"), 0o644)).To(Succeed())
			Expect(os.Chtimes(f, old, old)).To(Succeed())
		}
		rec, _ := startServer("record", "--upstream", "http://127.0.0.1:1", "--cassette", file, "--listen", "127.0.0.1:0")
		Expect(string(rec.Err.Contents())).To(ContainSubstring("record: removed " + stale + ", a temporary file left by a save that was killed"))
		Expect(stale).NotTo(BeAnExistingFile())
		Expect(other).To(BeAnExistingFile())
		rec.Interrupt()
		Eventually(rec, 30*time.Second).Should(gexec.Exit(0))
	})

	It("records into a cassette that is a symbolic link through to its target", func() {
		dir := GinkgoT().TempDir()
		target := filepath.Join(dir, "shared", "grow.yaml")
		Expect(os.Mkdir(filepath.Dir(target), 0o755)).To(Succeed())
		Expect(os.WriteFile(target, []byte("version: 2\ninteractions: []\n"), 0o644)).To(Succeed())
		link := filepath.Join(dir, "grow.yaml")
		Expect(os.Symlink(filepath.Join("shared", "grow.yaml"), link)).To(Succeed())
		upstream := startUpstream(0)
		rec, proxy := startServer("record", "--upstream", upstream.URL, "--cassette", link, "--listen", "127.0.0.1:0", "--mode", "new-episodes")
		call("GET", proxy+"/v1/invoice_payments/inpay_linked", "", testKey())
		rec.Interrupt()
		Eventually(rec, 30*time.Second).Should(gexec.Exit(0))
		info, err := os.Lstat(link)
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Mode()&os.ModeSymlink).NotTo(BeZero(), "the link is still a link")
		c, err := cassette.Load(strings.TrimSuffix(target, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(1))
	})

	It("writes no cassette when nothing was recorded, and says so truly", func() {
		dir := GinkgoT().TempDir()
		file := filepath.Join(dir, "empty.yaml")
		rec, _ := startServer("record", "--upstream", "http://127.0.0.1:1", "--cassette", file, "--listen", "127.0.0.1:0")
		rec.Interrupt()
		Eventually(rec, 30*time.Second).Should(gexec.Exit(0))
		Expect(rec.Err).To(gbytes.Say(`record: nothing recorded; no cassette written`))
		Expect(file).NotTo(BeAnExistingFile())

		kept := []byte("# mine\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(file, kept, 0o644)).To(Succeed())
		for _, args := range [][]string{{"--force"}, {"--mode", "new-episodes"}} {
			rec, _ := startServer(append([]string{"record", "--upstream", "http://127.0.0.1:1", "--cassette", file, "--listen", "127.0.0.1:0"}, args...)...)
			rec.Interrupt()
			Eventually(rec, 30*time.Second).Should(gexec.Exit(0))
			Expect(rec.Err).To(gbytes.Say(`record: nothing recorded; ` + regexp.QuoteMeta(file) + ` left as it was`))
			Expect(os.ReadFile(file)).To(Equal(kept), "%v", args)
		}
	})

	It("will not replace an existing cassette without --force", func() {
		file := filepath.Join(GinkgoT().TempDir(), "kept.yaml")
		kept := []byte("# mine\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(file, kept, 0o644)).To(Succeed())
		session, err := gexec.Start(exec.Command(binary, "record", "--upstream", "http://127.0.0.1:1", "--cassette", file, "--listen", "127.0.0.1:0"), GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { session.Kill().Wait(10 * time.Second) })
		Eventually(session, 30*time.Second).Should(gexec.Exit(2))
		Expect(string(session.Err.Contents())).To(Equal("stripe-contract: record: cassette " + file + " exists: --mode new-episodes adds to it, --force replaces it\n"))
		Expect(os.ReadFile(file)).To(Equal(kept))
	})

	It("refuses a damaged cassette, naming it and the line, and leaves it as it was", func() {
		dir := GinkgoT().TempDir()
		file := filepath.Join(dir, "broken.yaml")
		damaged := []byte("version: 2\ninteractions:\n  - id: 0\n    request: [\n")
		Expect(os.WriteFile(file, damaged, 0o644)).To(Succeed())
		for _, args := range [][]string{
			{"record", "--upstream", "http://127.0.0.1:1", "--cassette", file, "--mode", "new-episodes"},
			{"serve", "--cassettes", dir},
		} {
			session, err := gexec.Start(exec.Command(binary, args...), GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			Eventually(session, 30*time.Second).Should(gexec.Exit(2))
			Expect(string(session.Err.Contents())).To(MatchRegexp(`broken.yaml.*(L5|line 5)`))
		}
		Expect(os.ReadFile(file)).To(Equal(damaged))
	})
})

var _ = Describe("a recording killed midway", func() {
	// old is a complete cassette the kill must not damage.
	var dir, file string
	var old []byte
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		file = filepath.Join(dir, "keep.yaml")
		old = []byte("# the previous recording\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(file, old, 0o644)).To(Succeed())
	})

	It("leaves the previous cassette intact when killed while recording, requests in flight", func() {
		upstream := startUpstream(300 * time.Millisecond)
		rec, proxy := startServer("record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0", "--force")
		call("GET", proxy+"/v1/invoice_payments/inpay_1", "", testKey())
		var wg sync.WaitGroup
		for k := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				http.Get(fmt.Sprintf("%s/v1/invoice_payments/inpay_%d", proxy, k)) // cut off by the kill
			}()
		}
		// Kill once every request has reached the upstream, which holds each
		// for 300ms: all eight are in flight through the proxy.
		Eventually(upstream.hits.Load, 10*time.Second, 5*time.Millisecond).Should(BeNumerically(">=", 9))
		rec.Kill()
		Eventually(rec, 10*time.Second).Should(gexec.Exit())
		wg.Wait()
		Expect(os.ReadFile(file)).To(Equal(old))
	})

	It("leaves either the old cassette or the whole new one when killed while saving", func() {
		upstream := startUpstream(0)
		for attempt := range 6 {
			rec, proxy := startServer("record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0", "--force")
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer GinkgoRecover()
					defer wg.Done()
					for k := range 50 {
						resp, err := http.Get(fmt.Sprintf("%s/v1/invoice_payments/inpay_%d_%d", proxy, w, k))
						Expect(err).NotTo(HaveOccurred())
						resp.Body.Close()
					}
				}()
			}
			wg.Wait()
			rec.Interrupt()
			time.Sleep(time.Duration(attempt) * 15 * time.Millisecond) // somewhere in the save
			rec.Kill()
			Eventually(rec, 10*time.Second).Should(gexec.Exit())

			data, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			if bytes.Equal(data, old) {
				continue
			}
			c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
			Expect(err).NotTo(HaveOccurred(), "attempt %d left a damaged cassette", attempt)
			Expect(c.Interactions).To(HaveLen(400), "attempt %d", attempt)
			old = data
		}
	})
})

var _ = Describe("a session with an interaction refused for a secret redaction cannot reach", func() {
	var file string
	var key string
	// session records a retrieve, a POST whose gzip body hides a key, and
	// another retrieve, then stops.
	session := func(args ...string) *gexec.Session {
		file = filepath.Join(GinkgoT().TempDir(), "planted.yaml")
		upstream := startUpstream(0)
		rec, proxy := startServer(append([]string{"record", "--upstream", upstream.URL, "--cassette", file, "--listen", "127.0.0.1:0"}, args...)...)
		call("GET", proxy+"/v1/invoice_payments/inpay_1", "", testKey())
		key = testKey()
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		io.WriteString(zw, "api_key="+key)
		zw.Close()
		req, _ := http.NewRequest("POST", proxy+"/v1/uploads", &buf)
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		call("GET", proxy+"/v1/invoice_payments/inpay_2", "", testKey())
		rec.Interrupt()
		Eventually(rec, 30*time.Second).Should(gexec.Exit())
		return rec
	}

	It("is dropped with --drop-refused, named, the others saved, exit 1", func() {
		rec := session("--drop-refused")
		Expect(rec.ExitCode()).To(Equal(1))
		stderr := string(rec.Err.Contents())
		Expect(stderr).To(ContainSubstring("record: dropped 1 interaction from cassette " + file + ": interaction 1 request.body still holds a Stripe secret (secret-key: sk_live_ or sk_test_, encoded as gzip) that redaction cannot reach; the other 2 were saved\n"))
		Expect(stderr).To(ContainSubstring("record: saved " + file + " (2 new interactions, 1 dropped)\n"))
		Expect(stderr).NotTo(ContainSubstring(key[len("sk_test_"):]))
		c, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(2))
		Expect(c.Interactions[1].Request.URL).To(HaveSuffix("/inpay_2"))
	})

	It("is refused with the whole session without it, exit 2, saying how to keep the rest", func() {
		rec := session()
		Expect(rec.ExitCode()).To(Equal(2))
		stderr := string(rec.Err.Contents())
		Expect(stderr).To(ContainSubstring("interaction 1 request.body still holds a Stripe secret (secret-key: sk_live_ or sk_test_, encoded as gzip)"))
		Expect(stderr).To(ContainSubstring("record: the 3 interactions of this session are lost; with --drop-refused, record drops each interaction it must refuse, naming it, and saves the others\n"))
		Expect(file).NotTo(BeAnExistingFile())
	})
})
