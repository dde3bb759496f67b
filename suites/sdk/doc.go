// Package sdk checks what an SDK makes of the Stripe API's JSON: Compare
// walks a recorded body and the value the SDK decoded from it side by side
// and reports each Loss, where the SDK's types lose or change what was sent
// (a null read as 0, a member with no field, a value changed); Findings is
// the checked-in list of the losses known and explained, and Reconcile
// tells the new ones from the known ones and the known ones that no longer
// occur.
//
// Compare is generic: it maps JSON members to struct fields through their
// json tags with reflection, so it works for any Go SDK whose types follow
// encoding/json. The Ginkgo suite beside it drives stripe-go v85 against
// the replay server over the bundled cassettes:
//
//	ip, err := client.Get("inpay_123", nil)
//	losses, err := sdk.Compare(recordedBody, ip)
//	unlisted, gone := sdk.Reconcile(known, losses)
package sdk
