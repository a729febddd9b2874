package operation

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// Operation is the handle of one operation: its messages become log records
// correlated to its span. A nil *Operation, and a zero Operation not made by
// [Tracker.Start], are valid handles that do nothing, so code can log
// through [FromContext] without checking. All methods are safe for
// concurrent use; none returns an error, blocks on I/O or panics, whatever
// value it is given (a panic in a value's methods, a context or a provider
// is recovered and logged as "PANIC=<method> method: …").
type Operation struct {
	t      *Tracker
	logger *fastpath.Logger
	span   trace.Span
	ctx    context.Context // carries the span only: what records are emitted with
	done   <-chan struct{} // the start context's Done: its end ends the operation
	// endDone is closed when the ending call has emitted the end record.
	endDone chan struct{}
	id      string
	kind    Kind
	start   time.Time

	min   atomic.Int32 // effective minimum severity
	state atomic.Int32
	ended atomic.Int64 // end time, Unix ns; 0 while open

	mu      sync.Mutex // guards refs, watch and flights
	refs    Refs
	watch   func() bool                          // stops the context watch
	flights []*flight                            // HTTP calls in flight through Transport
	base    atomic.Pointer[[]attribute.KeyValue] // id and the chosen refs
}

type ctxKey struct{}

// FromContext returns the operation ctx carries, or nil (also for a nil
// context, or one whose Value method panics).
func FromContext(ctx context.Context) *Operation {
	o, _ := ctxValue(ctx, ctxKey{}).(*Operation)
	return o
}

// ctxValue is ctx.Value(key), nil for a nil or panicking context.
func ctxValue(ctx context.Context, key any) (v any) {
	if ctx == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			v = nil
		}
	}()
	return ctx.Value(key)
}

// StartOption configures one [Tracker.Start].
type StartOption func(*startConfig)

type startConfig struct {
	waiting bool
	attrs   []attribute.KeyValue
	at      time.Time
}

// StartWaiting starts the operation in the [Waiting] state (queued, say);
// [Operation.Run] moves it to [Running]. Default: Running.
func StartWaiting() StartOption { return func(c *startConfig) { c.waiting = true } }

// WithAttributes adds attributes to the span and to the start record. The
// tracker's registered secrets are erased from them, then they are made
// valid UTF-8 and cut to the default [logrecord.Limits] at Start;
// a reserved key ("oplog." and so on, see [logrecord.KeyReservedPrefix]) is
// renamed with [logrecord.KeyUserPrefix], so it cannot pass for the
// operation's own.
func WithAttributes(attrs ...attribute.KeyValue) StartOption {
	return func(c *startConfig) { c.attrs = append(c.attrs, attrs...) }
}

// At sets the start time. Default: now.
func At(t time.Time) StartOption { return func(c *startConfig) { c.at = t } }

