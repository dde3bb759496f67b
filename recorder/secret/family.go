package secret

// Family is one kind of Stripe secret: what it is called, how a human
// recognises it, and where Stripe says it must be kept secret.
type Family struct {
	// Name is the family's stable identifier ("secret-key",
	// "payment-intent-client-secret"): Finding.Family and Field.Family
	// hold it.
	Name string
	// Prefix is how a value of the family starts or is shaped, for a
	// human ("sk_live_ or sk_test_", "pi_…_secret_…"); it is never a value.
	// It is "" for a FieldOnly family.
	Prefix string
	// Doc is the sentence of Stripe's spec or documentation saying that
	// the value is a secret, or not to be stored, logged or exposed.
	Doc string
	// Source is where Doc is written: a JSON pointer into Stripe's
	// OpenAPI spec ("#/components/schemas/payment_intent/properties/client_secret")
	// or a URL of Stripe's documentation.
	Source string
	// FieldOnly is true for a family whose values have no shape of their
	// own (an Apps secret's payload, an Issuing card's number): Scan and
	// Redact cannot recognise them, and only the fields that hold them
	// (Fields, IsSecretField) say where they are.
	FieldOnly bool
}

// FamilyCredential is the Family of a Finding that is one of a Scanner's
// credentials rather than a value of a catalogued family.
const FamilyCredential = "credential"

// FamilyUnscanned is the Family of a Finding where Scan stopped decoding
// because the input needed more work or more decompressed output than its
// bounds allow (see Scan): what lies there was not checked, so a refusal
// check must treat it as a possible secret. It is never Redactable.
const FamilyUnscanned = "unscanned"

// minTail is the fewest key characters after the prefix of the families
// whose prefix is also an ordinary word or object ID prefix (rt_, ac_, pi_,
// seti_, ...). Real values carry 24 or more random characters; the short
// ones are placeholders of docs and fixtures ("pi_123_secret_abc",
// stripe-mock's "fcsess_..._secret_...") and ordinary text ("start_after"
// holds "rt_after").
const minTail = 16

// specPointer is the prefix of a Source that points into the OpenAPI spec.
const specPointer = "#/components/schemas/"

const (
	docsKeys  = "https://docs.stripe.com/keys"
	docsOAuth = "https://docs.stripe.com/connect/oauth-reference"
)

