package export_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/export"
)

// blockingWriter blocks every Write until release is closed, whatever
// the context: a console on a pipe nobody reads.
type blockingWriter struct {
	entered chan struct{}
	once    sync.Once
	release chan struct{}
}

func newBlockingWriter() *blockingWriter {
	return &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
}

func (w *blockingWriter) Write(b []byte) (int, error) {
	w.once.Do(func() { close(w.entered) })
	<-w.release
	return len(b), nil
}

// blockingSpanExporter blocks every export until release is closed,
// whatever the context.
type blockingSpanExporter struct{ *blockingWriter }

func (e blockingSpanExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	_, err := e.Write(nil)
	return err
}

func (e blockingSpanExporter) Shutdown(context.Context) error { return nil }

// queueGoroutines counts the export goroutines still running.
func queueGoroutines() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "export.(*queue[")
}

// TestQueueShutdownKeepsDeadline: an exporter that blocks and ignores its
// context does not hold Shutdown past its deadline; what it holds is
// counted as dropped at shutdown once, and not again when it returns.
func TestQueueShutdownKeepsDeadline(t *testing.T) {
	cases := []struct {
		name string
		opts func(w *blockingWriter) []export.Option
		emit func(p *export.Pipeline)
		// counts returns emitted and the exporter's stats.
		counts func(s export.Stats) (uint64, export.ExporterStats)
	}{
		{
			name: "console writer",
			opts: func(w *blockingWriter) []export.Option { return []export.Option{export.WithConsole(w)} },
			emit: func(p *export.Pipeline) { emitN(p, 10) },
			counts: func(s export.Stats) (uint64, export.ExporterStats) {
				return s.Emitted, s.Exporters[0]
			},
		},
		{
			name: "span exporter",
			opts: func(w *blockingWriter) []export.Option {
				return []export.Option{export.WithSpanExporter(blockingSpanExporter{w}), export.WithExporter(export.NewMemory()),
					export.WithExportInterval(time.Millisecond)}
			},
			emit: func(p *export.Pipeline) {
				tr := p.TracerProvider().Tracer("test")
				for range 10 {
					_, sp := tr.Start(context.Background(), "op")
					sp.End()
				}
			},
			counts: func(s export.Stats) (uint64, export.ExporterStats) {
				return s.Spans.Ended, s.Spans.Exporters[0]
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newBlockingWriter()
			p := setup(t, append(c.opts(w), export.WithErrorHandler(func(error) {}))...)
			c.emit(p)
			<-w.entered
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			err := p.Shutdown(ctx)
			// Shutdown has returned and the writer is still blocked.
			require.ErrorIs(t, err, context.DeadlineExceeded)
			var ue *export.UndeliveredError
			require.ErrorAs(t, err, &ue)
			emitted, e := c.counts(p.Stats())
			assert.Equal(t, uint64(10), emitted)
			assert.Equal(t, uint64(10), e.Dropped.Shutdown, "abandoned at the deadline: %+v", e)
			assert.Zero(t, e.Pending)
			assert.Equal(t, emitted, e.Delivered+e.Dropped.Total())

			close(w.release)
			require.Eventually(t, func() bool { return queueGoroutines() == 0 }, 10*time.Second, time.Millisecond,
				"the export goroutine ends once the exporter returns")
			emitted2, e2 := c.counts(p.Stats())
			assert.Equal(t, emitted, emitted2)
			assert.Equal(t, e, e2, "an export that returns after the deadline counts nothing more")
		})
	}
}
