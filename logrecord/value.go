package logrecord

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
)

// Value converts any Go value to the OpenTelemetry value model, within the
// default [Limits]. It never panics. See the package documentation for the
// mapping of each type. Errors and HTTP data anywhere inside v are redacted
// by [DefaultRedactor] before they are cut to the limits; [Redactor.Value]
// applies another Redactor's rules.
func Value(v any) attribute.Value {
	// The common scalars are converted here, not in a helper returning
	// (Value, bool): copying that result costs more than the conversion.
	switch x := v.(type) {
	case string:
		return attribute.StringValue(cutString(x, DefaultMaxStringLen))
	case int:
		return attribute.Int64Value(int64(x))
	case int64:
		return attribute.Int64Value(x)
	case bool:
		return attribute.BoolValue(x)
	case float64:
		return attribute.Float64Value(x)
	}
	c := converter{l: defaults, red: defaultRedactor}
	return c.value(v, 0)
}

// KeyValue is [Value] for one attribute: the key made valid and cut to the
// key limit, the value converted.
func KeyValue(key string, v any) attribute.KeyValue {
	return Limits{}.KeyValue(key, v)
}

// Value is the package-level [Value] within the limits l, redacting with
// [DefaultRedactor].
func (l Limits) Value(v any) attribute.Value {
	c := converter{l: l.withDefaults(), red: defaultRedactor}
	return c.value(v, 0)
}

// KeyValue is the package-level [KeyValue] within the limits l.
func (l Limits) KeyValue(key string, v any) attribute.KeyValue {
	c := converter{l: l.withDefaults(), red: defaultRedactor}
	return attribute.KeyValue{Key: attribute.Key(cutString(key, c.l.MaxKeyLen)), Value: c.value(v, 0)}
}

// converter carries the limits and, on the reflection path only, the
// pointers of the values being converted, to cut cycles.
type converter struct {
	l       Limits
	red     *Redactor // never nil
	parents []uintptr
	nodes   int    // values visited inside containers, against maxNodes
	arena   []byte // formatted times, see formatTime
}

// maxNodes bounds the work of one conversion: a value that shares children
// (a map whose entries all point to the same map, nested) would otherwise
// take time exponential in its depth.
const maxNodes = 1 << 16

// budget counts one container element and reports whether it may be visited.
func (c *converter) budget() bool {
	c.nodes++
	return c.nodes <= maxNodes
}

