package contractmatch_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestContractMatch(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Contract Matchers Suite")
}
