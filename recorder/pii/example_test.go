package pii_test

import (
	"fmt"

	"github.com/stripe-contract/stripe-contract/recorder/pii"
)

// Mask what a recorded customer search holds: the response body, the
// query and a path. Keys, IDs, amounts and timestamps stay.
func Example() {
	body, _ := pii.MaskJSON(`{
  "id": "cus_QXg1o8vcGmoR32",
  "created": 1760000000,
  "email": "jenny.rosen@example.com",
  "address": {"line1": "510 Townsend St", "postal_code": 94103, "country": "US"},
  "balance": 0,
  "description": "VIP, call +1 (555) 555-0123",
  "metadata": {"referred_by": "jane@example.com"}
}`)
	fmt.Println(body)

	query, _ := pii.MaskForm("query=email%3A%27jenny.rosen%40example.com%27+AND+created%3E1609459200&limit=10")
	fmt.Println(query)

	fmt.Println(pii.MaskPath("/v1/customers/jenny.rosen%40example.com"))
	// Output:
	// {
	//   "id": "cus_QXg1o8vcGmoR32",
	//   "created": 1760000000,
	//   "email": "[MASKED]",
	//   "address": {"line1": "[MASKED]", "postal_code": "[MASKED]", "country": "[MASKED]"},
	//   "balance": 0,
	//   "description": "VIP, call [MASKED]",
	//   "metadata": {"referred_by": "[MASKED]"}
	// }
	// query=email%3A%27%5BMASKED%5D%27+AND+created%3E1609459200&limit=10
	// /v1/customers/[MASKED]
}

// The value of each personal clause is masked, and any email elsewhere.
func ExampleMaskSearchQuery() {
	fmt.Println(pii.MaskSearchQuery(`name~'Jenny' AND metadata['note']:'ask jane@example.com' AND amount>1000`))
	// Output: name~'[MASKED]' AND metadata['note']:'ask [MASKED]' AND amount>1000
}

// A phone number has a + or separators; a bare run of digits may be a
// timestamp and is kept.
func ExampleMaskText() {
	fmt.Println(pii.MaskText("call 555-555-0123 or +44 20 7946 0958, not 1760003700"))
	// Output: call [MASKED] or [MASKED], not 1760003700
}
