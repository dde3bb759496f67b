package generator_test

import (
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

var _ = DescribeTable("Resources: every component whose object is a one-value enum",
	func(apiVersion string, total, deleted int) {
		resources, err := generator.Resources(specsOf(apiVersion).GA)
		Expect(err).NotTo(HaveOccurred())
		byComponent := map[string]generator.Resource{}
		objects := map[string]string{}
		var deletedSeen int
		for _, r := range resources {
			byComponent[r.Component] = r
			Expect(r.Deleted).To(Equal(strings.HasPrefix(r.Component, "deleted_")), "%s", r)
			if r.Deleted {
				deletedSeen++
				continue
			}
			Expect(objects).NotTo(HaveKey(r.Object), "two resources say object %q", r.Object)
			objects[r.Object] = r.Component
		}
		GinkgoWriter.Printf("%s: %d resources, %d of them deleted_* variants\n", apiVersion, len(resources), deletedSeen)
		Expect(resources).To(HaveLen(total))
		Expect(deletedSeen).To(Equal(deleted))
		Expect(slices.IsSortedFunc(resources, func(a, b generator.Resource) int { return strings.Compare(a.Component, b.Component) })).To(BeTrue())
		// A deleted variant says the object of the resource it deletes.
		for _, r := range resources {
			if r.Deleted {
				Expect(objects).To(HaveKeyWithValue(r.Object, strings.TrimPrefix(r.Component, "deleted_")), "%s", r)
			}
		}
		Expect(byComponent).To(HaveKeyWithValue("customer", generator.Resource{Component: "customer", Object: "customer"}))
		Expect(byComponent).To(HaveKeyWithValue("deleted_customer", generator.Resource{Component: "deleted_customer", Object: "customer", Deleted: true}))
		Expect(byComponent).To(HaveKeyWithValue("invoice_payment", generator.Resource{Component: "invoice_payment", Object: "invoice_payment"}))
		Expect(byComponent).To(HaveKeyWithValue("financial_connections.account", generator.Resource{Component: "financial_connections.account", Object: "financial_connections.account"}))
		// Unions of resources and the event's untyped data.object are not resources.
		Expect(byComponent).NotTo(HaveKey("deleted_external_account"))
		Expect(byComponent).NotTo(HaveKey("notification_event_data"))
	},
	Entry("2025-05-28.basil", "2025-05-28.basil", 161, 24),
	Entry("2025-09-30.clover", "2025-09-30.clover", 162, 24),
	Entry("2026-08-26.dahlia (the issue counts 169)", "2026-08-26.dahlia", 169, 24),
)

var _ = Describe("Resources of a bad spec", func() {
	It("says what is wrong with it", func() {
		_, err := generator.Resources([]byte(`{"openapi":"3.0.0","info":{"version":"x"}}`))
		Expect(err).To(MatchError("parse OpenAPI spec: components.schemas is empty"))
		_, err = generator.Resources([]byte(`{"openapi":`))
		Expect(err).To(MatchError(ContainSubstring("parse OpenAPI spec: ")))
	})
})
