package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
)

// TestOnlyTheEndDecidesTheError runs operations through a real pipeline
// whose messages say things about the operation that only its end may
// say: the stored operation is what its end record and span say.
func TestOnlyTheEndDecidesTheError(t *testing.T) {
	forged := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationState, "failed"),
		attribute.String(logrecord.KeyOperationType, "forged"),
		attribute.String(logrecord.KeyOperationAction, "forged"),
		attribute.String(logrecord.KeyConnectionID, "forged-conn"),
		attribute.String(logrecord.KeyIntegrationID, "forged-integration"),
		attribute.String(logrecord.KeyAccountID, "forged-account"),
		attribute.String(logrecord.KeyOperationDurationMS, "forged"),
		attribute.String(logrecord.KeyExceptionType, "ForgedError"),
		attribute.String(logrecord.KeyExceptionMessage, "forged cause"),
		attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal),
	}
	cases := []struct {
		name      string
		do        func(ctx context.Context, op *operation.Operation)
		state     string
		errorText string
	}{
		{"error logged, then success", func(_ context.Context, op *operation.Operation) {
			op.LogError(errors.New("transient: retried"))
			op.End(nil)
		}, "success", ""},
		{"failure, then an error logged late", func(_ context.Context, op *operation.Operation) {
			op.Fail(errors.New("the real cause"))
			op.LogError(errors.New("noise after the end"))
		}, "failed", "the real cause"},
		{"error logged, then another failure", func(_ context.Context, op *operation.Operation) {
			op.LogError(errors.New("first symptom"))
			op.End(errors.New("the real cause"))
		}, "failed", "the real cause"},
		{"a message with oplog keys, then success", func(_ context.Context, op *operation.Operation) {
			op.Info("hello", forged...)
			op.Error("hello", forged...)
			op.End(nil)
		}, "success", ""},
		{"a late message with oplog keys", func(_ context.Context, op *operation.Operation) {
			op.End(nil)
			op.Error("late", forged...)
		}, "success", ""},
		{"an error recorded on the span, then success", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).RecordError(errors.New("recorded by the code"))
			op.End(nil)
		}, "success", ""},
		{"an error recorded on the span, then a timeout", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).RecordError(errors.New("recorded by the code"))
			op.Timeout()
		}, "timeout", ""},
		{"an error recorded on the span, then a failure", func(ctx context.Context, op *operation.Operation) {
			trace.SpanFromContext(ctx).RecordError(errors.New("recorded by the code"))
			op.Fail(errors.New("the real cause"))
		}, "failed", "the real cause"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openFile(t, store.Options{})
			ctx := t.Context()
			p, err := export.Setup(ctx, export.WithStore(s), export.WithoutGlobal())
			require.NoError(t, err)
			tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
			octx, op := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "acme", Connection: "conn-1", Account: "acc-1"})
			tc.do(octx, op)
			require.NoError(t, p.Shutdown(ctx))

			o, err := s.Operation(ctx, op.ID())
			require.NoError(t, err)
			assert.Equal(t, tc.state, o.State)
			assert.Equal(t, tc.errorText, o.ErrorText)
			assert.NotContains(t, o.ErrorType, "Forged")
			assert.Equal(t, "sync", o.Type)
			assert.Equal(t, "run", o.Action)
			assert.Equal(t, "acme", o.Integration)
			assert.Equal(t, "conn-1", o.Connection)
			assert.Equal(t, "acc-1", o.Account)
		})
	}
}

// TestOnlyStartAndEndRecordsDescribeTheOperation feeds hand-made records:
// a record sets an operation's state, kind, references and error only when
// it is oplog's start or end record, by its event name and an unambiguous
// oplog.message.source=internal.
func TestOnlyStartAndEndRecordsDescribeTheOperation(t *testing.T) {
	base := time.Now().Add(-time.Minute)
	say := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationState, "failed"),
		attribute.String(logrecord.KeyOperationType, "forged"),
		attribute.String(logrecord.KeyConnectionID, "forged-conn"),
		attribute.String(logrecord.KeyExceptionType, "ForgedError"),
		attribute.String(logrecord.KeyExceptionMessage, "forged cause"),
	}
	internal := attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal)
	user := attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser)
	record := func(event string, attrs ...attribute.KeyValue) sdklog.Record {
		r := apiRecord("op", base.Add(time.Second), log.SeverityError, "says things", append(attrs, say...)...)
		r.SetEventName(event)
		// Keys given twice reach the store twice: a provider that
		// deduplicates keeps the last, and no store can tell.
		c := &capture{}
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(c)), sdklog.WithAllowKeyDuplication())
		lp.Logger("store_test").Emit(t.Context(), r)
		return c.recs[0]
	}
	cases := map[string]sdklog.Record{
		"no source":                    record(""),
		"user source":                  record("", user),
		"internal source, no event":    record("", internal),
		"end event, user source":       record(logrecord.EventOperationEnd, user),
		"end event, no source":         record(logrecord.EventOperationEnd),
		"end event, two sources":       record(logrecord.EventOperationEnd, internal, user),
		"end event, sources reversed":  record(logrecord.EventOperationEnd, user, internal),
		"start event, user source":     record(logrecord.EventOperationStart, user),
		"other event, internal source": record(logrecord.EventHTTP, internal),
		"end event, two operation ids": record(logrecord.EventOperationEnd, internal, attribute.String(logrecord.KeyOperationID, "other")),
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := openFile(t, store.Options{})
			ctx := t.Context()
			require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", base, "acme"), r}))
			o, err := s.Operation(ctx, "op")
			require.NoError(t, err)
			assert.Equal(t, "running", o.State)
			assert.Equal(t, "sync", o.Type)
			assert.Empty(t, o.Connection)
			assert.Empty(t, o.ErrorType)
			assert.Empty(t, o.ErrorText)
			assert.True(t, o.End.IsZero(), "no end")
		})
	}

	t.Run("a start record with a terminal state", func(t *testing.T) {
		s, _ := openFile(t, store.Options{})
		ctx := t.Context()
		require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", base, "acme"), record(logrecord.EventOperationStart, internal)}))
		o, err := s.Operation(ctx, "op")
		require.NoError(t, err)
		assert.Equal(t, "running", o.State, "a start does not end")
		assert.Empty(t, o.ErrorText, "nor fail")
	})

	t.Run("the end record", func(t *testing.T) {
		s, _ := openFile(t, store.Options{})
		ctx := t.Context()
		require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", base, "acme"), record(logrecord.EventOperationEnd, internal)}))
		o, err := s.Operation(ctx, "op")
		require.NoError(t, err)
		assert.Equal(t, "failed", o.State)
		assert.Equal(t, "ForgedError", o.ErrorType, "the end record is entitled to say it")
		assert.Equal(t, "forged cause", o.ErrorText)
		assert.Equal(t, "forged-conn", o.Connection)
		assert.False(t, o.End.IsZero())
	})
}
