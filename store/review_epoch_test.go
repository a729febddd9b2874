package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/store"
)

// TestReviewTheEpochIsATime: records and spans at the Unix epoch, and a
// nanosecond either side, are stored at their time, not taken for "no
// time".
func TestReviewTheEpochIsATime(t *testing.T) {
	for _, at := range []time.Time{time.Unix(0, 0), time.Unix(0, -1), time.Unix(0, 1)} {
		t.Run(at.Format(time.RFC3339Nano), func(t *testing.T) {
			s, _ := openFile(t, store.Options{})
			ctx := t.Context()
			require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", at, "acme"), rec("op", at, log.SeverityInfo, "hello")}))
			m, err := s.Messages(ctx, store.MessageFilter{OperationID: "op"})
			require.NoError(t, err)
			require.Len(t, m.Messages, 2)
			for _, msg := range m.Messages {
				assert.True(t, at.Equal(msg.Time), "message time %s", msg.Time)
			}
			o, err := s.Operation(ctx, "op")
			require.NoError(t, err)
			assert.True(t, at.Equal(o.Start), "start %s", o.Start)

			// A later record does not take the start for missing.
			require.NoError(t, s.Export(ctx, []sdklog.Record{rec("op", at.Add(time.Hour), log.SeverityInfo, "later")}))
			o, err = s.Operation(ctx, "op")
			require.NoError(t, err)
			assert.True(t, at.Equal(o.Start), "start %s", o.Start)

			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(s))
			_, sp := tp.Tracer("t").Start(ctx, "sync.run", trace.WithTimestamp(at.Add(-time.Hour)),
				trace.WithAttributes(attribute.String(logrecord.KeyOperationID, "span-op")))
			sp.End(trace.WithTimestamp(at))
			require.NoError(t, tp.Shutdown(ctx))
			o, err = s.Operation(ctx, "span-op")
			require.NoError(t, err)
			assert.True(t, at.Equal(o.End), "end %s", o.End)
		})
	}
}

// TestReviewEndsBeforeTheEpoch: an operation whose start and end records
// are before 1970, or before what the store holds, shows its end.
func TestReviewEndsBeforeTheEpoch(t *testing.T) {
	for _, at := range []time.Time{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(-1, 0)} {
		t.Run(at.Format("2006"), func(t *testing.T) {
			s, _ := openFile(t, store.Options{})
			ctx := t.Context()
			r := apiRecord("op", at.Add(time.Second), log.SeverityInfo, "end", attribute.String(logrecord.KeyOperationState, "success"),
				attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal))
			r.SetEventName(logrecord.EventOperationEnd)
			require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", at, "acme"), sdkRecord(r)}))
			o, err := s.Operation(ctx, "op")
			require.NoError(t, err)
			assert.Equal(t, "success", o.State)
			assert.False(t, o.End.IsZero(), "end")
			assert.False(t, o.End.Before(o.Start), "end %s before start %s", o.End, o.Start)
		})
	}
}
