//go:build race

package validators_test

// raceDetector says whether the tests run under the race detector, which
// makes the single-threaded whole-API specs (every resource and every event
// type of every version, compiled and checked) ten times slower: those skip
// under it, and CI runs them in its step without -race (.ci/run).
const raceDetector = true
