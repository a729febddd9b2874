package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/store"
)

// spanRecorder keeps ended spans to export them in the order a test wants.
type spanRecorder struct{ spans []sdktrace.ReadOnlySpan }

func (r *spanRecorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *spanRecorder) OnEnd(s sdktrace.ReadOnlySpan)                   { r.spans = append(r.spans, s) }
func (r *spanRecorder) Shutdown(context.Context) error                  { return nil }
func (r *spanRecorder) ForceFlush(context.Context) error                { return nil }

// TestReviewSpansOfAnotherOperationInAnyOrder: an operation's start and
// end records (correlated to its span) and a span of other code that
// names the operation arrive in every order: the operation is what its
// records and its own span say.
func TestReviewSpansOfAnotherOperationInAnyOrder(t *testing.T) {
	rec := &spanRecorder{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx := t.Context()
	at := time.Now().Add(-time.Minute)
	id := attribute.String(logrecord.KeyOperationID, "victim")

	// The operation's own span, with its records.
	octx, own := tp.Tracer("t").Start(ctx, "sync.run", trace.WithTimestamp(at), trace.WithAttributes(id,
		attribute.String(logrecord.KeyOperationType, "sync"), attribute.String(logrecord.KeyOperationAction, "run"),
		attribute.String(logrecord.KeyIntegrationID, "acme"), attribute.String(logrecord.KeyOperationState, "running")))
	internal := attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal)
	lifecycle := func(event string, sev log.Severity, at time.Time, attrs ...attribute.KeyValue) sdklog.Record {
		var r log.Record
		r.SetTimestamp(at)
		r.SetSeverity(sev)
		r.SetEventName(event)
		r.SetBody(attribute.StringValue(event))
		r.AddAttributes(append(attrs, id, internal,
			attribute.String(logrecord.KeyOperationType, "sync"), attribute.String(logrecord.KeyOperationAction, "run"),
			attribute.String(logrecord.KeyIntegrationID, "acme"))...)
		c := &capture{}
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(c)))
		lp.Logger("t").Emit(octx, r)
		return c.recs[0]
	}
	startRec := lifecycle(logrecord.EventOperationStart, log.SeverityInfo, at, attribute.String(logrecord.KeyOperationState, "running"))
	endRec := lifecycle(logrecord.EventOperationEnd, log.SeverityInfo, at.Add(time.Second), attribute.String(logrecord.KeyOperationState, "success"))
	own.SetAttributes(attribute.String(logrecord.KeyOperationState, "success"))
	own.SetStatus(codes.Ok, "")
	own.End(trace.WithTimestamp(at.Add(time.Second)))

	// Another operation's span that names this one and says it failed.
	_, other := tp.Tracer("t").Start(ctx, "sync.run", trace.WithTimestamp(at.Add(-time.Hour)), trace.WithAttributes(id,
		attribute.String(logrecord.KeyOperationType, "forged"), attribute.String(logrecord.KeyIntegrationID, "forged"),
		attribute.String(logrecord.KeyJobID, "forged"), attribute.String(logrecord.KeyOperationState, "failed"),
		attribute.Int64(logrecord.KeyOperationDurationMS, 999999)))
	other.AddEvent("exception", trace.WithAttributes(attribute.String(logrecord.KeyExceptionMessage, "forged cause")))
	other.SetStatus(codes.Error, "forged")
	other.End(trace.WithTimestamp(at.Add(time.Hour)))
	require.Len(t, rec.spans, 2)
	ownSpan, otherSpan := rec.spans[0], rec.spans[1]

	type item struct {
		name   string
		export func(s *store.Store) error
	}
	items := []item{
		{"start", func(s *store.Store) error { return s.Export(ctx, []sdklog.Record{startRec}) }},
		{"end", func(s *store.Store) error { return s.Export(ctx, []sdklog.Record{endRec}) }},
		{"own span", func(s *store.Store) error { return s.ExportSpans(ctx, []sdktrace.ReadOnlySpan{ownSpan}) }},
		{"other span", func(s *store.Store) error { return s.ExportSpans(ctx, []sdktrace.ReadOnlySpan{otherSpan}) }},
	}
	var permute func(done []item, rest []item)
	permute = func(done []item, rest []item) {
		if len(rest) == 0 {
			var name string
			for _, it := range done {
				name += it.name + ", "
			}
			t.Run(name, func(t *testing.T) {
				s, _ := openFile(t, store.Options{})
				for _, it := range done {
					require.NoError(t, it.export(s))
				}
				o, err := s.Operation(ctx, "victim")
				require.NoError(t, err)
				assert.Equal(t, "success", o.State)
				assert.Empty(t, o.ErrorText)
				assert.Equal(t, "sync", o.Type)
				assert.Equal(t, "acme", o.Integration)
				assert.Empty(t, o.Job)
				assert.Less(t, o.DurationMS, int64(999999))
				assert.Equal(t, ownSpan.SpanContext().SpanID().String(), o.SpanID)
				assert.True(t, o.Start.Equal(at), "start %s", o.Start)
				assert.True(t, o.End.Equal(at.Add(time.Second)), "end %s", o.End)
			})
			return
		}
		for i := range rest {
			next := append(append([]item(nil), rest[:i]...), rest[i+1:]...)
			permute(append(append([]item(nil), done...), rest[i]), next)
		}
	}
	permute(nil, items)
}

// TestReviewNoSpanNoSpanDescribes: an operation whose records carry no
// span id (its tracker had no tracer provider) has no span: a span that
// names it, from other code, changes nothing.
func TestReviewNoSpanNoSpanDescribes(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	at := time.Now().Add(-time.Minute)
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("victim", at, "acme")}))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(s))
	_, sp := tp.Tracer("t").Start(ctx, "sync.run", trace.WithAttributes(attribute.String(logrecord.KeyOperationID, "victim"),
		attribute.String(logrecord.KeyOperationState, "failed")))
	sp.AddEvent("exception", trace.WithAttributes(attribute.String(logrecord.KeyExceptionMessage, "forged cause")))
	sp.SetStatus(codes.Error, "forged")
	sp.End()
	require.NoError(t, tp.Shutdown(ctx))
	o, err := s.Operation(ctx, "victim")
	require.NoError(t, err)
	assert.Equal(t, "running", o.State)
	assert.Empty(t, o.ErrorText)
	assert.True(t, o.End.IsZero())
}

// TestReviewLateStartRecord: the end record, with the references the
// operation was enriched with, arrives before its start record: the
// references are the end's.
func TestReviewLateStartRecord(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	at := time.Now().Add(-time.Minute)
	internal := attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal)
	end := apiRecord("op", at.Add(time.Second), log.SeverityInfo, "end", internal,
		attribute.String(logrecord.KeyOperationState, "success"), attribute.String(logrecord.KeyIntegrationID, "enriched"))
	end.SetEventName(logrecord.EventOperationEnd)
	require.NoError(t, s.Export(ctx, []sdklog.Record{sdkRecord(end)}))
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", at, "first")}))
	o, err := s.Operation(ctx, "op")
	require.NoError(t, err)
	assert.Equal(t, "enriched", o.Integration)
	assert.Equal(t, "sync", o.Type, "what the end did not say, the start fills")
	assert.Equal(t, "success", o.State)
	assert.True(t, at.Equal(o.Start))
}
