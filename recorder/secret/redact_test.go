package secret_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// chains are the single encodings and the two-level nestings the table
// runs.
func chains() []encoding {
	out := slices.Clone(encodings)
	byName := func(name string, n int) encoding {
		for _, e := range encodings {
			if e.name == name {
				if n == 0 {
					return e
				}
				n--
			}
		}
		panic(name)
	}
	outers := []encoding{
		byName("percent-encoded", 0), byName(`JSON \u escapes`, 0), byName("HTML entities", 0),
		byName("quoted-printable", 0), byName("base64", 0), byName("base64", 4), byName("hex", 0), byName("UTF-16LE", 0),
	}
	inners := []encoding{
		byName("percent-encoded", 0), byName(`JSON \u escapes`, 0), byName("HTML entities", 0),
		byName("quoted-printable", 0), byName("base64", 1), byName("base64", 3), byName("hex", 1), byName("UTF-16BE", 0),
	}
	for _, o := range outers {
		for _, in := range inners {
			// UTF-16 of UTF-16 has NUL characters, and HTML has no
			// reference for NUL (&#0; is U+FFFD): neither is an encoding
			// of the inner text.
			if strings.HasPrefix(in.name, "UTF-16") && (strings.HasPrefix(o.name, "UTF-16") || o.name == "HTML entities") {
				continue
			}
			out = append(out, nested(o, in))
		}
	}
	return out
}

