package pii_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/recorder/pii"
)

// The entries marked "gap" are the adversarial review's findings: each was
// checked to leak through the recorder's masking before this package
// (recorder.maskJSON, recorder.maskForm at 80ccd69), which kept the value.

var _ = DescribeTable("IsPersonalKey: a field is personal when its name says it holds personal data",
	func(name string, want bool) {
		Expect(pii.IsPersonalKey(name)).To(Equal(want))
	},
	Entry("email", "email", true),
	Entry("a prefixed email: receipt_email", "receipt_email", true),
	Entry("a suffixed email: email_address", "email_address", true),
	Entry("an email in the middle: customer_email_address", "customer_email_address", true),
	Entry("email_sent (gap: its email_sent_to was kept)", "email_sent", true),
	Entry("phone", "phone", true),
	Entry("phone_number (gap)", "phone_number", true),
	Entry("customer_phone_number (gap)", "customer_phone_number", true),
	Entry("verified_phone_last4 (gap)", "verified_phone_last4", true),
	Entry("name", "name", true),
	Entry("first_name_kana (gap)", "first_name_kana", true),
	Entry("full_name_aliases (gap)", "full_name_aliases", true),
	Entry("address", "address", true),
	Entry("address_line1, a card's legacy address field (gap)", "address_line1", true),
	Entry("ip_address", "ip_address", true),
	Entry("postal_code alone (gap)", "postal_code", true),
	Entry("from_postal_code of amount_details.shipping (gap)", "from_postal_code", true),
	Entry("line1 alone (gap)", "line1", true),
	Entry("shipping (gap)", "shipping", true),
	Entry("billing_details (gap)", "billing_details", true),
	Entry("dob (gap)", "dob", true),
	Entry("ssn_last_4 (gap)", "ssn_last_4", true),
	Entry("a person's tax_id (gap)", "tax_id", true),
	Entry("upper case: Email", "Email", true),

	Entry("country alone names a card's or a merchant's country, not a person", "country", false),
	Entry("city alone: a merchant's city", "city", false),
	Entry("state alone: a tax jurisdiction", "state", false),
	Entry("email_sent_at is a timestamp about an email", "email_sent_at", false),
	Entry("address_line1_check is a check result", "address_line1_check", false),
	Entry("billing_address_collection is a setting", "billing_address_collection", false),
	Entry("phone_number_collection is a setting", "phone_number_collection", false),
	Entry("email_type is an enum", "email_type", false),
	Entry("ssn_last_4_provided is a flag", "ssn_last_4_provided", false),
	Entry("amount_shipping is an amount", "amount_shipping", false),
	Entry("shipping_cost holds amounts", "shipping_cost", false),
	Entry("shipping_rate is an ID", "shipping_rate", false),
	Entry("zip alone is a payment method (Zip)", "zip", false),
	Entry("bank_name names a bank", "bank_name", false),
	Entry("event_name names a billing meter's event", "event_name", false),
	Entry("display_name names a tax or shipping rate", "display_name", false),
	Entry("financial_addresses are account numbers to pay into", "financial_addresses", false),
	Entry("tax_ids holds tax IDs, of which only the values are masked", "tax_ids", false),
	Entry("customer", "customer", false),
	Entry("description: its text is read for emails and phones instead", "description", false),
	Entry("metadata: its values are read for emails and phones instead", "metadata", false),
	Entry("id", "id", false),
	Entry("created", "created", false),
)

