//go:build !race

package recorder_test

// raceDetector: see race_on_test.go.
const raceDetector = false
