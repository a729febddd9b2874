package export

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// queue owns one exporter, of records or of spans: a queue bounded in items
// and in bytes that never blocks the caller, one goroutine that exports
// batches from it, and the counters that account for every item it was
// given. It replaces the SDK's BatchProcessor and BatchSpanProcessor, which
// drop silently when full (see DESIGN.md). Items arrive sanitized and cut to
// fit one request (see processor.emit and spanProcessor.OnEnd).
type queue[T any] struct {
	name      string
	what      string // "record" or "span", for reports
	cfg       batchConfig
	report    func(error)
	immediate bool // export as soon as items are queued (console, JSON)
	// bound is the estimated bytes of the items of one request: batchBytes
	// less the request's own overhead.
	bound int

	export   func(context.Context, []T) error
	flushExp func(context.Context) error
	stopExp  func(context.Context) error
	// cut returns the item cut to about size bytes, with its new size, or
	// false when it cannot be made that small.
	cut func(v T, size int) (T, int, bool)

	mu    sync.Mutex
	items []T
	sizes []int
	bytes int // estimated bytes of the items queued or in an export under way
	// closed: no more items are taken. abandoned: Shutdown's deadline
	// passed and every pending item was counted as dropped at shutdown; an
	// export that returns after that counts nothing.
	closed, abandoned bool

	wake    chan struct{}
	flushes chan chan struct{}
	done    chan struct{}

	// ctx bounds every export; cancelled when Shutdown's deadline passes.
	ctx    context.Context
	cancel context.CancelFunc

	delivered, queueFull, exportFailed, rejected, invalid, shutdown atomic.Uint64
	pending                                                         atomic.Int64
}

// start runs the export goroutine of a queue whose fields are set.
func (q *queue[T]) start() *queue[T] {
	q.ctx, q.cancel = context.WithCancel(context.Background())
	q.wake = make(chan struct{}, 1)
	q.flushes = make(chan chan struct{})
	q.done = make(chan struct{})
	go q.run()
	return q
}

// enqueue takes v, of estimated size bytes; it never blocks. Past the
// item count or the byte budget, v is dropped and counted as queue full,
// except that an empty queue takes any one item, so that an item larger
// than the budget is not refused for ever.
func (q *queue[T]) enqueue(v T, size int) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.shutdown.Add(1)
		return
	}
	if len(q.items) >= q.cfg.queueSize || (q.bytes > 0 && q.bytes+size > q.cfg.queueBytes) {
		q.mu.Unlock()
		q.queueFull.Add(1)
		q.drop("queue full", 1, nil)
		return
	}
	q.items = append(q.items, v)
	q.sizes = append(q.sizes, size)
	q.bytes += size
	n := len(q.items)
	q.pending.Add(1)
	q.mu.Unlock()
	if q.immediate || n >= q.cfg.batchSize {
		q.signal()
	}
}

