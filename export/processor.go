package export

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// processor is the pipeline's only sdk/log Processor: it filters by
// severity, sanitizes each record once and cuts it to fit one request (on
// the caller's path, so that a queue only ever holds bounded records), and
// hands it to every sink.
type processor struct {
	min        log.Severity
	sinks      []*sink
	limits     logrecord.Limits
	countLimit int // the SDK's attribute count limit (-1: none)
	bound      int // estimated bytes one record may take in a request
	// trustClean: limits cover the defaults clean records were built within.
	trustClean bool
	// provider is the pipeline's, set once built: see rescope.
	provider *sdklog.LoggerProvider
	emitted  atomic.Uint64
	stopped  atomic.Bool
}

var _ sdklog.Processor = (*processor)(nil)

func (p *processor) Enabled(_ context.Context, param sdklog.EnabledParameters) bool {
	return param.Severity == 0 || param.Severity >= p.min
}

func (p *processor) OnEmit(ctx context.Context, r *sdklog.Record) error {
	if c, ok := ctx.(*fastpath.Capture); ok {
		c.Record, c.Captured = *r, true // a template, not a record: not counted
		return nil
	}
	p.emit(*r, false)
	return nil
}

// emit hands r to every sink. clean reports that r's slice and map values
// were built within the default limits by oplog (see internal/fastpath).
func (p *processor) emit(r sdklog.Record, clean bool) {
	if r.Severity() != 0 && r.Severity() < p.min {
		return
	}
	p.emitted.Add(1)
	if p.stopped.Load() {
		for _, s := range p.sinks {
			s.shutdown.Add(1)
		}
		return
	}
	if len(p.sinks) == 0 {
		return
	}
	size, ok := p.prepare(&r, clean)
	if !ok {
		for _, s := range p.sinks {
			s.invalid.Add(1)
			s.drop("invalid", 1, errTooLarge)
		}
		return
	}
	for _, s := range p.sinks {
		// Each record is fresh (the SDK or the fast path builds one per
		// emit) and no one changes it after this, so sinks can share its
		// attribute slice.
		s.enqueue(r, size)
	}
}

var errTooLarge = errors.New("larger than one request (WithBatchBytes) even when cut")

// prepare sanitizes r and, when it would not fit in one request, cuts it
// with tighter limits. It returns r's estimated size, or false when even
// cut it cannot fit.
func (p *processor) prepare(r *sdklog.Record, clean bool) (int, bool) {
	if sc := r.InstrumentationScope(); !scopeClean(sc, p.limits) {
		var ok bool
		if *r, ok = p.rescope(r, sanitizeScope(sc, p.limits)); !ok {
			return 0, false
		}
	}
	orig := *r
	sanitize(r, p.limits, clean && p.trustClean, p.countLimit)
	size := recordSize(r)
	if size <= p.bound {
		return size, true
	}
	c, size, ok := cutRecord(orig, p.limits, p.countLimit, p.bound)
	if ok {
		*r = c
	}
	return size, ok
}

// scopeClean reports whether the strings of sc are valid and within l.
func scopeClean(sc instrumentation.Scope, l logrecord.Limits) bool {
	return l.String(sc.Name) == sc.Name && l.String(sc.Version) == sc.Version && l.String(sc.SchemaURL) == sc.SchemaURL &&
		(sc.Attributes.Len() == 0 || kvsClean(sc.Attributes.ToSlice(), l))
}

// rescope returns a copy of r under scope sc. A record's scope is set by
// the SDK from its Logger and cannot be changed: the copy is built on a
// template captured from the provider's Logger for sc (as internal/fastpath
// does), so that a logger named with invalid UTF-8 cannot fail every
// request its records share.
func (p *processor) rescope(r *sdklog.Record, sc instrumentation.Scope) (sdklog.Record, bool) {
	if p.provider == nil {
		return *r, false
	}
	lg := p.provider.Logger(sc.Name, log.WithInstrumentationVersion(sc.Version), log.WithSchemaURL(sc.SchemaURL),
		log.WithInstrumentationAttributeSet(sc.Attributes))
	c := &fastpath.Capture{Context: context.Background()}
	lg.Emit(c, log.Record{})
	if !c.Captured {
		return *r, false
	}
	t := c.Record
	t.SetTimestamp(r.Timestamp())
	t.SetObservedTimestamp(r.ObservedTimestamp())
	t.SetSeverity(r.Severity())
	t.SetSeverityText(r.SeverityText())
	t.SetBody(r.Body())
	t.SetEventName(r.EventName())
	t.SetTraceID(r.TraceID())
	t.SetSpanID(r.SpanID())
	t.SetTraceFlags(r.TraceFlags())
	attrs := make([]attribute.KeyValue, 0, r.AttributesLen()+r.DroppedAttributes())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = append(attrs, kv)
		return true
	})
	setAttributes(&t, attrs, r.DroppedAttributes(), p.countLimit)
	return t, true
}

