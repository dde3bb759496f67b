package generator

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/stripe/stripe-mock/embedded"
)

// PinnedSpec returns the OpenAPI spec embedded in the stripe-mock module
// pinned in go.mod, and where it came from. The origin names the spec by
// content (SHA-256), which identifies it exactly whichever binary asks.
func PinnedSpec() (spec []byte, origin string) {
	return embedded.OpenAPISpec, "github.com/stripe/stripe-mock embedded.OpenAPISpec (openapi/spec3.json), " + Fingerprint(embedded.OpenAPISpec)
}

// Fingerprint names a spec by content: "sha256:" and the first 16 hex digits.
func Fingerprint(spec []byte) string {
	sum := sha256.Sum256(spec)
	return "sha256:" + hex.EncodeToString(sum[:8])
}