var _ = DescribeTable("MaskJSON masks personal values and keeps every other byte",
	func(in, want string) {
		got, ok := pii.MaskJSON(in)
		Expect(got).To(Equal(want))
		Expect(ok).To(Equal(want != in))
	},
	Entry("an email in a description (gap)",
		`{"description": "Refund for jane@example.com", "amount": 2000}`,
		`{"description": "Refund for [MASKED]", "amount": 2000}`),
	Entry("an email in a metadata value (gap)",
		`{"metadata": {"contact": "jane@example.com", "order": "42"}}`,
		`{"metadata": {"contact": "[MASKED]", "order": "42"}}`),
	Entry("a phone number in free text",
		`{"description": "call +1 (555) 555-0123 before 1760003700"}`,
		`{"description": "call [MASKED] before 1760003700"}`),
	Entry("a percent-encoded email in a URL (gap)",
		`{"return_url": "https://shop.example/done?email=jane%40example.com&step=2"}`,
		`{"return_url": "https://shop.example/done?email=[MASKED]&step=2"}`),
	Entry("an email written with a JSON escape",
		`{"description": "jane\u0040example.com"}`,
		`{"description": "[MASKED]"}`),
	Entry("phone_number (gap)",
		`{"phone_number": "+15555550123"}`,
		`{"phone_number": "[MASKED]"}`),
	Entry("customer_phone_number (gap)",
		`{"customer_phone_number": "555 0123"}`,
		`{"customer_phone_number": "[MASKED]"}`),
	Entry("a phone written as a number under a personal key (gap)",
		`{"phone": 15555550123}`,
		`{"phone": "[MASKED]"}`),
	Entry("a postal code written as a number (gap)",
		`{"address": {"postal_code": 94103, "country": "US"}}`,
		`{"address": {"postal_code": "[MASKED]", "country": "[MASKED]"}}`),
	Entry("postal codes outside an address, amounts beside them kept (gap)",
		`{"amount_details": {"shipping": {"amount": 500, "from_postal_code": "94103", "to_postal_code": "10001"}}}`,
		`{"amount_details": {"shipping": {"amount": 500, "from_postal_code": "[MASKED]", "to_postal_code": "[MASKED]"}}}`),
	Entry("a date of birth's numbers (gap)",
		`{"dob": {"day": 1, "month": 2, "year": 1990}}`,
		`{"dob": {"day": "[MASKED]", "month": "[MASKED]", "year": "[MASKED]"}}`),
	Entry("a card's legacy address fields, its check results kept (gap)",
		`{"address_line1": "510 Townsend St", "address_line1_check": "pass", "address_zip": "94103"}`,
		`{"address_line1": "[MASKED]", "address_line1_check": "pass", "address_zip": "[MASKED]"}`),
	Entry("email_sent_to masked, email_sent_at kept (gap)",
		`{"email_sent": {"email_sent_at": 1760000000, "email_sent_to": "jane@example.com"}}`,
		`{"email_sent": {"email_sent_at": 1760000000, "email_sent_to": "[MASKED]"}}`),
	Entry("a shipping address, an issuing card's eta and status kept",
		`{"shipping": {"address": {"line1": "510 Townsend St", "line2": null}, "eta": 1760000000, "name": "Jenny Rosen", "status": "pending"}}`,
		`{"shipping": {"address": {"line1": "[MASKED]", "line2": null}, "eta": 1760000000, "name": "[MASKED]", "status": "pending"}}`),
	Entry("tax ID values, their IDs, types and timestamps kept",
		`{"customer_tax_ids": [{"type": "eu_vat", "value": "DE123456789"}], "tax_ids": {"object": "list", "data": [{"id": "txi_1", "created": 1760000000, "type": "eu_vat", "value": "DE123456789"}]}}`,
		`{"customer_tax_ids": [{"type": "eu_vat", "value": "[MASKED]"}], "tax_ids": {"object": "list", "data": [{"id": "txi_1", "created": 1760000000, "type": "eu_vat", "value": "[MASKED]"}]}}`),
	Entry("Checkout's customer_update settings are not personal",
		`{"customer_update": {"address": "auto", "name": "never"}}`,
		`{"customer_update": {"address": "auto", "name": "never"}}`),
	Entry("an array under a personal key",
		`{"full_name_aliases": ["Jenny", "J. Rosen"]}`,
		`{"full_name_aliases": ["[MASKED]", "[MASKED]"]}`),
	Entry("null, booleans and empty strings hold nothing and are kept",
		`{"email": null, "phone": "", "name": true}`,
		`{"email": null, "phone": "", "name": true}`),
	Entry("a metadata key that is personal masks its value",
		`{"metadata": {"email": "jane", "customer_name": "Jenny"}}`,
		`{"metadata": {"email": "[MASKED]", "customer_name": "[MASKED]"}}`),
	Entry("Stripe's two-space indentation, member order and escapes are kept",
		"{\n  \"id\": \"cus_1\",\n  \"email\": \"jane@example.com\",\n  \"note\": \"caf\\u00e9 \\/ 1.50\"\n}\n",
		"{\n  \"id\": \"cus_1\",\n  \"email\": \"[MASKED]\",\n  \"note\": \"caf\\u00e9 \\/ 1.50\"\n}\n"),
	Entry("nothing personal: byte for byte",
		`{"id":"in_1Q5555550123","created":1760003700,"amount_due":2000,"unit_amount_decimal":"1234.5678","customer_email":null}`,
		`{"id":"in_1Q5555550123","created":1760003700,"amount_due":2000,"unit_amount_decimal":"1234.5678","customer_email":null}`),
	Entry("not JSON: returned as it was",
		`{"email": "jane@example.com"`,
		`{"email": "jane@example.com"`),
	Entry("two values: returned as they were",
		`{"email": "jane@example.com"} {}`,
		`{"email": "jane@example.com"} {}`),
)

