// Package pii masks personal data in recorded Stripe traffic: what
// stripe-contract record --mask-pii (recorder.WithMaskPII) does to a
// cassette before it is written, and the one definition of what counts as
// personal.
//
// Personal data is masked by key and by shape:
//
//   - by key: the value of a personal field (IsPersonalKey: email, name,
//     phone and address fields in all their Stripe forms, postal codes,
//     address lines, shipping, billing_details, dates of birth, tax and
//     identity numbers), and everything under it, whatever it holds,
//     strings and numbers alike;
//   - by shape: email addresses (also percent-encoded) and phone numbers
//     in any other text (MaskText): descriptions, metadata values, URLs,
//     path segments and Search API queries.
//
// Each kind of input has its function:
//
//	body, _ := pii.MaskJSON(`{"email": "jane@example.com", "amount": 2000}`)
//	// {"email": "[MASKED]", "amount": 2000}
//	query, _ := pii.MaskForm(`query=email%3A%27jane%40example.com%27&limit=3`)
//	// query=email%3A%27%5BMASKED%5D%27&limit=3
//	path := pii.MaskPath("/v1/customers/jane%40example.com")
//	// /v1/customers/[MASKED]
//
// MaskMultipart reads a file upload's text fields, MaskSearchQuery a
// Search API query on its own, MaskValue one decoded form value under its
// key (what go-vcr records as a request's form), MaskText any other text.
//
// What it guarantees, for a replay server that matches a recorded Masked
// against any value of its parameter:
//
//   - only values change: keys, member names, parameter names and their
//     order are kept, and a masked value is exactly Masked;
//   - a JSON document stays valid JSON of the same shape, a form stays
//     form-decodable;
//   - input with nothing personal comes back byte for byte, and so does
//     every value that holds nothing personal (a value masked in part, such
//     as a description with an email in it, is written again whole, in the
//     input's encoding but perhaps with other escapes);
//   - masking twice is masking once.
//
// What it does not do:
//
//   - member names and form keys are never changed, so an email used as a
//     metadata key stays;
//   - a personal name or address in free text, where no key says what it
//     is, cannot be told from other words and stays (an email or phone
//     number in the same text is masked);
//   - a bare run of digits outside a personal field is never taken for a
//     phone number, because it cannot be told from a timestamp or an
//     amount; and text shaped like a North American number (200 300 4000)
//     is taken for one;
//   - a tax_id object retrieved on its own (GET /v1/tax_ids/{id}) keeps its
//     value: only the tax IDs listed under tax_ids, customer_tax_ids and
//     tax_id_data say what they are;
//   - a file's content is kept;
//   - masked numbers become the string "[MASKED]", so a schema that types a
//     personal field as an integer (dob.day) flags a masked cassette.
package pii
