package reliability_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

func strAttr(lr plog.LogRecord, key string) string {
	v, ok := lr.Attributes().Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

// TestTrustOpKeysSurviveTheCountLimit: a message, an HTTP message and a
// start record with 300 user attributes reach the real receiver with the
// operation id, the message type and the HTTP status, cut at the limit the
// pipeline was given (default 256, then 10).
func TestTrustOpKeysSurviveTheCountLimit(t *testing.T) {
	many := make([]attribute.KeyValue, 300)
	for i := range many {
		many[i] = attribute.Int(fmt.Sprintf("user.a%03d", i), i)
	}
	for _, tt := range []struct {
		limits logrecord.Limits
		want   int
	}{{logrecord.Limits{}, logrecord.DefaultMaxAttributes}, {logrecord.Limits{MaxAttributes: 10}, 10}} {
		t.Run(fmt.Sprint(tt.want), func(t *testing.T) {
			rcv := collector.Start(t, collector.Options{})
			p, _ := setup(t, otlp(rcv.Endpoint()), export.WithLimits(tt.limits))
			trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
			ctx, op := trk.Start(t.Context(), operation.ProxyCall, operation.Refs{Integration: "i", Connection: "c"}, operation.WithAttributes(many...))
			op.Info("many", many...)
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example.com/x", nil)
			require.NoError(t, err)
			op.HTTP(operation.HTTPCall{Request: req, Response: &http.Response{StatusCode: 503}, Duration: time.Millisecond, Attributes: many})
			op.Succeed()
			require.NoError(t, p.Shutdown(t.Context()))
			led := checkLedger(t, p, "otlp", nil)
			require.Equal(t, int(led.Delivered), rcv.LogRecordCount())
			recs := rcv.LogRecords()
			require.Len(t, recs, 4)
			for i, r := range recs {
				lr := r.Record
				if i < 3 {
					assert.Equal(t, tt.want, lr.Attributes().Len(), lr.Body().AsString())
					// 300 user attributes and oplog's own: what was cut is counted.
					assert.Greater(t, int(lr.DroppedAttributesCount()), 300-tt.want, lr.Body().AsString())
				}
				assert.Equal(t, op.ID(), strAttr(lr, logrecord.KeyOperationID), lr.Body().AsString())
				assert.NotEmpty(t, strAttr(lr, logrecord.KeyMessageType), lr.Body().AsString())
			}
			h := recs[2].Record
			assert.Equal(t, logrecord.TypeHTTP, strAttr(h, logrecord.KeyMessageType))
			st, ok := h.Attributes().Get(logrecord.KeyHTTPResponseStatusCode)
			require.True(t, ok)
			assert.Equal(t, int64(503), st.Int())
			assert.Equal(t, "running", strAttr(recs[0].Record, logrecord.KeyOperationState))
			assert.Equal(t, "success", strAttr(recs[3].Record, logrecord.KeyOperationState))
		})
	}
}

// TestTrustOpKeysCannotBeForged: user attributes named
// oplog.operation.state and oplog.connection.id, through the operation and
// the slog bridge, arrive renamed user.…; the operation's own values stand.
func TestTrustOpKeysCannotBeForged(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	forged := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationState, "failed"),
		attribute.String(logrecord.KeyConnectionID, "forged"),
	}
	ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "conn-1"}, operation.WithAttributes(forged...))
	op.Info("op", forged...)
	slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})).With(logrecord.KeyConnectionID, "forged").
		ErrorContext(ctx, "slog", logrecord.KeyOperationState, "failed", slog.Group("oplog", slog.String("connection.id", "forged")))
	op.LogError(errors.New("handled"), forged...)
	op.Succeed()
	require.NoError(t, p.Shutdown(t.Context()))
	led := checkLedger(t, p, "otlp", nil)
	require.Equal(t, int(led.Delivered), rcv.LogRecordCount())
	recs := rcv.LogRecords()
	require.Len(t, recs, 5)
	for _, r := range recs {
		lr := r.Record
		assert.Equal(t, "conn-1", strAttr(lr, logrecord.KeyConnectionID), lr.Body().AsString())
		assert.NotEqual(t, "failed", strAttr(lr, logrecord.KeyOperationState), lr.Body().AsString())
		_, root := lr.Attributes().Get("oplog")
		assert.False(t, root)
		if lr.EventName() != logrecord.EventOperationEnd {
			assert.Equal(t, "forged", strAttr(lr, "user."+logrecord.KeyConnectionID), lr.Body().AsString())
		}
	}
	assert.Equal(t, "success", strAttr(recs[4].Record, logrecord.KeyOperationState))
	spans := rcv.Spans()
	require.Len(t, spans, 1)
	sc, _ := spans[0].Span.Attributes().Get(logrecord.KeyConnectionID)
	assert.Equal(t, "conn-1", sc.AsString())
	ss, _ := spans[0].Span.Attributes().Get(logrecord.KeyOperationState)
	assert.Equal(t, "success", ss.AsString())
}
