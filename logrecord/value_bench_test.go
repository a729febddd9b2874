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

// account is a struct of zap's benchmark field set: two strings and a time.
type account struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

func BenchmarkValueComposite(b *testing.B) {
	one := account{Name: "Jane Doe", Email: "jane@test.com", CreatedAt: time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	ten := make([]account, 10)
	times := make([]time.Time, 10)
	for i := range ten {
		ten[i] = one
		times[i] = time.Unix(0, int64(i)).UTC()
	}
	cases := map[string]any{
		"time":       one.CreatedAt,
		"account":    one,
		"accounts10": ten,
		"times10":    times,
		"strings10":  []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
		"ints10":     []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
	}
	for name, v := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = logrecord.Value(v)
			}
		})
	}
}
