// Package secret is what a Stripe secret is: the catalogue of secret
// families and of the fields that hold them, the redaction of their values,
// and the deep scan that proves none is left in any encoding.
//
// A recording redacts each text it keeps with a Scanner that also knows the
// credentials the request carried, then refuses to write what a Scan still
// finds:
//
//	sc := secret.NewScanner(apiKey, basicUser, basicPassword) // values the request carried
//	body = sc.Redact(body)
//	name = sc.RedactName(name) // header names arrive case-folded: Sk_test_…
//	for _, f := range sc.Scan(file) {
//		// f.Family, f.Encoding ("base64 of gzip"), f.Start, f.End; never the value
//	}
//
// # Families
//
// Families lists them; the value shapes Scan and Redact recognise are:
//
//	secret-key                        sk_live_ / sk_test_ + key characters (also an OAuth access_token)
//	restricted-key                    rk_live_ / rk_test_ + key characters
//	webhook-signing-secret            whsec_ + key characters           webhook_endpoint.secret
//	payment-intent-client-secret      pi_<id>_secret_<random>           payment_intent.client_secret, invoice.confirmation_secret.client_secret
//	setup-intent-client-secret        seti_<id>_secret_<random>         setup_intent.client_secret
//	checkout-session-client-secret    cs_live_/cs_test_<id>_secret_<r>  checkout.session.client_secret
//	account-session-client-secret     accs_secret__<random>             account_session.client_secret
//	customer-session-client-secret    cuss_secret_<random>              customer_session.client_secret
//	source-client-secret              src_client_secret_<random>        source.client_secret
//	identity-verification-session-client-secret
//	                                  vs_<id>_secret_live_/test_<r>     identity.verification_session.client_secret
//	financial-connections-session-client-secret
//	                                  fcsess_<id>_secret_<random>       financial_connections.session.client_secret
//	ephemeral-key                     ek_live_ / ek_test_<random>       ephemeral_key.secret
//	terminal-connection-token         pst_live_ / pst_test_<random>     terminal.connection_token.secret
//	oauth-refresh-token               rt_<random>                       /oauth/token refresh_token (not in the spec)
//	oauth-authorization-code          ac_<random>                       /oauth/token code (not in the spec)
//
// Each Family's Source is the spec pointer
// (#/components/schemas/<object>/properties/<field>) or, for API keys and
// OAuth, which the spec does not describe, the docs page; its Doc is the
// sentence there that makes it a secret. The tests read the spec that
// stripe-mock embeds and fail when a pointer stops resolving, when its
// description no longer says Doc, or when the spec gains a client_secret
// or secret field, or a "don't store it" sentence, that is not catalogued.
//
// Key characters are ASCII letters and digits. The secret and restricted
// keys and whsec_ are matched anywhere, with one key character or more, as
// the recorder always did ("key_sk_live_x" holds one). Every other prefix
// is also an ID prefix or a word ending ("pi_", "start_after" holds
// "rt_after"), so those values need at least 16 random characters, as every
// real one has (docs and fixtures use short placeholders), and must not
// follow a letter or digit ("token=rt_…" and "_rt_…" do, "start_…" does
// not). Publishable keys (pk_) are not secrets.
//
// Four families have no shape (FieldOnly): an Apps secret's payload ("The
// plaintext secret value to be stored"), an Identity VerificationSession's
// url ("Don’t store it, log it, send it in emails…"), and an Issuing card's
// number and cvc, which the spec returns only when asked for "for security
// reasons": cardholder data is worse to leak than a test-mode client
// secret, and only their fields say where they are. Considered and left
// out: file.url (it needs a secret key to be read), the mandate URLs
// (customer data: personal-data masking, not secrets), forwarding requests
// (Stripe redacts them itself), login and account links (short-lived, not
// called secret).
//
// # Fields
//
// Fields and IsSecretField name the fields whose values are secrets
// wherever they stand (a JSON member, a form key or the last segment of a
// bracketed one, a query parameter, a multipart field name), so a caller
// can redact a value whatever its shape: client_secret, access_token and
// refresh_token in any object; secret in an ephemeral_key,
// webhook_endpoint or terminal.connection_token; payload of apps.secret;
// url of identity.verification_session; number and cvc of issuing.card;
// and code only in an OAuth token exchange, which the caller says by
// passing the object OAuthToken for a POST /oauth/token body.
//
// # Encodings
//
// Scan decodes, nested up to six deep: percent-encoding, JSON \u (and
// other JSON string) escapes anywhere, HTML character references,
// quoted-printable, UTF-16LE/BE with or without a byte-order mark, base64
// of either alphabet (padded or not, at any alignment, wrapped across line
// breaks), hex, and the compressed containers gzip, zlib, raw deflate,
// brotli, zstd, xz and bzip2. Redact replaces what it can in place: the
// exact escaped bytes under character encodings, the whole token under
// base64 or hex, the UTF-16 form of Redacted in UTF-16 text; a secret in a
// compressed container is found (Redactable false) but cannot be replaced.
// After Redact, Scan finds nothing Redactable.
//
// # Limits
//
//   - A base64 or hex token is replaced whole, with whatever text of its
//     alphabet is glued to it: in "/v1/files/<token>" the path goes too
//     ('/' is base64), in "key_<token>" the key name ('_' is base64url).
//   - A secret a container holds verbatim (a zstd raw block or raw
//     literals, a stored deflate block) is plain text to Redact, which
//     replaces it and so breaks the container.
//   - Raw deflate and brotli have no signature: they are tried only at the
//     start of the input, of a whole token's decoding or of a decompressed
//     output, on binary data of 24 bytes or more.
//   - Two character encodings whose escapes do not touch commute; Encoding
//     names them in one order (percent, JSON, HTML, quoted-printable)
//     whichever was applied first.
//   - A wrapped base64 token continues across a line break only while its
//     lines are of one width of 16 or more; UTF-16 is read for characters
//     U+0001 to U+00FF, the only ones a secret or an encoding of one uses.
//   - Six encodings deep at most; about 32 times the input in decoded
//     views and 64 MiB of decompressed output in all; xz dictionaries and
//     zstd windows of 64 MiB at most. Past a bound, a FamilyUnscanned
//     finding says where.
package secret
