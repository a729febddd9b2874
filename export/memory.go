package export

import (
	"context"
	"slices"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/severity"
)

// Memory keeps every record and span it is given, for tests: pass it to
// both [WithExporter] and [WithSpanExporter], call [Pipeline.ForceFlush],
// then query. It is safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	records []sdklog.Record
	spans   []sdktrace.ReadOnlySpan
}

var (
	_ sdklog.Exporter       = (*Memory)(nil)
	_ sdktrace.SpanExporter = (*Memory)(nil)
)

// NewMemory returns an empty in-memory exporter.
func NewMemory() *Memory { return &Memory{} }

// Export keeps copies of the records.
func (m *Memory) Export(_ context.Context, records []sdklog.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range records {
		m.records = append(m.records, records[i].Clone())
	}
	return nil
}

// ExportSpans keeps the spans.
func (m *Memory) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.spans = append(m.spans, spans...)
	return nil
}

// Shutdown does nothing; what is held stays queryable.
func (m *Memory) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing.
func (m *Memory) ForceFlush(context.Context) error { return nil }

// Records returns every record held, in arrival order.
func (m *Memory) Records() []sdklog.Record {
	return m.Where(func(*sdklog.Record) bool { return true })
}

// Spans returns every span held, in arrival order.
func (m *Memory) Spans() []sdktrace.ReadOnlySpan {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.spans)
}

// Reset forgets everything held.
func (m *Memory) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records, m.spans = nil, nil
}

// Where returns the records for which keep reports true; a nil keep keeps
// every record.
func (m *Memory) Where(keep func(*sdklog.Record) bool) []sdklog.Record {
	if keep == nil {
		keep = func(*sdklog.Record) bool { return true }
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []sdklog.Record
	for i := range m.records {
		if keep(&m.records[i]) {
			out = append(out, m.records[i].Clone())
		}
	}
	return out
}

// AtLeast returns the records of severity s or above.
func (m *Memory) AtLeast(s severity.Severity) []sdklog.Record {
	return m.Where(func(r *sdklog.Record) bool { return severity.FromOTel(r.Severity()) >= s })
}

// WithSeverity returns the records of exactly severity s.
func (m *Memory) WithSeverity(s severity.Severity) []sdklog.Record {
	return m.Where(func(r *sdklog.Record) bool { return severity.FromOTel(r.Severity()) == s })
}

// WithEventName returns the records with that event name.
func (m *Memory) WithEventName(name string) []sdklog.Record {
	return m.Where(func(r *sdklog.Record) bool { return r.EventName() == name })
}

// WithAttribute returns the records holding the attribute kv (same key, equal value).
func (m *Memory) WithAttribute(kv attribute.KeyValue) []sdklog.Record {
	return m.Where(func(r *sdklog.Record) bool {
		v, ok := Attribute(r, kv.Key)
		return ok && v == kv.Value
	})
}

// WithTraceID returns the records correlated to the trace.
func (m *Memory) WithTraceID(id trace.TraceID) []sdklog.Record {
	return m.Where(func(r *sdklog.Record) bool { return r.TraceID() == id })
}

// WithSpanID returns the records correlated to the span.
func (m *Memory) WithSpanID(id trace.SpanID) []sdklog.Record {
	return m.Where(func(r *sdklog.Record) bool { return r.SpanID() == id })
}

// Attribute returns the value of the record's attribute key; a nil record
// has none.
func Attribute(r *sdklog.Record, key attribute.Key) (attribute.Value, bool) {
	var v attribute.Value
	if r == nil {
		return v, false
	}
	found := false
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		if kv.Key == key {
			v, found = kv.Value, true
			return false
		}
		return true
	})
	return v, found
}