// value converts v at nesting depth d. The type switch covers the common
// types without reflection or allocation (strings and numbers stay on the
// stack); the rest goes through reflection.
func (c *converter) value(v any, d int) attribute.Value {
	switch x := v.(type) {
	case nil:
		return attribute.Value{}
	case attribute.Value:
		s, _ := c.l.sanitize(x, d)
		return s
	case string:
		return attribute.StringValue(cutString(x, c.l.MaxStringLen))
	case bool:
		return attribute.BoolValue(x)
	case int:
		return attribute.Int64Value(int64(x))
	case int8:
		return attribute.Int64Value(int64(x))
	case int16:
		return attribute.Int64Value(int64(x))
	case int32:
		return attribute.Int64Value(int64(x))
	case int64:
		return attribute.Int64Value(x)
	case uint:
		return uintValue(uint64(x))
	case uint8:
		return attribute.Int64Value(int64(x))
	case uint16:
		return attribute.Int64Value(int64(x))
	case uint32:
		return attribute.Int64Value(int64(x))
	case uint64:
		return uintValue(x)
	case uintptr:
		return uintValue(uint64(x))
	case float32:
		return attribute.Float64Value(float32To64(x))
	case float64:
		return attribute.Float64Value(x)
	case time.Duration:
		return attribute.StringValue(x.String())
	case time.Time:
		return attribute.StringValue(x.Format(time.RFC3339Nano))
	case []byte:
		return c.bytes(x)
	case []string:
		if x == nil {
			return attribute.Value{}
		}
		return c.strings(x)
	case []int:
		if x == nil {
			return attribute.Value{}
		}
		return c.typedSlice(attribute.IntSliceValue(x), len(x))
	case []int64:
		if x == nil {
			return attribute.Value{}
		}
		return c.typedSlice(attribute.Int64SliceValue(x), len(x))
	case []float64:
		if x == nil {
			return attribute.Value{}
		}
		return c.typedSlice(attribute.Float64SliceValue(x), len(x))
	case []bool:
		if x == nil {
			return attribute.Value{}
		}
		return c.typedSlice(attribute.BoolSliceValue(x), len(x))
	case []any:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		if len(x) > 0 {
			if !c.enter(uintptr(unsafe.Pointer(&x[0]))) {
				return attribute.StringValue(MarkerCycle)
			}
			defer c.leave()
		}
		return c.slice(len(x), func(i int) attribute.Value { return c.elem(x[i], d+1) })
	case map[string]any:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		if !c.enter(reflect.ValueOf(x).Pointer()) {
			return attribute.StringValue(MarkerCycle)
		}
		defer c.leave()
		kvs := make([]attribute.KeyValue, 0, min(len(x), c.l.MaxItems)+1)
		for k, e := range x {
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(cutString(k, c.l.MaxKeyLen)), Value: c.elem(e, d+1)})
		}
		return c.mapValue(kvs)
	case []attribute.KeyValue:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		kvs := make([]attribute.KeyValue, len(x))
		for i, kv := range x {
			kvs[i], _ = c.l.sanitizeKV(kv, d+1)
		}
		return c.mapValue(kvs)
	case *url.URL, url.URL, *url.Userinfo, url.Values, http.Header,
		*http.Request, http.Request, *http.Response, http.Response, *http.Cookie, http.Cookie:
		return c.httpValue(v, d)
	case slog.Value:
		return c.slogValue(x, d)
	case slog.Attr:
		return c.slogValue(slog.GroupValue(x), d)
	case error:
		// Redacted before it is cut, as at top level: the same error nested
		// in a struct or a slice must not carry out what a top-level one
		// would not.
		return c.redactedMethod(v, "Error", func() string { return x.Error() })
	case json.Marshaler:
		return c.jsonValue(x, d)
	case encoding.TextMarshaler:
		return c.method(v, "MarshalText", func() string {
			b, err := x.MarshalText()
			if err != nil {
				return "!ERROR: " + c.errorText(err)
			}
			return string(b)
		})
	case fmt.Stringer:
		return c.method(v, "String", func() string { return x.String() })
	}
	return c.reflectValue(reflect.ValueOf(v), d)
}

// slogValue converts an slog value by its kind, never through its String
// method: that formats an Any value with fmt, which neither redacts an
// error or a header inside it nor stops at a cycle (a self-referencing
// slice overflows the stack, which no recover catches). A LogValuer is
// resolved by slog (panics caught); a group becomes a map.
func (c *converter) slogValue(v slog.Value, d int) attribute.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		attrs := v.Group()
		kvs := make([]attribute.KeyValue, 0, min(len(attrs), c.l.MaxItems)+1)
		for _, a := range attrs {
			if !c.budget() {
				break
			}
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(cutString(a.Key, c.l.MaxKeyLen)), Value: c.slogValue(a.Value, d+1)})
		}
		return c.mapValue(kvs)
	case slog.KindString:
		return c.value(v.String(), d)
	case slog.KindLogValuer:
		return c.value(fmt.Sprintf("%T", v.Any()), d) // still a LogValuer after slog's 100 resolutions
	}
	return c.value(v.Any(), d)
}

// elem converts a value inside a container, within the node budget.
func (c *converter) elem(v any, d int) attribute.Value {
	if !c.budget() {
		return attribute.StringValue(MarkerTruncated)
	}
	return c.value(v, d)
}

// relem is elem for the reflection path.
func (c *converter) relem(rv reflect.Value, d int) attribute.Value {
	if !c.budget() {
		return attribute.StringValue(MarkerTruncated)
	}
	return c.reflectValue(rv, d)
}

