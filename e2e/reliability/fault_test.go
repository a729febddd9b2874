package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/e2e/faultproxy"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
)

// emit logs n raw records with ids id/from … id/from+n-1 and adds them to sent.
func emit(t *testing.T, p *export.Pipeline, sent map[string]bool, id string, from, n int) {
	lg := p.LoggerProvider().Logger("reliability")
	for i := from; i < from+n; i++ {
		lg.Emit(t.Context(), rawRecord(id, i, "fault record"))
		if sent != nil {
			sent[id+"/"+strconv.Itoa(i)] = true
		}
	}
}

func TestFaultReceiverAbsentThenAppearing(t *testing.T) {
	addr := collector.FreeAddr(t)
	p, _ := setup(t, otlp(addr), export.WithExportInterval(20*time.Millisecond))
	sent := map[string]bool{}
	emit(t, p, sent, "absent", 0, 500)
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.ForceFlush(ctx), context.DeadlineExceeded, "nothing listens yet")
	rcv := collector.Start(t, collector.Options{Addr: addr})
	emit(t, p, sent, "absent", 500, 500)
	require.NoError(t, p.Shutdown(t.Context()))
	e := checkLedger(t, p, "otlp", sent, rcv)
	assert.Zero(t, e.Dropped.Total(), "a refused connection is retried: %+v", e.Dropped)
	publish(t, figures{Case: "receiver absent at start, then appearing", Stats: e, Emitted: p.Stats().Emitted})
}

func TestFaultReceiverKilledAndBack(t *testing.T) {
	first := collector.Start(t, collector.Options{})
	addr := first.Endpoint()
	p, _ := setup(t, otlp(addr), export.WithExportInterval(20*time.Millisecond))
	sent := map[string]bool{}
	// About 200 records a second from one goroutine, for the 5 s outage too:
	// fewer than the queue holds.
	var i int
	step := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); i++ {
			emit(t, p, sent, "killed", i, 1)
			time.Sleep(5 * time.Millisecond)
		}
	}
	step(time.Second)
	first.Stop()
	step(5 * time.Second)
	second := collector.Start(t, collector.Options{Addr: addr})
	step(time.Second)
	require.NoError(t, p.Shutdown(t.Context()))
	e := checkLedger(t, p, "otlp", sent, first, second)
	assert.Zero(t, e.Dropped.Total(), "held and retried through the outage: %+v", e.Dropped)
	assert.NotEmpty(t, first.LogRecords())
	assert.NotEmpty(t, second.LogRecords())
	publish(t, figures{Case: "receiver stopped mid-run, back on the same port 5 s later", Stats: e, Emitted: p.Stats().Emitted})
}

// TestFaultAnswers: one batch of 100 records meets one injected answer.
func TestFaultAnswers(t *testing.T) {
	const n = 100
	cases := []struct {
		name     string
		action   faultproxy.Action
		requests int
		check    func(t *testing.T, e export.ExporterStats)
	}{
		{"429 with Retry-After: 1, once", faultproxy.Action{Status: http.StatusTooManyRequests, RetryAfter: 1}, 2,
			func(t *testing.T, e export.ExporterStats) { assert.Equal(t, uint64(n), e.Delivered) }},
		{"503 once", faultproxy.Action{Status: http.StatusServiceUnavailable}, 2,
			func(t *testing.T, e export.ExporterStats) { assert.Equal(t, uint64(n), e.Delivered) }},
		{"connection reset once", faultproxy.Action{Reset: true}, 2,
			func(t *testing.T, e export.ExporterStats) { assert.Equal(t, uint64(n), e.Delivered) }},
		{"500, not retried", faultproxy.Action{Status: http.StatusInternalServerError}, 1,
			func(t *testing.T, e export.ExporterStats) { assert.Equal(t, uint64(n), e.Dropped.ExportFailed) }},
		{"400, not retried", faultproxy.Action{Status: http.StatusBadRequest}, 1,
			func(t *testing.T, e export.ExporterStats) { assert.Equal(t, uint64(n), e.Dropped.Invalid) }},
		{"partial success, 7 rejected, not retried", faultproxy.Action{Reject: 7}, 1,
			func(t *testing.T, e export.ExporterStats) {
				assert.Equal(t, uint64(7), e.Dropped.Rejected)
				assert.Equal(t, uint64(n-7), e.Delivered)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rcv := collector.Start(t, collector.Options{})
			px := faultproxy.Start(t, rcv.Endpoint(), func(i int, _ *http.Request) faultproxy.Action {
				if i == 1 {
					return c.action
				}
				return faultproxy.Action{}
			})
			p, reported := setup(t, otlp(px.Endpoint(), export.OTLPRetry(10*time.Second)))
			sent := map[string]bool{}
			emit(t, p, sent, "answer", 0, n)
			err := p.Shutdown(t.Context())
			e := checkLedger(t, p, "otlp", sent, rcv)
			c.check(t, e)
			assert.Equal(t, c.requests, px.Requests(), "requests the receiver saw")
			if e.Dropped.Total() > 0 {
				require.Error(t, err)
				assert.Contains(t, err.Error(), fmt.Sprintf("%d record(s) not delivered of %d emitted", e.Dropped.Total(), n))
				assert.NotEmpty(t, reported.all(), "the drop reached the error handler")
			} else {
				assert.NoError(t, err)
			}
			if c.action.RetryAfter > 0 {
				a := px.Arrivals()
				require.Len(t, a, 2)
				assert.GreaterOrEqual(t, a[1].Sub(a[0]), time.Duration(c.action.RetryAfter)*time.Second, "Retry-After honoured")
			}
			publish(t, figures{Case: "answer: " + c.name, Stats: e, Emitted: n})
		})
	}
}

