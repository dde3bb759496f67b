package suites_test

import "time"

// replayTimeout bounds starting a target and replaying every cassette
// against it (stripe-mock is built by go tool on its first run).
const replayTimeout = 4 * time.Minute
