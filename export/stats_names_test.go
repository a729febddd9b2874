package export_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/export"
)

// TestStatsNameOTLPExporters: the pipeline's own OTLP exporters are named
// "otlp" in Stats, for records and for spans alike.
func TestStatsNameOTLPExporters(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	p := setup(t, export.WithOTLP(export.OTLPEndpointURL(srv.URL), export.OTLPRetry(0)))
	s := p.Stats()
	require.Len(t, s.Exporters, 1)
	require.Len(t, s.Spans.Exporters, 1)
	assert.Equal(t, "otlp", s.Exporters[0].Name)
	assert.Equal(t, "otlp", s.Spans.Exporters[0].Name)
}

// TestQueueFullReportSaysWhat: a span queue's queue-full report speaks of
// spans, not records.
func TestQueueFullReportSaysWhat(t *testing.T) {
	w := newBlockingWriter()
	exp := blockingSpanExporter{w}
	var mu sync.Mutex
	var reports []*export.DropError
	p := setup(t, export.WithSpanExporter(exp), export.WithExporter(export.NewMemory()), export.WithQueueSize(1), export.WithBatchSize(1),
		export.WithErrorHandler(func(err error) {
			var d *export.DropError
			if errors.As(err, &d) {
				mu.Lock()
				reports = append(reports, d)
				mu.Unlock()
			}
		}))
	tr := p.TracerProvider().Tracer("test")
	for range 5 {
		_, sp := tr.Start(t.Context(), "op")
		sp.End()
	}
	close(w.release)
	require.NoError(t, p.ForceFlush(t.Context()))
	require.Positive(t, p.Stats().Spans.Exporters[0].Dropped.QueueFull)
	_ = p.Shutdown(t.Context())
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, reports)
	for _, d := range reports {
		assert.Equal(t, "span", d.What, d.Error())
	}
}
