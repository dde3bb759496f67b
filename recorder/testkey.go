package recorder

import (
	"fmt"
	"strings"
)

// EnvAPIKey is the environment variable that holds the Stripe key tests
// record with, and that the replay suites send to the live target: a
// test-mode secret (sk_test_) or restricted (rk_test_) key.
const EnvAPIKey = "STRIPE_API_KEY"

// KeyError is a key refused before anything is sent: a live-mode key, or
// one that is not a secret key at all.
type KeyError struct {
	Var    string // where the key came from: STRIPE_API_KEY
	Prefix string // what it starts with: "sk_live_", "rk_live_", or "" when unrecognised
}

// Error says why the key is refused and what to use instead.
func (e *KeyError) Error() string {
	if e.Prefix != "" {
		return fmt.Sprintf("%s is a live-mode key (%s...): contract suites send recorded requests, some of which change data, so they run in test mode only; use a test-mode key (sk_test_... or rk_test_...)", e.Var, e.Prefix)
	}
	return fmt.Sprintf("%s is not a test-mode secret key: use one that starts with sk_test_ or rk_test_", e.Var)
}

// CheckTestKey accepts test-mode secret and restricted keys only; any
// other key, read from the variable named from, is a *KeyError.
func CheckTestKey(from, key string) error {
	for _, live := range []string{"sk_live_", "rk_live_"} {
		if strings.HasPrefix(key, live) {
			return &KeyError{Var: from, Prefix: live}
		}
	}
	if !strings.HasPrefix(key, "sk_test_") && !strings.HasPrefix(key, "rk_test_") {
		return &KeyError{Var: from}
	}
	return nil
}
