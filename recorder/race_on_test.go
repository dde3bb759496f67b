//go:build race

package recorder_test

// raceDetector says whether the tests run under the race detector, which
// makes a few single-threaded specs over tens of MiB (the secret scan of
// big bodies) twenty times slower: those skip under it, and CI runs them
// in its step without -race (.ci/run).
const raceDetector = true
