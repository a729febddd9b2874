package logrecord

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// Default limits; a zero field of [Limits] means the default below.
const (
	DefaultMaxStringLen  = 64 << 10 // bytes of one string or byte value
	DefaultMaxKeyLen     = 256      // bytes of one attribute or map key
	DefaultMaxItems      = 1024     // elements of one slice, entries of one map
	DefaultMaxDepth      = 32       // nesting of slices and maps
	DefaultMaxAttributes = 256      // attributes of one record
)

// Markers written where a value was cut or could not be produced. They are
// plain strings so that every exporter and backend shows them.
const (
	// MarkerCycle replaces a value that refers back to one of its parents.
	MarkerCycle = "!CYCLE"
	// MarkerDepth replaces a value nested deeper than [Limits.MaxDepth].
	MarkerDepth = "!DEPTH"
	// MarkerPanic starts the value of a method (String, Error, MarshalText,
	// MarshalJSON, LogValue) that panicked: "PANIC=String method: boom".
	MarkerPanic = "PANIC="
	// MarkerTruncated replaces the values of one conversion past its budget
	// of 65,536 nested values.
	MarkerTruncated = "!TRUNCATED"
	// MarkerMoreKey is the key of the entry that ends a map cut at
	// [Limits.MaxItems]; its value says how many entries were left out.
	MarkerMoreKey = "…"
)

// Limits bound what one record may hold, so that a runaway value can neither
// exhaust memory on its way out nor make a receiver reject the whole batch.
// The zero value means every default; a negative field means no limit.
//
// A cut string keeps its first bytes up to the last whole rune within the
// limit and ends with "…[truncated from N bytes]", N the original length; a
// cut slice ends with a "…[truncated from N items]" element; a cut map ends
// with a [MarkerMoreKey] entry whose value is that text.
type Limits struct {
	MaxStringLen  int // default [DefaultMaxStringLen]
	MaxKeyLen     int // default [DefaultMaxKeyLen]
	MaxItems      int // default [DefaultMaxItems]
	MaxDepth      int // default [DefaultMaxDepth]
	MaxAttributes int // default [DefaultMaxAttributes]
}

// defaults is Limits{} resolved, computed once.
var defaults = Limits{}.resolve()

// withDefaults resolves zero fields to their defaults and negative ones to
// "unlimited" (the largest int).
func (l Limits) withDefaults() Limits {
	if l == (Limits{}) {
		return defaults
	}
	return l.resolve()
}

func (l Limits) resolve() Limits {
	return Limits{
		MaxStringLen:  pick(l.MaxStringLen, DefaultMaxStringLen),
		MaxKeyLen:     pick(l.MaxKeyLen, DefaultMaxKeyLen),
		MaxItems:      pick(l.MaxItems, DefaultMaxItems),
		MaxDepth:      pick(l.MaxDepth, DefaultMaxDepth),
		MaxAttributes: pick(l.MaxAttributes, DefaultMaxAttributes),
	}
}

func pick(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return math.MaxInt
	}
	return v
}

// Covers reports whether every value within the limits m is also within l:
// each of l's limits is at least m's (zero fields meaning the defaults and
// negative ones no limit, in both).
func (l Limits) Covers(m Limits) bool {
	l, m = l.withDefaults(), m.withDefaults()
	return l.MaxStringLen >= m.MaxStringLen && l.MaxKeyLen >= m.MaxKeyLen && l.MaxItems >= m.MaxItems &&
		l.MaxDepth >= m.MaxDepth && l.MaxAttributes >= m.MaxAttributes
}

// String returns s as valid UTF-8 (each run of invalid bytes becomes U+FFFD)
// and cut to MaxStringLen. It does not allocate when s is already fine. It
// does not redact: a string that may hold a secret is redacted first
// ([Redactor.Text] takes it whole) and cut after, so that a secret
// straddling the cut is never half kept.
func (l Limits) String(s string) string {
	return cutString(s, l.withDefaults().MaxStringLen)
}

// Key is [Limits.String] for keys: valid UTF-8 and cut to MaxKeyLen.
func (l Limits) Key(k string) string {
	return cutString(k, l.withDefaults().MaxKeyLen)
}

// Sanitize returns v with every string, key and byte value inside it valid
// and within the limits. It reports whether anything was changed; when
// nothing was, v itself is returned.
func (l Limits) Sanitize(v attribute.Value) (attribute.Value, bool) {
	return l.withDefaults().sanitize(v, 0)
}

// SanitizeAttributes returns the attributes with their keys and values
// sanitized and at most MaxAttributes of them; extra attributes are dropped
// and counted in the returned number. The input slice is reused when nothing
// changes, so callers must not keep using it after passing it in.
func (l Limits) SanitizeAttributes(attrs []attribute.KeyValue) (_ []attribute.KeyValue, dropped int) {
	l = l.withDefaults()
	if len(attrs) > l.MaxAttributes {
		dropped = len(attrs) - l.MaxAttributes
		attrs = attrs[:l.MaxAttributes]
	}
	for i, kv := range attrs {
		attrs[i], _ = l.sanitizeKV(kv, 0)
	}
	return attrs, dropped
}

// SanitizeKeyValue is [Limits.Sanitize] for one attribute, key included:
// it reports whether anything was changed; when nothing was, kv itself is
// returned.
func (l Limits) SanitizeKeyValue(kv attribute.KeyValue) (attribute.KeyValue, bool) {
	return l.withDefaults().sanitizeKV(kv, 0)
}

