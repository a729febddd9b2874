package export_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
)

// spanStrings lists every string a span carries to an exporter.
func spanStrings(s sdktrace.ReadOnlySpan) []string {
	out := []string{s.Name(), s.Status().Description, s.InstrumentationScope().Name}
	kvs := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, string(kv.Key), kv.Value.String())
		}
	}
	kvs(s.Attributes())
	for _, e := range s.Events() {
		out = append(out, e.Name)
		kvs(e.Attributes)
	}
	for _, l := range s.Links() {
		kvs(l.Attributes)
	}
	kvs(s.Resource().Attributes())
	return out
}

// TestSpansSanitizedBeforeQueue: every string of a span (name, attributes,
// events and their attributes, links' attributes, status, scope, and the
// resource) reaches the exporter valid UTF-8 and within the limits, so a
// bad value cannot fail the batch; and every span is accounted for.
func TestSpansSanitizedBeforeQueue(t *testing.T) {
	const bad = "bad\xff\xfe"
	huge := strings.Repeat("x", 1<<20)
	cases := []struct {
		name  string
		scope string
		start func(ctx context.Context, tr trace.Tracer) trace.Span
	}{
		{"name", "test", func(ctx context.Context, tr trace.Tracer) trace.Span { _, s := tr.Start(ctx, bad); return s }},
		{"attribute value and key", "test", func(ctx context.Context, tr trace.Tracer) trace.Span {
			_, s := tr.Start(ctx, "op", trace.WithAttributes(attribute.String("k", bad), attribute.String(bad, "v"), attribute.StringSlice("ss", []string{bad})))
			return s
		}},
		{"huge attribute", "test", func(ctx context.Context, tr trace.Tracer) trace.Span {
			_, s := tr.Start(ctx, "op")
			s.SetAttributes(attribute.String("refs", huge), attribute.ByteSlice("b", []byte(huge)))
			return s
		}},
		{"event name and attribute", "test", func(ctx context.Context, tr trace.Tracer) trace.Span {
			_, s := tr.Start(ctx, "op")
			s.AddEvent(bad, trace.WithAttributes(attribute.String("e", bad)))
			s.RecordError(errString(bad))
			return s
		}},
		{"link attribute", "test", func(ctx context.Context, tr trace.Tracer) trace.Span {
			_, s := tr.Start(ctx, "op", trace.WithLinks(trace.Link{Attributes: []attribute.KeyValue{attribute.String("l", bad)}}))
			return s
		}},
		{"status description", "test", func(ctx context.Context, tr trace.Tracer) trace.Span {
			_, s := tr.Start(ctx, "op")
			s.SetStatus(codes.Error, bad+huge)
			return s
		}},
		{"scope name", bad, func(ctx context.Context, tr trace.Tracer) trace.Span { _, s := tr.Start(ctx, "op"); return s }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := export.NewMemory()
			t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=%FF%FEprod")
			p := setup(t, export.WithSpanExporter(mem), export.WithExporter(export.NewMemory()), export.WithServiceName(bad),
				export.WithLimits(logrecord.Limits{MaxStringLen: 4 << 10}))
			c.start(t.Context(), p.TracerProvider().Tracer(c.scope)).End()
			require.NoError(t, p.Shutdown(t.Context()))

			spans := mem.Spans()
			require.Len(t, spans, 1)
			for _, s := range spanStrings(spans[0]) {
				assert.True(t, utf8.ValidString(s), "%q", s)
				assert.LessOrEqual(t, len(s), 2*(4<<10), "within the limit (base64 of a cut byte value included)")
			}
			st := p.Stats().Spans
			assert.Equal(t, uint64(1), st.Ended)
			assert.Equal(t, uint64(1), st.Exported)
			assert.Zero(t, st.Dropped.Total())
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// TestSpansAccounting: ended = exported + dropped by reason, per span
// exporter, and spans still open at Shutdown are counted.
func TestSpansAccounting(t *testing.T) {
	mem := export.NewMemory()
	failing := &panicky{typedNil: true}
	p := setup(t, export.WithSpanExporter(mem), export.WithSpanExporter(failing), export.WithExporter(export.NewMemory()),
		export.WithErrorHandler(func(error) {}))
	tr := p.TracerProvider().Tracer("test")
	for range 5 {
		_, s := tr.Start(t.Context(), "done")
		s.End()
	}
	_, open1 := tr.Start(t.Context(), "still running")
	_, open2 := tr.Start(t.Context(), "still running")
	err := p.Shutdown(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "span(s) not delivered of 7 ended (2 still open at shutdown)")
	open1.End() // after Shutdown: already counted, not again
	open2.End()

	st := p.Stats().Spans
	assert.Equal(t, uint64(7), st.Ended)
	assert.Equal(t, uint64(2), st.OpenAtShutdown)
	require.Len(t, st.Exporters, 2)
	for _, e := range st.Exporters {
		assert.Equal(t, st.Ended, e.Delivered+e.Dropped.Total(), "%+v", e)
		assert.Zero(t, e.Pending)
		assert.Equal(t, uint64(2), e.Dropped.Shutdown, "%s: the open spans", e.Name)
	}
	assert.Equal(t, "memory", st.Exporters[0].Name)
	assert.Equal(t, uint64(5), st.Exporters[0].Delivered)
	assert.Equal(t, uint64(5), st.Exporters[1].Dropped.ExportFailed)
	assert.Equal(t, uint64(5), st.Exported)
	assert.Equal(t, uint64(5), st.Failed)
	assert.Len(t, mem.Spans(), 5)
}