// catalogue is every family, in the order Families returns them, with the
// shape that recognises its values (nil for a FieldOnly family).
var catalogue = []struct {
	Family
	shape *shape
}{
	{Family{Name: "secret-key", Prefix: "sk_live_ or sk_test_",
		Doc:    "You must keep your secret API keys confidential and only store them on your own servers.",
		Source: docsKeys},
		// Not anchored, as the recorder always matched: "key_sk_live_x"
		// holds a secret. An OAuth access_token is a key of this family.
		&shape{head: "sk", parts: []part{modePart, {min: 1}}}},
	{Family{Name: "restricted-key", Prefix: "rk_live_ or rk_test_",
		Doc:    "A restricted API key allows only the minimum level of access that you specify.",
		Source: docsKeys + "#limit-access"},
		&shape{head: "rk", parts: []part{modePart, {min: 1}}}},
	{Family{Name: "webhook-signing-secret", Prefix: "whsec_",
		Doc:    "The endpoint's secret, used to generate webhook signatures.",
		Source: specPointer + "webhook_endpoint/properties/secret"},
		&shape{head: "whsec", parts: []part{{lit: []string{"_"}}, {min: 1}}}},
	{Family{Name: "payment-intent-client-secret", Prefix: "pi_…_secret_…",
		Doc:    "It should not be stored, logged, or exposed to anyone other than the customer.",
		Source: specPointer + "payment_intent/properties/client_secret"},
		&shape{head: "pi", boundary: true, parts: idSecret}},
	{Family{Name: "setup-intent-client-secret", Prefix: "seti_…_secret_…",
		Doc:    "It should not be stored, logged, or exposed to anyone other than the customer.",
		Source: specPointer + "setup_intent/properties/client_secret"},
		&shape{head: "seti", boundary: true, parts: idSecret}},
	{Family{Name: "checkout-session-client-secret", Prefix: "cs_live_…_secret_… or cs_test_…_secret_…",
		Doc:    "The client secret of your Checkout Session.",
		Source: specPointer + "checkout.session/properties/client_secret"},
		&shape{head: "cs", boundary: true, parts: []part{modePart, {min: 1}, {lit: []string{"_secret_"}}, {min: minTail}}}},
	{Family{Name: "account-session-client-secret", Prefix: "accs_secret__…",
		Doc:    "It should not be stored, logged, or exposed to anyone other than the connected account.",
		Source: specPointer + "account_session/properties/client_secret"},
		&shape{head: "accs", boundary: true, parts: []part{{lit: []string{"_secret__"}}, {min: minTail}}}},
	{Family{Name: "customer-session-client-secret", Prefix: "cuss_secret_…",
		Doc:    "It should not be stored, logged, or exposed to anyone other than the relevant customer.",
		Source: specPointer + "customer_session/properties/client_secret"},
		&shape{head: "cuss", boundary: true, parts: []part{{lit: []string{"_secret_"}}, {min: minTail}}}},
	{Family{Name: "source-client-secret", Prefix: "src_client_secret_…",
		Doc:    "The client secret of the source.",
		Source: specPointer + "source/properties/client_secret"},
		&shape{head: "src", boundary: true, parts: []part{{lit: []string{"_client_secret_"}}, {min: minTail}}}},
	{Family{Name: "identity-verification-session-client-secret", Prefix: "vs_…_secret_live_… or vs_…_secret_test_…",
		Doc:    "Don’t store it, log it, embed it in a URL, or expose it to anyone other than the user.",
		Source: specPointer + "identity.verification_session/properties/client_secret"},
		&shape{head: "vs", boundary: true, parts: []part{{lit: []string{"_"}}, {min: 1}, {lit: []string{"_secret_live_", "_secret_test_"}}, {min: minTail}}}},
	{Family{Name: "financial-connections-session-client-secret", Prefix: "fcsess_…_secret_…",
		Doc:    "A value that will be passed to the client to launch the authentication flow.",
		Source: specPointer + "financial_connections.session/properties/client_secret"},
		// fcsess_client_secret_… (the docs' examples) is this shape too,
		// with "client" where an ID would be.
		&shape{head: "fcsess", boundary: true, parts: idSecret}},
	{Family{Name: "ephemeral-key", Prefix: "ek_live_ or ek_test_",
		Doc:    "The key's secret. You can use this value to make authorized requests to the Stripe API.",
		Source: specPointer + "ephemeral_key/properties/secret"},
		// An ephemeral key's secret may hold underscores ("…_00IxVj").
		&shape{head: "ek", boundary: true, parts: []part{modePart, {min: minTail, underscores: true}}}},
	{Family{Name: "terminal-connection-token", Prefix: "pst_live_ or pst_test_",
		Doc:    "Your application should pass this token to the Stripe Terminal SDK.",
		Source: specPointer + "terminal.connection_token/properties/secret"},
		&shape{head: "pst", boundary: true, parts: []part{modePart, {min: minTail}}}},
	{Family{Name: "oauth-refresh-token", Prefix: "rt_",
		Doc:    "Can be used to get a new access token of an equal or lesser scope, or of a different live mode (where applicable).",
		Source: docsOAuth + "#post-token-response"},
		&shape{head: "rt", boundary: true, parts: []part{{lit: []string{"_"}}, {min: minTail}}}},
	{Family{Name: "oauth-authorization-code", Prefix: "ac_",
		Doc:    "An authorization code you can use in the next call to get an access token for your user.",
		Source: docsOAuth + "#get-authorize-response"},
		&shape{head: "ac", boundary: true, parts: []part{{lit: []string{"_"}}, {min: minTail}}}},
	{Family{Name: "apps-secret-payload", FieldOnly: true,
		Doc:    "The plaintext secret value to be stored.",
		Source: specPointer + "apps.secret/properties/payload"}, nil},
	{Family{Name: "identity-verification-session-url", FieldOnly: true,
		Doc:    "Don’t store it, log it, send it in emails or expose it to anyone other than the user.",
		Source: specPointer + "identity.verification_session/properties/url"}, nil},
	// A card number or CVC is not a credential to the API, but a live one
	// in a committed cassette is cardholder data leaked: worse than a
	// test-mode client secret. Sixteen digits have no prefix to tell them
	// from an amount or a timestamp, so only the fields say where they are.
	{Family{Name: "issuing-card-number", FieldOnly: true,
		Doc:    "The full unredacted card number.",
		Source: specPointer + "issuing.card/properties/number"}, nil},
	{Family{Name: "issuing-card-cvc", FieldOnly: true,
		Doc:    "The card's CVC. For security reasons, this is only available for virtual cards",
		Source: specPointer + "issuing.card/properties/cvc"}, nil},
}

// modePart is "_live_" or "_test_", after a key's two-letter head.
var modePart = part{lit: []string{"_live_", "_test_"}}

// idSecret is "_<object ID>_secret_<random>", the client secret of an
// object whose ID starts with the head (pi_, seti_, fcsess_).
var idSecret = []part{{lit: []string{"_"}}, {min: 1}, {lit: []string{"_secret_"}}, {min: minTail}}

// Families returns the catalogue of Stripe secret families. The slice is a
// copy: changing it changes nothing here.
func Families() []Family {
	out := make([]Family, len(catalogue))
	for i, c := range catalogue {
		out[i] = c.Family
	}
	return out
}
