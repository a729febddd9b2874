package store_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
)

// TestReviewOplogKeysSurviveTheAttributeLimit: messages with far more
// attributes than the limit, through every path, are still filed under
// their operation with their type and HTTP summary, and the operation
// ends as it did, with its error.
func TestReviewOplogKeysSurviveTheAttributeLimit(t *testing.T) {
	for _, limit := range []int{0, 10} { // 0: the default; below about 8 oplog's own keys are cut (export's limit, reported)
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			s, _ := openFile(t, store.Options{})
			ctx := t.Context()
			p, err := export.Setup(ctx, export.WithStore(s), export.WithoutGlobal(),
				export.WithLimits(logrecord.Limits{MaxAttributes: limit}))
			require.NoError(t, err)
			tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
			many := make([]attribute.KeyValue, 300)
			args := make([]any, 0, 600)
			for i := range many {
				many[i] = attribute.Int(fmt.Sprintf("k%03d", i), i)
				args = append(args, fmt.Sprintf("k%03d", i), i)
			}
			octx, op := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "acme", Connection: "conn-1"},
				operation.WithAttributes(many...))
			op.Info("many", many...)
			slog.New(bridge.NewHandler(nil)).InfoContext(octx, "many through slog", args...)
			req, err := http.NewRequestWithContext(octx, "GET", "https://api.example.com/contacts?token=canary-secret", nil)
			require.NoError(t, err)
			op.HTTP(operation.HTTPCall{Request: req, Response: &http.Response{StatusCode: 503, Request: req},
				Duration: time.Millisecond, Attributes: many})
			op.LogError(errors.New("logged"), many...)
			op.Fail(errors.New("the real cause"))
			require.NoError(t, p.Shutdown(context.WithoutCancel(ctx)))

			o, err := s.Operation(ctx, op.ID())
			require.NoError(t, err)
			assert.Equal(t, "failed", o.State)
			assert.Equal(t, "the real cause", o.ErrorText)
			assert.Equal(t, "acme", o.Integration)
			assert.Equal(t, "conn-1", o.Connection)
			m, err := s.Messages(ctx, store.MessageFilter{OperationID: op.ID()})
			require.NoError(t, err)
			var types []string
			for _, msg := range m.Messages {
				types = append(types, msg.Type)
				if msg.Type == logrecord.TypeHTTP {
					require.NotNil(t, msg.HTTP)
					assert.Equal(t, 503, msg.HTTP.Status)
					assert.Equal(t, "GET", msg.HTTP.Method)
					assert.NotContains(t, msg.HTTP.URL, "canary-secret")
				}
			}
			assert.Len(t, m.Messages, 6, "start, info, slog, http, error, end: %v", types)
			assert.Contains(t, types, logrecord.TypeHTTP)
			p2, err := s.Operations(ctx, store.OperationFilter{Search: "503"})
			require.NoError(t, err)
			assert.Equal(t, []string{op.ID()}, ids(p2), "the status is searchable")
		})
	}
}
