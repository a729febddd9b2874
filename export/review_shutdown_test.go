package export_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/export"
)

// TestReviewShutdownTwiceAndConcurrently: Shutdown called many times, at
// once, with live, cancelled and expired contexts, returns the same
// result each time and leaves the accounting whole.
func TestReviewShutdownTwiceAndConcurrently(t *testing.T) {
	exp := newRVBlocked()
	p := rvSetup(t, export.WithExporter(exp), export.WithSpanExporter(exp))
	rvEmit(t.Context(), p, 50)
	tr := p.TracerProvider().Tracer("review")
	for range 10 {
		_, s := tr.Start(t.Context(), "op")
		s.End()
	}
	_, open := tr.Start(t.Context(), "still open")
	<-exp.entered

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel2()
	ctxs := []context.Context{cancelled, expired, cancelled, expired}
	errs := make([]error, len(ctxs))
	var wg sync.WaitGroup
	for i, ctx := range ctxs {
		wg.Go(func() { errs[i] = p.Shutdown(ctx) })
	}
	wg.Wait()
	for _, err := range errs[1:] {
		assert.Equal(t, errs[0], err)
	}
	require.Error(t, errs[0])
	var ue *export.UndeliveredError
	assert.ErrorAs(t, errs[0], &ue)
	assert.Equal(t, errs[0], p.Shutdown(t.Context()), "a later call returns the first result")

	s := p.Stats()
	rvAddsUp(t, s, true)
	assert.Equal(t, uint64(1), s.Spans.OpenAtShutdown)
	assert.Equal(t, uint64(11), s.Spans.Ended)

	// What happens after Shutdown changes nothing.
	open.End()
	rvEmit(t.Context(), p, 5)
	close(exp.release)
	ctx, cancel3 := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel3()
	_ = p.ForceFlush(ctx)
	require.NoError(t, ctx.Err(), "ForceFlush after Shutdown returns")
	after := p.Stats()
	rvAddsUp(t, after, true)
	assert.Equal(t, s.Spans, after.Spans)
	assert.Equal(t, s.Exporters[0].Delivered, after.Exporters[0].Delivered)
}

// TestReviewShutdownCancelledIdle: with an already-cancelled context and
// nothing stuck, Shutdown still stops everything and counts every record
// and span, delivered or dropped at shutdown.
func TestReviewShutdownCancelledIdle(t *testing.T) {
	for range 20 {
		mem := export.NewMemory()
		p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem),
			export.WithErrorHandler(func(error) {}))
		require.NoError(t, err)
		rvEmit(t.Context(), p, 30)
		_, s := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
		s.End()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_ = p.Shutdown(ctx)
		st := p.Stats()
		rvAddsUp(t, st, true)
		assert.Equal(t, uint64(len(mem.Records())), st.Exporters[0].Delivered)
		assert.Equal(t, uint64(len(mem.Spans())), st.Spans.Exported)
	}
}

// TestReviewErrorHandlerCannotBlock: an error handler that blocks (stderr
// on a full pipe, say) neither blocks a log call nor holds Shutdown past
// its deadline.
func TestReviewErrorHandlerCannotBlock(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	handler := func(error) { <-release }
	exp := newRVBlocked()
	defer close(exp.release)
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(exp), export.WithSpanExporter(exp),
		export.WithQueueSize(1), export.WithErrorHandler(handler))
	require.NoError(t, err)

	done := make(chan struct{})
	go func() {
		defer close(done)
		rvEmit(context.Background(), p, 20) // the queue is full: drops are reported
		tr := p.TracerProvider().Tracer("review")
		for range 20 {
			_, s := tr.Start(context.Background(), "op")
			s.End()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_ = p.Shutdown(ctx)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a log call or Shutdown waited on the error handler")
	}
	rvAddsUp(t, p.Stats(), true)
}