var _ = DescribeTable("MaskForm masks personal values of a form body or query and keeps every other byte",
	func(in, want string) {
		got, ok := pii.MaskForm(in)
		Expect(got).To(Equal(want))
		Expect(ok).To(Equal(want != in))
	},
	Entry("an email in a Search API query (gap)",
		"query=email%3A%27jane%40example.com%27&limit=3",
		"query=email%3A%27%5BMASKED%5D%27&limit=3"),
	Entry("name and phone clauses of a search query, created kept (gap)",
		"query=name~%27Jenny%27+AND+phone%3A%27%2B15555550123%27+AND+created%3E1609459200",
		"query=name~%27%5BMASKED%5D%27+AND+phone%3A%27%5BMASKED%5D%27+AND+created%3E1609459200"),
	Entry("an email in a description (gap)",
		"amount=2000&description=Refund+for+jane%40example.com",
		"amount=2000&description=Refund+for+%5BMASKED%5D"),
	Entry("an email in a metadata value (gap)",
		"metadata[contact]=jane%40example.com&metadata[order]=42",
		"metadata[contact]=%5BMASKED%5D&metadata[order]=42"),
	Entry("phone_number and customer_phone_number (gap)",
		"phone_number=%2B15555550123&customer_phone_number=5555550123",
		"phone_number=%5BMASKED%5D&customer_phone_number=%5BMASKED%5D"),
	Entry("a card's address_line1 and address_zip (gap)",
		"address_line1=510+Townsend+St&address_zip=94103&exp_year=2030",
		"address_line1=%5BMASKED%5D&address_zip=%5BMASKED%5D&exp_year=2030"),
	Entry("any personal bracket segment",
		"payment_method_data[billing_details][address][postal_code]=94103&shipping[address][line1]=x",
		"payment_method_data[billing_details][address][postal_code]=%5BMASKED%5D&shipping[address][line1]=%5BMASKED%5D"),
	Entry("percent-encoded brackets in the key",
		"shipping%5Bname%5D=Jenny",
		"shipping%5Bname%5D=%5BMASKED%5D"),
	Entry("a tax ID's value, its type kept",
		"tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=DE123456789",
		"tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=%5BMASKED%5D"),
	Entry("a malformed escape does not hide an email",
		"description=100%+off+for+jane%40example.com",
		"description=100%25+off+for+%5BMASKED%5D"),
	Entry("settings named after personal fields are kept",
		"customer_update[address]=auto&billing_address_collection=required",
		"customer_update[address]=auto&billing_address_collection=required"),
	Entry("empty values and keys without values are kept",
		"email=&name&phone=%5BMASKED%5D",
		"email=&name&phone=%5BMASKED%5D"),
	Entry("nothing personal: byte for byte, even unusual escaping",
		"expand[]=data.customer&created[gte]=1760003700&limit=%33&starting_after=cus_1",
		"expand[]=data.customer&created[gte]=1760003700&limit=%33&starting_after=cus_1"),
)

