//go:build !race

package operation_test

const raceEnabled = false
