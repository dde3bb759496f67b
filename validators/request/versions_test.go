package request_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

var _ = Describe("the request contract of an API version", func() {
	It("is the newest by default, and the one WithAPIVersion names", func() {
		c, err := request.New()
		Expect(err).NotTo(HaveOccurred())
		Expect(c.APIVersion()).To(Equal(schemas.Newest()))
		// dahlia's list endpoint filters by created; clover's has no such parameter.
		Expect(c.Check(get("/v1/invoice_payments?created=1760000000"))).To(BeEmpty())

		clover, err := request.New(request.WithAPIVersion("2025-09-30.clover"))
		Expect(err).NotTo(HaveOccurred())
		Expect(clover.APIVersion()).To(Equal("2025-09-30.clover"))
		Expect(rules(clover.Check(get("/v1/invoice_payments?created=1760000000")))).NotTo(BeEmpty())
	})

	It("refuses a version that is not embedded, naming the embedded ones", func() {
		_, err := request.New(request.WithAPIVersion("2024-06-20"))
		Expect(err).To(MatchError(`request: API version "2024-06-20" is not embedded (embedded: 2025-05-28.basil, 2025-09-30.clover, 2026-08-26.dahlia)`))
	})

	It("reads generated files WithSchemas gives, and says when they are for another version", func() {
		dir := GinkgoT().TempDir()
		raw, err := os.ReadFile(filepath.Join("..", "..", "schemas", "2025-05-28.basil", schemas.RequestFile))
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, schemas.RequestFile), raw, 0o644)).To(Succeed())
		c, err := request.New(request.WithSchemas(os.DirFS(dir)))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.APIVersion()).To(Equal("2025-05-28.basil"))
		_, err = request.New(request.WithSchemas(os.DirFS(dir)), request.WithAPIVersion("2026-08-26.dahlia"))
		Expect(err).To(MatchError("request: the request contract given is for API version 2025-05-28.basil, not 2026-08-26.dahlia"))
	})
})
