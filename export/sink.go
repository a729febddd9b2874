package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/logrecord"
)

// sink owns one exporter: a bounded queue that never blocks the caller, one
// goroutine that exports batches from it, and the counters that account for
// every record it was given. It replaces the SDK's BatchProcessor, which
// drops the oldest records silently when full (see DESIGN.md).
type sink struct {
	name      string
	exp       sdklog.Exporter
	cfg       batchConfig
	limits    logrecord.Limits
	report    func(error)
	immediate bool // export as soon as records are queued (console, JSON)
	// trustClean: limits cover the defaults clean records were built within.
	trustClean bool

	mu      sync.Mutex
	queue   []sdklog.Record
	clean   []bool // clean[i]: queue[i]'s composite values need no walk
	spare   []sdklog.Record
	spareC  []bool
	closed  bool
	wake    chan struct{}
	flushes chan chan struct{}
	done    chan struct{}

	// ctx bounds every export; cancelled when Shutdown's deadline passes.
	ctx    context.Context
	cancel context.CancelFunc

	delivered, queueFull, exportFailed, rejected, invalid, shutdown atomic.Uint64
	pending                                                         atomic.Int64
}

func newSink(name string, exp sdklog.Exporter, cfg batchConfig, limits logrecord.Limits, immediate bool, report func(error)) *sink {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sink{
		name: name, exp: exp, cfg: cfg, limits: limits, report: report, immediate: immediate,
		trustClean: limits.Covers(logrecord.Limits{}),
		queue:      make([]sdklog.Record, 0, min(cfg.queueSize, 1024)),
		wake:       make(chan struct{}, 1),
		flushes:    make(chan chan struct{}),
		done:       make(chan struct{}),
		ctx:        ctx, cancel: cancel,
	}
	go s.run()
	return s
}

// enqueue takes a copy of r; it never blocks.
func (s *sink) enqueue(r sdklog.Record, clean bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.shutdown.Add(1)
		return
	}
	if len(s.queue) >= s.cfg.queueSize {
		s.mu.Unlock()
		s.queueFull.Add(1)
		s.report(&DropError{Exporter: s.name, Reason: "queue full", Count: 1})
		return
	}
	s.queue = append(s.queue, r)
	s.clean = append(s.clean, clean)
	n := len(s.queue)
	s.pending.Add(1)
	s.mu.Unlock()
	if s.immediate || n >= s.cfg.batchSize {
		s.signal()
	}
}

func (s *sink) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run is the only goroutine that calls the exporter.
func (s *sink) run() {
	defer close(s.done)
	tick := time.NewTicker(s.cfg.interval)
	defer tick.Stop()
	for {
		var flushed chan struct{}
		select {
		case <-s.wake:
		case <-tick.C:
		case flushed = <-s.flushes:
		}
		closed := s.drain()
		if flushed != nil {
			close(flushed)
		}
		if closed {
			return
		}
	}
}

// drain exports everything queued now, in batches; it reports whether the
// sink is closed and empty.
func (s *sink) drain() bool {
	for {
		s.mu.Lock()
		batch, clean := s.queue, s.clean
		s.queue, s.spare = s.spare[:0], nil
		s.clean, s.spareC = s.spareC[:0], nil
		closed := s.closed
		s.mu.Unlock()
		if len(batch) == 0 {
			s.mu.Lock()
			s.spare, s.spareC = batch, clean
			s.mu.Unlock()
			return closed
		}
		for i := range batch {
			sanitize(&batch[i], s.limits, clean[i] && s.trustClean)
		}
		for start := 0; start < len(batch); start += s.cfg.batchSize {
			s.exportBatch(batch[start:min(start+s.cfg.batchSize, len(batch))])
		}
		clear(batch) // let the records' attributes be collected
		s.mu.Lock()
		s.spare, s.spareC = batch[:0], clean[:0]
		s.mu.Unlock()
	}
}

// exportBatch exports one batch, retrying the transient network failures the
// OTLP exporter does not retry itself, within the export timeout.
func (s *sink) exportBatch(batch []sdklog.Record) {
	n := uint64(len(batch))
	defer s.pending.Add(-int64(n))
	if s.ctx.Err() != nil {
		s.shutdown.Add(n)
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.timeout)
	defer cancel()
	backoff := 50 * time.Millisecond
	for {
		err := s.exp.Export(ctx, batch)
		if err == nil {
			s.delivered.Add(n)
			return
		}
		if rejected, ok := partialSuccess(err); ok {
			rejected = min(rejected, n)
			s.delivered.Add(n - rejected)
			s.rejected.Add(rejected)
			if rejected > 0 {
				s.report(&DropError{Exporter: s.name, Reason: "rejected by receiver", Count: rejected, Err: err})
			}
			return
		}
		// A console or JSON writer's broken pipe is not a network blip:
		// retrying it would hold every record until Shutdown.
		if !s.immediate && transient(err) && sleepCtx(ctx, backoff) {
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		switch {
		case s.ctx.Err() != nil:
			s.shutdown.Add(n)
			s.report(&DropError{Exporter: s.name, Reason: "shutdown deadline", Count: n, Err: err})
		case badRequest(err):
			s.invalid.Add(n)
			s.report(&DropError{Exporter: s.name, Reason: "invalid", Count: n, Err: err})
		default:
			s.exportFailed.Add(n)
			s.report(&DropError{Exporter: s.name, Reason: "export failed", Count: n, Err: err})
		}
		return
	}
}

// flush waits until everything queued before the call was exported.
func (s *sink) flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case s.flushes <- done:
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return s.exp.ForceFlush(ctx)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops taking records, exports what is queued within ctx, and shuts
// the exporter down. What is still queued when ctx ends is counted as
// dropped at shutdown.
func (s *sink) close(ctx context.Context) error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if already {
		<-s.done
		return nil
	}
	s.signal()
	select {
	case <-s.done:
	case <-ctx.Done():
		s.cancel() // abort the export under way; run then drains into the shutdown count
		<-s.done
	}
	s.cancel()
	return s.exp.Shutdown(ctx)
}

func (s *sink) stats() ExporterStats {
	return ExporterStats{
		Name:      s.name,
		Delivered: s.delivered.Load(),
		Dropped: Drops{
			QueueFull:    s.queueFull.Load(),
			ExportFailed: s.exportFailed.Load(),
			Rejected:     s.rejected.Load(),
			Invalid:      s.invalid.Load(),
			Shutdown:     s.shutdown.Load(),
		},
		Pending: uint64(max(s.pending.Load(), 0)),
	}
}

// DropError reports records that were not delivered. It reaches the error
// handler (see [WithErrorHandler]) as drops happen.
type DropError struct {
	Exporter string
	Reason   string
	Count    uint64
	Err      error
}

func (e *DropError) Error() string {
	s := fmt.Sprintf("%s exporter: %d record(s) dropped: %s", e.Exporter, e.Count, e.Reason)
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
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op)
}