// Start starts an operation: a span named "type.action", child of the span
// in ctx if any, and a start record (event oplog.operation.start). The
// returned context carries the operation and its span; pass it to the code
// that works for the operation. When ctx is cancelled or passes its
// deadline before the operation ends, the operation ends itself as
// [Cancelled] or [Timeout]. A nil ctx means context.Background(); a nil
// option is ignored. The kind and references are made valid UTF-8 and cut
// to the default [logrecord.Limits] here, once: [Operation.Kind] and
// [Operation.Refs] return them as recorded. A nil *Tracker is the default
// tracker.
func (t *Tracker) Start(ctx context.Context, kind Kind, refs Refs, opts ...StartOption) (context.Context, *Operation) {
	if t == nil {
		t = defaultTracker
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var panics []any
	var cfg startConfig
	for _, opt := range opts {
		if opt != nil {
			if p := try(func() { opt(&cfg) }); p != nil {
				panics = append(panics, p)
			}
		}
	}
	if cfg.at.IsZero() {
		cfg.at = time.Now()
	}
	kind, refs = kind.sanitize(), refs.sanitize()
	o := &Operation{t: t, logger: t.logger(), id: newID(cfg.at), kind: kind, start: cfg.at, refs: refs, endDone: make(chan struct{})}
	o.min.Store(int32(t.min))
	state := Running
	if cfg.waiting {
		state = Waiting
	}
	o.state.Store(int32(state))
	o.rebuildBase()

	spanAttrs := appendAttrs(nil, o.id, kind, refs, AllFields)
	n := len(spanAttrs)
	// The tracker's secrets are erased before the values are cut, so none
	// straddles the cut half erased.
	spanAttrs = append(spanAttrs, fastpath.RenameReserved(sanitizeAttrs(fastpath.EraseSecrets(t.rules(), cfg.attrs)))...)
	if p := try(func() {
		ctx, o.span = t.tracer().Start(ctx, kind.String(),
			trace.WithTimestamp(cfg.at), trace.WithAttributes(spanAttrs...), trace.WithSpanKind(trace.SpanKindInternal))
	}); p != nil {
		panics = append(panics, p)
	}
	if o.span == nil { // a provider that panicked or returned no span
		o.span = trace.SpanFromContext(context.Background())
	}
	o.ctx = trace.ContextWithSpan(context.Background(), o.span)

	tgt := o.internalTarget("Start", spanAttrs[:n])
	tgt.Emit(&fastpath.Record{
		Timestamp:    cfg.at,
		Severity:     severity.Info.OTel(),
		SeverityText: severity.Info.String(),
		Body:         attribute.StringValue(kind.String() + " started"),
		EventName:    logrecord.EventOperationStart,
	}, sourceInternal, typeLog, []attribute.KeyValue{attribute.String(logrecord.KeyOperationState, state.String())}, nil, spanAttrs[n:])

	if p := try(func() {
		o.done = ctx.Done()
		stop := context.AfterFunc(ctx, func() {
			// This runs on a goroutine of its own: nothing in it may panic.
			if fastpath.Is(ctxErr(ctx), context.DeadlineExceeded) {
				o.end("Start", Timeout, context.DeadlineExceeded)
			} else {
				o.end("Start", Cancelled, context.Canceled)
			}
		})
		o.mu.Lock()
		o.watch = stop
		o.mu.Unlock()
	}); p != nil {
		panics = append(panics, p)
	}
	for _, p := range panics {
		tgt.EmitPanic(p)
	}
	return context.WithValue(ctx, ctxKey{}, o), o
}

// ctxErr is ctx.Err(), context.Canceled when Err panics.
func ctxErr(ctx context.Context) (err error) {
	defer func() {
		if recover() != nil {
			err = context.Canceled
		}
	}()
	return ctx.Err()
}

// try runs f and returns what it panicked with, if it did.
func try(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}

// sanitizeAttrs returns attrs valid and within the default limits: a copy
// if anything changed.
func sanitizeAttrs(attrs []attribute.KeyValue) []attribute.KeyValue {
	out := attrs
	copied := false
	for i, kv := range attrs {
		if s, changed := (logrecord.Limits{}).SanitizeKeyValue(kv); changed {
			if !copied {
				out, copied = append([]attribute.KeyValue(nil), attrs...), true
			}
			out[i] = s
		}
	}
	return out
}

func (o *Operation) rebuildBase() {
	base := appendAttrs(make([]attribute.KeyValue, 0, 8), o.id, o.kind, o.refs, o.t.fields)
	o.base.Store(&base)
}

// live reports whether o was made by Start: nil and zero handles do nothing.
func (o *Operation) live() bool { return o != nil && o.logger != nil }

// ID returns the operation's id: 26 characters, sortable by start time, the
// same on its span and every record ("" for nil).
func (o *Operation) ID() string {
	if !o.live() {
		return ""
	}
	return o.id
}

// Kind returns what the operation does, as recorded (see [Tracker.Start]).
func (o *Operation) Kind() Kind {
	if !o.live() {
		return Kind{}
	}
	return o.kind
}

// Refs returns what the operation is about, enrichments included, as
// recorded (see [Tracker.Start]).
func (o *Operation) Refs() Refs {
	if !o.live() {
		return Refs{}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.refs
}

// State returns where the operation is ([Waiting] for nil).
func (o *Operation) State() State {
	if !o.live() {
		return Waiting
	}
	return State(o.state.Load())
}

// Duration returns how long the operation took, or has taken so far (0 for
// nil).
func (o *Operation) Duration() time.Duration {
	if !o.live() {
		return 0
	}
	if end := o.ended.Load(); end != 0 {
		return time.Unix(0, end).Sub(o.start)
	}
	return time.Since(o.start)
}

// SpanContext returns the span context of the operation's span (the zero
// one for nil, or when the tracer provider's span panics).
func (o *Operation) SpanContext() (sc trace.SpanContext) {
	if !o.live() {
		return trace.SpanContext{}
	}
	defer func() {
		if p := recover(); p != nil {
			sc = trace.SpanContext{}
			o.panicked("SpanContext", p)
		}
	}()
	return o.span.SpanContext()
}

// Enrich fills references known only later (the connection id after auth,
// say): non-empty fields of refs replace the operation's. They go on the
// span and on every later record, made valid and cut as at Start.
func (o *Operation) Enrich(refs Refs) {
	if !o.live() {
		return
	}
	refs = refs.sanitize()
	o.mu.Lock()
	o.refs = o.refs.merge(refs)
	o.rebuildBase()
	o.mu.Unlock()
	defer o.guard("Enrich")
	o.span.SetAttributes(appendAttrs(nil, o.id, o.kind, refs, AllFields&^FieldKind)[1:]...)
}

// SetLevel drops this operation's messages below s. It cannot go below the
// tracker's minimum.
func (o *Operation) SetLevel(s severity.Severity) {
	if !o.live() {
		return
	}
	o.min.Store(int32(max(s, o.t.min)))
}

// Run moves a [Waiting] operation to [Running].
func (o *Operation) Run() {
	if o.live() {
		o.state.CompareAndSwap(int32(Waiting), int32(Running))
	}
}

// Succeed ends the operation as [Success].
func (o *Operation) Succeed() { o.end("Succeed", Success, nil) }

// Fail ends the operation as [Failed]; err gives the exception attributes
// of the end record and the span's exception event. A nil err reads
// "operation failed".
func (o *Operation) Fail(err error) {
	if err == nil {
		err = errors.New("operation failed")
	}
	o.end("Fail", Failed, err)
}

// Cancel ends the operation as [Cancelled].
func (o *Operation) Cancel() { o.end("Cancel", Cancelled, context.Canceled) }

// Timeout ends the operation as [Timeout].
func (o *Operation) Timeout() { o.end("Timeout", Timeout, context.DeadlineExceeded) }

// End ends the operation by err: nil is [Success], context.Canceled
// [Cancelled], context.DeadlineExceeded [Timeout], anything else [Failed]
// (a typed nil pointer is not nil: it is a failure, whose text is
// "<nil>" when its Error method cannot run; an error whose Is or Unwrap
// panics, or whose Unwrap chain is a cycle, is a failure). Only the first ending call counts; later ones do
// nothing but wait (up to 100 ms) until its end record is emitted, so when
// any ending call returns, the end record is on its way, even if the
// context's deadline ended the operation concurrently.
//
//	defer func() { op.End(err) }()
func (o *Operation) End(err error) {
	switch {
	case err == nil:
		o.end("End", Success, nil)
	case fastpath.Is(err, context.Canceled):
		o.end("End", Cancelled, err)
	case fastpath.Is(err, context.DeadlineExceeded):
		o.end("End", Timeout, err)
	default:
		o.end("End", Failed, err)
	}
}

func (o *Operation) end(method string, st State, err error) {
	if !o.live() {
		return
	}
	// The state changes under mu, so that a call through Transport that
	// finishes meanwhile is either in the snapshot of flights or not
	// removed before it (see finishFlight).
	o.mu.Lock()
	for {
		cur := o.state.Load()
		if State(cur).Terminal() {
			o.mu.Unlock()
			o.awaitEnd()
			return
		}
		if o.state.CompareAndSwap(cur, int32(st)) {
			break
		}
	}
	if o.endDone != nil {
		defer close(o.endDone)
	}
	now := time.Now()
	o.ended.Store(now.UnixNano())
	stop, flights := o.watch, o.flightTexts()
	o.mu.Unlock()
	if stop != nil {
		stop()
	}
	refs := o.Refs()
	t := o.internalTarget(method, appendAttrs(nil, o.id, o.kind, refs, AllFields))
	defer t.Guard()

	dur := now.Sub(o.start)
	lead := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationState, st.String()),
		attribute.Int64(logrecord.KeyOperationDurationMS, dur.Milliseconds()),
	}
	spanAttrs := lead
	// The end record leads with the state, the duration, the calls in
	// flight and the exception's type and message: what decides the
	// operation's outcome survives the tightest attribute count limit.
	if len(flights) > 0 {
		lead = append(lead, attribute.StringSlice(logrecord.KeyOperationHTTPInFlight, capKeys(flights)))
	}
	var exc []attribute.KeyValue
	sev, body := severity.Info, o.kind.String()+" "+st.String()
	if st == Failed {
		exc = fastpath.AppendException(nil, err, o.t.rules(), false)
		sev, body = severity.Error, body+": "+exc[1].Value.AsString()
	} else if st != Success {
		sev = severity.Warn
	}
	if len(flights) > 0 {
		named := flights[:min(len(flights), flightsInBody)]
		body += " (HTTP in flight: " + strings.Join(named, ", ")
		if more := len(flights) - len(named); more > 0 {
			body += " and " + strconv.Itoa(more) + " more"
		}
		body += ")"
	}
	o.onSpan(method, func(span trace.Span) {
		span.SetAttributes(spanAttrs...)
		switch st {
		case Success:
			span.SetStatus(codes.Ok, "")
		case Failed:
			span.AddEvent("exception", trace.WithAttributes(exc...), trace.WithTimestamp(now))
			span.SetStatus(codes.Error, exc[1].Value.AsString())
		default:
			span.SetStatus(codes.Error, st.String())
		}
	})
	t.Emit(&fastpath.Record{
		Timestamp:    now,
		Severity:     sev.OTel(),
		SeverityText: sev.String(),
		Body:         attribute.StringValue(body),
		EventName:    logrecord.EventOperationEnd,
	}, sourceInternal, typeLog, append(lead, exc[:min(len(exc), 2)]...), exc[min(len(exc), 2):], nil)
	o.onSpan(method, func(span trace.Span) { span.End(trace.WithTimestamp(now)) })
}

