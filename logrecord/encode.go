package logrecord

import (
	"reflect"
	"sync"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
)

// A codec converts a value of one type read in place in memory. Codecs are
// compiled once per type from reflection (see codecFor) and then read
// memory directly: per value they cost what the conversion costs, not what
// reflect.Value costs for each field and element.
//
// They give the same values as reflectValue, which stays the reference: a
// type or field they do not cover is handed to it. A codec is data read by
// converter.encode, not a function value: an indirect call would move every
// converter to the heap.
type codec struct {
	op     op
	typ    reflect.Type
	fields []codecField // opStruct
	elem   *codec       // opSlice, opArray
	n      int          // opArray: the length
}

type op uint8

const (
	opBool op = iota
	opInt
	opInt8
	opInt16
	opInt32
	opInt64
	opUint8
	opUint16
	opUint32
	opUint64 // also uint and uintptr of 8 bytes
	opFloat32
	opFloat64
	opString
	opTime
	opStrings // []string
	opInts    // []int
	opStruct
	opSlice
	opArray
)

// codecField is one field of a struct codec.
type codecField struct {
	key       attribute.Key
	offset    uintptr
	typ       reflect.Type
	omitEmpty bool
	codec     *codec // nil: through reflectValue
}

// codecCache holds the codec of each type seen; nil when the type is left
// to reflectValue.
var codecCache sync.Map // reflect.Type → *codec

// codecFor returns t's codec, or nil when reflectValue handles t.
func codecFor(t reflect.Type) *codec {
	if k, ok := codecCache.Load(t); ok {
		return k.(*codec)
	}
	k := compile(t, map[reflect.Type]bool{})
	codecCache.Store(t, k)
	return k
}

var scalarOps = map[reflect.Kind]op{
	reflect.Bool: opBool, reflect.Int: opInt, reflect.Int8: opInt8, reflect.Int16: opInt16,
	reflect.Int32: opInt32, reflect.Int64: opInt64, reflect.Uint8: opUint8, reflect.Uint16: opUint16,
	reflect.Uint32: opUint32, reflect.Float32: opFloat32, reflect.Float64: opFloat64, reflect.String: opString,
}

// compile builds t's codec. open holds the composite types being compiled,
// so a recursive type stops at its own name; the field or element that
// recurses is converted by reflectValue, which finds the finished codec in
// the cache.
func compile(t reflect.Type, open map[reflect.Type]bool) *codec {
	switch {
	case t == timeType:
		return &codec{op: opTime, typ: t}
	case t == reflect.TypeFor[[]string]():
		return &codec{op: opStrings, typ: t}
	case t == reflect.TypeFor[[]int]():
		return &codec{op: opInts, typ: t}
	case implementsAny(t):
		return nil // through its methods, in value's type switch
	}
	if o, ok := scalarOps[t.Kind()]; ok {
		return &codec{op: o, typ: t}
	}
	if open[t] {
		return nil
	}
	open[t] = true
	defer delete(open, t)
	switch t.Kind() {
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		if t.Size() == 8 {
			return &codec{op: opUint64, typ: t}
		}
		return &codec{op: opUint32, typ: t}
	case reflect.Struct:
		return compileStruct(t, open)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // bytes
		}
		if elem := compile(t.Elem(), open); elem != nil {
			return &codec{op: opSlice, typ: t, elem: elem}
		}
	case reflect.Array:
		if elem := compile(t.Elem(), open); elem != nil {
			return &codec{op: opArray, typ: t, elem: elem, n: t.Len()}
		}
	}
	return nil // maps, pointers, interfaces, complex numbers and the rest
}

// compileStruct encodes the fields structFields lists. Structs with promoted
// fields of embedded structs are left to reflectValue, which follows the
// embedded pointers.
func compileStruct(t reflect.Type, open map[reflect.Type]bool) *codec {
	k := &codec{op: opStruct, typ: t}
	for _, f := range structFields(t) {
		if len(f.index) != 1 {
			return nil
		}
		sf := t.Field(f.index[0])
		k.fields = append(k.fields, codecField{
			key: attribute.Key(f.name), offset: sf.Offset, typ: sf.Type, omitEmpty: f.omitEmpty,
			codec: compile(sf.Type, open),
		})
	}
	return k
}