func (l Limits) sanitizeKV(kv attribute.KeyValue, depth int) (attribute.KeyValue, bool) {
	k := cutString(string(kv.Key), l.MaxKeyLen)
	v, changed := l.sanitize(kv.Value, depth)
	if !changed && k == string(kv.Key) {
		return kv, false
	}
	return attribute.KeyValue{Key: attribute.Key(k), Value: v}, true
}

// sanitize expects resolved limits.
func (l Limits) sanitize(v attribute.Value, depth int) (attribute.Value, bool) {
	switch v.Type() {
	case attribute.STRING:
		s := v.AsString()
		if c := cutString(s, l.MaxStringLen); c != s {
			return attribute.StringValue(c), true
		}
	case attribute.BYTESLICE:
		b := v.AsByteSlice()
		if len(b) > l.MaxStringLen {
			// Bytes have no runes: keep the prefix and say how much is gone in
			// a string, as a cut byte value would otherwise look complete.
			return attribute.SliceValue(
				attribute.ByteSliceValue(b[:l.MaxStringLen]),
				attribute.StringValue(truncatedBytes(len(b))),
			), true
		}
	case attribute.STRINGSLICE:
		ss := v.AsStringSlice()
		changed := len(ss) > l.MaxItems
		for _, s := range ss {
			if cutString(s, l.MaxStringLen) != s {
				changed = true
				break
			}
		}
		if changed {
			return l.sanitizeSlice(Elements(v), depth)
		}
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE:
		if sliceLen(v) > l.MaxItems {
			return l.sanitizeSlice(Elements(v), depth)
		}
	case attribute.SLICE:
		if s, changed := l.sanitizeSlice(v.AsSlice(), depth); changed {
			return s, true
		}
	case attribute.MAP:
		if m, changed := l.sanitizeMap(v.AsMap(), depth); changed {
			return m, true
		}
	}
	return v, false
}

func (l Limits) sanitizeSlice(vs []attribute.Value, depth int) (attribute.Value, bool) {
	if depth >= l.MaxDepth {
		return attribute.StringValue(MarkerDepth), true
	}
	total, changed := len(vs), false
	if total > l.MaxItems {
		vs, changed = vs[:l.MaxItems:l.MaxItems], true
	}
	for i, e := range vs {
		if s, c := l.sanitize(e, depth+1); c {
			vs[i], changed = s, true
		}
	}
	if !changed {
		return attribute.Value{}, false // the caller keeps its value: no copy
	}
	if total > l.MaxItems {
		vs = append(vs, attribute.StringValue(truncatedItems(total)))
	}
	return attribute.SliceValue(vs...), true
}

func (l Limits) sanitizeMap(kvs []attribute.KeyValue, depth int) (attribute.Value, bool) {
	if depth >= l.MaxDepth {
		return attribute.StringValue(MarkerDepth), true
	}
	total, changed := len(kvs), false
	if total > l.MaxItems {
		kvs, changed = kvs[:l.MaxItems:l.MaxItems], true
	}
	for i, kv := range kvs {
		if s, c := l.sanitizeKV(kv, depth+1); c {
			kvs[i], changed = s, true
		}
	}
	if !changed {
		return attribute.Value{}, false // the caller keeps its value: no copy
	}
	if total > l.MaxItems {
		kvs = append(kvs, attribute.String(MarkerMoreKey, truncatedItems(total)))
	}
	return attribute.MapValue(kvs...), true
}

// Elements returns the elements of a slice value as values, whether the
// slice is typed (STRINGSLICE, INT64SLICE, FLOAT64SLICE, BOOLSLICE) or not
// (SLICE); nil for other types. Exporters that write OTLP, which has only
// one array type, use it to treat every slice alike.
func Elements(v attribute.Value) []attribute.Value {
	switch v.Type() {
	case attribute.SLICE:
		return v.AsSlice()
	case attribute.BOOLSLICE:
		return convert(v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return convert(v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return convert(v.AsFloat64Slice(), attribute.Float64Value)
	case attribute.STRINGSLICE:
		return convert(v.AsStringSlice(), attribute.StringValue)
	}
	return nil
}

func convert[T any](in []T, f func(T) attribute.Value) []attribute.Value {
	out := make([]attribute.Value, len(in))
	for i, e := range in {
		out[i] = f(e)
	}
	return out
}

func sliceLen(v attribute.Value) int {
	switch v.Type() {
	case attribute.BOOLSLICE:
		return len(v.AsBoolSlice())
	case attribute.INT64SLICE:
		return len(v.AsInt64Slice())
	case attribute.FLOAT64SLICE:
		return len(v.AsFloat64Slice())
	}
	return 0
}

// cutString makes s valid UTF-8 and at most max bytes plus the cut marker.
// Only the kept prefix is scanned and copied, so a huge string costs no more
// than a small one.
func cutString(s string, max int) string {
	if len(s) <= max && utf8.ValidString(s) {
		return s
	}
	total, cut := len(s), len(s) > max
	if cut {
		s = s[:runeStartBefore(s, max)]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if len(s) > max { // each bad byte may have grown to three
			s, cut = s[:runeStartBefore(s, max)], true
		}
	}
	if cut {
		return s + truncatedBytes(total)
	}
	return s
}

// runeStartBefore returns the largest cut point ≤ n that does not split a
// valid rune (it gives up after UTFMax-1 bytes of stray continuation bytes,
// which ToValidUTF8 replaces anyway).
func runeStartBefore(s string, n int) int {
	for i := 0; i < utf8.UTFMax-1 && n > 0 && n < len(s) && !utf8.RuneStart(s[n]); i++ {
		n--
	}
	return n
}

func truncatedBytes(total int) string { return "…[truncated from " + strconv.Itoa(total) + " bytes]" }
func truncatedItems(total int) string { return "…[truncated from " + strconv.Itoa(total) + " items]" }
