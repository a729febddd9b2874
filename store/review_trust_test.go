package store_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
)

// pipelineStore is a store on a file behind a real pipeline, with a
// tracker on that pipeline.
func pipelineStore(t *testing.T) (*store.Store, *export.Pipeline, *operation.Tracker) {
	t.Helper()
	s, _ := openFile(t, store.Options{})
	p, err := export.Setup(t.Context(), export.WithStore(s), export.WithoutGlobal())
	require.NoError(t, err)
	tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	return s, p, tr
}

// TestReviewUserCodeCannotRewriteTheOperation: whatever the code of an
// operation does with its messages and with the span in its context, the
// stored operation is what its lifecycle says.
func TestReviewUserCodeCannotRewriteTheOperation(t *testing.T) {
	var victimID string // set before each case runs
	forged := func() []attribute.KeyValue {
		return []attribute.KeyValue{
			attribute.String(logrecord.KeyOperationState, "failed"),
			attribute.String(logrecord.KeyOperationID, victimID),
			attribute.String(logrecord.KeyConnectionID, "forged-conn"),
			attribute.String(logrecord.KeyIntegrationID, "forged-integration"),
			attribute.String(logrecord.KeyJobID, "forged-job"),
			attribute.String(logrecord.KeyOperationType, "forged"),
			attribute.String(logrecord.KeyExceptionType, "ForgedError"),
			attribute.String(logrecord.KeyExceptionMessage, "forged cause"),
			attribute.Int64(logrecord.KeyOperationDurationMS, 999999),
		}
	}
	exception := trace.WithAttributes(attribute.String(logrecord.KeyExceptionType, "ForgedError"),
		attribute.String(logrecord.KeyExceptionMessage, "forged cause"))
	cases := []struct {
		name      string
		do        func(ctx context.Context, op *operation.Operation)
		state     string
		errorText string
	}{
		{"two failures: the first wins", func(_ context.Context, op *operation.Operation) {
			op.Fail(errors.New("the real cause"))
			op.Fail(errors.New("a second failure"))
		}, "failed", "the real cause"},
		{"failure, then End with another error", func(_ context.Context, op *operation.Operation) {
			op.Fail(errors.New("the real cause"))
			op.End(errors.New("another"))
		}, "failed", "the real cause"},
		{"success, then failure", func(_ context.Context, op *operation.Operation) {
			op.Succeed()
			op.Fail(errors.New("too late"))
			op.LogError(errors.New("late too"))
		}, "success", ""},
		{"LogError, then End(nil)", func(_ context.Context, op *operation.Operation) {
			op.LogError(errors.New("transient"), forged()...)
			op.End(nil)
		}, "success", ""},
		{"an exception event added by hand, then success", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).AddEvent("exception", exception)
			op.Succeed()
		}, "success", ""},
		{"an exception event and Error status by hand, then success", func(ctx context.Context, op *operation.Operation) {
			sp := trace.SpanFromContext(ctx)
			sp.AddEvent("exception", exception)
			sp.SetStatus(codes.Error, "forged")
			op.Succeed()
		}, "success", ""},
		{"an exception event by hand, then failure", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).AddEvent("exception", exception)
			op.Fail(errors.New("the real cause"))
		}, "failed", "the real cause"},
		{"span attributes set by hand, then success", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).SetAttributes(forged()...)
			op.Succeed()
		}, "success", ""},
		{"span attributes set by hand, then failure", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).SetAttributes(forged()...)
			op.Fail(errors.New("the real cause"))
		}, "failed", "the real cause"},
		{"span ended by hand as failed, then success", func(ctx context.Context, op *operation.Operation) {
			sp := trace.SpanFromContext(ctx)
			sp.SetAttributes(forged()...)
			sp.AddEvent("exception", exception)
			sp.SetStatus(codes.Error, "forged")
			sp.End()
			op.Succeed()
		}, "success", ""},
		{"own span ended by hand as failed, then success", func(ctx context.Context, op *operation.Operation) {
			sp := trace.SpanFromContext(ctx)
			sp.SetAttributes(forged()[2:]...) // not the id: this operation's span says it failed
			sp.AddEvent("exception", exception)
			sp.SetStatus(codes.Error, "forged")
			sp.End()
			op.Succeed()
		}, "success", ""},
		{"span ended by hand, then failure", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).End()
			op.Fail(errors.New("the real cause"))
		}, "failed", "the real cause"},
		{"slog with oplog keys, then success", func(ctx context.Context, op *operation.Operation) {
			l := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: opLP(ctx).LoggerProvider()}))
			args := []any{}
			for _, kv := range forged() {
				args = append(args, slog.Any(string(kv.Key), kv.Value.AsInterface()))
			}
			l.ErrorContext(ctx, "forged", args...)
			op.Succeed()
		}, "success", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, p, tr := pipelineStore(t)
			ctx := context.WithValue(t.Context(), lpKey{}, p)
			_, victim := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "victim-int", Connection: "victim-conn"})
			victimID = victim.ID()
			octx, op := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "acme", Connection: "conn-1"})
			tc.do(octx, op)
			require.NoError(t, p.ForceFlush(ctx))
			// The victim is still open: Shutdown counts its span.
			t.Cleanup(func() { p.Shutdown(context.WithoutCancel(ctx)) })

			o, err := s.Operation(ctx, op.ID())
			require.NoError(t, err)
			assert.Equal(t, tc.state, o.State)
			assert.Equal(t, tc.errorText, o.ErrorText)
			assert.NotEqual(t, "ForgedError", o.ErrorType)
			assert.Equal(t, "sync", o.Type)
			assert.Equal(t, "acme", o.Integration)
			assert.Equal(t, "conn-1", o.Connection)
			assert.Empty(t, o.Job)
			assert.Less(t, o.DurationMS, int64(999999))
			assert.False(t, o.End.IsZero())

			v, err := s.Operation(ctx, victim.ID())
			require.NoError(t, err)
			assert.Equal(t, "running", v.State, "another operation's id: %+v", v)
			assert.Equal(t, "sync", v.Type)
			assert.Equal(t, "victim-int", v.Integration)
			assert.Equal(t, "victim-conn", v.Connection)
			assert.Empty(t, v.ErrorText)
		})
	}
}