func TestFaultReceiverHangs(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	px := faultproxy.Start(t, rcv.Endpoint(), func(int, *http.Request) faultproxy.Action { return faultproxy.Action{Hang: true} })
	p, _ := setup(t, otlp(px.Endpoint()), export.WithExportInterval(20*time.Millisecond))
	sent := map[string]bool{}
	emit(t, p, sent, "hang", 0, 298)
	// An operation: its span goes to the same hanging receiver, and its
	// start and end records make 300.
	_, op := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider())).
		Start(t.Context(), operation.SyncRun, operation.Refs{})
	op.Succeed()
	sent[op.ID()+"/oplog.operation.start"], sent[op.ID()+"/oplog.operation.end"] = true, true
	const deadline = time.Second
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	start := time.Now()
	err := p.Shutdown(ctx)
	took := time.Since(start)
	assert.Less(t, took, deadline+2*time.Second, "Shutdown returns by its deadline")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "300 record(s) not delivered of 300 emitted")
	e := checkLedger(t, p, "otlp", sent, rcv)
	assert.Equal(t, uint64(300), e.Dropped.Shutdown, "%+v", e.Dropped)
	publish(t, figures{Case: "receiver that never answers; Shutdown with a 1 s deadline", Stats: e, Emitted: 300,
		Note: fmt.Sprintf("Shutdown returned in %s", took.Round(10*time.Millisecond))})
}