func (q *queue[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// run is the only goroutine that calls the exporter's Export.
func (q *queue[T]) run() {
	defer close(q.done)
	tick := time.NewTicker(q.cfg.interval)
	defer tick.Stop()
	for {
		var flushed chan struct{}
		select {
		case <-q.wake:
		case <-tick.C:
		case flushed = <-q.flushes:
		}
		closed := q.drain()
		if flushed != nil {
			close(flushed)
		}
		if closed {
			return
		}
	}
}

// drain exports everything queued now, a batch at a time; it reports
// whether the queue is closed and empty (or abandoned).
func (q *queue[T]) drain() bool {
	for {
		batch, sizes, closed := q.take()
		if len(batch) == 0 {
			return closed
		}
		q.send(batch, sizes)
		held := 0
		for _, s := range sizes {
			held += s
		}
		q.mu.Lock()
		if !q.abandoned {
			q.bytes -= held
		}
		abandoned := q.abandoned
		q.mu.Unlock()
		if abandoned {
			return true
		}
	}
}

// take removes the next batch from the front of the queue: at most
// batchSize items and, past the first, at most bound bytes. Its bytes stay
// counted in q.bytes until its export is over.
func (q *queue[T]) take() (batch []T, sizes []int, closed bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.abandoned {
		return nil, nil, true
	}
	n, total := 0, 0
	for n < len(q.items) && n < q.cfg.batchSize {
		if n > 0 && total+q.sizes[n] > q.bound {
			break
		}
		total += q.sizes[n]
		n++
	}
	if n == 0 {
		return nil, nil, q.closed
	}
	batch = make([]T, n)
	sizes = make([]int, n)
	copy(batch, q.items)
	copy(sizes, q.sizes)
	rest := copy(q.items, q.items[n:])
	copy(q.sizes, q.sizes[n:])
	clear(q.items[rest:]) // let the items be collected
	q.items, q.sizes = q.items[:rest], q.sizes[:rest]
	return batch, sizes, false
}

// settle counts n items of a finished export under counter, unless the
// queue was abandoned (they were counted as dropped at shutdown then).
func (q *queue[T]) settle(n uint64, counter *atomic.Uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.abandoned {
		return false
	}
	counter.Add(n)
	q.pending.Add(-int64(n))
	return true
}

// send exports one batch: it retries the transient network failures the
// OTLP exporter does not retry itself, within the export timeout; splits a
// batch the receiver refuses as too large, down to one item, which is cut.
func (q *queue[T]) send(batch []T, sizes []int) {
	n := uint64(len(batch))
	if q.ctx.Err() != nil {
		q.settle(n, &q.shutdown)
		return
	}
	err := q.try(batch)
	if err == nil {
		q.settle(n, &q.delivered)
		return
	}
	if rejected, ok := partialSuccess(err); ok {
		rejected = min(rejected, n)
		q.mu.Lock()
		if !q.abandoned {
			q.delivered.Add(n - rejected)
			q.rejected.Add(rejected)
			q.pending.Add(-int64(n))
		}
		q.mu.Unlock()
		if rejected > 0 {
			q.drop("rejected by receiver", rejected, err)
		}
		return
	}
	if tooLarge(err) && q.ctx.Err() == nil {
		if len(batch) > 1 {
			h := len(batch) / 2
			q.send(batch[:h], sizes[:h])
			q.send(batch[h:], sizes[h:])
			return
		}
		if q.cut != nil && sizes[0] > 1<<10 {
			if v, s, ok := q.cut(batch[0], sizes[0]/2); ok {
				q.send([]T{v}, []int{s})
				return
			}
		}
	}
	switch {
	case q.ctx.Err() != nil:
		if q.settle(n, &q.shutdown) {
			q.drop("shutdown deadline", n, err)
		}
	case badRequest(err) || tooLarge(err):
		if q.settle(n, &q.invalid) {
			q.drop("invalid", n, err)
		}
	default:
		if q.settle(n, &q.exportFailed) {
			q.drop("export failed", n, err)
		}
	}
}

// try calls the exporter, retrying transient failures within the timeout.
func (q *queue[T]) try(batch []T) error {
	ctx, cancel := context.WithTimeout(q.ctx, q.cfg.timeout)
	defer cancel()
	backoff := 50 * time.Millisecond
	for {
		err := safeErr(safeCall("Export", func() error { return q.export(ctx, batch) }))
		// A console or JSON writer's broken pipe is not a network blip:
		// retrying it would hold every item until Shutdown.
		if err == nil || q.immediate || !transient(err) || !sleepCtx(ctx, backoff) {
			return err
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

func (q *queue[T]) drop(reason string, n uint64, err error) {
	q.report(&DropError{Exporter: q.name, Reason: reason, Count: n, Err: err, What: q.what})
}

// flush waits until everything queued before the call was exported.
func (q *queue[T]) flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case q.flushes <- done:
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return safeErr(callCtx(ctx, "ForceFlush", q.flushExp))
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops taking items, exports what is queued within ctx, and shuts
// the exporter down. When ctx ends first, close returns at once, whatever
// the exporter does: every item still queued or in an export under way is
// counted as dropped at shutdown, once (an export that returns later counts
// nothing), and the goroutine ends when the exporter returns.
func (q *queue[T]) close(ctx context.Context) error {
	q.mu.Lock()
	already := q.closed
	q.closed = true
	q.mu.Unlock()
	if already {
		select {
		case <-q.done:
		case <-ctx.Done():
		}
		return nil
	}
	q.signal()
	var err error
	select {
	case <-q.done:
	default:
		select {
		case <-q.done:
		case <-ctx.Done():
			err = ctx.Err()
			// An exporter that honours its context returns at once when
			// told to stop: a moment's wait lets what it did be counted as
			// it happened (delivered, or dropped at shutdown). One that
			// blocks is abandoned.
			q.cancel()
			grace := time.NewTimer(shutdownGrace)
			select {
			case <-q.done:
			case <-grace.C:
				q.abandon()
			}
			grace.Stop()
		}
	}
	q.cancel()
	if ctx.Err() != nil {
		// Shutdown's deadline has passed: the exporter is told to stop, but
		// not waited for.
		go func() { _ = safeCall("Shutdown", func() error { return q.stopExp(context.Background()) }) }()
		return err
	}
	return safeErr(callCtx(ctx, "Shutdown", q.stopExp))
}

// shutdownGrace is how long close waits, past Shutdown's deadline, for an
// export under way to return once told to stop.
const shutdownGrace = 50 * time.Millisecond

// abandon counts everything pending as dropped at shutdown.
func (q *queue[T]) abandon() {
	q.cancel() // abort the export under way, if the exporter listens
	q.mu.Lock()
	q.abandoned = true
	n := uint64(max(q.pending.Load(), 0))
	q.pending.Store(0)
	q.shutdown.Add(n)
	clear(q.items)
	q.items, q.sizes, q.bytes = nil, nil, 0
	q.mu.Unlock()
	if n > 0 {
		q.drop("shutdown deadline", n, nil)
	}
}

func (q *queue[T]) stats() ExporterStats {
	return ExporterStats{
		Name:      q.name,
		Delivered: q.delivered.Load(),
		Dropped: Drops{
			QueueFull:    q.queueFull.Load(),
			ExportFailed: q.exportFailed.Load(),
			Rejected:     q.rejected.Load(),
			Invalid:      q.invalid.Load(),
			Shutdown:     q.shutdown.Load(),
		},
		Pending: uint64(max(q.pending.Load(), 0)),
	}
}

// safeCall calls f, turning a panic into an error: an exporter's panic
// must not end the goroutine that counts, nor the program.
func safeCall(method string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Method: method, Value: panicText(r)}
		}
	}()
	return f()
}

// safeErr returns err, or a PanicError when its Error method panics (a
// typed nil behind the interface, say): the queue reads every error's text.
func safeErr(err error) (out error) {
	if err == nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			out = &PanicError{Method: fmt.Sprintf("Error of %T", err), Value: panicText(r)}
		}
	}()
	_ = err.Error()
	return err
}

