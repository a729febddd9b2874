//go:build race

package bench

// raceEnabled: under the race detector SQLite (translated C) runs some
// twenty times slower, so TestStoreAtScale stores fewer messages.
const raceEnabled = true
