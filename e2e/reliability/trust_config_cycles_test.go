package reliability_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
)

// openFDs is the number of file descriptors the process holds.
func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(fds)
}

// settle polls until goroutines and file descriptors are back to at most
// the baseline, or timeout passes, and returns the last counts.
func settle(t *testing.T, goroutines, fds int, timeout time.Duration) (int, int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		g, f := runtime.NumGoroutine(), openFDs(t)
		if g <= goroutines && f <= fds || time.Now().After(deadline) {
			return g, f
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTrustConfigSetupShutdownCycles: Shutdown closes what Setup opened.
// 20 cycles of Setup, one operation's worth of records and spans to the
// real receiver, and Shutdown leave no goroutine and no file descriptor
// behind.
func TestTrustConfigSetupShutdownCycles(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	cycle := func(i int) {
		e := &errs{}
		p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(e.handle),
			otlp(rcv.Endpoint()), export.WithExportInterval(10*time.Millisecond))
		require.NoError(t, err)
		trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
		_, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
		for j := range 5 {
			op.Info("step", attribute.Int("seq", j))
		}
		op.Succeed()
		require.NoError(t, p.Shutdown(t.Context()), "cycle %d", i)
		assert.Empty(t, e.all(), "cycle %d", i)
		s := p.Stats()
		assert.Equal(t, uint64(7), s.Exporters[0].Delivered, "cycle %d", i)
		assert.Equal(t, uint64(1), s.Spans.Exported, "cycle %d", i)
	}
	g0, f0 := runtime.NumGoroutine(), openFDs(t)
	const cycles = 20
	for i := range cycles {
		cycle(i)
	}
	g, f := settle(t, g0, f0, 10*time.Second)
	if g > g0 {
		var left []string
		for _, st := range goroutineStacks() {
			if first, _, ok := strings.Cut(st, "\n"); ok {
				_, frame, _ := strings.Cut(st, "\n")
				left = append(left, first+" "+strings.SplitN(frame, "\n", 2)[0])
			}
		}
		t.Logf("goroutines now:\n%s", strings.Join(left, "\n"))
	}
	assert.LessOrEqual(t, g, g0, "goroutines after %d Setup/Shutdown cycles", cycles)
	assert.LessOrEqual(t, f, f0, "file descriptors after %d Setup/Shutdown cycles", cycles)
	publish(t, figures{Case: fmt.Sprintf("%d Setup/Shutdown cycles against the receiver", cycles),
		Note: fmt.Sprintf("goroutines %d → %d, file descriptors %d → %d", g0, g, f0, f)})
}
