package logrecord_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type ptrStringer struct{ s string }

func (p *ptrStringer) String() string { return p.s } // panics on a nil receiver

type textM struct{}

func (textM) MarshalText() ([]byte, error) { return []byte("as-text"), nil }

type failingText struct{}

func (failingText) MarshalText() ([]byte, error) { return nil, errors.New("no text") }

type jsonM struct{}

func (jsonM) MarshalJSON() ([]byte, error) {
	return []byte(`{"b":[1,2.5,"x",true,null],"a":{"n":9007199254740993}}`), nil
}

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte(`{not json`), nil }

type myErr struct{ code int }

func (e *myErr) Error() string { return fmt.Sprintf("code %d", e.code) }

type panicky struct{}

func (panicky) String() string { panic("boom") }

type panickyErr struct{}

func (panickyErr) Error() string { panic(errors.New("err boom")) }

type panickyText struct{}

func (panickyText) MarshalText() ([]byte, error) { panic("text boom") }

type panickyJSON struct{}

func (panickyJSON) MarshalJSON() ([]byte, error) { panic("json boom") }

type Inner struct {
	Deep string `json:"deep"`
	Name string `json:"name"` // shadowed by Outer.Name when promoted
}

type Outer struct {
	Name      string            `json:"name"`
	Count     int               `json:"count,omitempty"`
	Skipped   string            `json:"-"`
	private   string            //nolint:unused // must not appear
	When      time.Time         `json:"when"`
	Tags      []string          `json:"tags"`
	Labels    map[string]string `json:"labels"`
	Untagged  float64
	Inner            // promoted
	Ptr       *Inner `json:"ptr"`
	NilPtr    *Inner `json:"nil_ptr"`
	Interface any    `json:"iface"`
}

type node struct {
	Name string `json:"name"`
	Next *node  `json:"next"`
}

