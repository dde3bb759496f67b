package main_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

func TestStripeContract(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "stripe-contract CLI Suite")
}

// binary is the stripe-contract command, built once for the whole suite:
// specs run it as a user does and check its exit status and output.
var binary string

var _ = SynchronizedBeforeSuite(func() []byte {
	path, err := gexec.Build("github.com/stripe-contract/stripe-contract/cmd/stripe-contract")
	Expect(err).NotTo(HaveOccurred())
	return []byte(path)
}, func(path []byte) {
	binary = string(path)
})

var _ = SynchronizedAfterSuite(func() {}, func() {
	gexec.CleanupBuildArtifacts()
})