// uintValue keeps values above MaxInt64 exact as decimal strings, since
// OpenTelemetry has no unsigned integer.
func uintValue(u uint64) attribute.Value {
	if u > math.MaxInt64 {
		return attribute.StringValue(strconv.FormatUint(u, 10))
	}
	return attribute.Int64Value(int64(u))
}

// float32To64 keeps the shortest decimal form: float32(0.1) becomes 0.1,
// not 0.10000000149011612.
func float32To64(f float32) float64 {
	var buf [32]byte
	g, err := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)), 64)
	if err != nil {
		return float64(f) // NaN and ±Inf parse fine; this is defensive only
	}
	return g
}

func (c *converter) bytes(b []byte) attribute.Value {
	if len(b) > c.l.MaxStringLen {
		return attribute.SliceValue(
			attribute.ByteSliceValue(b[:c.l.MaxStringLen]),
			attribute.StringValue(truncatedBytes(len(b))),
		)
	}
	return attribute.ByteSliceValue(b)
}

func (c *converter) strings(ss []string) attribute.Value {
	v := attribute.StringSliceValue(ss)
	if len(ss) <= c.l.MaxItems && !slices.ContainsFunc(ss, func(s string) bool { return cutString(s, c.l.MaxStringLen) != s }) {
		return v // checked here: the value's own copy can only be read by copying it again
	}
	s, _ := c.l.sanitize(v, 0)
	return s
}

func (c *converter) typedSlice(v attribute.Value, n int) attribute.Value {
	if n > c.l.MaxItems {
		s, _ := c.l.sanitize(v, 0)
		return s
	}
	return v
}

// slice builds a slice value of n elements, cut at MaxItems.
func (c *converter) slice(n int, elem func(int) attribute.Value) attribute.Value {
	keep := min(n, c.l.MaxItems)
	var buf [16]attribute.Value // SliceValue copies: small slices need no allocation of their own
	var vs []attribute.Value
	if keep < len(buf) {
		vs = buf[:keep]
	} else {
		vs = make([]attribute.Value, keep, keep+1)
	}
	for i := range keep {
		vs[i] = elem(i)
	}
	if n > keep {
		vs = append(vs, attribute.StringValue(truncatedItems(n)))
	}
	return attribute.SliceValue(vs...)
}

// mapValue cuts kvs at MaxItems after sorting, so the same entries are kept
// on every run, and builds the map value (which keeps keys sorted).
func (c *converter) mapValue(kvs []attribute.KeyValue) attribute.Value {
	if len(kvs) > c.l.MaxItems {
		sortKVs(kvs)
		kvs = append(kvs[:c.l.MaxItems], attribute.String(MarkerMoreKey, truncatedItems(len(kvs))))
	}
	return attribute.MapValue(kvs...)
}

// method calls one of v's methods, turning a panic into a visible marker.
// As in fmt, a nil pointer receiver that panics reads "<nil>". The text of
// a panic is redacted: it is as likely as an error to quote a URL.
func (c *converter) method(v any, name string, call func() string) (out attribute.Value) {
	defer func() {
		if r := recover(); r != nil {
			out = attribute.StringValue(c.recovered(v, name, r))
		}
	}()
	return attribute.StringValue(cutString(call(), c.l.MaxStringLen))
}

// redactedMethod is method for a method whose text is redacted, before it
// is cut.
func (c *converter) redactedMethod(v any, name string, call func() string) (out attribute.Value) {
	defer func() {
		if r := recover(); r != nil {
			out = attribute.StringValue(c.recovered(v, name, r))
		}
	}()
	return attribute.StringValue(c.red.textCut(call(), c.l.MaxStringLen))
}

func (c *converter) recovered(v any, name string, r any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "<nil>"
	}
	return c.red.textCut(panicText(name, r), c.l.MaxStringLen)
}

// errorText is the redacted text of err, for the "!ERROR: " of a method that
// failed; a panic in its Error method is described instead.
func (c *converter) errorText(err error) string {
	return c.redactedMethod(err, "Error", func() string { return err.Error() }).AsString()
}

