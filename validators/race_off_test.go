//go:build !race

package validators

// RaceDetector: see race_on_test.go.
const RaceDetector = false