// cut cuts an already sanitized record further, to about size bytes: the
// sinks' answer to a receiver that refuses a lone record as too large.
func (p *processor) cut(r sdklog.Record, size int) (sdklog.Record, int, bool) {
	return cutRecord(r, p.limits, p.countLimit, size)
}

// cutRecord sanitizes orig with limits tightened step by step until its
// estimate fits bound. Every cut is marked as logrecord marks one.
func cutRecord(orig sdklog.Record, l logrecord.Limits, countLimit, bound int) (sdklog.Record, int, bool) {
	for _, t := range tighter(l, bound) {
		r := orig
		sanitize(&r, t, false, countLimit)
		if n := recordSize(&r); n <= bound {
			return r, n, true
		}
	}
	return orig, 0, false
}

// tighter lists limits below l, each about half the one before, for an
// item that must fit in bound bytes.
func tighter(l logrecord.Limits, bound int) []logrecord.Limits {
	r := resolveLimits(l)
	s := min(r.MaxStringLen, max(bound/2, 16))
	items := min(r.MaxItems, max(bound/64, 1))
	var out []logrecord.Limits
	for ; s >= 16; s /= 2 {
		out = append(out, logrecord.Limits{
			MaxStringLen: s, MaxKeyLen: min(r.MaxKeyLen, s), MaxItems: items,
			MaxDepth: min(r.MaxDepth, 1+s/64), MaxAttributes: l.MaxAttributes,
		})
		items = max(items/2, 1)
	}
	return out
}

// resolveLimits resolves l's zero fields to logrecord's defaults and its
// negative ones to no limit.
func resolveLimits(l logrecord.Limits) logrecord.Limits {
	pick := func(v, def int) int {
		switch {
		case v == 0:
			return def
		case v < 0:
			return math.MaxInt
		}
		return v
	}
	return logrecord.Limits{
		MaxStringLen:  pick(l.MaxStringLen, logrecord.DefaultMaxStringLen),
		MaxKeyLen:     pick(l.MaxKeyLen, logrecord.DefaultMaxKeyLen),
		MaxItems:      pick(l.MaxItems, logrecord.DefaultMaxItems),
		MaxDepth:      pick(l.MaxDepth, logrecord.DefaultMaxDepth),
		MaxAttributes: pick(l.MaxAttributes, logrecord.DefaultMaxAttributes),
	}
}

func (p *processor) ForceFlush(ctx context.Context) error {
	return eachQueue(p.sinks, func(s *sink) error { return s.flush(ctx) })
}

func (p *processor) Shutdown(ctx context.Context) error {
	p.stopped.Store(true)
	return eachQueue(p.sinks, func(s *sink) error { return s.close(ctx) })
}

