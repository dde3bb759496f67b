package recorder_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	vcr "gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/stripe-contract/stripe-contract/recorder"
	stripecassette "github.com/stripe-contract/stripe-contract/recorder/cassette"
)

var _ = Describe("the atomic cassette FS", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("refuses bytes holding a secret, naming the line, and keeps the old file", func() {
		name := filepath.Join(dir, "c.yaml")
		Expect(os.WriteFile(name, []byte("old"), 0o644)).To(Succeed())
		err := recorder.NewAtomicFS().WriteFile(name, []byte("version: 2\ninteractions:\n  - body: "+randomKey("rk_test_")+"\n"))
		Expect(err).To(MatchError(&recorder.SecretError{Cassette: name, Interaction: -1, Line: 3, Family: "restricted-key"}))
		Expect(os.ReadFile(name)).To(BeEquivalentTo("old"))
	})

	It("is the last check of a Recorder's save: a hook that breaks the cassette stops it, the old file kept", func() {
		upstream := startStripeLike()
		name := filepath.Join(dir, "c.yaml")
		old := []byte("# the previous cassette\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(name, old, 0o644)).To(Succeed())
		rec, err := recorder.New(name, recorder.WithBeforeSave(func(i *cassette.Interaction) error {
			i.Request.URL = "http://127.0.0.1/v1/%zz" // go-vcr writes it; no reader parses it
			return nil
		}))
		Expect(err).NotTo(HaveOccurred())
		get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_1", "")
		err = rec.Stop()
		Expect(err).To(MatchError(ContainSubstring("write cassette " + name + ": it would not read back: ")))
		Expect(err).To(MatchError(ContainSubstring("interaction 0: request url: ")))
		Expect(os.ReadFile(name)).To(Equal(old))
	})

	It("is what a plain go-vcr recorder can be given with recorder.WithFS", func() {
		upstream := startStripeLike()
		name := filepath.Join(dir, "plain")
		r, err := vcr.New(name, vcr.WithFS(recorder.NewAtomicFS()), vcr.WithMode(vcr.ModeRecordOnly))
		Expect(err).NotTo(HaveOccurred())
		resp, err := r.GetDefaultClient().Get(upstream.URL + "/v1/invoice_payments/inpay_1")
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(r.Stop()).To(Succeed())
		c, err := cassette.Load(name)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Interactions).To(HaveLen(1))
	})
})

var _ = Describe("a recording's destination", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("is checked writable when recording starts, not when it is saved", func() {
		Expect(os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)).To(Succeed())
		for _, name := range []string{filepath.Join(dir, "file", "c.yaml"), filepath.Join(dir, "file", "deeper", "c.yaml")} {
			for _, mode := range []recorder.Mode{recorder.ModeRecord, recorder.ModeRecordNewEpisodes} {
				_, err := recorder.New(name, recorder.WithMode(mode))
				Expect(err).To(MatchError("recorder: cassette " + name + " cannot be written: " + filepath.Join(dir, "file") + " is not a folder"))
			}
		}
		By("a folder the save will create is fine, and is not created yet")
		_, err := recorder.New(filepath.Join(dir, "new", "sub", "c.yaml"))
		Expect(err).NotTo(HaveOccurred())
		entries, _ := os.ReadDir(dir)
		Expect(entries).To(HaveLen(1), "the probe left nothing behind, and created nothing")
		_, err = recorder.New(filepath.Join(dir, "c.yaml"))
		Expect(err).NotTo(HaveOccurred())
		entries, _ = os.ReadDir(dir)
		Expect(entries).To(HaveLen(1), "the probe left nothing behind")
	})

	It("is left alone by a recording that recorded nothing: no file created, none rewritten", func() {
		absent := filepath.Join(dir, "absent.yaml")
		for _, mode := range []recorder.Mode{recorder.ModeRecord, recorder.ModeRecordNewEpisodes} {
			rec, err := recorder.New(absent, recorder.WithMode(mode))
			Expect(err).NotTo(HaveOccurred())
			Expect(rec.Stop()).To(Succeed())
			Expect(absent).NotTo(BeAnExistingFile(), "%v", mode)
		}
		kept := filepath.Join(dir, "kept.yaml")
		old := []byte("# recorded last week\n---\nversion: 2\ninteractions: []\n")
		Expect(os.WriteFile(kept, old, 0o644)).To(Succeed())
		rec, err := recorder.New(kept, recorder.WithMode(recorder.ModeRecordNewEpisodes), recorder.WithProvenance("extended today"))
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.Stop()).To(Succeed())
		Expect(os.ReadFile(kept)).To(Equal(old), "nothing new: not rewritten, provenance unchanged")
	})

	It("may be read-only when only replaying", func() {
		_, err := recorder.New(filepath.Join(dir, "file", "c.yaml"), recorder.WithMode(recorder.ModePassthrough))
		Expect(err).NotTo(HaveOccurred())
	})
})

