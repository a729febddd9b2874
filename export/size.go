package export

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Estimates of the OTLP protobuf encoding of records and spans, to bound
// queues (WithQueueBytes) and requests (WithBatchBytes) in bytes. They
// count every field with its tag and length prefix and round the small
// fixed fields up, so that they are at or above the real size, never far
// below: a request built to the estimate stays under the bound.

// requestOverhead is what a request holds besides its items: the resource
// once per request, and room for the scopes and the envelopes.
func requestOverhead(res *resource.Resource) int {
	n := 1 << 10
	if res != nil {
		for _, kv := range res.Attributes() {
			n += kvSize(kv)
		}
		n += len(res.SchemaURL())
	}
	return n
}

// recordSize estimates one LogRecord with its share of a ScopeLogs.
func recordSize(r *sdklog.Record) int {
	n := 64 // times, severity, ids, flags, dropped count, envelope
	n += strSize(r.SeverityText()) + strSize(r.EventName())
	n += valueSize(r.Body())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		n += kvSize(kv)
		return true
	})
	return n + scopeSize(r.InstrumentationScope())
}

// spanSize estimates one Span with its share of a ScopeSpans.
func spanSize(s sdktrace.ReadOnlySpan) int {
	n := 96 // ids, times, kind, counts, status, envelope
	n += strSize(s.Name()) + strSize(s.Status().Description) + len(s.SpanContext().TraceState().String())
	for _, kv := range s.Attributes() {
		n += kvSize(kv)
	}
	for _, e := range s.Events() {
		n += 24 + strSize(e.Name)
		for _, kv := range e.Attributes {
			n += kvSize(kv)
		}
	}
	for _, l := range s.Links() {
		n += 48 + len(l.SpanContext.TraceState().String())
		for _, kv := range l.Attributes {
			n += kvSize(kv)
		}
	}
	return n + scopeSize(s.InstrumentationScope())
}

// scopeSize counts the scope with every item: a batch may hold as many
// scopes as items.
func scopeSize(s instrumentation.Scope) int {
	n := strSize(s.Name) + strSize(s.Version) + strSize(s.SchemaURL)
	for _, kv := range s.Attributes.ToSlice() {
		n += kvSize(kv)
	}
	return n
}

func strSize(s string) int {
	if s == "" {
		return 0
	}
	return len(s) + 6 // tag and length
}

func kvSize(kv attribute.KeyValue) int {
	return 8 + len(kv.Key) + valueSize(kv.Value)
}

// valueSize estimates an AnyValue, nested values included.
func valueSize(v attribute.Value) int {
	switch v.Type() {
	case attribute.EMPTY:
		return 2
	case attribute.BOOL:
		return 4
	case attribute.INT64, attribute.FLOAT64:
		return 14
	case attribute.STRING:
		return len(v.AsString()) + 8
	case attribute.BYTESLICE:
		return len(v.AsByteSlice()) + 8
	case attribute.BOOLSLICE:
		return 8 + 6*len(v.AsBoolSlice())
	case attribute.INT64SLICE:
		return 8 + 16*len(v.AsInt64Slice())
	case attribute.FLOAT64SLICE:
		return 8 + 16*len(v.AsFloat64Slice())
	case attribute.STRINGSLICE:
		n := 8
		for _, s := range v.AsStringSlice() {
			n += len(s) + 12
		}
		return n
	case attribute.SLICE:
		n := 8
		for _, e := range v.AsSlice() {
			n += valueSize(e) + 4
		}
		return n
	case attribute.MAP:
		n := 8
		for _, kv := range v.AsMap() {
			n += kvSize(kv) + 4
		}
		return n
	}
	return len(v.String()) + 8
}
