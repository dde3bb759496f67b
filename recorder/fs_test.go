package recorder_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

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

	It("replaces a file whole and leaves no temporary file behind", func() {
		fsys := recorder.NewAtomicFS()
		name := filepath.Join(dir, "nested", "c.yaml")
		Expect(fsys.IsFileExists(name)).To(BeFalse())
		Expect(fsys.WriteFile(name, []byte("version: 2\ninteractions: []\n"))).To(Succeed())
		Expect(fsys.WriteFile(name, []byte("version: 2\ninteractions: [] # second\n"))).To(Succeed())
		Expect(fsys.IsFileExists(name)).To(BeTrue())
		Expect(fsys.ReadFile(name)).To(BeEquivalentTo("version: 2\ninteractions: [] # second\n"))
		entries, _ := os.ReadDir(filepath.Join(dir, "nested"))
		Expect(entries).To(HaveLen(1))
	})

	It("keeps the comments heading the old file (where the cassette came from)", func() {
		name := filepath.Join(dir, "c.yaml")
		Expect(os.WriteFile(name, []byte("# recorded from stripe-mock\n# on purpose\n---\nversion: 2\n"), 0o644)).To(Succeed())
		Expect(recorder.NewAtomicFS().WriteFile(name, []byte("---\nversion: 2\ninteractions: []\n"))).To(Succeed())
		Expect(os.ReadFile(name)).To(BeEquivalentTo("# recorded from stripe-mock\n# on purpose\n---\nversion: 2\ninteractions: []\n"))
	})

	It("refuses bytes holding a secret, naming the line, and keeps the old file", func() {
		name := filepath.Join(dir, "c.yaml")
		Expect(os.WriteFile(name, []byte("old"), 0o644)).To(Succeed())
		err := recorder.NewAtomicFS().WriteFile(name, []byte("version: 2\ninteractions:\n  - body: "+randomKey("rk_test_")+"\n"))
		Expect(err).To(MatchError(&recorder.SecretError{Cassette: name, Interaction: -1, Line: 3, Family: "restricted-key"}))
		Expect(os.ReadFile(name)).To(BeEquivalentTo("old"))
	})

	It("refuses bytes that would not read back as a cassette, naming the file, and keeps the old file", func() {
		name := filepath.Join(dir, "c.yaml")
		Expect(os.WriteFile(name, []byte("old"), 0o644)).To(Succeed())
		for _, bad := range []string{
			"version: 2\ninteractions:\n  - request: [\n",                        // not YAML
			"version: 1\ninteractions: []\n",                                     // not go-vcr v4's format
			"version: 2\ninteractions:\n  - request:\n      url: http://x/%zz\n", // a URL serve cannot parse
		} {
			err := recorder.NewAtomicFS().WriteFile(name, []byte(bad))
			Expect(err).To(HaveOccurred(), bad)
			Expect(err.Error()).To(HavePrefix("write cassette "+name+": it would not read back: "), bad)
			Expect(os.ReadFile(name)).To(BeEquivalentTo("old"))
		}
		entries, _ := os.ReadDir(dir)
		Expect(entries).To(HaveLen(1), "no temporary file is left")
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

	Describe("a cassette that is a symbolic link", func() {
		It("is written through to the link's target, and stays a link", func() {
			Expect(os.Mkdir(filepath.Join(dir, "real"), 0o755)).To(Succeed())
			target := filepath.Join(dir, "real", "target.yaml")
			Expect(os.WriteFile(target, []byte("# kept\nversion: 2\ninteractions: []\n"), 0o600)).To(Succeed())
			link := filepath.Join(dir, "c.yaml")
			Expect(os.Symlink(filepath.Join("real", "target.yaml"), link)).To(Succeed())

			Expect(recorder.NewAtomicFS().WriteFile(link, []byte("---\nversion: 2\ninteractions: []\n"))).To(Succeed())
			info, err := os.Lstat(link)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Mode()&os.ModeSymlink).NotTo(BeZero(), "the link is still a link")
			Expect(os.ReadFile(target)).To(BeEquivalentTo("# kept\n---\nversion: 2\ninteractions: []\n"))
			st, _ := os.Stat(target)
			Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)), "the target keeps its mode")
			for _, d := range []string{dir, filepath.Join(dir, "real")} {
				entries, _ := os.ReadDir(d)
				for _, e := range entries {
					Expect(e.Name()).NotTo(ContainSubstring(".tmp-"), "no temporary file is left in %s", d)
				}
			}
		})

		It("follows a chain of links, and creates the target of a dangling one", func() {
			target := filepath.Join(dir, "elsewhere", "new.yaml")
			Expect(os.Mkdir(filepath.Dir(target), 0o755)).To(Succeed())
			Expect(os.Symlink(target, filepath.Join(dir, "b.yaml"))).To(Succeed())
			Expect(os.Symlink("b.yaml", filepath.Join(dir, "a.yaml"))).To(Succeed())
			Expect(recorder.NewAtomicFS().WriteFile(filepath.Join(dir, "a.yaml"), []byte("version: 2\ninteractions: []\n"))).To(Succeed())
			Expect(os.ReadFile(target)).To(BeEquivalentTo("version: 2\ninteractions: []\n"))
			for _, l := range []string{"a.yaml", "b.yaml"} {
				info, _ := os.Lstat(filepath.Join(dir, l))
				Expect(info.Mode()&os.ModeSymlink).NotTo(BeZero(), l)
			}
		})
	})

	It("leaves one complete version when many write at once", func() {
		fsys := recorder.NewAtomicFS()
		name := filepath.Join(dir, "c.yaml")
		versions := map[string]bool{}
		var wg sync.WaitGroup
		for k := range 20 {
			v := fmt.Sprintf("version: 2\ninteractions: []\n# writer %d %s\n", k, strings.Repeat("x", 64<<10))
			versions[v] = true
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				Expect(fsys.WriteFile(name, []byte(v))).To(Succeed())
			}()
		}
		wg.Wait()
		data, _ := os.ReadFile(name)
		Expect(versions).To(HaveKey(string(data)))
		entries, _ := os.ReadDir(dir)
		Expect(entries).To(HaveLen(1))
	})

	It("never shows a reader a partial cassette while it is rewritten", func() {
		fsys := recorder.NewAtomicFS()
		name := filepath.Join(dir, "c.yaml")
		versions := []string{
			"version: 2\ninteractions: []\n# a" + strings.Repeat("a", 256<<10) + "\n",
			"version: 2\ninteractions: []\n# b" + strings.Repeat("b", 128<<10) + "\n",
		}
		Expect(fsys.WriteFile(name, []byte(versions[0]))).To(Succeed())
		done := make(chan struct{})
		var reads int
		go func() {
			defer GinkgoRecover()
			defer close(done)
			for k := range 40 {
				Expect(fsys.WriteFile(name, []byte(versions[k%2]))).To(Succeed())
			}
		}()
		for {
			select {
			case <-done:
				Expect(reads).To(BeNumerically(">", 10))
				return
			default:
			}
			data, err := os.ReadFile(name)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(data) == versions[0] || string(data) == versions[1]).To(BeTrue(), "read %d saw %d bytes, neither version", reads, len(data))
			reads++
		}
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
