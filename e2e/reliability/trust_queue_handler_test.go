package reliability_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
)

// TestTrustQueueBlockingErrorHandler: an error handler that blocks (the
// default one on a stderr pipe nobody reads does) holds neither the log
// calls that find the queue full nor Shutdown past its deadline; every
// record is delivered to the real receiver or counted.
func TestTrustQueueBlockingErrorHandler(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	release := make(chan struct{})
	defer close(release)
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), otlp(rcv.Endpoint()),
		export.WithQueueSize(8), export.WithBatchSize(8), export.WithErrorHandler(func(error) { <-release }))
	require.NoError(t, err)
	const n = 2000
	done := make(chan struct{})
	go func() {
		defer close(done)
		lg := p.LoggerProvider().Logger("reliability")
		for i := range n {
			lg.Emit(context.Background(), rawRecord("handler", i, "x"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = p.Shutdown(ctx)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("a log call or Shutdown waited on the error handler")
	}
	s := p.Stats()
	e := exporter(t, s, "otlp")
	assert.Equal(t, uint64(n), s.Emitted)
	assert.Equal(t, s.Emitted, e.Delivered+e.Dropped.Total(), "%+v", e)
	assert.Zero(t, e.Pending)
	assert.Positive(t, e.Dropped.QueueFull, "the queue was full: the handler was called")
	assert.Equal(t, int(e.Delivered), rcv.LogRecordCount())
}
