package generator_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

// loaded keeps each version's specs once read: the suite runs its specs one
// after another, and reading a version means a go command and 20 MB of JSON.
var loaded = map[string]*generator.VersionSpecs{}

func specsOf(apiVersion string) *generator.VersionSpecs {
	GinkgoHelper()
	if vs, ok := loaded[apiVersion]; ok {
		return vs
	}
	vs, err := generator.LoadSpecs(context.Background(), apiVersion)
	Expect(err).NotTo(HaveOccurred())
	loaded[apiVersion] = vs
	return vs
}

func infoVersion(spec []byte) string {
	GinkgoHelper()
	var doc struct {
		Info struct{ Version string } `json:"info"`
	}
	Expect(json.Unmarshal(spec, &doc)).To(Succeed())
	return doc.Info.Version
}

// setenv sets an environment variable for one spec; the go command the
// loader runs inherits it.
func setenv(key, value string) {
	old, had := os.LookupEnv(key)
	Expect(os.Setenv(key, value)).To(Succeed())
	DeferCleanup(func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	})
}

var _ = Describe("EmbeddedVersions", func() {
	It("pins the stripe-mock release go.mod requires, and only that one", func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", generator.StripeMockModule).Output()
		Expect(err).NotTo(HaveOccurred())
		var pinned []string
		for _, v := range generator.EmbeddedVersions() {
			if v.Pinned {
				pinned = append(pinned, v.ModuleVersion)
			}
		}
		Expect(pinned).To(Equal([]string{strings.TrimSpace(string(out))}))
	})

	It("lists the versions oldest first, each once", func() {
		var names []string
		for _, v := range generator.EmbeddedVersions() {
			names = append(names, v.APIVersion)
		}
		Expect(names).To(Equal([]string{"2025-05-28.basil", "2025-09-30.clover", "2026-08-26.dahlia"}))
	})

	It("refuses a version it does not embed, naming the ones it does", func() {
		_, err := generator.LookupVersion("2024-06-20")
		Expect(err).To(MatchError(generator.ErrVersionNotEmbedded))
		Expect(err).To(MatchError(ContainSubstring(`"2024-06-20" (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia)`)))
		_, err = generator.LoadSpecs(context.Background(), "2024-06-20")
		Expect(err).To(MatchError(generator.ErrVersionNotEmbedded))
	})
})

var _ = DescribeTable("LoadSpecs: the specs of each embedded version state that version",
	func(apiVersion, origin string) {
		vs := specsOf(apiVersion)
		Expect(vs.Version.APIVersion).To(Equal(apiVersion))
		Expect(infoVersion(vs.GA)).To(Equal(apiVersion))
		date, _, _ := strings.Cut(apiVersion, ".")
		Expect(infoVersion(vs.Preview)).To(HavePrefix(date + ".preview; "))
		Expect(vs.GAOrigin).To(HavePrefix(origin))
		Expect(vs.GAOrigin).To(MatchRegexp(`spec3\.json\)?, sha256:[0-9a-f]{16}$`))
		Expect(vs.PreviewOrigin).To(MatchRegexp(`spec3\.beta\.sdk\.json\)?, sha256:[0-9a-f]{16}$`))
	},
	Entry("2025-05-28.basil, downloaded", "2025-05-28.basil", "github.com/stripe/stripe-mock@v0.195.0 embedded/openapi/spec3.json"),
	Entry("2025-09-30.clover, downloaded", "2025-09-30.clover", "github.com/stripe/stripe-mock@v0.197.0 embedded/openapi/spec3.json"),
	Entry("2026-08-26.dahlia, pinned and compiled in", "2026-08-26.dahlia", "github.com/stripe/stripe-mock embedded.OpenAPISpec"),
)

var _ = Describe("LoadSpecs without the module proxy", func() {
	It("says which module version it could not download, and why", func() {
		// An empty module cache and no proxy: the version cannot be had.
		setenv("GOMODCACHE", GinkgoT().TempDir())
		setenv("GOFLAGS", "-modcacherw")
		setenv("GOPROXY", "off")
		_, err := generator.LoadSpecs(context.Background(), "2025-09-30.clover")
		var dl *generator.DownloadError
		Expect(errors.As(err, &dl)).To(BeTrue(), "error %v", err)
		Expect(dl.Module).To(Equal("github.com/stripe/stripe-mock"))
		Expect(dl.Version).To(Equal("v0.197.0"))
		Expect(dl.Reason).To(ContainSubstring("module lookup disabled by GOPROXY=off"))
		Expect(err.Error()).To(HavePrefix("download github.com/stripe/stripe-mock@v0.197.0 with `go mod download`"))
	})

	It("still serves the pinned version, which is compiled in", func() {
		setenv("GOPROXY", "off")
		setenv("PATH", "")
		vs, err := generator.LoadSpecs(context.Background(), "2026-08-26.dahlia")
		Expect(err).NotTo(HaveOccurred())
		Expect(vs.Version.Pinned).To(BeTrue())
	})

	It("says so when the go command is missing", func() {
		setenv("PATH", "")
		_, err := generator.LoadSpecs(context.Background(), "2025-05-28.basil")
		Expect(err).To(MatchError(ContainSubstring("download github.com/stripe/stripe-mock@v0.195.0 with `go mod download` (needs the go command and the Go module proxy, GOPROXY): the go command is not on PATH")))
	})
})

var _ = Describe("DownloadSpecs", func() {
	It("reads the pinned version's specs from the module cache, the same bytes as the ones compiled in", func(ctx SpecContext) {
		pinned := specsOf("2026-08-26.dahlia")
		vs, err := generator.DownloadSpecs(ctx, "2026-08-26.dahlia")
		Expect(err).NotTo(HaveOccurred())
		Expect(vs.GAOrigin).To(HavePrefix("github.com/stripe/stripe-mock@v0.203.0 embedded/openapi/spec3.json, sha256:"))
		Expect(vs.GA).To(Equal(pinned.GA))
		Expect(vs.Preview).To(Equal(pinned.Preview))
	})

	It("refuses a version that is not embedded", func(ctx SpecContext) {
		_, err := generator.DownloadSpecs(ctx, "2020-01-01.acacia")
		Expect(errors.Is(err, generator.ErrVersionNotEmbedded)).To(BeTrue())
	})
})