func TestValueMapping(t *testing.T) {
	when := time.Date(2026, 11, 21, 10, 30, 0, 123456789, time.UTC)
	var nilPtr *int
	var nilMap map[string]int
	var nilSlice []int
	ch := make(chan int)
	tests := []struct {
		name string
		in   any
		want attribute.Value
	}{
		{"nil", nil, attribute.Value{}},
		{"nil pointer", nilPtr, attribute.Value{}},
		{"nil map", nilMap, attribute.Value{}},
		{"nil slice", nilSlice, attribute.Value{}},
		{"bool", true, attribute.BoolValue(true)},
		{"int", -42, attribute.Int64Value(-42)},
		{"int8", int8(-8), attribute.Int64Value(-8)},
		{"int16", int16(16), attribute.Int64Value(16)},
		{"int32", int32(32), attribute.Int64Value(32)},
		{"int64 min", int64(math.MinInt64), attribute.Int64Value(math.MinInt64)},
		{"uint8", uint8(255), attribute.Int64Value(255)},
		{"uint16", uint16(65535), attribute.Int64Value(65535)},
		{"uint32", uint32(math.MaxUint32), attribute.Int64Value(math.MaxUint32)},
		{"uint small", uint(7), attribute.Int64Value(7)},
		{"uint64 MaxInt64", uint64(math.MaxInt64), attribute.Int64Value(math.MaxInt64)},
		{"uint64 max", uint64(math.MaxUint64), attribute.StringValue("18446744073709551615")},
		{"uintptr", uintptr(10), attribute.Int64Value(10)},
		{"float64", 1.5, attribute.Float64Value(1.5)},
		{"float32 shortest", float32(0.1), attribute.Float64Value(0.1)},
		{"complex", complex(1, 2), attribute.StringValue("(1+2i)")},
		{"string", "hello", attribute.StringValue("hello")},
		{"bytes", []byte{0, 1, 0xff}, attribute.ByteSliceValue([]byte{0, 1, 0xff})},
		{"time", when, attribute.StringValue("2026-11-21T10:30:00.123456789Z")},
		{"duration", 1500 * time.Millisecond, attribute.StringValue("1.5s")},
		{"attribute value", attribute.IntValue(3), attribute.IntValue(3)},
		{"key values", []attribute.KeyValue{attribute.String("b", "2"), attribute.Int("a", 1)},
			attribute.MapValue(attribute.Int("a", 1), attribute.String("b", "2"))},
		{"map[string]any", map[string]any{"z": 1, "a": "x", "m": []any{true}},
			attribute.MapValue(attribute.String("a", "x"), attribute.Slice("m", attribute.BoolValue(true)), attribute.Int("z", 1))},
		{"[]string", []string{"a", "b"}, attribute.StringSliceValue([]string{"a", "b"})},
		{"[]int", []int{1, 2, 3, 4}, attribute.IntSliceValue([]int{1, 2, 3, 4})},
		{"[]int64", []int64{1}, attribute.Int64SliceValue([]int64{1})},
		{"[]float64", []float64{0.5}, attribute.Float64SliceValue([]float64{0.5})},
		{"[]bool", []bool{true, false}, attribute.BoolSliceValue([]bool{true, false})},
		{"[]any", []any{1, "a", nil}, attribute.SliceValue(attribute.IntValue(1), attribute.StringValue("a"), attribute.Value{})},
		{"error", errors.New("boom"), attribute.StringValue("boom")},
		{"wrapped error", fmt.Errorf("sync: %w", &myErr{code: 7}), attribute.StringValue("sync: code 7")},
		{"json.Marshaler", jsonM{}, attribute.MapValue(
			attribute.Map("a", attribute.Int64("n", 9007199254740993)),
			attribute.Slice("b", attribute.IntValue(1), attribute.Float64Value(2.5), attribute.StringValue("x"), attribute.BoolValue(true), attribute.Value{}),
		)},
		{"json.Marshaler invalid output", badJSON{}, attribute.StringValue("{not json")},
		{"json.RawMessage", json.RawMessage(`[1,"two"]`), attribute.SliceValue(attribute.IntValue(1), attribute.StringValue("two"))},
		{"TextMarshaler", textM{}, attribute.StringValue("as-text")},
		{"TextMarshaler error", failingText{}, attribute.StringValue("!ERROR: no text")},
		{"net.IP (TextMarshaler)", net.IPv4(10, 0, 0, 1), attribute.StringValue("10.0.0.1")},
		{"Stringer", stringer{"str"}, attribute.StringValue("str")},
		{"pointer to Stringer", &ptrStringer{"p"}, attribute.StringValue("p")},
		{"[]int32 by reflection", []int32{1, 2}, attribute.SliceValue(attribute.IntValue(1), attribute.IntValue(2))},
		{"array", [2]string{"x", "y"}, attribute.SliceValue(attribute.StringValue("x"), attribute.StringValue("y"))},
		{"map[int]string keys in decimal", map[int]string{10: "ten", 2: "two"},
			attribute.MapValue(attribute.String("10", "ten"), attribute.String("2", "two"))},
		{"map with TextMarshaler keys", map[textKey]int{{"k"}: 1}, attribute.MapValue(attribute.Int("key:k", 1))},
		{"map with stringer values", map[string]stringer{"a": {"s"}}, attribute.MapValue(attribute.String("a", "s"))},
		{"pointer", func() *int { i := 5; return &i }(), attribute.IntValue(5)},
		{"channel", ch, attribute.StringValue("chan int")},
		{"func", func() {}, attribute.StringValue("func()")},
		{"struct", Outer{
			Name: "n", Skipped: "no", private: "no", When: when, Tags: []string{"t"},
			Labels: map[string]string{"l": "v"}, Untagged: 0.25, Inner: Inner{Deep: "d", Name: "shadowed"},
			Ptr: &Inner{Deep: "p"}, Interface: errors.New("in iface"),
		}, attribute.MapValue(
			attribute.String("name", "n"),
			attribute.String("when", "2026-11-21T10:30:00.123456789Z"),
			attribute.StringSlice("tags", []string{"t"}),
			attribute.Map("labels", attribute.String("l", "v")),
			attribute.Float64("Untagged", 0.25),
			attribute.Map("ptr", attribute.String("deep", "p"), attribute.String("name", "")),
			attribute.KeyValue{Key: "nil_ptr"},
			attribute.String("iface", "in iface"),
			attribute.String("deep", "d"),
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, logrecord.Value(tt.in))
		})
	}
}

type textKey struct{ k string }

func (k textKey) MarshalText() ([]byte, error) { return []byte("key:" + k.k), nil }