var _ = DescribeTable("MaskSearchQuery masks the personal clauses of Stripe's search query language",
	func(in, want string) {
		Expect(pii.MaskSearchQuery(in)).To(Equal(want))
	},
	Entry("an exact email match", `email:'jane@example.com'`, `email:'[MASKED]'`),
	Entry("double quotes", `email:"jane@example.com"`, `email:"[MASKED]"`),
	Entry("a substring match on a name", `name~'Jen'`, `name~'[MASKED]'`),
	Entry("a negated clause", `-phone:'+15555550123'`, `-phone:'[MASKED]'`),
	Entry("a nested field", `billing_details.address.postal_code:'94103'`, `billing_details.address.postal_code:'[MASKED]'`),
	Entry("a bare value of a personal field", `billing_details.address.postal_code:94103`, `billing_details.address.postal_code:'[MASKED]'`),
	Entry("a personal metadata key", `metadata['email']:'jane'`, `metadata['email']:'[MASKED]'`),
	Entry("an email in any other clause", `metadata["contact"]:"jane@example.com"`, `metadata["contact"]:"[MASKED]"`),
	Entry("an escaped quote inside a value", `name:'O\'Brien' AND status:'active'`, `name:'[MASKED]' AND status:'active'`),
	Entry("null stays: it says the field is empty", `email:null`, `email:null`),
	Entry("numbers and other fields are kept",
		`amount>1000 AND created>=1609459200 AND currency:'usd' AND status:'succeeded'`,
		`amount>1000 AND created>=1609459200 AND currency:'usd' AND status:'succeeded'`),
	Entry("clauses joined by OR, lower case",
		`email:'a@example.com' or name:'Jane Doe'`,
		`email:'[MASKED]' or name:'[MASKED]'`),
)

var _ = DescribeTable("MaskPath masks emails and phone numbers in URL path segments",
	func(in, want string) {
		Expect(pii.MaskPath(in)).To(Equal(want))
	},
	Entry("an email as a path segment (gap)", "/v1/customers/jane@example.com", "/v1/customers/[MASKED]"),
	Entry("a percent-encoded email (gap)", "/v1/customers/jane%40example.com/balance_transactions", "/v1/customers/[MASKED]/balance_transactions"),
	Entry("an email with other escapes around it", "/v1/x/mail%3Ajane%2Btag%40example.com", "/v1/x/mail:[MASKED]"),
	Entry("a phone number", "/lookup/+15555550123", "/lookup/[MASKED]"),
	Entry("IDs are kept", "/v1/invoices/in_1Q5555550123/lines", "/v1/invoices/in_1Q5555550123/lines"),
	Entry("escapes are kept byte for byte where nothing is masked", "/v1/files/file%5F1/contents", "/v1/files/file%5F1/contents"),
)

