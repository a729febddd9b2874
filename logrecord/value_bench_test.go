package logrecord_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oplog-go/oplog/logrecord"
)

type smallStruct struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

// Boxed once, outside the measured loops, as a caller's value would be.
var scalars = map[string]any{
	"int":     12345678,
	"int64":   int64(-12345678),
	"uint64":  uint64(1 << 40),
	"float64": 3.25,
	"float32": float32(0.1),
	"bool":    true,
	"string":  "contact synced",
}

func TestValueScalarsDoNotAllocate(t *testing.T) {
	for name, v := range scalars {
		assert.Zero(t, testing.AllocsPerRun(100, func() { _ = logrecord.Value(v) }), name)
	}
}

func BenchmarkValue(b *testing.B) {
	for name, v := range scalars {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = logrecord.Value(v)
			}
		})
	}
	var others = map[string]any{
		"duration":    1500 * time.Millisecond,
		"strings":     []string{"a", "b", "c", "d", "e"},
		"smallStruct": smallStruct{ID: 1, Name: "ada", Admin: true},
		"mapAny":      map[string]any{"a": 1, "b": "two", "c": 3.0},
	}
	for name, v := range others {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = logrecord.Value(v)
			}
		})
	}
}
