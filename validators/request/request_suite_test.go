package request_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-contract/stripe-contract/validators/request"
)

func TestRequest(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Request contract Suite")
}

// checker is shared: a Checker is immutable and safe for concurrent use.
var checker = mustChecker()

func mustChecker() *request.Checker {
	c, err := request.New()
	if err != nil {
		panic(err)
	}
	return c
}
