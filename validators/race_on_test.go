//go:build race

package validators

// RaceDetector says whether the tests run under the race detector, which
// makes the single-threaded whole-API specs and checks of the contract's
// files (every resource and every event type of every version, compiled
// and checked) ten times slower: those skip under it, and CI runs them in
// its step without -race (.ci/run). Exported for the package's external
// tests.
const RaceDetector = true
