package generator

import (
	"runtime/debug"

	"github.com/stripe/stripe-mock/embedded"
)

// stripeMockModule carries the pinned spec (go.mod pins its version).
const stripeMockModule = "github.com/stripe/stripe-mock"

// PinnedSpec returns the OpenAPI spec embedded in the pinned stripe-mock
// module and a description of where it came from.
func PinnedSpec() (spec []byte, origin string) {
	version := "(version pinned in go.mod)"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == stripeMockModule {
				version = dep.Version
			}
		}
	}
	return embedded.OpenAPISpec, stripeMockModule + "@" + version + " embedded.OpenAPISpec (openapi/spec3.json)"
}