// endWait bounds how long a losing ending call waits for the winner's end
// record: microseconds in practice; the bound only matters if the winner is
// held by a slow synchronous processor, or ends the operation again from
// inside its own end (a processor that calls End).
const endWait = 100 * time.Millisecond

// awaitEnd waits, up to endWait, until the call that ended the operation
// has emitted its end record and ended its span, so that whoever returns
// from an ending call (and then shuts the pipeline down, say) knows the end
// record is on its way, even when the context's watch ended the operation
// concurrently.
func (o *Operation) awaitEnd() {
	if o.endDone == nil {
		return
	}
	select {
	case <-o.endDone:
		return
	default:
	}
	t := time.NewTimer(endWait)
	defer t.Stop()
	select {
	case <-o.endDone:
	case <-t.C:
	}
}

// onSpan calls f on the operation's span, recovering a panic of the tracer
// provider's span.
func (o *Operation) onSpan(method string, f func(trace.Span)) {
	defer o.guard(method)
	f(o.span)
}

var (
	sourceUser     = attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser)
	sourceInternal = attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal)
	typeLog        = attribute.String(logrecord.KeyMessageType, logrecord.TypeLog)
	typeHTTP       = attribute.String(logrecord.KeyMessageType, logrecord.TypeHTTP)
	typeSync       = attribute.String(logrecord.KeyMessageType, logrecord.TypeSyncResult)
)