var _ = Describe("our cassettes in a plain go-vcr v4 recorder", func() {
	It("replay unchanged, with go-vcr's own default matcher and with ours", func() {
		dir := GinkgoT().TempDir()
		file := filepath.Join(dir, "ours.yaml")
		upstream := startStripeLike()
		rec, err := recorder.New(file, recorder.WithProvenance("recorded by a test from a local upstream"))
		Expect(err).NotTo(HaveOccurred())
		get(rec.Client(), "GET", upstream.URL+"/v1/invoice_payments/inpay_1?expand[]=invoice", "")
		get(rec.Client(), "POST", upstream.URL+"/v1/invoices/in_1/pay", "paid_out_of_band=true")
		Expect(rec.Stop()).To(Succeed())
		before, _ := os.ReadFile(file)
		Expect(string(before)).To(HavePrefix("# recorded by a test from a local upstream\n---\n"))

		saved, err := cassette.Load(strings.TrimSuffix(file, ".yaml"))
		Expect(err).NotTo(HaveOccurred())
		for _, matcher := range []cassette.MatcherFunc{cassette.DefaultMatcher, recorder.NewMatcher().Match} {
			r, err := vcr.New(strings.TrimSuffix(file, ".yaml"), vcr.WithMode(vcr.ModeReplayOnly), vcr.WithMatcher(matcher), vcr.WithSkipRequestLatency(true))
			Expect(err).NotTo(HaveOccurred())
			for _, i := range saved.Interactions {
				req, err := i.GetHTTPRequest()
				Expect(err).NotTo(HaveOccurred())
				resp, err := r.RoundTrip(req)
				Expect(err).NotTo(HaveOccurred())
				Expect(resp.StatusCode).To(Equal(i.Response.Code))
				Expect(readAll(resp)).To(Equal(i.Response.Body))
			}
			Expect(r.Stop()).To(Succeed())
		}
		after, _ := os.ReadFile(file)
		Expect(after).To(Equal(before), "replaying does not rewrite the cassette")
	})
})

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return string(body)
}

var _ = Describe("loading a cassette to record new episodes into, or to replay", func() {
	It("names the version found and the version supported when the format is another", func() {
		file := filepath.Join(GinkgoT().TempDir(), "old.yaml")
		Expect(os.WriteFile(file, []byte("# recorded with go-vcr v1\n---\nversion: 1\ninteractions: []\n"), 0o644)).To(Succeed())
		for _, mode := range []recorder.Mode{recorder.ModeRecordNewEpisodes, recorder.ModeReplayOnly} {
			_, err := recorder.New(file, recorder.WithMode(mode))
			Expect(err).To(MatchError(cassette.ErrUnsupportedCassetteFormat))
			Expect(err).To(MatchError("recorder: read cassette " + file + ": not a go-vcr cassette: line 3: version 1, want 2 (go-vcr v4)"))
		}
	})

	It("bounds the read by the size limit on cassettes", func() {
		dir := GinkgoT().TempDir()
		Expect(os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml"))).To(Succeed())
		_, err := recorder.New(filepath.Join(dir, "zero.yaml"), recorder.WithMode(recorder.ModeReplayOnly))
		Expect(err).To(MatchError(stripecassette.ErrTooLarge))
	})
})