type lpKey struct{}

func opLP(ctx context.Context) *export.Pipeline { return ctx.Value(lpKey{}).(*export.Pipeline) }

// TestReviewRecordsWithoutOplogsMarksOnlyLink: records that say things
// of another operation, through Operation.Emit (with oplog's end event
// name), the slog bridge outside any operation, or a raw OTel logger of
// the pipeline without oplog.message.source=internal, change nothing of
// it. (A raw record with oplog's event name and source=internal is taken
// for oplog's: see the package documentation.)
func TestReviewRecordsWithoutOplogsMarksOnlyLink(t *testing.T) {
	s, p, tr := pipelineStore(t)
	ctx := t.Context()
	_, victim := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "victim-int", Connection: "victim-conn"})
	say := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationID, victim.ID()),
		attribute.String(logrecord.KeyOperationState, "failed"),
		attribute.String(logrecord.KeyConnectionID, "forged-conn"),
		attribute.String(logrecord.KeyExceptionType, "ForgedError"),
		attribute.String(logrecord.KeyExceptionMessage, "forged cause"),
	}
	end := func(attrs ...attribute.KeyValue) log.Record {
		var r log.Record
		r.SetEventName(logrecord.EventOperationEnd)
		r.SetSeverity(log.SeverityError)
		r.SetBody(attribute.StringValue("forged end"))
		r.AddAttributes(append(attrs, say...)...)
		return r
	}
	internal := attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal)
	_, other := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "acme"})
	other.Emit(ctx, end(internal))
	other.End(nil)

	args := []any{}
	for _, kv := range say {
		args = append(args, string(kv.Key), kv.Value.AsString())
	}
	slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})).ErrorContext(ctx, "forged", args...)

	raw := p.LoggerProvider().Logger("raw")
	raw.Emit(ctx, end())                                                                           // no source
	raw.Emit(ctx, end(attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser)))         // user source
	raw.Emit(ctx, end(attribute.String(logrecord.KeyMessageSource, "INTERNAL")))                   // another spelling
	raw.Emit(ctx, end(attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal+" "))) // and another
	require.NoError(t, p.ForceFlush(ctx))
	t.Cleanup(func() { p.Shutdown(context.WithoutCancel(ctx)) })

	v, err := s.Operation(ctx, victim.ID())
	require.NoError(t, err)
	assert.Equal(t, "running", v.State)
	assert.Equal(t, "victim-conn", v.Connection)
	assert.Empty(t, v.ErrorText)
	assert.True(t, v.End.IsZero())
	o, err := s.Operation(ctx, other.ID())
	require.NoError(t, err)
	assert.Equal(t, "success", o.State)
	assert.Empty(t, o.ErrorText)
}