// sameLayers reports whether two encoding chains name the same layers:
// character encodings that do not touch each other commute, and Scan names
// them in its own order.
func sameLayers(a, b string) bool {
	if a == b {
		return true
	}
	x, y := strings.Split(a, " of "), strings.Split(b, " of ")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// Every family, under every encoding and two-level nesting, in every
// context: Scan finds it, with its family and encoding, and after Redact
// Scan finds nothing. Under character encodings exactly the encoded
// secret is replaced.
func TestRedactRemovesEveryFamilyInEveryEncodingAndContext(t *testing.T) {
	for fi, fam := range shapedFamilies() {
		for ei, enc := range chains() {
			name := enc.name
			if name == "" {
				name = "plain"
			}
			t.Run(fam.Name+"/"+name+fmt.Sprint(ei), func(t *testing.T) {
				for ci, ctx := range contexts {
					value := sampleSecret(fam.Name, []byte{byte(fi), byte(ei), byte(ci)}, (fi+ei+ci)%2 == 0)
					encoded := enc.enc(value)
					doc := ctx.place(encoded)
					want := enc.name
					if ctx.base64 {
						want = strings.TrimSuffix("base64 of "+enc.name, " of ")
					}
					found := secret.Scan([]byte(doc))
					i := slices.IndexFunc(found, func(f secret.Finding) bool {
						return f.Family == fam.Name && sameLayers(f.Encoding, want) && f.Redactable
					})
					if i < 0 {
						t.Errorf("%s: Scan found %v, not %s under %q", ctx.name, found, fam.Name, want)
						continue
					}
					exact := enc.char && !ctx.base64
					if exact && (found[i].Start != len(ctx.before) || found[i].End != len(ctx.before)+len(encoded)) {
						t.Errorf("%s: found at [%d,%d), want [%d,%d)", ctx.name, found[i].Start, found[i].End, len(ctx.before), len(ctx.before)+len(encoded))
					}
					out := secret.Redact(doc)
					if left := secret.Scan([]byte(out)); len(left) > 0 {
						t.Errorf("%s: after Redact, Scan still finds %v in %q", ctx.name, left, out)
					}
					if exact && out != ctx.before+secret.Redacted+ctx.after {
						t.Errorf("%s: Redact gave %q, want exactly the secret replaced: %q", ctx.name, out, ctx.before+secret.Redacted+ctx.after)
					}
				}
			})
		}
	}
}

// UTF-16 text is given the UTF-16 form of Redacted, so it stays UTF-16.
func TestRedactUTF16KeepsTheTextUTF16(t *testing.T) {
	value := sampleSecret("secret-key", []byte("utf16"), true)
	for _, c := range []struct {
		name      string
		bigEndian bool
		bom       bool
	}{{"LE with BOM", false, true}, {"BE with BOM", true, true}, {"LE", false, false}, {"BE", true, false}} {
		doc := utf16Encode(`{"id":"cus_123","key":"`+value+`","livemode":true}`, c.bigEndian, c.bom)
		want := utf16Encode(`{"id":"cus_123","key":"`+secret.Redacted+`","livemode":true}`, c.bigEndian, c.bom)
		if got := secret.Redact(doc); got != want {
			t.Errorf("%s: Redact gave %q, want %q", c.name, got, want)
		}
		kind := "UTF-16LE"
		if c.bigEndian {
			kind = "UTF-16BE"
		}
		if found := secret.Scan([]byte(doc)); len(found) != 1 || found[0].Encoding != kind {
			t.Errorf("%s: Scan found %v, want one secret-key in %s", c.name, found, kind)
		}
	}
}

// ordinary is Stripe text that holds no secret: IDs, publishable keys,
// words that end in a family's prefix, base64-looking IDs, hex digests.
var ordinary = []string{
	"pk_test_51H8xYZabcdefghijklmnopqrstuvwxyz0123456789",
	"pk_live_51H8xYZabcdefghijklmnopqrstuvwxyz0123456789",
	"/v1/payment_intents?limit=3&start_after=pi_3Abc123def456ghi789jkl",
	`{"status": "requires_payment_method", "id": "pi_3Abc", "customer": "cus_NffrFeUfNV2Hib"}`,
	`{"id":"ch_3MmlLrLkdIwHu7ix0snN0B15","object":"charge","balance_transaction":"txn_3MmlLrLkdIwHu7ix0uke3Ezy"}`,
	`{"id":"seti_1Mm8s8LkdIwHu7ix0OXBfTRG","payment_method":"pm_1Mm8s8LkdIwHu7ixq4rvmhbS","client_secret_hint":"none"}`,
	"stripe-signature: t=1760000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
	"idempotency-key: 8e03978e-40d5-43e8-bc93-6894a57f9324",
	"request_id=req_NdFMnQEmO2TGyM start_time=1760000000 cart_total=2000",
	"https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8i9J0#fidkdWxOYHwnPyd1blpxYHZxWjA0TjxEMDZxZm",
	"event=evt_1QInvoicePaid00000001 type=invoice_payment.paid api_version=2025-09-30.clover",
	"=?utf-8?Q?Receipt_from_Example_Corp?= =3D=20 a=b&c=d",
	"&lt;p&gt;Thanks &amp; see you&lt;/p&gt; %E2%9C%93 done",
	"pi_123_secret_abc fcsess_..._secret_... rt_short ac_short",
	"the art_of_testing and a restart_ABCDEFGHIJKLMNOPQRSTUV and tract_ABCDEFGHIJKLMNOPQRSTUV",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA== QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
}

func TestOrdinaryTextIsUnchangedAndFindsNothing(t *testing.T) {
	for _, s := range ordinary {
		if got := secret.Redact(s); got != s {
			t.Errorf("Redact(%q) = %q, want it unchanged", s, got)
		}
		if found := secret.Scan([]byte(s)); len(found) != 0 {
			t.Errorf("Scan(%q) found %v", s, found)
		}
	}
}

// The prefixes of API keys are matched anywhere, as the recorder always
// did; the prefixes that are also ID prefixes and word endings need a
// boundary and sixteen characters.
func TestPrefixRules(t *testing.T) {
	tail := keyString([]byte("rules"), 20)
	for _, c := range []struct {
		text string
		want string // the family found, or ""
	}{
		{"key_sk_" + "live_x", "secret-key"},
		{"sk_" + "test_1", "secret-key"},
		{"whsec_" + "1", "webhook-signing-secret"},
		{"token=rt_" + tail, "oauth-refresh-token"},
		{"_rt_" + tail, "oauth-refresh-token"},
		{"start_" + tail, ""},
		{"rt_" + tail[:15], ""},
		{"code=ac_" + tail, "oauth-authorization-code"},
		{"pac_" + tail, ""},
		{"pi_" + "3Abc_secret_" + tail, "payment-intent-client-secret"},
		{"api_" + "key_secret_" + tail, ""},
		{"pi_" + "3Abc_secret_" + tail[:15], ""},
		{"pk_" + "live_" + tail, ""},
		{"SK_" + "LIVE_" + tail, ""}, // only names are case-folded
		// The boundary before a value counts once decoded.
		{"cs=%22pi_" + "3Abc_secret_" + tail + "%22", "payment-intent-client-secret"},
		{`{"code":"\u0022rt_` + tail + `"}`, "oauth-refresh-token"},
	} {
		found := secret.Scan([]byte(c.text))
		got := ""
		if len(found) > 0 {
			got = found[0].Family
		}
		if got != c.want || len(found) > 1 {
			t.Errorf("Scan(%q) = %v, want %q", c.text, found, c.want)
		}
	}
}

// Go canonicalises a header name's case: the name still redacts.
func TestRedactNameFoldsCase(t *testing.T) {
	value := "Sk_" + "test_" + keyString([]byte("name"), 24)
	if got := secret.RedactName(value); got != secret.Redacted {
		t.Errorf("RedactName(%q) = %q, want %q", value, got, secret.Redacted)
	}
	if got := secret.Redact(value); got != value {
		t.Errorf("Redact(%q) = %q: only names are case-folded", value, got)
	}
	sc := secret.NewScanner("Cookie-Value-12345")
	if got := sc.RedactName("X-Cookie-value-12345"); got != "X-"+secret.Redacted {
		t.Errorf("RedactName of a credential in another case = %q", got)
	}
	if found := sc.ScanName("X-Cookie-value-12345"); len(found) != 1 || found[0].Family != secret.FamilyCredential {
		t.Errorf("ScanName found %v, want the credential", found)
	}
	if got := secret.RedactName("Stripe-Version"); got != "Stripe-Version" {
		t.Errorf("RedactName changed an ordinary name: %q", got)
	}
}

// A credential the request carried is replaced wherever a server echoes
// it, in the same encodings as a secret.
func TestCredentialsAreReplacedInEveryEncoding(t *testing.T) {
	password := "hunter2:correct horse!"
	sc := secret.NewScanner(password, "short", secret.Redacted, "REDACTED")
	for ei, enc := range chains() {
		doc := `{"error":{"message":"Authorization was '` + enc.enc(password) + `'"}}`
		found := sc.Scan([]byte(doc))
		if !slices.ContainsFunc(found, func(f secret.Finding) bool { return f.Family == secret.FamilyCredential && f.Redactable }) {
			t.Errorf("%d %q: Scan found %v, not the credential", ei, enc.name, found)
			continue
		}
		out := sc.Redact(doc)
		if left := sc.Scan([]byte(out)); len(left) > 0 {
			t.Errorf("%d %q: after Redact, Scan still finds %v in %q", ei, enc.name, left, out)
		}
		if secret.Redact(doc) != doc {
			t.Errorf("%d %q: a Scanner without the credential changed the text", ei, enc.name)
		}
	}
	if got := sc.Redact("short and REDACTED stay"); got != "short and REDACTED stay" {
		t.Errorf("credentials shorter than MinCredential or inside Redacted were replaced: %q", got)
	}
}

func TestNilAndZeroScannersHaveNoCredentials(t *testing.T) {
	value := sampleSecret("secret-key", []byte("nil"), false)
	var nilScanner *secret.Scanner
	for _, sc := range []*secret.Scanner{nilScanner, {}} {
		if got := sc.Redact("a " + value); got != "a "+secret.Redacted {
			t.Errorf("Redact = %q", got)
		}
		if got := sc.Scan(nil); len(got) != 0 {
			t.Errorf("Scan(nil) = %v", got)
		}
	}
}

// A base64 part is replaced whole, and nothing after it: its boundary
// starts "--", which never continues a wrapped token, even after a full
// line.
func TestRedactMultipartKeepsTheBoundary(t *testing.T) {
	value := sampleSecret("webhook-signing-secret", []byte("multipart"), false)
	for pad := range 3 {
		// 57 bytes make one full 76-column line: pick a payload that ends
		// on a full line, and ones that do not.
		payload := []byte(`{"secret":"` + value + `"}`)
		for (len(payload)+pad)%57 != 0 {
			payload = append(payload, ' ')
		}
		payload = append(payload, bytes.Repeat([]byte{' '}, pad)...)
		part := wrap(base64.StdEncoding.EncodeToString(payload), 76, "\r\n")
		head := "--b0undary\r\nContent-Type: application/json\r\nContent-Transfer-Encoding: base64\r\n\r\n"
		tail := "\r\n--b0undary\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nidentity_document\r\n--b0undary--\r\n"
		want := head + secret.Redacted + tail
		if got := secret.Redact(head + part + tail); got != want {
			t.Errorf("pad %d: Redact gave %q, want %q", pad, got, want)
		}
	}
}

// A Scanner is safe for concurrent use (go test -race checks).
func TestScannerIsSafeForConcurrentUse(t *testing.T) {
	sc := secret.NewScanner("concurrent-credential")
	value := sampleSecret("secret-key", []byte("concurrent"), true)
	doc := `{"a":"` + base64.StdEncoding.EncodeToString([]byte(value)) + `","b":"concurrent%2Dcredential"}`
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if got := sc.Redact(doc); got != `{"a":"[REDACTED]","b":"[REDACTED]"}` {
					t.Errorf("Redact gave %q", got)
					return
				}
				if found := sc.Scan([]byte(doc)); len(found) != 2 {
					t.Errorf("Scan found %v", found)
					return
				}
			}
		})
	}
	wg.Wait()
}

// UTF-16 inside ASCII, without a byte-order mark: the run of bytes holds
// the quote before or after it, and both byte orders are read.
func TestRedactUTF16WithoutMarkInsideText(t *testing.T) {
	value := sampleSecret("oauth-refresh-token", []byte("embedded"), false)
	sc := secret.NewScanner("embedded-password")
	for _, bigEndian := range []bool{false, true} {
		kind := map[bool]string{false: "UTF-16LE", true: "UTF-16BE"}[bigEndian]
		for _, plain := range []string{value, "embedded-password"} {
			doc := `{"k":"` + utf16Encode(plain, bigEndian, false) + `"}`
			want := `{"k":"` + utf16Encode(secret.Redacted, bigEndian, false) + `"}`
			if got := sc.Redact(doc); got != want {
				t.Errorf("%s: Redact gave %q, want %q", kind, got, want)
			}
			if found := sc.Scan([]byte(doc)); len(found) != 1 || found[0].Encoding != kind {
				t.Errorf("%s: Scan found %v", kind, found)
			}
		}
	}
}