// rvGoroutines is the number of goroutines, once the count settles.
func rvOpenFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// TestReviewSetupShutdownLeavesNothing: Setup and Shutdown cycles, with
// OTLP, console, JSON and memory exporters, leave no goroutine and no file
// descriptor behind.
func TestReviewSetupShutdownLeavesNothing(t *testing.T) {
	rv := newRVReceiver(t, nil)
	cycle := func() {
		mem := export.NewMemory()
		p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}),
			export.WithOTLP(export.OTLPEndpointURL(rv.URL)), export.WithConsole(&discard{}), export.WithJSON(&discard{}),
			export.WithExporter(mem), export.WithSpanExporter(mem))
		require.NoError(t, err)
		rvEmit(t.Context(), p, 3)
		_, s := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
		s.End()
		require.NoError(t, p.Shutdown(t.Context()))
	}
	cycle() // warm up: lazily started runtime and net goroutines
	rv.CloseClientConnections()
	baseG, baseFD := runtime.NumGoroutine(), rvOpenFDs()
	for range 20 {
		cycle()
	}
	rv.CloseClientConnections()
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseG+2 }, 10*time.Second, 10*time.Millisecond,
		"goroutines: %d before, %d after", baseG, runtime.NumGoroutine())
	if baseFD >= 0 {
		require.Eventually(t, func() bool { return rvOpenFDs() <= baseFD+2 }, 10*time.Second, 10*time.Millisecond,
			"file descriptors: %d before, %d after", baseFD, rvOpenFDs())
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

// TestReviewSpansOpenAtShutdownOverOTLP: spans of operations still open
// at shutdown are counted for the OTLP exporter too, and ending them
// later changes nothing.
func TestReviewSpansOpenAtShutdownOverOTLP(t *testing.T) {
	rv := newRVReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) bool { return false })
	p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)))
	tr := p.TracerProvider().Tracer("review")
	var open []trace.Span
	for i := range 5 {
		_, s := tr.Start(t.Context(), "op")
		if i%2 == 0 {
			open = append(open, s)
			continue
		}
		s.End()
	}
	err := p.Shutdown(t.Context())
	var ue *export.UndeliveredError
	require.True(t, errors.As(err, &ue), "%v", err)
	s := p.Stats()
	rvAddsUp(t, s, true)
	assert.Equal(t, uint64(3), s.Spans.OpenAtShutdown)
	assert.Equal(t, uint64(2), s.Spans.Exported)
	for _, sp := range open {
		sp.End()
	}
	assert.Equal(t, s, p.Stats())
	assert.Equal(t, 2, rv.spans())
}

// rvStuck is an exporter stuck in one of its methods until released,
// whatever its context says.
type rvStuck struct {
	where   string // "Export", "Shutdown" or "ForceFlush"
	release chan struct{}
}

func (e *rvStuck) stuck(method string) {
	if e.where == method {
		<-e.release
	}
}

func (e *rvStuck) Export(context.Context, []sdklog.Record) error { e.stuck("Export"); return nil }
func (e *rvStuck) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	e.stuck("Export")
	return nil
}
func (e *rvStuck) Shutdown(context.Context) error   { e.stuck("Shutdown"); return nil }
func (e *rvStuck) ForceFlush(context.Context) error { e.stuck("ForceFlush"); return nil }

// TestReviewDeadlinesKept: Shutdown and ForceFlush return by their
// deadline whatever an exporter is stuck in, a receiver that never
// answers included; the accounting is whole after Shutdown.
func TestReviewDeadlinesKept(t *testing.T) {
	stall := make(chan struct{})
	defer close(stall)
	stalled := newRVReceiver(t, func(http.ResponseWriter, *http.Request, []byte) bool { <-stall; return true })
	cases := map[string]func(release chan struct{}) []export.Option{
		"log exporter stuck in Export": func(r chan struct{}) []export.Option {
			return []export.Option{export.WithExporter(&rvStuck{where: "Export", release: r})}
		},
		"log exporter stuck in Shutdown": func(r chan struct{}) []export.Option {
			return []export.Option{export.WithExporter(&rvStuck{where: "Shutdown", release: r})}
		},
		"log exporter stuck in ForceFlush": func(r chan struct{}) []export.Option {
			return []export.Option{export.WithExporter(&rvStuck{where: "ForceFlush", release: r})}
		},
		"span exporter stuck in Export": func(r chan struct{}) []export.Option {
			return []export.Option{export.WithSpanExporter(&rvStuck{where: "Export", release: r})}
		},
		"span exporter stuck in Shutdown": func(r chan struct{}) []export.Option {
			return []export.Option{export.WithSpanExporter(&rvStuck{where: "Shutdown", release: r})}
		},
		"store stuck in Export": func(r chan struct{}) []export.Option {
			return []export.Option{export.WithStore(&rvStuck{where: "Export", release: r})}
		},
		"receiver never answers": func(chan struct{}) []export.Option {
			return []export.Option{export.WithOTLP(export.OTLPEndpointURL(stalled.URL), export.OTLPTimeout(time.Hour)),
				export.WithExportTimeout(time.Hour), export.WithExportInterval(time.Millisecond)}
		},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			p := rvSetup(t, opts(release)...)
			rvEmit(t.Context(), p, 10)
			_, s := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
			s.End()
			done := make(chan struct{})
			go func() {
				defer close(done)
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel()
				_ = p.ForceFlush(ctx)
				ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel2()
				_ = p.Shutdown(ctx2)
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("ForceFlush or Shutdown did not keep its deadline")
			}
			rvAddsUp(t, p.Stats(), true)
		})
	}
}

