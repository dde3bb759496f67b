package validators

import "testing"

// New compiles the default version only; another is compiled the first
// time a document is judged at it.
func TestVersionsCompileOnFirstUse(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range v.names {
		if loaded := v.versions[name].c != nil; loaded != (name == v.dflt) {
			t.Errorf("after New, %s compiled: %v", name, loaded)
		}
	}
	res := v.Validate([]byte(`{"object":"event","api_version":"2025-09-30.clover","type":"invoice_payment.paid"}`))
	if res.APIVersion != "2025-09-30.clover" {
		t.Fatalf("judged at %s", res.APIVersion)
	}
	if v.versions["2025-09-30.clover"].c == nil {
		t.Error("clover was not compiled when a document needed it")
	}
	if v.versions["2025-05-28.basil"].c != nil {
		t.Error("basil was compiled, and no document needed it")
	}
}