// callCtx calls f (safely) and returns its error, or ctx's error as soon
// as ctx ends, leaving f to finish on its own.
func callCtx(ctx context.Context, method string, f func(context.Context) error) error {
	if ctx.Err() != nil {
		go func() { _ = safeCall(method, func() error { return f(ctx) }) }()
		return ctx.Err()
	}
	res := make(chan error, 1)
	go func() { res <- safeCall(method, func() error { return f(ctx) }) }()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PanicError reports an exporter or error handler that panicked; the
// pipeline recovers, counts the records or spans of that export as export
// failed, and goes on.
type PanicError struct {
	Method string // "Export", "Shutdown", "ForceFlush", "error handler"
	Value  string // the panic value, as text
}

func (e *PanicError) Error() string {
	return "export: " + e.Method + " panicked: " + strconv.Quote(e.Value)
}

// panicText renders a panic value without trusting its methods.
func panicText(r any) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("(%T whose text panicked)", r)
		}
	}()
	switch v := r.(type) {
	case string:
		return v
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprintf("%v", r)
}

// eachQueue runs f on every queue at once and joins their errors.
func eachQueue[T any](qs []*queue[T], f func(*queue[T]) error) error {
	var wg sync.WaitGroup
	errs := make([]error, len(qs))
	for i, q := range qs {
		wg.Go(func() { errs[i] = f(q) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
