//go:build race

package operation_test

// raceEnabled: the race detector allocates on its own, so allocation
// comparisons run only without it (make test runs them in a second pass).
const raceEnabled = true