// panicText describes a recovered panic without risking a second one.
func panicText(method string, r any) (s string) {
	defer func() {
		if recover() != nil {
			s = MarkerPanic + method + " method: (unprintable)"
		}
	}()
	return fmt.Sprintf("%s%s method: %v", MarkerPanic, method, r)
}

// jsonValue decodes what MarshalJSON produced into the value model, so a
// type's own JSON shape is kept (objects become maps, arrays slices).
func (c *converter) jsonValue(m json.Marshaler, d int) attribute.Value {
	var raw []byte
	if pv := c.method(m, "MarshalJSON", func() string {
		b, err := m.MarshalJSON()
		if err != nil {
			return "!ERROR: " + c.errorText(err)
		}
		raw = b
		return ""
	}); raw == nil {
		return pv
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return attribute.StringValue(cutString(string(raw), c.l.MaxStringLen))
	}
	return c.jsonAny(x, d)
}

func (c *converter) jsonElem(x any, d int) attribute.Value {
	if !c.budget() {
		return attribute.StringValue(MarkerTruncated)
	}
	return c.jsonAny(x, d)
}

func (c *converter) jsonAny(x any, d int) attribute.Value {
	switch x := x.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return attribute.Int64Value(i)
		}
		if f, err := x.Float64(); err == nil {
			return attribute.Float64Value(f)
		}
		return attribute.StringValue(string(x))
	case []any:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		return c.slice(len(x), func(i int) attribute.Value { return c.jsonElem(x[i], d+1) })
	case map[string]any:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		kvs := make([]attribute.KeyValue, 0, len(x))
		for k, e := range x {
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(cutString(k, c.l.MaxKeyLen)), Value: c.jsonElem(e, d+1)})
		}
		return c.mapValue(kvs)
	}
	return c.value(x, d) // nil, bool, string
}

var (
	errorType    = reflect.TypeFor[error]()
	jsonType     = reflect.TypeFor[json.Marshaler]()
	textType     = reflect.TypeFor[encoding.TextMarshaler]()
	stringerType = reflect.TypeFor[fmt.Stringer]()
)

// fastTypes are the types of value's type switch that have no methods of
// their own to be found by (the HTTP types are there for their redaction).
var fastTypes = map[reflect.Type]bool{
	reflect.TypeFor[[]string]():             true,
	reflect.TypeFor[[]int]():                true,
	reflect.TypeFor[[]int64]():              true,
	reflect.TypeFor[[]float64]():            true,
	reflect.TypeFor[[]bool]():               true,
	reflect.TypeFor[[]any]():                true,
	reflect.TypeFor[map[string]any]():       true,
	reflect.TypeFor[[]attribute.KeyValue](): true,
	reflect.TypeFor[time.Duration]():        true,
	reflect.TypeFor[time.Time]():            true,
	reflect.TypeFor[attribute.Value]():      true,
	// HTTP data, redacted by type (httpValue).
	reflect.TypeFor[*url.URL]():       true,
	reflect.TypeFor[url.URL]():        true,
	reflect.TypeFor[url.Values]():     true,
	reflect.TypeFor[http.Header]():    true,
	reflect.TypeFor[*http.Request]():  true,
	reflect.TypeFor[http.Request]():   true,
	reflect.TypeFor[*http.Response](): true,
	reflect.TypeFor[http.Response]():  true,
	reflect.TypeFor[http.Cookie]():    true,
}

// implementsCache holds implementsAny's answer for each type seen: the
// method-set checks cost more than the rest of converting a field.
var implementsCache sync.Map // reflect.Type → bool

// implementsAny reports whether values of t are handled by the type switch of
// value: through one of their methods, or as one of the fast types.
func implementsAny(t reflect.Type) bool {
	if v, ok := implementsCache.Load(t); ok {
		return v.(bool)
	}
	yes := fastTypes[t] || t.Implements(errorType) || t.Implements(jsonType) || t.Implements(textType) ||
		t.Implements(stringerType)
	implementsCache.Store(t, yes)
	return yes
}

var timeType = reflect.TypeFor[time.Time]()