// enabled is the cached-threshold check every message starts with.
func (o *Operation) enabled(s severity.Severity) bool {
	return o != nil && o.logger != nil && int32(s) >= o.min.Load()
}

// target is where a message of function code logged in ctx goes.
func (o *Operation) target(ctx context.Context, method string) fastpath.Target {
	return fastpath.Target{
		Logger:   o.logger,
		Ctx:      ctx,
		OpCtx:    o.ctx,
		Base:     *o.base.Load(),
		Late:     State(o.state.Load()).Terminal(),
		Redactor: o.t.rules(),
		Method:   method,
	}
}

// internalTarget is where a record of the platform (start, end) goes, with
// base as its operation attributes. These records are emitted whatever the
// operation's level, as log-only backends find operations by them; the
// export pipeline's minimum still applies.
func (o *Operation) internalTarget(method string, base []attribute.KeyValue) fastpath.Target {
	return fastpath.Target{Logger: o.logger, OpCtx: o.ctx, Base: base, Redactor: o.t.rules(), Method: method}
}

// guard, deferred, turns a panic into a PANIC record of the operation.
func (o *Operation) guard(method string) {
	if p := recover(); p != nil {
		o.panicked(method, p)
	}
}

func (o *Operation) panicked(method string, p any) {
	t := o.target(o.ctx, method)
	t.EmitPanic(p)
}