// TestValueBadInput: every hostile value gives a valid, bounded value and no panic.
func TestValueBadInput(t *testing.T) {
	var nilStringer *ptrStringer
	var typedNilErr *myErr
	selfMap := map[string]any{"name": "loop"}
	selfMap["self"] = selfMap
	selfSlice := []any{"loop", nil}
	selfSlice[1] = selfSlice
	loop := &node{Name: "a"}
	loop.Next = &node{Name: "b", Next: loop}
	deep := any("bottom")
	for range 10_000 {
		deep = []any{deep}
	}
	deepMap := any("bottom")
	for range 10_000 {
		deepMap = map[string]any{"k": deepMap}
	}
	huge := strings.Repeat("é", 5<<20) // 10 MiB
	// A map whose entries share one child, nested: 2^40 paths if walked naively.
	shared := any("leaf")
	for range 40 {
		shared = map[string]any{"l": shared, "r": shared}
	}

	tests := []struct {
		name  string
		in    any
		check func(t *testing.T, v attribute.Value)
	}{
		{"invalid UTF-8", "ok\xff\xfe\xfdend", func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "ok\uFFFDend", v.AsString())
		}},
		{"NaN", math.NaN(), func(t *testing.T, v attribute.Value) { assert.True(t, math.IsNaN(v.AsFloat64())) }},
		{"+Inf", math.Inf(1), func(t *testing.T, v attribute.Value) { assert.True(t, math.IsInf(v.AsFloat64(), 1)) }},
		{"-Inf", math.Inf(-1), func(t *testing.T, v attribute.Value) { assert.True(t, math.IsInf(v.AsFloat64(), -1)) }},
		{"uint64 max", uint64(math.MaxUint64), func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "18446744073709551615", v.AsString())
		}},
		{"nil pointer Stringer", nilStringer, func(t *testing.T, v attribute.Value) { assert.Equal(t, "<nil>", v.AsString()) }},
		{"nil pointer Stringer as fmt.Stringer", fmt.Stringer(nilStringer), func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "<nil>", v.AsString())
		}},
		{"typed-nil error", error(typedNilErr), func(t *testing.T, v attribute.Value) { assert.Equal(t, "<nil>", v.AsString()) }},
		{"panicking String", panicky{}, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "PANIC=String method: boom", v.AsString())
		}},
		{"panicking Error", panickyErr{}, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "PANIC=Error method: err boom", v.AsString())
		}},
		{"panicking MarshalText", panickyText{}, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "PANIC=MarshalText method: text boom", v.AsString())
		}},
		{"panicking MarshalJSON", panickyJSON{}, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "PANIC=MarshalJSON method: json boom", v.AsString())
		}},
		{"panicking String nested in a struct", struct{ P panicky }{}, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, "PANIC=String method: boom", v.AsMap()[0].Value.AsString())
		}},
		{"self-referencing map", selfMap, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, attribute.MapValue(attribute.String("name", "loop"), attribute.String("self", logrecord.MarkerCycle)), v)
		}},
		{"self-referencing slice", selfSlice, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, attribute.SliceValue(attribute.StringValue("loop"), attribute.StringValue(logrecord.MarkerCycle)), v)
		}},
		{"self-referencing struct", loop, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, attribute.MapValue(attribute.String("name", "a"), attribute.Map("next",
				attribute.String("name", "b"), attribute.String("next", logrecord.MarkerCycle))), v)
		}},
		{"10,000-deep slices", deep, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, logrecord.DefaultMaxDepth, depthOf(v), "cut at the depth limit, then the marker")
			assert.Contains(t, v.String(), logrecord.MarkerDepth)
		}},
		{"10,000-deep maps", deepMap, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, logrecord.DefaultMaxDepth, depthOf(v))
			assert.Contains(t, v.String(), logrecord.MarkerDepth)
		}},
		{"shared children 40 deep", shared, func(t *testing.T, v attribute.Value) {
			assert.Contains(t, v.String(), logrecord.MarkerTruncated)
		}},
		{"10 MiB string", huge, func(t *testing.T, v attribute.Value) {
			s := v.AsString()
			assert.LessOrEqual(t, len(s), logrecord.DefaultMaxStringLen+64)
			assert.True(t, strings.HasSuffix(s, "…[truncated from 10485760 bytes]"), s[len(s)-40:])
		}},
		{"10 MiB bytes", make([]byte, 10<<20), func(t *testing.T, v attribute.Value) {
			require.Equal(t, attribute.SLICE, v.Type())
			assert.Len(t, v.AsSlice()[0].AsByteSlice(), logrecord.DefaultMaxStringLen)
			assert.Equal(t, "…[truncated from 10485760 bytes]", v.AsSlice()[1].AsString())
		}},
		{"100,000-element slice", make([]int32, 100_000), func(t *testing.T, v attribute.Value) {
			vs := v.AsSlice()
			require.Len(t, vs, logrecord.DefaultMaxItems+1)
			assert.Equal(t, "…[truncated from 100000 items]", vs[logrecord.DefaultMaxItems].AsString())
		}},
		{"invalid UTF-8 map key", map[string]int{"k\xff": 1}, func(t *testing.T, v attribute.Value) {
			assert.Equal(t, attribute.Key("k\uFFFD"), v.AsMap()[0].Key)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v attribute.Value
			require.NotPanics(t, func() { v = logrecord.Value(tt.in) })
			assertValid(t, v)
			tt.check(t, v)
		})
	}
}

