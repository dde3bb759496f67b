package main_test

import (
	"encoding/json"
	"os/exec"
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// runBinary runs the built command with args and waits for it to exit.
func runBinary(args ...string) *gexec.Session {
	session, err := gexec.Start(exec.Command(binary, args...), GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	Eventually(session, replayExitTimeout).Should(gexec.Exit())
	return session
}

var _ = Describe("version", func() {
	It("prints the module version go version -m reads, every embedded API version and the schemas' SHA-256; --version is the same", func() {
		session := runBinary("version")
		Expect(session).To(gexec.Exit(0))
		out := string(session.Out.Contents())

		// go version -m reads the build information from the binary
		// itself: the version printed must be the one stamped.
		mod, err := exec.Command("go", "version", "-m", binary).Output()
		Expect(err).NotTo(HaveOccurred())
		stamped := regexp.MustCompile(`(?m)^\s+mod\s+github\.com/stripe-contract/stripe-contract\s+(\S+)`).FindSubmatch(mod)
		Expect(stamped).NotTo(BeNil(), "go version -m: %s", mod)
		Expect(out).To(HavePrefix("stripe-contract " + string(stamped[1]) + " (github.com/stripe-contract/stripe-contract, built with go"))

		Expect(out).To(ContainSubstring("schemas sha256: " + schemas.Digest() + "\n"))
		for _, v := range schemas.Versions() {
			d, err := schemas.VersionDigest(v)
			Expect(err).NotTo(HaveOccurred())
			Expect(out).To(MatchRegexp(`(?m)^  ` + regexp.QuoteMeta(v) + ` +sha256 ` + d + `$`))
		}

		flag := runBinary("--version")
		Expect(flag).To(gexec.Exit(0))
		Expect(string(flag.Out.Contents())).To(Equal(out))
	})

	It("writes the same as one JSON object with --format json", func() {
		session := runBinary("version", "--format", "json")
		Expect(session).To(gexec.Exit(0))
		var v struct {
			Module      string `json:"module"`
			Version     string `json:"version"`
			APIVersions []struct {
				APIVersion    string `json:"api_version"`
				SchemasSHA256 string `json:"schemas_sha256"`
			} `json:"api_versions"`
			SchemasSHA256 string `json:"schemas_sha256"`
		}
		Expect(json.Unmarshal(session.Out.Contents(), &v)).To(Succeed())
		Expect(v.Module).To(Equal("github.com/stripe-contract/stripe-contract"))
		Expect(v.Version).NotTo(BeEmpty())
		Expect(v.SchemasSHA256).To(Equal(schemas.Digest()))
		Expect(v.APIVersions).To(HaveLen(len(schemas.Versions())))
		for i, av := range v.APIVersions {
			Expect(av.APIVersion).To(Equal(schemas.Versions()[i]))
		}
	})

	It("refuses an operand as a usage error", func() {
		session := runBinary("version", "extra")
		Expect(session).To(gexec.Exit(2))
		Expect(session.Err).To(gbytes.Say(`unexpected argument "extra"`))
	})
})