// reflectValue converts what the type switch does not know.
func (c *converter) reflectValue(rv reflect.Value, d int) attribute.Value {
	if !rv.IsValid() {
		return attribute.Value{}
	}
	if rv.Type() == timeType && rv.CanAddr() {
		// A time in a struct or slice, read in place: Interface would box it.
		return attribute.StringValue((*time.Time)(rv.Addr().UnsafePointer()).Format(time.RFC3339Nano))
	}
	if rv.CanInterface() && rv.Kind() != reflect.Interface && implementsAny(rv.Type()) {
		// Nested values with methods of their own (a time.Time field, an
		// error in a slice) take the same path as top-level ones.
		return c.value(rv.Interface(), d)
	}
	if v, ok := c.compiled(rv, d); ok {
		return v
	}
	switch rv.Kind() {
	case reflect.Bool:
		return attribute.BoolValue(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return attribute.Int64Value(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintValue(rv.Uint())
	case reflect.Float32:
		return attribute.Float64Value(float32To64(float32(rv.Float())))
	case reflect.Float64:
		return attribute.Float64Value(rv.Float())
	case reflect.Complex64, reflect.Complex128:
		return attribute.StringValue(strconv.FormatComplex(rv.Complex(), 'g', -1, 128))
	case reflect.String:
		return attribute.StringValue(cutString(rv.String(), c.l.MaxStringLen))
	case reflect.Interface:
		if rv.IsNil() {
			return attribute.Value{}
		}
		return c.reflectValue(rv.Elem(), d)
	case reflect.Pointer:
		if rv.IsNil() {
			return attribute.Value{}
		}
		if !c.enter(rv.Pointer()) {
			return attribute.StringValue(MarkerCycle)
		}
		defer c.leave()
		return c.reflectValue(rv.Elem(), d)
	case reflect.Slice:
		if rv.IsNil() {
			return attribute.Value{}
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return c.bytes(rv.Bytes())
		}
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		if rv.Len() > 0 {
			if !c.enter(rv.Pointer()) {
				return attribute.StringValue(MarkerCycle)
			}
			defer c.leave()
		}
		return c.slice(rv.Len(), func(i int) attribute.Value { return c.relem(rv.Index(i), d+1) })
	case reflect.Array:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		return c.slice(rv.Len(), func(i int) attribute.Value { return c.relem(rv.Index(i), d+1) })
	case reflect.Map:
		if rv.IsNil() {
			return attribute.Value{}
		}
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		if !c.enter(rv.Pointer()) {
			return attribute.StringValue(MarkerCycle)
		}
		defer c.leave()
		kvs := make([]attribute.KeyValue, 0, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k := cutString(c.mapKey(it.Key()), c.l.MaxKeyLen)
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(k), Value: c.relem(it.Value(), d+1)})
		}
		return c.mapValue(kvs)
	case reflect.Struct:
		if d >= c.l.MaxDepth {
			return attribute.StringValue(MarkerDepth)
		}
		return c.structValue(rv, d)
	}
	// Channels, functions and unsafe pointers have no data to log: name their type.
	return attribute.StringValue(cutString(rv.Type().String(), c.l.MaxStringLen))
}

// compiled converts rv through its type's codec, when there is one and rv
// can be read in place: a slice's elements always can, a struct or array
// when it sits in a slice, a struct or behind a pointer. (A struct passed
// by itself is read through reflection: copying it costs more.)
func (c *converter) compiled(rv reflect.Value, d int) (attribute.Value, bool) {
	if reflectOnly {
		return attribute.Value{}, false
	}
	switch rv.Kind() {
	case reflect.Struct, reflect.Array:
		if rv.CanAddr() {
			if k := codecFor(rv.Type()); k != nil {
				return c.encode(k, rv.Addr().UnsafePointer(), d), true
			}
		}
	case reflect.Slice:
		et := rv.Type().Elem()
		if et.Kind() == reflect.Uint8 || rv.IsNil() {
			break
		}
		if k := codecFor(et); k != nil {
			return c.elements(k, rv.UnsafePointer(), rv.Len(), d, true), true
		}
	}
	return attribute.Value{}, false
}

