package export

import (
	"context"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/internal/fastpath"
)

// sink is the queue of one log exporter.
type sink = queue[sdklog.Record]

// newSink starts the queue of a log exporter. Records reach it sanitized
// and cut to fit one request (see processor.emit); cut, used when a
// receiver refuses a lone record as too large, cuts it further.
func newSink(name string, exp sdklog.Exporter, cfg batchConfig, bound int, immediate bool, cut func(sdklog.Record, int) (sdklog.Record, int, bool), report func(error)) *sink {
	return (&queue[sdklog.Record]{
		name: name, what: "record", cfg: cfg, bound: bound, immediate: immediate, report: report,
		// Closures, not method values: an exporter that is a typed nil
		// then panics in the export goroutine, where the panic is
		// recovered and counted, not in Setup.
		export:   func(ctx context.Context, b []sdklog.Record) error { return exp.Export(ctx, b) },
		flushExp: func(ctx context.Context) error { return exp.ForceFlush(ctx) },
		stopExp:  func(ctx context.Context) error { return exp.Shutdown(ctx) },
		cut:      cut,
	}).start()
}

// DropError reports records or spans that were not delivered. It reaches
// the error handler (see [WithErrorHandler]) as drops happen.
type DropError struct {
	Exporter string
	Reason   string
	Count    uint64
	Err      error
	// What is "record" or "span"; empty means records.
	What string
}

func (e *DropError) Error() string {
	what := e.What
	if what == "" {
		what = "record"
	}
	s := fmt.Sprintf("%s exporter: %d %s(s) dropped: %s", e.Exporter, e.Count, what, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DropError) Unwrap() error { return e.Err }

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// transient reports the network failures worth another try: otlploghttp
// retries 429 and 5xx answers itself, but not a refused or dropped
// connection (see DESIGN.md).
func transient(err error) bool {
	// Exporters' errors may be anything: fastpath's Is and As never panic
	// and give up on an Unwrap cycle, which would hang errors.Is.
	is := func(target error) bool { return fastpath.Is(err, target) }
	if is(context.DeadlineExceeded) || is(context.Canceled) {
		return false
	}
	if is(syscall.ECONNREFUSED) || is(syscall.ECONNRESET) || is(syscall.EPIPE) || is(io.EOF) || is(io.ErrUnexpectedEOF) {
		return true
	}
	_, ok := fastpath.As[*net.OpError](err)
	return ok
}
