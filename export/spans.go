package export

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/oplog-go/oplog/logrecord"
)

// spanQueue is the queue of one span exporter.
type spanQueue = queue[sdktrace.ReadOnlySpan]

// spanProcessor is the pipeline's only sdk/trace SpanProcessor: the span
// twin of processor. It counts started and ended spans, sanitizes each
// ended span once (valid UTF-8, logrecord.Limits) and cuts it to fit one
// request, before it is queued, and hands it to the queue of every span
// exporter. It replaces the SDK's BatchSpanProcessor, which drops spans
// silently when full and sends them as they are (see DESIGN.md).
type spanProcessor struct {
	queues []*spanQueue
	limits logrecord.Limits
	bound  int

	started, ended atomic.Uint64
	stopped        atomic.Bool
	stopOnce       sync.Once
	stopErr        error
}

var _ sdktrace.SpanProcessor = (*spanProcessor)(nil)

func newSpanQueue(name string, exp sdktrace.SpanExporter, cfg batchConfig, bound int, cut func(sdktrace.ReadOnlySpan, int) (sdktrace.ReadOnlySpan, int, bool), report func(error)) *spanQueue {
	return (&queue[sdktrace.ReadOnlySpan]{
		name: name, what: "span", cfg: cfg, bound: bound, report: report,
		export:   func(ctx context.Context, b []sdktrace.ReadOnlySpan) error { return exp.ExportSpans(ctx, b) },
		flushExp: func(context.Context) error { return nil },
		stopExp:  func(ctx context.Context) error { return exp.Shutdown(ctx) },
		cut:      cut,
	}).start()
}

func (p *spanProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) { p.started.Add(1) }

func (p *spanProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if p.stopped.Load() {
		return // counted as open at shutdown (see stats)
	}
	p.ended.Add(1)
	if len(p.queues) == 0 {
		return
	}
	s, size, ok := p.prepare(s)
	if !ok {
		for _, q := range p.queues {
			q.invalid.Add(1)
			q.drop("invalid", 1, errTooLarge)
		}
		return
	}
	for _, q := range p.queues {
		q.enqueue(s, size)
	}
}

// prepare sanitizes s and, when it would not fit in one request, cuts it
// with tighter limits.
func (p *spanProcessor) prepare(orig sdktrace.ReadOnlySpan) (sdktrace.ReadOnlySpan, int, bool) {
	s := sanitizeSpan(orig, p.limits, false)
	if size := spanSize(s); size <= p.bound {
		return s, size, true
	}
	return cutSpan(orig, p.limits, p.bound)
}

func (p *spanProcessor) cut(s sdktrace.ReadOnlySpan, size int) (sdktrace.ReadOnlySpan, int, bool) {
	return cutSpan(s, p.limits, size)
}

func cutSpan(orig sdktrace.ReadOnlySpan, l logrecord.Limits, bound int) (sdktrace.ReadOnlySpan, int, bool) {
	for _, t := range tighter(l, bound) {
		s := sanitizeSpan(orig, t, true)
		if n := spanSize(s); n <= bound {
			return s, n, true
		}
	}
	return orig, 0, false
}

// sanitizeSpan returns s with every string valid UTF-8 and within l: the
// name, the attributes of the span, its events and links, the events'
// names, the status description and the scope. It returns s itself when
// nothing needs to change, unless force is set.
func sanitizeSpan(s sdktrace.ReadOnlySpan, l logrecord.Limits, force bool) sdktrace.ReadOnlySpan {
	if !force && spanIsClean(s, l) {
		return s
	}
	st := tracetest.SpanStubFromReadOnlySpan(s)
	// The stub may share the span's slices: change copies.
	st.Events, st.Links = slices.Clone(st.Events), slices.Clone(st.Links)
	st.Name = l.String(st.Name)
	st.Status.Description = l.String(st.Status.Description)
	st.Attributes = sanitizeKVs(st.Attributes, l)
	for i := range st.Events {
		st.Events[i].Name = l.String(st.Events[i].Name)
		st.Events[i].Attributes = sanitizeKVs(st.Events[i].Attributes, l)
	}
	for i := range st.Links {
		st.Links[i].Attributes = sanitizeKVs(st.Links[i].Attributes, l)
	}
	st.InstrumentationScope = sanitizeScope(st.InstrumentationScope, l)
	return st.Snapshot()
}

func spanIsClean(s sdktrace.ReadOnlySpan, l logrecord.Limits) bool {
	if l.String(s.Name()) != s.Name() || l.String(s.Status().Description) != s.Status().Description {
		return false
	}
	if !kvsClean(s.Attributes(), l) {
		return false
	}
	for _, e := range s.Events() {
		if l.String(e.Name) != e.Name || !kvsClean(e.Attributes, l) {
			return false
		}
	}
	for _, k := range s.Links() {
		if !kvsClean(k.Attributes, l) {
			return false
		}
	}
	return scopeClean(s.InstrumentationScope(), l)
}

func kvsClean(kvs []attribute.KeyValue, l logrecord.Limits) bool {
	for _, kv := range kvs {
		if _, changed := l.SanitizeKeyValue(kv); changed {
			return false
		}
	}
	return true
}

// sanitizeKVs returns a sanitized copy of kvs.
func sanitizeKVs(kvs []attribute.KeyValue, l logrecord.Limits) []attribute.KeyValue {
	if len(kvs) == 0 {
		return kvs
	}
	out := make([]attribute.KeyValue, len(kvs))
	for i, kv := range kvs {
		out[i], _ = l.SanitizeKeyValue(kv)
	}
	return out
}

func sanitizeScope(sc instrumentation.Scope, l logrecord.Limits) instrumentation.Scope {
	sc.Name, sc.Version, sc.SchemaURL = l.String(sc.Name), l.String(sc.Version), l.String(sc.SchemaURL)
	if sc.Attributes.Len() > 0 {
		sc.Attributes = attribute.NewSet(sanitizeKVs(sc.Attributes.ToSlice(), l)...)
	}
	return sc
}

func (p *spanProcessor) ForceFlush(ctx context.Context) error {
	return eachQueue(p.queues, func(q *spanQueue) error { return q.flush(ctx) })
}

// Shutdown stops the queues within ctx; a second call returns the first
// one's result. Spans still open are counted as open at shutdown.
func (p *spanProcessor) Shutdown(ctx context.Context) error {
	p.stopOnce.Do(func() {
		p.stopped.Store(true)
		p.stopErr = eachQueue(p.queues, func(q *spanQueue) error { return q.close(ctx) })
	})
	return p.stopErr
}

// stats counts the spans. Once stopped, a span started and not ended
// through the pipeline is open at shutdown: it counts as ended, and as
// dropped at shutdown by every exporter (it can never be exported).
func (p *spanProcessor) stats() SpanStats {
	started, ended := p.started.Load(), p.ended.Load()
	var open uint64
	if p.stopped.Load() && started > ended {
		open = started - ended
	}
	s := SpanStats{Ended: ended + open, OpenAtShutdown: open}
	for _, q := range p.queues {
		e := q.stats()
		e.Dropped.Shutdown += open
		s.Exporters = append(s.Exporters, e)
		s.Exported += e.Delivered
		s.Failed += e.Dropped.ExportFailed
		s.Dropped = s.Dropped.add(e.Dropped)
		s.Pending += e.Pending
	}
	return s
}
