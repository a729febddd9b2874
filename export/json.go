package export

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/oplog-go/oplog/logrecord"
)

// JSON writes each batch of records as one line holding an OTLP
// ExportLogsServiceRequest in the OTLP JSON encoding, records grouped by
// resource and scope, as the Collector's otlpjsonfile receiver and pdata's
// plog.JSONUnmarshaler read it. NaN and ±Inf are written as the strings
// "NaN", "Infinity" and "-Infinity", as protobuf's JSON mapping does.
// Control characters and U+2028/2029 are escaped, so a line is always one
// JSON object. JSON is safe for concurrent use.
type JSON struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

var _ sdklog.Exporter = (*JSON)(nil)

// NewJSON returns a JSON exporter writing to w.
func NewJSON(w io.Writer) *JSON { return &JSON{w: w} }

// Export writes the batch as one line.
func (j *JSON) Export(_ context.Context, records []sdklog.Record) error {
	if len(records) == 0 {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	b := AppendOTLPJSON(j.buf[:0], records)
	b = append(b, '\n')
	j.buf = b
	if len(b) > 1<<20 {
		j.buf = nil
	}
	_, err := j.w.Write(b)
	return err
}

// Shutdown does nothing: the writer belongs to the caller.
func (j *JSON) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing: every Export writes at once.
func (j *JSON) ForceFlush(context.Context) error { return nil }

// AppendOTLPJSON appends the ExportLogsServiceRequest of records, in the
// OTLP JSON encoding, to b.
func AppendOTLPJSON(b []byte, records []sdklog.Record) []byte {
	b = append(b, `{"resourceLogs":[`...)
	for i := 0; i < len(records); {
		res := records[i].Resource()
		j := i + 1
		for j < len(records) && records[j].Resource() == res {
			j++
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendResourceLogs(b, res, records[i:j])
		i = j
	}
	return append(b, "]}"...)
}

func appendResourceLogs(b []byte, res *resource.Resource, records []sdklog.Record) []byte {
	b = append(b, `{"resource":{"attributes":[`...)
	if res != nil {
		for i, kv := range res.Attributes() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKV(b, kv)
		}
	}
	b = append(b, `]}`...)
	if res != nil && res.SchemaURL() != "" {
		b = append(b, `,"schemaUrl":`...)
		b = appendJSONString(b, res.SchemaURL())
	}
	b = append(b, `,"scopeLogs":[`...)
	for i := 0; i < len(records); {
		scope := records[i].InstrumentationScope()
		j := i + 1
		for j < len(records) && sameScope(records[j].InstrumentationScope(), scope) {
			j++
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendScopeLogs(b, scope, records[i:j])
		i = j
	}
	return append(b, "]}"...)
}

func sameScope(a, b instrumentation.Scope) bool {
	return a.Name == b.Name && a.Version == b.Version && a.SchemaURL == b.SchemaURL && a.Attributes.Equals(&b.Attributes)
}

func appendScopeLogs(b []byte, scope instrumentation.Scope, records []sdklog.Record) []byte {
	b = append(b, `{"scope":{"name":`...)
	b = appendJSONString(b, scope.Name)
	if scope.Version != "" {
		b = append(b, `,"version":`...)
		b = appendJSONString(b, scope.Version)
	}
	if scope.Attributes.Len() > 0 {
		b = append(b, `,"attributes":[`...)
		for i, kv := range scope.Attributes.ToSlice() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKV(b, kv)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	if scope.SchemaURL != "" {
		b = append(b, `,"schemaUrl":`...)
		b = appendJSONString(b, scope.SchemaURL)
	}
	b = append(b, `,"logRecords":[`...)
	for i := range records {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLogRecord(b, &records[i])
	}
	return append(b, "]}"...)
}

func appendLogRecord(b []byte, r *sdklog.Record) []byte {
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
	}
	if ts := r.Timestamp(); !ts.IsZero() {
		field("timeUnixNano")
		b = appendUnixNano(b, ts.UnixNano())
	}
	if ts := r.ObservedTimestamp(); !ts.IsZero() {
		field("observedTimeUnixNano")
		b = appendUnixNano(b, ts.UnixNano())
	}
	if s := r.Severity(); s != 0 {
		field("severityNumber")
		b = strconv.AppendInt(b, int64(s), 10)
	}
	if s := r.SeverityText(); s != "" {
		field("severityText")
		b = appendJSONString(b, s)
	}
	if body := r.Body(); body.Type() != attribute.EMPTY {
		field("body")
		b = appendAnyValue(b, body)
	}
	if r.AttributesLen() > 0 {
		field("attributes")
		b = append(b, '[')
		n := 0
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendKV(b, kv)
			return true
		})
		b = append(b, ']')
	}
	if d := r.DroppedAttributes(); d > 0 {
		field("droppedAttributesCount")
		b = strconv.AppendInt(b, int64(d), 10)
	}
	if f := r.TraceFlags(); f != 0 {
		field("flags")
		b = strconv.AppendUint(b, uint64(f), 10)
	}
	if id := r.TraceID(); id.IsValid() {
		field("traceId")
		b = append(b, '"')
		b = hex.AppendEncode(b, id[:])
		b = append(b, '"')
	}
	if id := r.SpanID(); id.IsValid() {
		field("spanId")
		b = append(b, '"')
		b = hex.AppendEncode(b, id[:])
		b = append(b, '"')
	}
	if e := r.EventName(); e != "" {
		field("eventName")
		b = appendJSONString(b, e)
	}
	return append(b, '}')
}

// appendUnixNano writes a fixed64 as protobuf's JSON mapping does: a string.
// Times before 1970 have no fixed64 form and are written as 0.
func appendUnixNano(b []byte, ns int64) []byte {
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(max(ns, 0)), 10)
	return append(b, '"')
}

func appendKV(b []byte, kv attribute.KeyValue) []byte {
	b = append(b, `{"key":`...)
	b = appendJSONString(b, string(kv.Key))
	b = append(b, `,"value":`...)
	b = appendAnyValue(b, kv.Value)
	return append(b, '}')
}

func appendAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.STRING:
		b = append(b, `{"stringValue":`...)
		b = appendJSONString(b, v.AsString())
	case attribute.BOOL:
		b = append(b, `{"boolValue":`...)
		b = strconv.AppendBool(b, v.AsBool())
	case attribute.INT64:
		b = append(b, `{"intValue":"`...)
		b = strconv.AppendInt(b, v.AsInt64(), 10)
		b = append(b, '"')
	case attribute.FLOAT64:
		b = append(b, `{"doubleValue":`...)
		b = appendDouble(b, v.AsFloat64())
	case attribute.BYTESLICE:
		b = append(b, `{"bytesValue":"`...)
		b = base64.StdEncoding.AppendEncode(b, v.AsByteSlice())
		b = append(b, '"')
	case attribute.SLICE, attribute.STRINGSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.BOOLSLICE:
		return appendArray(b, logrecord.Elements(v))
	case attribute.MAP:
		b = append(b, `{"kvlistValue":{"values":[`...)
		for i, kv := range v.AsMap() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKV(b, kv)
		}
		return append(b, "]}}"...)
	default:
		return append(b, "{}"...)
	}
	return append(b, '}')
}

func appendArray(b []byte, vs []attribute.Value) []byte {
	b = append(b, `{"arrayValue":{"values":[`...)
	for i, e := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAnyValue(b, e)
	}
	return append(b, "]}}"...)
}

func appendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD
// (the pipeline sanitizes before this; the JSON exporter used on its own
// must still write valid JSON).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, `\u00`...)
				b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