// reflectOnly turns the codecs off, for the tests that compare them with
// reflectValue.
var reflectOnly = false

// mapKey renders a map key as encoding/json does: strings as they are,
// TextMarshalers through MarshalText, integers in decimal; others as fmt would.
func (c *converter) mapKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if k.CanInterface() {
		if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
			return c.method(tm, "MarshalText", func() string {
				b, err := tm.MarshalText()
				if err != nil {
					return "!ERROR: " + c.errorText(err)
				}
				return string(b)
			}).AsString()
		}
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	v := c.reflectValue(k, c.l.MaxDepth) // scalars only: deeper values become markers
	return v.String()
}

func (c *converter) enter(p uintptr) bool {
	for _, q := range c.parents {
		if p == q {
			return false
		}
	}
	c.parents = append(c.parents, p)
	return true
}

func (c *converter) leave() { c.parents = c.parents[:len(c.parents)-1] }

func (c *converter) structValue(rv reflect.Value, d int) attribute.Value {
	fields := structFields(rv.Type())
	var buf [8]attribute.KeyValue // MapValue copies: small structs need no allocation of their own
	kvs := buf[:0]
	for _, f := range fields {
		fv, ok := fieldByIndex(rv, f.index)
		if !ok {
			continue // behind a nil embedded pointer
		}
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		var v attribute.Value
		if f.plain && c.budget() {
			v = c.plainValue(fv)
		} else {
			v = c.relem(fv, d+1)
		}
		kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(cutString(f.name, c.l.MaxKeyLen)), Value: v})
	}
	return c.mapValue(kvs)
}

// plainValue converts a value of a plain kind (see field.plain).
func (c *converter) plainValue(rv reflect.Value) attribute.Value {
	switch rv.Kind() {
	case reflect.String:
		return attribute.StringValue(cutString(rv.String(), c.l.MaxStringLen))
	case reflect.Bool:
		return attribute.BoolValue(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return attribute.Int64Value(rv.Int())
	case reflect.Float64:
		return attribute.Float64Value(rv.Float())
	}
	return c.reflectValue(rv, 0) // not reached: plain is only set for the kinds above
}

func isPlain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float64:
		return !implementsAny(t)
	}
	return false
}

func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

type field struct {
	name      string
	index     []int
	omitEmpty bool
	// plain: a string, bool or number type without methods, converted
	// straight from its kind.
	plain bool
}

// fieldCache holds the exported fields of each struct type, computed once.
var fieldCache sync.Map // reflect.Type → []field

// structFields lists the fields encoding/json would write: exported ones,
// named by their json tag, "-" skipped, fields of untagged embedded structs
// promoted (a shallower field wins over a deeper one of the same name).
func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var out []field
	seen := map[string]bool{}
	type level struct {
		t     reflect.Type
		index []int
	}
	current := []level{{t: t}}
	visited := map[reflect.Type]bool{}
	for len(current) > 0 {
		var next []level
		names := map[string]bool{}
		for _, lv := range current {
			if visited[lv.t] {
				continue
			}
			visited[lv.t] = true
			for i := range lv.t.NumField() {
				sf := lv.t.Field(i)
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(append([]int(nil), lv.index...), i)
				ft := sf.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
					next = append(next, level{t: ft, index: index})
					continue
				}
				if !sf.IsExported() {
					continue
				}
				if name == "" {
					name = sf.Name
				}
				if seen[name] {
					continue
				}
				names[name] = true
				out = append(out, field{name: name, index: index, omitEmpty: strings.Contains(","+opts+",", ",omitempty,"),
					plain: isPlain(sf.Type)})
			}
		}
		for n := range names {
			seen[n] = true
		}
		current = next
	}
	fieldCache.Store(t, out)
	return out
}

// sortKVs sorts by key, stably, as attribute.MapValue does.
func sortKVs(kvs []attribute.KeyValue) {
	slices.SortStableFunc(kvs, func(a, b attribute.KeyValue) int { return cmp.Compare(a.Key, b.Key) })
}
