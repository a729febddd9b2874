package logrecord_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

func TestSanitize(t *testing.T) {
	l := logrecord.Limits{}
	tests := []struct {
		name    string
		in      attribute.Value
		want    attribute.Value
		changed bool
	}{
		{"valid string", attribute.StringValue("ok é"), attribute.StringValue("ok é"), false},
		{"real U+FFFD unchanged", attribute.StringValue("a\uFFFDb"), attribute.StringValue("a\uFFFDb"), false},
		{"invalid string", attribute.StringValue("a\xc3b"), attribute.StringValue("a\uFFFDb"), true},
		{"invalid in string slice", attribute.StringSliceValue([]string{"ok", "\xff"}),
			attribute.SliceValue(attribute.StringValue("ok"), attribute.StringValue("\uFFFD")), true},
		{"invalid nested map value", attribute.MapValue(attribute.Map("outer", attribute.String("inner", "x\xffy"))),
			attribute.MapValue(attribute.Map("outer", attribute.String("inner", "x\uFFFDy"))), true},
		{"invalid nested map key", attribute.SliceValue(attribute.MapValue(attribute.Int("k\xfe", 1))),
			attribute.SliceValue(attribute.MapValue(attribute.Int("k\uFFFD", 1))), true},
		{"numbers untouched", attribute.Int64SliceValue([]int64{1, 2}), attribute.Int64SliceValue([]int64{1, 2}), false},
		{"bytes untouched", attribute.ByteSliceValue([]byte{0xff}), attribute.ByteSliceValue([]byte{0xff}), false},
		{"empty", attribute.Value{}, attribute.Value{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := l.Sanitize(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.changed, changed)
		})
	}
}

func TestSanitizeCutsInsideMultibyteRune(t *testing.T) {
	// "a€€" is 7 bytes: a limit of 3 falls inside the first €, which must not be split.
	got, changed := logrecord.Limits{MaxStringLen: 3}.Sanitize(attribute.StringValue("a€€"))
	assert.True(t, changed)
	assert.Equal(t, "a…[truncated from 7 bytes]", got.AsString())

	l := logrecord.Limits{MaxStringLen: 4}
	got, _ = l.Sanitize(attribute.StringValue("a€€"))
	assert.Equal(t, "a€…[truncated from 7 bytes]", got.AsString(), "a limit on a rune boundary keeps the whole rune")

	// Invalid bytes that grow when replaced are still cut to the limit.
	got, _ = l.Sanitize(attribute.StringValue("\xff\xfe\xfd\xfc"))
	assert.Equal(t, "\uFFFD", got.AsString())
	got, _ = l.Sanitize(attribute.StringValue("\xffa\xfeb"))
	assert.Equal(t, "\uFFFDa…[truncated from 4 bytes]", got.AsString())
}

func TestSanitizeDeepValue(t *testing.T) {
	v := attribute.StringValue("bottom")
	for range 10_000 {
		v = attribute.SliceValue(v)
	}
	got, changed := logrecord.Limits{}.Sanitize(v)
	assert.True(t, changed)
	assert.Equal(t, logrecord.DefaultMaxDepth, depthOf(got))
	assertValid(t, got)
}

func TestSanitizeAttributes(t *testing.T) {
	attrs := make([]attribute.KeyValue, 300)
	for i := range attrs {
		attrs[i] = attribute.String("k\xff", strings.Repeat("v", 10))
	}
	got, dropped := logrecord.Limits{}.SanitizeAttributes(attrs)
	assert.Equal(t, 44, dropped)
	assert.Len(t, got, logrecord.DefaultMaxAttributes)
	assert.Equal(t, attribute.Key("k\uFFFD"), got[0].Key)

	kv, changed := logrecord.Limits{MaxKeyLen: 2}.SanitizeKeyValue(attribute.String("abc", "\xff"))
	assert.True(t, changed)
	assert.Equal(t, attribute.String("ab…[truncated from 3 bytes]", "\uFFFD"), kv)
}

func TestSanitizeAllocations(t *testing.T) {
	l := logrecord.Limits{}
	s := attribute.StringValue(strings.Repeat("valid é ", 100))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = l.Sanitize(s) }), "a valid string is returned as is")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = l.String("fine") }))

	// A clean composite is read (otel copies the elements out: one
	// allocation per slice or map) but never rebuilt.
	users := make([]attribute.Value, 10)
	for i := range users {
		users[i] = attribute.MapValue(attribute.String("name", "Jane"), attribute.Int("age", i))
	}
	v := attribute.SliceValue(users...)
	got, changed := l.Sanitize(v)
	assert.False(t, changed)
	assert.Equal(t, v, got)
	assert.Equal(t, 11.0, testing.AllocsPerRun(100, func() { _, _ = l.Sanitize(v) }), "1 copy of the slice + 10 of the maps, no rebuild")
}

func TestElements(t *testing.T) {
	one := []attribute.Value{attribute.IntValue(1)}
	assert.Equal(t, one, logrecord.Elements(attribute.Int64SliceValue([]int64{1})))
	assert.Equal(t, one, logrecord.Elements(attribute.SliceValue(attribute.IntValue(1))))
	assert.Equal(t, []attribute.Value{attribute.StringValue("a")}, logrecord.Elements(attribute.StringSliceValue([]string{"a"})))
	assert.Equal(t, []attribute.Value{attribute.Float64Value(0.5)}, logrecord.Elements(attribute.Float64SliceValue([]float64{0.5})))
	assert.Equal(t, []attribute.Value{attribute.BoolValue(true)}, logrecord.Elements(attribute.BoolSliceValue([]bool{true})))
	assert.Nil(t, logrecord.Elements(attribute.StringValue("not a slice")))
}
