package secret_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stripe/stripe-mock/embedded"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// spec is the OpenAPI spec stripe-mock embeds, the one the catalogue is
// derived from.
func spec(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(embedded.OpenAPISpec, &doc); err != nil {
		t.Fatalf("read the embedded spec: %v", err)
	}
	return doc
}

// resolve follows a JSON pointer ("#/components/...") in doc.
func resolve(doc map[string]any, pointer string) (map[string]any, bool) {
	var cur any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "#/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

var markdownLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// prose is a spec description as a reader sees it: links as their text,
// white space collapsed.
func prose(s string) string {
	return strings.Join(strings.Fields(markdownLink.ReplaceAllString(s, "$1")), " ")
}

func TestFamilySourcesResolveInTheSpecAndSayDoc(t *testing.T) {
	doc := spec(t)
	for _, f := range secret.Families() {
		if !strings.HasPrefix(f.Source, "#/") {
			if !strings.HasPrefix(f.Source, "https://docs.stripe.com/") {
				t.Errorf("%s: Source %q is neither a spec pointer nor a docs page", f.Name, f.Source)
			}
			continue
		}
		prop, ok := resolve(doc, f.Source)
		if !ok {
			t.Errorf("%s: Source %s does not resolve in stripe-mock's spec", f.Name, f.Source)
			continue
		}
		desc, _ := prop["description"].(string)
		if !strings.Contains(prose(desc), f.Doc) {
			t.Errorf("%s: the spec's description at %s no longer says %q; it says %q", f.Name, f.Source, f.Doc, prose(desc))
		}
	}
}

func TestFieldSourcesResolveInTheSpec(t *testing.T) {
	doc := spec(t)
	names := map[string]bool{"": true}
	for _, f := range secret.Families() {
		names[f.Name] = true
	}
	for _, f := range secret.Fields() {
		if !names[f.Family] {
			t.Errorf("field %s.%s: family %q is not catalogued", f.Object, f.Name, f.Family)
		}
		if !strings.HasPrefix(f.Source, "#/") {
			continue
		}
		if _, ok := resolve(doc, f.Source); !ok {
			t.Errorf("field %s.%s: Source %s does not resolve in stripe-mock's spec", f.Object, f.Name, f.Source)
		}
		if want := "#/components/schemas/" + f.Object + "/properties/" + f.Name; f.Source != want {
			t.Errorf("field %s.%s: Source is %s, want %s", f.Object, f.Name, f.Source, want)
		}
	}
}

// secretSaying is a description that makes a field a secret.
var secretSaying = regexp.MustCompile(`(?i)not be stored|don.t store|plaintext secret`)

// Every client_secret or secret field of the spec, and every field the spec
// says not to store, is catalogued: a new one fails here until it is.
func TestEverySecretFieldOfTheSpecIsCatalogued(t *testing.T) {
	schemas, _ := resolve(spec(t), "#/components/schemas")
	var found []string
	for name, s := range schemas {
		props, _ := s.(map[string]any)["properties"].(map[string]any)
		for prop, p := range props {
			desc, _ := p.(map[string]any)["description"].(string)
			if prop == "client_secret" || prop == "secret" || secretSaying.MatchString(desc) {
				found = append(found, name+"."+prop)
				if !slices.ContainsFunc(secret.Fields(), func(f secret.Field) bool { return f.Object == name && f.Name == prop }) {
					t.Errorf("the spec's %s.%s is a secret (%q) but not in Fields", name, prop, prose(desc))
				}
			}
		}
	}
	if len(found) < 10 {
		t.Errorf("found only %v in the spec: the scan of it is broken", found)
	}
}

func TestFamiliesAreACopyWithUniqueNames(t *testing.T) {
	fs := secret.Families()
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Name == "" || seen[f.Name] || f.Doc == "" || f.Source == "" {
			t.Errorf("family %+v: a name must be set and unique, with a Doc and a Source", f)
		}
		seen[f.Name] = true
		if f.FieldOnly != (f.Prefix == "") {
			t.Errorf("%s: FieldOnly %v with Prefix %q", f.Name, f.FieldOnly, f.Prefix)
		}
		if got := secret.Scan([]byte(f.Prefix)); len(got) != 0 {
			t.Errorf("%s: its Prefix %q is itself found: %v", f.Name, f.Prefix, got)
		}
	}
	fs[0].Name = "changed"
	if secret.Families()[0].Name == "changed" {
		t.Error("Families returned the catalogue itself, not a copy")
	}
	fields := secret.Fields()
	fields[0].Name = "changed"
	if secret.Fields()[0].Name == "changed" {
		t.Error("Fields returned the catalogue itself, not a copy")
	}
	for _, f := range fs {
		if f.FieldOnly && !slices.ContainsFunc(fields, func(fd secret.Field) bool { return fd.Family == f.Name }) {
			t.Errorf("%s has no shape and no field: nothing can find it", f.Name)
		}
	}
}

func TestIsSecretField(t *testing.T) {
	for _, c := range []struct {
		object, name string
		want         bool
	}{
		{"payment_intent", "client_secret", true},
		{"", "client_secret", true},
		{"", "payment_intent_data[client_secret]", true},
		{"", "a[b][client_secret]", true},
		{"", "client_secret[]", true},
		{"customer", "refresh_token", true},
		{"", "access_token", true},
		{"webhook_endpoint", "secret", true},
		{"ephemeral_key", "secret", true},
		{"terminal.connection_token", "secret", true},
		{"customer", "secret", false},
		{"", "secret", false},
		{"apps.secret", "payload", true},
		{"billing.meter_event", "payload", false},
		{secret.OAuthToken, "code", true},
		{"", "code", false},
		{"promotion_code", "code", false},
		{"issuing.card", "number", true},
		{"issuing.card", "cvc", true},
		{"invoice", "number", false},
		{"identity.verification_session", "url", true},
		{"checkout.session", "url", false},
		{"payment_intent", "client_secret_hint", false},
		{"payment_intent", "status", false},
		{"", "metadata[client_secret_note]", false},
	} {
		if got := secret.IsSecretField(c.object, c.name); got != c.want {
			t.Errorf("IsSecretField(%q, %q) = %v, want %v", c.object, c.name, got, c.want)
		}
	}
}

// The README's table of families is written by hand: it must name every
// family of the catalogue, so that a family added here is documented there.
func TestReadmeNamesEveryFamily(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range secret.Families() {
		if !strings.Contains(string(readme), "`"+f.Name+"`") {
			t.Errorf("README.md does not name the secret family `%s`", f.Name)
		}
	}
}
