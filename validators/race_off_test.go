//go:build !race

package validators_test

// raceDetector: see race_on_test.go.
const raceDetector = false