// encode converts the value of k's type at p, at nesting depth d.
func (c *converter) encode(k *codec, p unsafe.Pointer, d int) attribute.Value {
	switch k.op {
	case opBool:
		return attribute.BoolValue(*(*bool)(p))
	case opInt:
		return attribute.Int64Value(int64(*(*int)(p)))
	case opInt8:
		return attribute.Int64Value(int64(*(*int8)(p)))
	case opInt16:
		return attribute.Int64Value(int64(*(*int16)(p)))
	case opInt32:
		return attribute.Int64Value(int64(*(*int32)(p)))
	case opInt64:
		return attribute.Int64Value(*(*int64)(p))
	case opUint8:
		return attribute.Int64Value(int64(*(*uint8)(p)))
	case opUint16:
		return attribute.Int64Value(int64(*(*uint16)(p)))
	case opUint32:
		return attribute.Int64Value(int64(*(*uint32)(p)))
	case opUint64:
		return uintValue(*(*uint64)(p))
	case opFloat32:
		return attribute.Float64Value(float32To64(*(*float32)(p)))
	case opFloat64:
		return attribute.Float64Value(*(*float64)(p))
	case opString:
		return attribute.StringValue(cutString(*(*string)(p), c.l.MaxStringLen))
	case opTime:
		return attribute.StringValue(c.formatTime((*time.Time)(p)))
	case opStrings:
		if ss := *(*[]string)(p); ss != nil {
			return c.strings(ss)
		}
		return attribute.Value{}
	case opInts:
		if is := *(*[]int)(p); is != nil {
			return c.typedSlice(attribute.IntSliceValue(is), len(is))
		}
		return attribute.Value{}
	case opStruct:
		return c.encodeStruct(k, p, d)
	case opSlice:
		s := (*sliceHeader)(p)
		if s.data == nil {
			return attribute.Value{}
		}
		return c.elements(k.elem, s.data, s.len, d, true)
	case opArray:
		return c.elements(k.elem, p, k.n, d, false)
	}
	return c.reflectValue(reflect.NewAt(k.typ, p).Elem(), d) // not reached: every op is above
}

func (c *converter) encodeStruct(k *codec, p unsafe.Pointer, d int) attribute.Value {
	if d >= c.l.MaxDepth {
		return attribute.StringValue(MarkerDepth)
	}
	var buf [8]attribute.KeyValue // MapValue copies: small structs need no allocation of their own
	kvs := buf[:0]
	for i := range k.fields {
		f := &k.fields[i]
		fp := unsafe.Add(p, f.offset)
		if f.omitEmpty && reflect.NewAt(f.typ, fp).Elem().IsZero() {
			continue
		}
		var v attribute.Value
		switch {
		case !c.budget():
			v = attribute.StringValue(MarkerTruncated)
		case f.codec != nil:
			v = c.encode(f.codec, fp, d+1)
		default:
			v = c.reflectValue(reflect.NewAt(f.typ, fp).Elem(), d+1)
		}
		kvs = append(kvs, attribute.KeyValue{Key: cutKey(f.key, c.l.MaxKeyLen), Value: v})
	}
	return c.mapValue(kvs)
}

// sliceHeader is the layout of every Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func cutKey(k attribute.Key, max int) attribute.Key {
	if len(k) <= max {
		return k // field names are valid UTF-8
	}
	return attribute.Key(cutString(string(k), max))
}

// elements converts the n elements of elem's type at data as a slice
// value. A Go slice (not an array) takes part in cycle detection, as in
// reflectValue.
func (c *converter) elements(elem *codec, data unsafe.Pointer, n, d int, slice bool) attribute.Value {
	if d >= c.l.MaxDepth {
		return attribute.StringValue(MarkerDepth)
	}
	if slice && n > 0 {
		if !c.enter(uintptr(data)) {
			return attribute.StringValue(MarkerCycle)
		}
		defer c.leave()
	}
	return c.slice(n, func(i int) attribute.Value {
		if !c.budget() {
			return attribute.StringValue(MarkerTruncated)
		}
		return c.encode(elem, unsafe.Add(data, uintptr(i)*elem.typ.Size()), d+1)
	})
}

// formatTime formats t as RFC 3339 with nanoseconds into the converter's
// arena: the times of one value share a few allocations instead of one
// each. A string keeps its whole block alive; blocks are small.
func (c *converter) formatTime(t *time.Time) string {
	const room = 40 // "2006-01-02T15:04:05.999999999-07:00" is 35 bytes
	if cap(c.arena)-len(c.arena) < room {
		c.arena = make([]byte, 0, min(max(2*cap(c.arena), 4*room), 64*room))
	}
	start := len(c.arena)
	c.arena = t.AppendFormat(c.arena, time.RFC3339Nano) // a longer year may move it: earlier strings keep the old block
	return unsafe.String(&c.arena[start], len(c.arena)-start)
}
