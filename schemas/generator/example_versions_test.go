package generator_test

import (
	"context"
	"fmt"

	"github.com/stripe-contract/stripe-contract/schemas/generator"
)

// The event types of an older API version and what they carry: basil still
// names the invoice payment event invoice.payment.paid.
func ExampleMapEventTypes() {
	specs, err := generator.LoadSpecs(context.Background(), "2025-05-28.basil")
	if err != nil {
		fmt.Println(err)
		return
	}
	events, err := generator.MapEventTypes(specs.GA, specs.Preview)
	if err != nil {
		fmt.Println(err)
		return
	}
	paid, _ := events.Lookup("invoice.payment.paid")
	fmt.Println(paid.Type, "carries", paid.Carries[0].Object)
	fmt.Printf("%d event types, %d mapped\n", len(events.Listed), len(events.Mapped))
	// Output:
	// invoice.payment.paid carries invoice_payment
	// 241 event types, 239 mapped
}

// The resources of the pinned version, deleted variants included.
func ExampleResources() {
	spec, _ := generator.PinnedSpec()
	resources, err := generator.Resources(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	deleted := 0
	for _, r := range resources {
		if r.Deleted {
			deleted++
		}
	}
	fmt.Printf("%d resources, %d of them deleted variants\n", len(resources), deleted)
	// Output: 169 resources, 24 of them deleted variants
}