func TestFaultAfterShutdownAndCancelledContexts(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	sent := map[string]bool{}

	// A cancelled context does not lose a record: it is the caller's, not
	// the pipeline's.
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	lg := p.LoggerProvider().Logger("reliability")
	lg.Emit(cancelled, rawRecord("cancelled", 0, "emitted with a cancelled context"))
	sent["cancelled/0"] = true
	_, op := trk.Start(cancelled, operation.SyncRun, operation.Refs{})
	op.Info("after the context ended", attribute.Int("seq", 1))
	sent[op.ID()+"/oplog.operation.start"] = true
	sent[op.ID()+"/oplog.operation.end"] = true
	sent[op.ID()+"/1"] = true
	assert.Eventually(t, func() bool { return op.State() == operation.Cancelled }, 10*time.Second, time.Millisecond,
		"an operation whose context is gone ends as cancelled")
	emit(t, p, sent, "before", 0, 10)
	assert.ErrorIs(t, p.ForceFlush(cancelled), context.Canceled)

	require.NoError(t, p.Shutdown(t.Context()))
	// After Shutdown the SDK provider drops records of its OTel API before
	// the pipeline sees them (as the OTel spec has it): not emitted, not
	// counted. An operation started before Shutdown reaches the pipeline
	// straight (internal/fastpath): its record is counted, as dropped at
	// shutdown.
	emit(t, p, nil, "after", 0, 5)
	op.Info("after Shutdown", attribute.Int("seq", 2))
	sent[op.ID()+"/2"] = true
	assert.NoError(t, p.Shutdown(t.Context()), "a second Shutdown returns the first one's result")
	assert.NoError(t, p.ForceFlush(t.Context()), "ForceFlush after Shutdown is harmless")

	e := checkLedger(t, p, "otlp", sent, rcv)
	assert.Equal(t, uint64(14), e.Delivered)
	assert.Equal(t, uint64(1), e.Dropped.Total())
	assert.Equal(t, uint64(1), e.Dropped.Shutdown)

	// Shutdown with a context already cancelled still accounts for
	// everything.
	p2, _ := setup(t, otlp(rcv.Endpoint()))
	emit(t, p2, nil, "p2", 0, 49)
	_, op2 := operation.NewTracker(operation.WithLoggerProvider(p2.LoggerProvider()), operation.WithTracerProvider(p2.TracerProvider())).
		Start(t.Context(), operation.SyncRun, operation.Refs{})
	op2.Succeed() // two records and a span
	err := p2.Shutdown(cancelled)
	// The span processors stop too: no goroutine of either provider is left.
	assert.Eventually(t, func() bool {
		for _, st := range goroutineStacks() {
			if strings.Contains(st, "batchSpanProcessor") || strings.Contains(st, "oplog/export.(*sink)") || strings.Contains(st, "oplog/export.(*queue[") {
				return false
			}
		}
		return true
	}, 20*time.Second, 20*time.Millisecond, "pipeline goroutines left after Shutdown with a cancelled context")
	require.Error(t, err)
	e2 := checkLedger(t, p2, "otlp", nil)
	if e2.Dropped.Total() > 0 {
		assert.Contains(t, err.Error(), fmt.Sprintf("%d record(s) not delivered of 51 emitted", e2.Dropped.Total()))
	}
	publish(t, figures{Case: "emit after Shutdown, double Shutdown, cancelled contexts", Stats: e, Emitted: p.Stats().Emitted})
}

// failingWriter fails every write, as a full disk or a closed pipe does.
type failingWriter struct {
	err    error
	writes atomic.Int64
}

func (w *failingWriter) Write([]byte) (int, error) { w.writes.Add(1); return 0, w.err }

func TestFaultConsoleWriterErrors(t *testing.T) {
	for _, werr := range []error{
		errors.New("disk full"),
		// What os.Stdout returns once the reader of its pipe is gone.
		&fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE},
	} {
		t.Run(werr.Error(), func(t *testing.T) {
			n := scale(2000, 20000)
			w := &failingWriter{err: werr}
			p, reported := setup(t, export.WithConsole(w))
			lg := p.LoggerProvider().Logger("reliability")
			lat := make(latencies, 0, n)
			for i := range n {
				r := rawRecord("console", i, "to a broken writer")
				lat.time(func() { lg.Emit(t.Context(), r) })
			}
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err := p.Shutdown(ctx)
			require.Error(t, err)
			e := checkLedger(t, p, "console", nil)
			assert.Equal(t, uint64(n), e.Dropped.ExportFailed+e.Dropped.QueueFull, "%+v", e.Dropped)
			assert.Zero(t, e.Dropped.Shutdown, "failed writes are not retried until Shutdown: %+v", e.Dropped)
			calls, count := reported.drops("export failed")
			assert.Equal(t, e.Dropped.ExportFailed, count, "every failed record reported")
			assert.LessOrEqual(t, calls, 2, "reported once per 5 s interval, plus the held-back count at Shutdown")
			if all := reported.all(); assert.NotEmpty(t, all) {
				assert.ErrorIs(t, all[0], werr, "the report names the writer's error")
			}
			p99, mx, c := summary([]latencies{lat})
			publish(t, figures{Case: "console writer failing every write: " + werr.Error(), Stats: e, Emitted: uint64(n), P99: p99, Max: mx, Calls: c,
				Note: fmt.Sprintf("%d write(s), %d report(s)", w.writes.Load(), calls)})
		})
	}
}
