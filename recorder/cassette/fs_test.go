package cassette_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder/cassette"
)

var _ = Describe("the crash-safe cassette FS", func() {
	var dir string
	BeforeEach(func() { dir = GinkgoT().TempDir() })

	It("replaces a file whole and leaves no temporary file behind", func() {
		fsys := (&cassette.FS{})
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
		Expect((&cassette.FS{}).WriteFile(name, []byte("---\nversion: 2\ninteractions: []\n"))).To(Succeed())
		Expect(os.ReadFile(name)).To(BeEquivalentTo("# recorded from stripe-mock\n# on purpose\n---\nversion: 2\ninteractions: []\n"))
	})

	It("refuses bytes that would not read back as a cassette, naming the file, and keeps the old file", func() {
		name := filepath.Join(dir, "c.yaml")
		Expect(os.WriteFile(name, []byte("old"), 0o644)).To(Succeed())
		for _, bad := range []string{
			"version: 2\ninteractions:\n  - request: [\n",                        // not YAML
			"version: 1\ninteractions: []\n",                                     // not go-vcr v4's format
			"version: 2\ninteractions:\n  - request:\n      url: http://x/%zz\n", // a URL serve cannot parse
		} {
			err := (&cassette.FS{}).WriteFile(name, []byte(bad))
			Expect(err).To(HaveOccurred(), bad)
			Expect(err.Error()).To(HavePrefix("write cassette "+name+": it would not read back: "), bad)
			Expect(os.ReadFile(name)).To(BeEquivalentTo("old"))
		}
		entries, _ := os.ReadDir(dir)
		Expect(entries).To(HaveLen(1), "no temporary file is left")
	})

	Describe("a cassette that is a symbolic link", func() {
		It("is written through to the link's target, and stays a link", func() {
			Expect(os.Mkdir(filepath.Join(dir, "real"), 0o755)).To(Succeed())
			target := filepath.Join(dir, "real", "target.yaml")
			Expect(os.WriteFile(target, []byte("# kept\nversion: 2\ninteractions: []\n"), 0o600)).To(Succeed())
			link := filepath.Join(dir, "c.yaml")
			Expect(os.Symlink(filepath.Join("real", "target.yaml"), link)).To(Succeed())

			Expect((&cassette.FS{}).WriteFile(link, []byte("---\nversion: 2\ninteractions: []\n"))).To(Succeed())
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
			Expect((&cassette.FS{}).WriteFile(filepath.Join(dir, "a.yaml"), []byte("version: 2\ninteractions: []\n"))).To(Succeed())
			Expect(os.ReadFile(target)).To(BeEquivalentTo("version: 2\ninteractions: []\n"))
			for _, l := range []string{"a.yaml", "b.yaml"} {
				info, _ := os.Lstat(filepath.Join(dir, l))
				Expect(info.Mode()&os.ModeSymlink).NotTo(BeZero(), l)
			}
		})
	})

	It("leaves one complete version when many write at once", func() {
		fsys := (&cassette.FS{})
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
		fsys := (&cassette.FS{})
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

})
