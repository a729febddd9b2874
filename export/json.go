package export

import (
	"context"
	"encoding/hex"
	"io"
	"math"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/oplog-go/oplog/internal/otlpjson"
)

// JSON writes each batch of records as one line holding an OTLP
// ExportLogsServiceRequest in the OTLP JSON encoding, records grouped by
// resource and scope, as the Collector's otlpjsonfile receiver and pdata's
// plog.JSONUnmarshaler read it. NaN and ±Inf are written as the strings
// "NaN", "Infinity" and "-Infinity", as protobuf's JSON mapping does.
// Control characters and U+2028/2029 are escaped, so a line is always one
// JSON object. JSON is safe for concurrent use. A writer that panics fails
// the export with a [*PanicError].
type JSON struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

var _ sdklog.Exporter = (*JSON)(nil)

// NewJSON returns a JSON exporter writing to w. With a nil w, every
// export fails with [ErrNilWriter].
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
	return writeTo(j.w, b)
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
			b = otlpjson.AppendKeyValue(b, kv)
		}
	}
	b = append(b, `]}`...)
	if res != nil && res.SchemaURL() != "" {
		b = append(b, `,"schemaUrl":`...)
		b = otlpjson.AppendString(b, res.SchemaURL())
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
	b = otlpjson.AppendString(b, scope.Name)
	if scope.Version != "" {
		b = append(b, `,"version":`...)
		b = otlpjson.AppendString(b, scope.Version)
	}
	if scope.Attributes.Len() > 0 {
		b = append(b, `,"attributes":[`...)
		for i, kv := range scope.Attributes.ToSlice() {
			if i > 0 {
				b = append(b, ',')
			}
			b = otlpjson.AppendKeyValue(b, kv)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	if scope.SchemaURL != "" {
		b = append(b, `,"schemaUrl":`...)
		b = otlpjson.AppendString(b, scope.SchemaURL)
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
		b = appendUnixNano(b, ts)
	}
	if ts := r.ObservedTimestamp(); !ts.IsZero() {
		field("observedTimeUnixNano")
		b = appendUnixNano(b, ts)
	}
	if s := r.Severity(); s != 0 {
		field("severityNumber")
		b = strconv.AppendInt(b, int64(s), 10)
	}
	if s := r.SeverityText(); s != "" {
		field("severityText")
		b = otlpjson.AppendString(b, s)
	}
	if body := r.Body(); body.Type() != attribute.EMPTY {
		field("body")
		b = otlpjson.AppendAnyValue(b, body)
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
			b = otlpjson.AppendKeyValue(b, kv)
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
		b = otlpjson.AppendString(b, e)
	}
	return append(b, '}')
}

// appendUnixNano writes a fixed64 as protobuf's JSON mapping does: a string.
// Times before 1970 have no fixed64 form and are written as 0; times past
// 2262-04-11, which Unix nanoseconds in an int64 cannot hold (UnixNano
// wraps around: year 3000 would read as 1830), as the last one it holds.
func appendUnixNano(b []byte, t time.Time) []byte {
	var ns uint64
	switch {
	case t.Before(time.Unix(0, 0)):
		ns = 0
	case t.After(time.Unix(0, math.MaxInt64)):
		ns = math.MaxInt64
	default:
		ns = uint64(t.UnixNano())
	}
	b = append(b, '"')
	b = strconv.AppendUint(b, ns, 10)
	return append(b, '"')
}
