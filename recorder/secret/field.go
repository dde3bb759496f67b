package secret

import "strings"

// Field is a field whose value is a secret wherever it stands: a JSON
// member, a form key (also the last segment of a bracketed one,
// payment_intent_data[client_secret]), a query parameter, a multipart
// field name.
type Field struct {
	// Object is the object's type, its `object` member and its schema's
	// name in the spec ("payment_intent", "checkout.session"), or "" when
	// the name is a secret in any object. "oauth.token" is the body of a
	// POST /oauth/token request or response, which the spec does not
	// describe: a caller names it so.
	Object string
	// Name is the field's name.
	Name string
	// Family is the Name of the family its values belong to, or "" when
	// they may be of several (a client_secret of any object).
	Family string
	// Source is where Stripe says so, as Family.Source.
	Source string
}

// OAuthToken is the Object of the body of a request to, or response from,
// Connect's POST /oauth/token: its code is the authorization code the
// platform exchanges (ac_…), which is no secret elsewhere ("code" is also
// an error's or a promotion code's).
const OAuthToken = "oauth.token"

// fields is the field catalogue, in the order Fields returns it.
var fields = []Field{
	// Secrets wherever they stand. A client_secret is also the
	// platform's secret key in an OAuth token request.
	{"", "client_secret", "", docsOAuth + "#post-token-request"},
	{"", "access_token", "secret-key", docsOAuth + "#post-token-response"},
	{"", "refresh_token", "oauth-refresh-token", docsOAuth + "#post-token-response"},
	{OAuthToken, "code", "oauth-authorization-code", docsOAuth + "#post-token-request"},
	// The spec's client secrets, each of its own family.
	{"payment_intent", "client_secret", "payment-intent-client-secret", specPointer + "payment_intent/properties/client_secret"},
	{"setup_intent", "client_secret", "setup-intent-client-secret", specPointer + "setup_intent/properties/client_secret"},
	{"checkout.session", "client_secret", "checkout-session-client-secret", specPointer + "checkout.session/properties/client_secret"},
	{"account_session", "client_secret", "account-session-client-secret", specPointer + "account_session/properties/client_secret"},
	{"customer_session", "client_secret", "customer-session-client-secret", specPointer + "customer_session/properties/client_secret"},
	{"source", "client_secret", "source-client-secret", specPointer + "source/properties/client_secret"},
	{"identity.verification_session", "client_secret", "identity-verification-session-client-secret", specPointer + "identity.verification_session/properties/client_secret"},
	{"financial_connections.session", "client_secret", "financial-connections-session-client-secret", specPointer + "financial_connections.session/properties/client_secret"},
	// An invoice's confirmation_secret holds its PaymentIntent's.
	{"invoices_resource_confirmation_secret", "client_secret", "payment-intent-client-secret", specPointer + "invoices_resource_confirmation_secret/properties/client_secret"},
	// "secret" is a secret in these objects; elsewhere only a value of a
	// family is (which Redact finds by its shape).
	{"ephemeral_key", "secret", "ephemeral-key", specPointer + "ephemeral_key/properties/secret"},
	{"webhook_endpoint", "secret", "webhook-signing-secret", specPointer + "webhook_endpoint/properties/secret"},
	{"terminal.connection_token", "secret", "terminal-connection-token", specPointer + "terminal.connection_token/properties/secret"},
	// Values without a shape: only these fields say where they are.
	{"apps.secret", "payload", "apps-secret-payload", specPointer + "apps.secret/properties/payload"},
	{"identity.verification_session", "url", "identity-verification-session-url", specPointer + "identity.verification_session/properties/url"},
	{"issuing.card", "number", "issuing-card-number", specPointer + "issuing.card/properties/number"},
	{"issuing.card", "cvc", "issuing-card-cvc", specPointer + "issuing.card/properties/cvc"},
}

// Fields returns the field catalogue. The slice is a copy.
func Fields() []Field {
	return append([]Field(nil), fields...)
}

// IsSecretField reports whether the field name of an object of type object
// holds a secret (see Field): object is the enclosing object's type ("" when
// unknown, which matches only the names that are secrets in any object),
// and name a plain or bracketed field name, of which the last segment
// counts ("a[b][client_secret]", "client_secret[]").
func IsSecretField(object, name string) bool {
	name = lastSegment(name)
	for _, f := range fields {
		if f.Name == name && (f.Object == "" || f.Object == object) {
			return true
		}
	}
	return false
}

// lastSegment is the last non-empty segment of a bracketed form key.
func lastSegment(name string) string {
	for strings.HasSuffix(name, "[]") {
		name = strings.TrimSuffix(name, "[]")
	}
	if open := strings.LastIndexByte(name, '['); open >= 0 && strings.HasSuffix(name, "]") {
		return name[open+1 : len(name)-1]
	}
	return name
}