var _ = DescribeTable("MaskText masks emails and phone numbers, never IDs, timestamps, amounts or dates",
	func(in, want string) {
		Expect(pii.MaskText(in)).To(Equal(want))
	},
	Entry("an email", "write to jane.doe+stripe@mail.example.co.uk today", "write to [MASKED] today"),
	Entry("a Unicode email", "jané@exämple.com", "[MASKED]"),
	Entry("E.164", "+15555550123", "[MASKED]"),
	Entry("E.164 in groups", "+44 20 7946 0958", "[MASKED]"),
	Entry("E.164 with a trunk 0 in parentheses", "+49 (0)30 1234567", "[MASKED]"),
	Entry("the international prefix 00", "0044 20 7946 0958", "[MASKED]"),
	Entry("North American with parentheses", "(555) 555-0123", "[MASKED]"),
	Entry("North American with dots", "555.555.0123", "[MASKED]"),
	Entry("North American with a 1", "1-555-555-0123", "[MASKED]"),
	Entry("British national", "020 7946 0958", "[MASKED]"),
	Entry("French national", "06 12 34 56 78", "[MASKED]"),
	Entry("a phone number then a timestamp", "+15555550123 1760003700", "[MASKED] 1760003700"),
	Entry("two phone numbers together", "+15555550123+15555550123", "[MASKED][MASKED]"),
	Entry("an email then a phone number", "a@example.com+15555550123", "[MASKED][MASKED]"),

	Entry("a Unix timestamp", "1760003700", "1760003700"),
	Entry("a ten-digit number with no separator", "5555550123", "5555550123"),
	Entry("an amount", "2000", "2000"),
	Entry("a decimal amount", "1234.5678", "1234.5678"),
	Entry("a date", "2026-08-26", "2026-08-26"),
	Entry("an API version", "2026-08-26.dahlia", "2026-08-26.dahlia"),
	Entry("a timestamp with an offset", "2026-08-26T10:00:00+02:00", "2026-08-26T10:00:00+02:00"),
	Entry("a European date and a number", "01.02.2026 12", "01.02.2026 12"),
	Entry("a Stripe ID with digits", "in_1Q5555550123", "in_1Q5555550123"),
	Entry("a client secret", "pi_3QPaymentIntent00001_secret_5555550123", "pi_3QPaymentIntent00001_secret_5555550123"),
	Entry("an IP address", "192.168.100.200", "192.168.100.200"),
	Entry("a UUID", "550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"),
	Entry("a signature header", "t=1760003701,v1=3e0ee2874968", "t=1760003701,v1=3e0ee2874968"),
	Entry("a longer dashed number", "555-555-0123-4567", "555-555-0123-4567"),
	Entry("an IBAN in groups", "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
	Entry("a card number in groups", "4242 4242 4242 4242", "4242 4242 4242 4242"),
	Entry("a version with an @", "stripe-go@v85.0.0", "stripe-go@v85.0.0"),
	Entry("text with no digits or @", "My First Invoice Item (created for API docs)", "My First Invoice Item (created for API docs)"),
	Entry("Masked itself", "[MASKED]", "[MASKED]"),
)

// upload is a multipart/form-data body as stripe-go sends POST /v1/files,
// with the boundary "b0undary".
func upload(fields ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		b.WriteString("--b0undary\r\nContent-Disposition: form-data; " + fields[i] + "\r\n\r\n" + fields[i+1] + "\r\n")
	}
	b.WriteString("--b0undary--\r\n")
	return b.String()
}

var _ = DescribeTable("MaskMultipart masks the text fields of a file upload and keeps the file",
	func(in, want string) {
		got, ok := pii.MaskMultipart(in, "b0undary")
		Expect(got).To(Equal(want))
		Expect(ok).To(Equal(want != in))
	},
	Entry("a personal metadata field",
		upload(`name="purpose"`, "identity_document", `name="file_link_data[metadata][email]"`, "jane@example.com"),
		upload(`name="purpose"`, "identity_document", `name="file_link_data[metadata][email]"`, "[MASKED]")),
	Entry("an email in any other field",
		upload(`name="file_link_data[metadata][note]"`, "scan for jane@example.com"),
		upload(`name="file_link_data[metadata][note]"`, "scan for [MASKED]")),
	Entry("a file's content is kept, its name is read for emails",
		upload(`name="file"; filename="jane@example.com.png"`+"\r\nContent-Type: image/png", "\x89PNG jane@example.com\r\n\x00"),
		upload(`name="file"; filename="[MASKED]"`+"\r\nContent-Type: image/png", "\x89PNG jane@example.com\r\n\x00")),
	Entry("nothing personal: byte for byte",
		"preamble\r\n"+upload(`name="purpose"`, "dispute_evidence", `name="file"; filename="evidence.pdf"`, "%PDF-1.4")+"epilogue",
		"preamble\r\n"+upload(`name="purpose"`, "dispute_evidence", `name="file"; filename="evidence.pdf"`, "%PDF-1.4")+"epilogue"),
	Entry("another boundary: kept",
		strings.ReplaceAll(upload(`name="email"`, "jane@example.com"), "b0undary", "other"),
		strings.ReplaceAll(upload(`name="email"`, "jane@example.com"), "b0undary", "other")),
)
