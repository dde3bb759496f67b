package schemas_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
)

// committedDigest hashes the committed files on disk under dir (one
// version's directory, or "." for all) as Digest documents it: path, NUL,
// length, NUL, bytes, in path order.
func committedDigest(dir string, versions ...string) string {
	var paths []string
	for _, v := range versions {
		for _, pattern := range []string{"*.schema.json", "index.json"} {
			m, err := filepath.Glob(filepath.Join(v, pattern))
			Expect(err).NotTo(HaveOccurred())
			paths = append(paths, m...)
		}
	}
	slices.Sort(paths)
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		rel, err := filepath.Rel(dir, p)
		Expect(err).NotTo(HaveOccurred())
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var _ = Describe("the contract's digest", func() {
	It("is the SHA-256 of the committed files of every version", func() {
		Expect(schemas.Digest()).To(Equal(committedDigest(".", schemas.Versions()...)))
		Expect(schemas.Digest()).To(HaveLen(64))
	})

	It("is one per version, each of that version's files, and different", func() {
		seen := map[string]string{}
		for _, v := range schemas.Versions() {
			d, err := schemas.VersionDigest(v)
			Expect(err).NotTo(HaveOccurred())
			Expect(d).To(Equal(committedDigest(v, v)), v)
			Expect(seen).NotTo(HaveKey(d), "%s has the digest of %s", v, seen[d])
			seen[d] = v
		}
	})

	It("refuses a version that is not embedded", func() {
		_, err := schemas.VersionDigest("2020-01-01")
		var unknown *schemas.UnknownVersionError
		Expect(err).To(BeAssignableToTypeOf(unknown))
	})
})