// emit builds and emits one record of function code.
func (o *Operation) emit(ctx context.Context, method string, sev severity.Severity, body attribute.Value, event string, msgType attribute.KeyValue, lead, tail, attrs []attribute.KeyValue) {
	t := o.target(ctx, method)
	t.Emit(&fastpath.Record{
		Timestamp:    time.Now(),
		Severity:     sev.OTel(),
		SeverityText: sev.String(),
		Body:         body,
		EventName:    event,
	}, sourceUser, msgType, lead, tail, attrs)
}

// Trace logs msg at [severity.Trace].
func (o *Operation) Trace(msg string, attrs ...attribute.KeyValue) {
	o.message("Trace", severity.Trace, msg, attrs)
}

// Debug logs msg at [severity.Debug].
func (o *Operation) Debug(msg string, attrs ...attribute.KeyValue) {
	o.message("Debug", severity.Debug, msg, attrs)
}

// Info logs msg at [severity.Info].
func (o *Operation) Info(msg string, attrs ...attribute.KeyValue) {
	o.message("Info", severity.Info, msg, attrs)
}

// Warn logs msg at [severity.Warn].
func (o *Operation) Warn(msg string, attrs ...attribute.KeyValue) {
	o.message("Warn", severity.Warn, msg, attrs)
}

// Error logs msg at [severity.Error]. To log an error value with its
// exception attributes, use [Operation.LogError].
func (o *Operation) Error(msg string, attrs ...attribute.KeyValue) {
	o.message("Error", severity.Error, msg, attrs)
}

// Fatal logs msg at [severity.Fatal]. It does not end the operation or the
// program.
func (o *Operation) Fatal(msg string, attrs ...attribute.KeyValue) {
	o.message("Fatal", severity.Fatal, msg, attrs)
}

func (o *Operation) message(method string, sev severity.Severity, msg string, attrs []attribute.KeyValue) {
	if !o.enabled(sev) {
		return
	}
	o.emit(o.ctx, method, sev, attribute.StringValue(msg), "", typeLog, nil, nil, attrs)
}

// Log logs a record of any severity and any body (see [logrecord.Value] to
// build one from a Go value). When ctx holds a span of the operation's
// trace (a child span of the operation), the record carries that span's id.
func (o *Operation) Log(ctx context.Context, sev severity.Severity, body attribute.Value, attrs ...attribute.KeyValue) {
	if !o.enabled(sev) {
		return
	}
	o.emit(ctx, "Log", sev, body, "", typeLog, nil, nil, attrs)
}