// sanitize makes every string of r valid UTF-8 and applies the limits, in
// place. Invalid UTF-8 anywhere would make the OTLP encoder fail the whole
// batch (see DESIGN.md). The count of attributes the SDK dropped past
// countLimit is kept.
//
// A clean record (see internal/fastpath) has slice and map values built
// within limits l covers: only their keys are checked, as walking an otel
// composite value copies it.
func sanitize(r *sdklog.Record, l logrecord.Limits, clean bool, countLimit int) {
	if b, changed := l.Sanitize(r.Body()); changed {
		r.SetBody(b)
	}
	if s := r.SeverityText(); s != "" {
		if c := l.String(s); c != s {
			r.SetSeverityText(c)
		}
	}
	if e := r.EventName(); e != "" {
		if c := l.Key(e); c != e {
			r.SetEventName(c)
		}
	}
	fix := func(kv attribute.KeyValue) (attribute.KeyValue, bool) {
		if clean && composite(kv.Value.Type()) {
			if k := l.Key(string(kv.Key)); k != string(kv.Key) {
				return attribute.KeyValue{Key: attribute.Key(k), Value: kv.Value}, true
			}
			return kv, false
		}
		return l.SanitizeKeyValue(kv)
	}
	// One pass: are all attributes fine and their keys unique? The
	// provider is built WithAllowKeyDuplication, so de-duplication happens
	// here, once per record, instead of once per attribute in the SDK.
	var seen keySet
	changed, dup := false, false
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		if !changed {
			_, changed = fix(kv)
		}
		if !dup {
			dup = !seen.add(kv.Key)
		}
		return true
	})
	dropped := r.DroppedAttributes()
	if dup && dropped > 0 {
		// The SDK cut this record at countLimit and counted the rest;
		// SetAttributes can only keep that count on a full record (see
		// setAttributes), so its duplicate keys stay.
		dup = false
	}
	if !changed && !dup {
		return
	}
	attrs := make([]attribute.KeyValue, 0, r.AttributesLen()+dropped)
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		kv, _ = fix(kv)
		attrs = append(attrs, kv)
		return true
	})
	if dup {
		attrs = dedupLastWins(attrs)
	}
	setAttributes(r, attrs, dropped, countLimit)
}

// setAttributes replaces r's attributes, keeping its count of dropped ones:
// SetAttributes resets that count, then counts what it cuts past the
// record's limit, so the count is restored by passing that many more
// attributes than the limit keeps. attrs must have room for them.
func setAttributes(r *sdklog.Record, attrs []attribute.KeyValue, dropped, countLimit int) {
	if dropped > 0 && countLimit > 0 && len(attrs) == countLimit {
		for range dropped {
			attrs = append(attrs, droppedFiller)
		}
	}
	r.SetAttributes(attrs...)
}

// droppedFiller stands for an attribute the SDK dropped (see setAttributes);
// it is never kept.
var droppedFiller = attribute.Bool("oplog.dropped", true)

func composite(t attribute.Type) bool {
	switch t {
	case attribute.SLICE, attribute.MAP, attribute.STRINGSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.BOOLSLICE:
		return true
	}
	return false
}

// keySet finds a repeated key in one pass: a linear scan over the first
// few keys, where a scan beats hashing, then a map, so that a record with
// thousands of attributes costs linear time, not quadratic.
type keySet struct {
	buf  [32]attribute.Key
	n    int
	many map[attribute.Key]struct{}
}

// add reports whether k was new.
func (s *keySet) add(k attribute.Key) bool {
	if s.many != nil {
		if _, ok := s.many[k]; ok {
			return false
		}
		s.many[k] = struct{}{}
		return true
	}
	for _, x := range s.buf[:s.n] {
		if x == k {
			return false
		}
	}
	if s.n < len(s.buf) {
		s.buf[s.n] = k
		s.n++
		return true
	}
	s.many = make(map[attribute.Key]struct{}, 2*len(s.buf))
	for _, x := range s.buf {
		s.many[x] = struct{}{}
	}
	s.many[k] = struct{}{}
	return true
}

// dedupLastWins keeps, for each key, its last attribute, at the place of
// the first: the SDK's de-duplication semantics.
func dedupLastWins(attrs []attribute.KeyValue) []attribute.KeyValue {
	index := make(map[attribute.Key]int, len(attrs))
	out := attrs[:0]
	for _, kv := range attrs {
		if i, ok := index[kv.Key]; ok {
			out[i] = kv
			continue
		}
		index[kv.Key] = len(out)
		out = append(out, kv)
	}
	return out
}

// minSeverity converts the option's severity for the SDK comparison.
func minSeverity(s severity.Severity) log.Severity {
	if !s.Valid() {
		return 0
	}
	return s.OTel()
}

// reporter passes errors to the handler, at most once per interval for each
// kind of drop, with the count of what it held back. The handler runs on
// the reporter's own goroutine, never on the caller's: a log call that
// finds a queue full, or a Shutdown, must not wait on a handler that blocks
// (the default writes to stderr, which may be a pipe nobody reads). What
// does not fit in its buffer is held: drops are added to the count held
// back for their kind, other errors are counted as lost and said so.
type reporter struct {
	handle   func(error)
	interval time.Duration
	ch       chan report
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{} // closed when run returns

	mu   sync.Mutex
	last map[string]time.Time
	held map[string]uint64
	lost uint64
}

