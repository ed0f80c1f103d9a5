//go:build race

package seed_test

// raceEnabled says whether the race detector slows this test binary.
const raceEnabled = true
