package request_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas"
	"github.com/stripe-contract/stripe-contract/validators"
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

var _ = Describe("a request contract file that is cut short", func() {
	It("is read up to its operations by New, and then says where it breaks instead of checking", func() {
		raw, err := os.ReadFile(filepath.Join("..", "..", "schemas", "2026-08-26.dahlia", schemas.RequestFile))
		Expect(err).NotTo(HaveOccurred())
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, schemas.RequestFile), raw[:len(raw)/2], 0o644)).To(Succeed())
		c, err := request.New(request.WithSchemas(os.DirFS(dir)))
		Expect(err).NotTo(HaveOccurred(), "the header, before $defs, is whole")
		vs := c.Check(get("/v1/invoice_payments?limit=0"))
		Expect(vs).To(HaveLen(1))
		Expect(vs[0].Rule).To(Equal(validators.RuleInternal))
		Expect(vs[0].Message).To(Equal("GET /v1/invoice_payments cannot be checked: parse schema requests.schema.json: the file ends inside a value"))
		Expect(c.CompileAll()).To(MatchError(ContainSubstring("the file ends inside a value")))
		_, err = c.Catalogue()
		Expect(err).To(MatchError(ContainSubstring("the file ends inside a value")))
	})

	It("is refused by New when even its operations are cut", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, schemas.RequestFile), []byte(`{"$id": "x", "x-stripe-api-version": "v", "x-operations": [{"operation"`), 0o644)).To(Succeed())
		_, err := request.New(request.WithSchemas(os.DirFS(dir)))
		Expect(err).To(MatchError(HavePrefix("parse schema requests.schema.json: x-operations: ")))
	})
})
