package reliability_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
)

// heldWriter blocks every Write until release is closed, whatever the
// context, as a console on a pipe nobody reads does.
type heldWriter struct {
	entered chan struct{}
	once    sync.Once
	release chan struct{}
}

func (w *heldWriter) Write(b []byte) (int, error) {
	w.once.Do(func() { close(w.entered) })
	<-w.release
	return len(b), nil
}

// TestTrustQueueShutdownWithBlockedConsole: a console writer that blocks
// does not hold Shutdown past its deadline; the OTLP exporter beside it
// delivers everything; the console's records are counted as dropped at
// shutdown, once, also after the writer is released.
func TestTrustQueueShutdownWithBlockedConsole(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	w := &heldWriter{entered: make(chan struct{}), release: make(chan struct{})}
	p, _ := setup(t, otlp(rcv.Endpoint()), export.WithConsole(w))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	sent := map[string]bool{}
	emit(t, p, sent, "blocked", 0, 98)
	_, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
	op.Succeed()
	sent[op.ID()+"/oplog.operation.start"], sent[op.ID()+"/oplog.operation.end"] = true, true
	_, open := trk.Start(t.Context(), operation.SyncRun, operation.Refs{}) // still running at Shutdown
	sent[open.ID()+"/oplog.operation.start"] = true
	<-w.entered

	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	start := time.Now()
	err := p.Shutdown(ctx)
	took := time.Since(start)
	// Shutdown has returned; the writer is still blocked.
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "console: 101 (queue full 0, export failed 0, rejected 0, invalid 0, shutdown 101)")
	e := checkLedger(t, p, "otlp", sent, rcv)
	assert.Equal(t, uint64(101), e.Delivered)
	con := exporter(t, p.Stats(), "console")

	close(w.release)
	assert.Equal(t, con, exporter(t, p.Stats(), "console"), "counted once")
	sp := p.Stats().Spans
	assert.Equal(t, uint64(2), sp.Ended, "the open operation's span is counted: %+v", sp)
	assert.Equal(t, uint64(1), sp.OpenAtShutdown)
	assert.Equal(t, sp.Ended, sp.Exported+sp.Dropped.Total(), "%+v", sp)
	publish(t, figures{Case: "console writer blocked; Shutdown with a 1 s deadline", Stats: con, Emitted: p.Stats().Emitted,
		Note: fmt.Sprintf("Shutdown returned in %s, writer still blocked; otlp delivered %d", took.Round(10*time.Millisecond), e.Delivered)})
}
