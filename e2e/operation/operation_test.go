// Package operation_test runs operations through export.Setup's OTLP path
// to the real Collector receiver and checks that logs and spans correlate.
package operation_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

func TestOperationsCorrelateAtTheCollector(t *testing.T) {
	r := collector.Start(t, collector.Options{})
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithServiceName("e2e-ops"),
		export.WithOTLP(export.OTLPEndpoint(r.Endpoint()), export.OTLPInsecure()))
	require.NoError(t, err)
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }))
	defer api.Close()
	client := &http.Client{Transport: operation.Transport(nil)}

	ctx, sync := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Integration: "acme", Connection: "c-1"})
	sync.Info("page fetched", attribute.Int("page", 1))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api.URL+"/contacts?token=secret-token", nil)
	resp, err := client.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	sync.Succeed()
	_, action := trk.Start(t.Context(), operation.ActionRun, operation.Refs{Integration: "acme"})
	action.Fail(errors.New("deal rejected"))
	require.NoError(t, p.Shutdown(t.Context()))

	spans := map[string]ptrace.Span{}
	for _, s := range r.Spans() {
		id, ok := s.Span.Attributes().Get(logrecord.KeyOperationID)
		require.True(t, ok)
		spans[id.Str()] = s.Span
	}
	require.Len(t, spans, 2)
	assert.Equal(t, "sync.run", spans[sync.ID()].Name())
	assert.Equal(t, ptrace.StatusCodeOk, spans[sync.ID()].Status().Code())
	assert.Equal(t, ptrace.StatusCodeError, spans[action.ID()].Status().Code())

	recs := r.LogRecords()
	require.Len(t, recs, 6, "2 starts, 2 ends, 1 message, 1 HTTP message, and nothing else")
	for _, lr := range recs {
		id, ok := lr.Record.Attributes().Get(logrecord.KeyOperationID)
		require.True(t, ok)
		span := spans[id.Str()]
		assert.Equal(t, span.TraceID(), lr.Record.TraceID(), "record %q", lr.Record.Body().Str())
		assert.Equal(t, span.SpanID(), lr.Record.SpanID(), "record %q", lr.Record.Body().Str())
		assert.NotContains(t, lr.Record.Body().Str(), "secret-token")
		assert.Equal(t, "e2e-ops", lr.Resource.Attributes().AsRaw()["service.name"])
	}
}