// assertValid checks that every string and key inside v is valid UTF-8 and
// within the default limits.
func assertValid(t *testing.T, v attribute.Value) {
	t.Helper()
	var walk func(v attribute.Value, depth int)
	walk = func(v attribute.Value, depth int) {
		require.LessOrEqual(t, depth, logrecord.DefaultMaxDepth+1)
		switch v.Type() {
		case attribute.STRING:
			assert.True(t, utf8.ValidString(v.AsString()))
			assert.LessOrEqual(t, len(v.AsString()), logrecord.DefaultMaxStringLen+64)
		case attribute.STRINGSLICE:
			for _, s := range v.AsStringSlice() {
				assert.True(t, utf8.ValidString(s))
			}
		case attribute.SLICE:
			assert.LessOrEqual(t, len(v.AsSlice()), logrecord.DefaultMaxItems+1)
			for _, e := range v.AsSlice() {
				walk(e, depth+1)
			}
		case attribute.MAP:
			assert.LessOrEqual(t, len(v.AsMap()), logrecord.DefaultMaxItems+1)
			for _, kv := range v.AsMap() {
				assert.True(t, utf8.ValidString(string(kv.Key)))
				walk(kv.Value, depth+1)
			}
		}
	}
	walk(v, 0)
}

func depthOf(v attribute.Value) int {
	switch v.Type() {
	case attribute.SLICE:
		return 1 + depthOf(v.AsSlice()[0])
	case attribute.MAP:
		return 1 + depthOf(v.AsMap()[0].Value)
	}
	return 0
}

func TestKeyValue(t *testing.T) {
	kv := logrecord.KeyValue("bad\xffkey", 3)
	assert.Equal(t, attribute.Int("bad\uFFFDkey", 3), kv)
}

func TestLimitsValue(t *testing.T) {
	l := logrecord.Limits{MaxStringLen: 5, MaxItems: 2, MaxDepth: 2, MaxKeyLen: 3}
	assert.Equal(t, "héll…[truncated from 7 bytes]", l.Value("héllo!").AsString(), "cut on a rune boundary")
	assert.Equal(t, attribute.SliceValue(attribute.IntValue(1), attribute.IntValue(2), attribute.StringValue("…[truncated from 3 items]")),
		l.Value([]int{1, 2, 3}))
	assert.Equal(t, attribute.SliceValue(attribute.SliceValue(attribute.StringValue(logrecord.MarkerDepth))),
		l.Value([]any{[]any{[]any{1}}}))
	assert.Equal(t, attribute.MapValue(attribute.Int("a", 1), attribute.Int("b", 2), attribute.String(logrecord.MarkerMoreKey, "…[truncated from 3 items]")),
		l.Value(map[string]int{"c": 3, "b": 2, "a": 1}), "the first keys in sorted order are kept")
	assert.Equal(t, attribute.Key("lon…[truncated from 7 bytes]"), l.KeyValue("longkey", 1).Key)

	unlimited := logrecord.Limits{MaxStringLen: -1}
	big := strings.Repeat("x", 1<<20)
	assert.Equal(t, big, unlimited.Value(big).AsString())
}