// report is an error for the handler, or a barrier closed once every
// error before it was handled.
type report struct {
	err     error
	barrier chan struct{}
}

func newReporter(handle func(error), interval time.Duration) *reporter {
	r := &reporter{
		handle: safeHandler(handle), interval: interval,
		ch: make(chan report, 64), stop: make(chan struct{}), done: make(chan struct{}),
		last: map[string]time.Time{}, held: map[string]uint64{},
	}
	go r.run()
	return r
}

// run hands the errors to the handler until stopped, then hands what is
// already buffered and returns.
func (r *reporter) run() {
	defer close(r.done)
	deliver := func(it report) {
		if it.barrier != nil {
			close(it.barrier)
			return
		}
		r.handle(it.err)
	}
	for {
		select {
		case it := <-r.ch:
			deliver(it)
		case <-r.stop:
			for {
				select {
				case it := <-r.ch:
					deliver(it)
				default:
					return
				}
			}
		}
	}
}

// safeHandler calls the error handler, surviving its panics: they are
// written to stderr, the sink of last resort, and the pipeline goes on.
func safeHandler(handle func(error)) func(error) {
	return func(err error) {
		defer func() {
			if r := recover(); r != nil {
				writeStderr((&PanicError{Method: "error handler", Value: panicText(r)}).Error() + " while handling: " + safeText(err))
			}
		}()
		handle(err)
	}
}

// safeText is err's text, or a note when its Error method panics.
func safeText(err error) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("(%T whose Error panicked)", err)
		}
	}()
	return err.Error()
}

func (r *reporter) report(err error) {
	d, ok := err.(*DropError)
	if !ok {
		r.send(err)
		return
	}
	key := dropKey(d)
	now := time.Now()
	r.mu.Lock()
	if last, seen := r.last[key]; seen && now.Sub(last) < r.interval {
		r.held[key] += d.Count
		r.mu.Unlock()
		return
	}
	held := r.held[key]
	r.last[key], r.held[key] = now, 0
	r.mu.Unlock()
	if held > 0 {
		c := *d
		c.Count += held
		d = &c
	}
	r.send(d)
}

// dropKey keys the drops held back: records and spans of one exporter
// name (a log and a span exporter may share one) are summed apart.
func dropKey(d *DropError) string { return d.What + "\x00" + d.Exporter + "\x00" + d.Reason }

// send queues err for the handler without waiting: when the buffer is
// full, a drop's count is held back for flush, another error is lost and
// counted.
func (r *reporter) send(err error) {
	select {
	case r.ch <- report{err: err}:
		return
	default:
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := err.(*DropError); ok {
		r.held[dropKey(d)] += d.Count
		return
	}
	r.lost++
}

// sync waits, within ctx, until the handler has seen every error reported
// before the call, the drops held back included; once the reporter is
// stopped (after Shutdown), it returns at once.
func (r *reporter) sync(ctx context.Context) {
	if r == nil {
		return
	}
	r.mu.Lock()
	var pending []error
	for key, n := range r.held {
		if n > 0 {
			what, rest, _ := strings.Cut(key, "\x00")
			exp, reason, _ := strings.Cut(rest, "\x00")
			pending = append(pending, &DropError{Exporter: exp, Reason: reason, Count: n, What: what})
			r.held[key] = 0
		}
	}
	if r.lost > 0 {
		pending = append(pending, fmt.Errorf("export: %d error report(s) lost: the error handler was too slow", r.lost))
		r.lost = 0
	}
	r.mu.Unlock()
	for i, err := range pending {
		select {
		case r.ch <- report{err: err}:
		case <-r.done:
			return
		case <-ctx.Done():
			// Not handed over: held again (the counts are in Stats anyway).
			for _, err := range pending[i:] {
				r.send(err)
			}
			return
		}
	}
	barrier := make(chan struct{})
	select {
	case r.ch <- report{barrier: barrier}:
	case <-r.done:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-barrier:
	case <-r.done:
	case <-ctx.Done():
	}
}

// close hands what is held to the handler within ctx, then stops the
// reporter's goroutine once it has handed what is buffered (or, when the
// handler blocks, once it returns).
func (r *reporter) close(ctx context.Context) {
	if r == nil {
		return
	}
	r.sync(ctx)
	r.stopOnce.Do(func() { close(r.stop) })
}