// TestReviewEmitDuringShutdown: records and spans emitted from many
// goroutines while Shutdown runs are all accounted for.
func TestReviewEmitDuringShutdown(t *testing.T) {
	mem := export.NewMemory()
	p := rvSetup(t, export.WithExporter(mem), export.WithSpanExporter(mem), export.WithQueueSize(64))
	tr := p.TracerProvider().Tracer("review")
	lg := p.LoggerProvider().Logger("review")
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			for i := range 300 {
				var r log.Record
				r.SetSeverity(log.SeverityInfo)
				r.SetBody(attribute.IntValue(i))
				lg.Emit(context.Background(), r)
				_, s := tr.Start(context.Background(), "op")
				s.End()
			}
		})
	}
	close(start)
	_ = p.Shutdown(t.Context())
	wg.Wait()
	s := p.Stats()
	rvAddsUp(t, s, true)
	assert.Equal(t, uint64(len(mem.Records())), s.Exporters[0].Delivered)
	assert.Equal(t, uint64(len(mem.Spans())), s.Spans.Exported)
}

// rvForger fails every export with an error whose text tries to forge
// lines and drive the terminal.
type rvForger struct{}

func (rvForger) Export(context.Context, []sdklog.Record) error {
	return errors.New("down\noplog: FORGED 0 record(s) dropped\r\x1b[2K\x1b[31m\u2028\u202e")
}
func (rvForger) Shutdown(context.Context) error   { return nil }
func (rvForger) ForceFlush(context.Context) error { return nil }

// TestReviewDefaultHandlerOneLinePerError: the default error handler
// writes one line per error on stderr, control characters escaped, so an
// exporter's (or a receiver's) text cannot forge a line of oplog's.
func TestReviewDefaultHandlerOneLinePerError(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	orig := os.Stderr
	os.Stderr = w
	restored := false
	restore := func() {
		if !restored {
			os.Stderr, restored = orig, true
			_ = w.Close()
		}
	}
	t.Cleanup(restore)
	out := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(rvForger{}))
	require.NoError(t, err)
	rvEmit(t.Context(), p, 1)
	_ = p.Shutdown(t.Context())
	restore()
	text := <-out
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "oplog: "), "%q", l)
		assert.NotContains(t, l, "\x1b")
		assert.NotContains(t, l, "\r")
		assert.NotContains(t, l, "\u2028")
		assert.NotContains(t, l, "\u202e")
	}
	assert.Equal(t, 1, strings.Count(text, "FORGED"), "%q", text)
}

// TestReviewZeroPipeline: a Pipeline not built by Setup (its zero value)
// produces nothing, and none of its methods panics, even at once.
func TestReviewZeroPipeline(t *testing.T) {
	var p export.Pipeline
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			assert.NotPanics(t, func() {
				rvEmit(t.Context(), &p, 2)
				_, s := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
				s.End()
				assert.NoError(t, p.ForceFlush(t.Context()))
				assert.Equal(t, export.Stats{}, p.Stats())
			})
		})
	}
	wg.Wait()
	assert.NotPanics(t, func() { assert.NoError(t, p.Shutdown(t.Context())) })
	assert.NotPanics(t, func() { assert.NoError(t, p.Shutdown(t.Context())) })
	assert.Equal(t, export.Stats{}, p.Stats())
}