// Emit emits a record built by the caller, such as a bridge from another
// logging API, as a message of the operation: the record keeps its
// timestamp, severity, body, event name and attributes, and gains the
// operation's id and references, oplog.message.source=user and the
// correlation of [Operation.Log]. Below the operation's level it does
// nothing. Its attributes with reserved keys are renamed as every user
// attribute is (see the package documentation), and so is a reserved event
// name: a caller's "oplog.operation.end" arrives as
// "user.oplog.operation.end", so that no record passes for one of the
// operation's own events.
func (o *Operation) Emit(ctx context.Context, r log.Record) {
	if !o.enabled(severity.FromOTel(r.Severity())) {
		return
	}
	fr := fastpath.Record{
		Timestamp:    r.Timestamp(),
		Severity:     r.Severity(),
		SeverityText: r.SeverityText(),
		Body:         r.Body(),
		EventName:    r.EventName(),
	}
	if fastpath.Reserved(fr.EventName) {
		fr.EventName = logrecord.KeyUserPrefix + fr.EventName
	}
	if fr.Timestamp.IsZero() {
		fr.Timestamp = time.Now()
	}
	var buf [16]attribute.KeyValue
	attrs := buf[:0]
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = append(attrs, kv)
		return true
	})
	t := o.target(ctx, "Emit")
	t.Emit(&fr, sourceUser, typeLog, nil, nil, attrs)
}

func init() {
	fastpath.OperationTarget = func(op any, ctx context.Context, sev log.Severity) (fastpath.Target, bool) {
		o, _ := op.(*Operation)
		if !o.enabled(severity.FromOTel(sev)) {
			return fastpath.Target{}, false
		}
		return o.target(ctx, "Handle"), true
	}
}

// Enabled reports whether a message of severity s would be emitted: the
// cached-threshold check every message method makes first.
func (o *Operation) Enabled(s severity.Severity) bool { return o.enabled(s) }

// LogError logs err at [severity.Error]: the body is its text and the
// record carries exception.type, exception.message and, when err has a
// stack, exception.stacktrace. Texts are redacted by the tracker's rules
// (errors of net/http quote URLs) before they are cut to the limits.
func (o *Operation) LogError(err error, attrs ...attribute.KeyValue) {
	if !o.enabled(severity.Error) || err == nil {
		return
	}
	exc := fastpath.AppendException(nil, err, o.t.rules(), false)
	o.emit(o.ctx, "LogError", severity.Error, exc[1].Value, "", typeLog, nil, exc, attrs)
}

// flightsInBody bounds the HTTP calls in flight an end record's body names;
// its attribute names up to keyCap.
const flightsInBody = 3

// keyCap bounds the key lists of a sync result message.
const keyCap = 100

// SyncResult is what one sync run did to one model.
type SyncResult struct {
	Model                               string
	Added, Updated, Unchanged, Deleted  int
	AddedKeys, UpdatedKeys, DeletedKeys []string // the first 100 of each are logged
}

// SyncResult logs a typed message (event oplog.sync.result) with the
// counts and the first keys of each list, at [severity.Info].
func (o *Operation) SyncResult(r SyncResult) {
	if !o.enabled(severity.Info) {
		return
	}
	attrs := []attribute.KeyValue{
		attribute.String(logrecord.KeySyncModel, r.Model),
		attribute.Int(logrecord.KeySyncAdded, r.Added),
		attribute.Int(logrecord.KeySyncUpdated, r.Updated),
		attribute.Int(logrecord.KeySyncUnchanged, r.Unchanged),
		attribute.Int(logrecord.KeySyncDeleted, r.Deleted),
	}
	for _, l := range []struct {
		key  string
		keys []string
	}{{logrecord.KeySyncAddedKeys, r.AddedKeys}, {logrecord.KeySyncUpdatedKeys, r.UpdatedKeys}, {logrecord.KeySyncDeletedKeys, r.DeletedKeys}} {
		if len(l.keys) > 0 {
			attrs = append(attrs, attribute.StringSlice(l.key, capKeys(l.keys)))
		}
	}
	body := r.Model + ": " + strconv.Itoa(r.Added) + " added, " + strconv.Itoa(r.Updated) + " updated, " +
		strconv.Itoa(r.Unchanged) + " unchanged, " + strconv.Itoa(r.Deleted) + " deleted"
	// The model and counts lead; the key lists, long, follow the references.
	o.emit(o.ctx, "SyncResult", severity.Info, attribute.StringValue(body), logrecord.EventSyncResult, typeSync, attrs[:5], attrs[5:], nil)
}

func capKeys(keys []string) []string {
	if len(keys) <= keyCap {
		return keys
	}
	out := append([]string(nil), keys[:keyCap]...)
	return append(out, "…[+"+strconv.Itoa(len(keys)-keyCap)+" more]")
}
