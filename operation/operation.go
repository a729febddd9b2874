package operation

import (
	"context"
	"errors"
	"strconv"
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
// correlated to its span. A nil *Operation is a valid handle that does
// nothing, so code can log through [FromContext] without checking. All
// methods are safe for concurrent use; none returns an error, blocks on I/O
// or panics.
type Operation struct {
	t      *Tracker
	logger *fastpath.Logger
	span   trace.Span
	ctx    context.Context // carries the span only: what records are emitted with
	id     string
	kind   Kind
	start  time.Time

	min   atomic.Int32 // effective minimum severity
	state atomic.Int32
	ended atomic.Int64 // end time, Unix ns; 0 while open

	mu    sync.Mutex // guards refs and watch
	refs  Refs
	watch func() bool                          // stops the context watch
	base  atomic.Pointer[[]attribute.KeyValue] // id and the chosen refs
}

type ctxKey struct{}

// FromContext returns the operation ctx carries, or nil.
func FromContext(ctx context.Context) *Operation {
	o, _ := ctx.Value(ctxKey{}).(*Operation)
	return o
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

// WithAttributes adds attributes to the span and to the start record.
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
// [Cancelled] or [Timeout].
func (t *Tracker) Start(ctx context.Context, kind Kind, refs Refs, opts ...StartOption) (context.Context, *Operation) {
	var cfg startConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.at.IsZero() {
		cfg.at = time.Now()
	}
	o := &Operation{t: t, logger: t.logger(), id: newID(cfg.at), kind: kind, start: cfg.at, refs: refs}
	o.min.Store(int32(t.min))
	state := Running
	if cfg.waiting {
		state = Waiting
	}
	o.state.Store(int32(state))
	o.rebuildBase()

	spanAttrs := appendAttrs(nil, o.id, kind, refs, AllFields)
	spanAttrs = append(spanAttrs, cfg.attrs...)
	ctx, o.span = t.tracer().Start(ctx, kind.String(),
		trace.WithTimestamp(cfg.at), trace.WithAttributes(spanAttrs...), trace.WithSpanKind(trace.SpanKindInternal))
	o.ctx = trace.ContextWithSpan(context.Background(), o.span)

	startAttrs := append(spanAttrs, attribute.String(logrecord.KeyOperationState, state.String()))
	o.emitInternal(severity.Info, kind.String()+" started", logrecord.EventOperationStart, cfg.at, startAttrs)

	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			o.end(Timeout, context.DeadlineExceeded)
		} else {
			o.end(Cancelled, context.Canceled)
		}
	})
	o.mu.Lock()
	o.watch = stop
	o.mu.Unlock()
	return context.WithValue(ctx, ctxKey{}, o), o
}

func (o *Operation) rebuildBase() {
	base := appendAttrs(make([]attribute.KeyValue, 0, 8), o.id, o.kind, o.refs, o.t.fields)
	o.base.Store(&base)
}

// ID returns the operation's id: 26 characters, sortable by start time, the
// same on its span and every record ("" for nil).
func (o *Operation) ID() string {
	if o == nil {
		return ""
	}
	return o.id
}

// Kind returns what the operation does.
func (o *Operation) Kind() Kind {
	if o == nil {
		return Kind{}
	}
	return o.kind
}

// Refs returns what the operation is about, enrichments included.
func (o *Operation) Refs() Refs {
	if o == nil {
		return Refs{}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.refs
}

// State returns where the operation is.
func (o *Operation) State() State {
	if o == nil {
		return Waiting
	}
	return State(o.state.Load())
}

// Duration returns how long the operation took, or has taken so far.
func (o *Operation) Duration() time.Duration {
	if o == nil {
		return 0
	}
	if end := o.ended.Load(); end != 0 {
		return time.Unix(0, end).Sub(o.start)
	}
	return time.Since(o.start)
}

// SpanContext returns the span context of the operation's span.
func (o *Operation) SpanContext() trace.SpanContext {
	if o == nil {
		return trace.SpanContext{}
	}
	return o.span.SpanContext()
}

// Enrich fills references known only later (the connection id after auth,
// say): non-empty fields of refs replace the operation's. They go on the
// span and on every later record.
func (o *Operation) Enrich(refs Refs) {
	if o == nil {
		return
	}
	o.mu.Lock()
	o.refs = o.refs.merge(refs)
	o.rebuildBase()
	o.mu.Unlock()
	o.span.SetAttributes(appendAttrs(nil, o.id, o.kind, refs, AllFields&^FieldKind)[1:]...)
}

// SetLevel drops this operation's messages below s. It cannot go below the
// tracker's minimum.
func (o *Operation) SetLevel(s severity.Severity) {
	if o == nil {
		return
	}
	o.min.Store(int32(max(s, o.t.min)))
}

// Run moves a [Waiting] operation to [Running].
func (o *Operation) Run() {
	if o != nil {
		o.state.CompareAndSwap(int32(Waiting), int32(Running))
	}
}

// Succeed ends the operation as [Success].
func (o *Operation) Succeed() { o.end(Success, nil) }

// Fail ends the operation as [Failed]; err gives the exception attributes
// of the end record and the span's exception event.
func (o *Operation) Fail(err error) {
	if err == nil {
		err = errors.New("operation failed")
	}
	o.end(Failed, err)
}

// Cancel ends the operation as [Cancelled].
func (o *Operation) Cancel() { o.end(Cancelled, context.Canceled) }

// Timeout ends the operation as [Timeout].
func (o *Operation) Timeout() { o.end(Timeout, context.DeadlineExceeded) }

// End ends the operation by err: nil is [Success], context.Canceled
// [Cancelled], context.DeadlineExceeded [Timeout], anything else [Failed].
// Only the first ending call counts; later ones do nothing.
//
//	defer func() { op.End(err) }()
func (o *Operation) End(err error) {
	switch {
	case err == nil:
		o.end(Success, nil)
	case errors.Is(err, context.Canceled):
		o.end(Cancelled, err)
	case errors.Is(err, context.DeadlineExceeded):
		o.end(Timeout, err)
	default:
		o.end(Failed, err)
	}
}

func (o *Operation) end(st State, err error) {
	if o == nil {
		return
	}
	for {
		cur := o.state.Load()
		if State(cur).Terminal() {
			return
		}
		if o.state.CompareAndSwap(cur, int32(st)) {
			break
		}
	}
	now := time.Now()
	o.ended.Store(now.UnixNano())
	o.mu.Lock()
	stop := o.watch
	o.mu.Unlock()
	if stop != nil {
		stop()
	}
	dur := now.Sub(o.start)
	attrs := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationState, st.String()),
		attribute.Int64(logrecord.KeyOperationDurationMS, dur.Milliseconds()),
	}
	o.span.SetAttributes(attrs...)
	sev, body := severity.Info, o.kind.String()+" "+st.String()
	switch st {
	case Success:
		o.span.SetStatus(codes.Ok, "")
	case Failed:
		exc := o.exception(err)
		o.span.AddEvent("exception", trace.WithAttributes(exc...), trace.WithTimestamp(now))
		msg := exc[1].Value.AsString()
		o.span.SetStatus(codes.Error, msg)
		attrs = append(attrs, exc...)
		sev, body = severity.Error, body+": "+msg
	default:
		o.span.SetStatus(codes.Error, st.String())
		sev = severity.Warn
	}
	refs := o.Refs()
	endAttrs := appendAttrs(nil, o.id, o.kind, refs, AllFields)
	o.emitInternal(sev, body, logrecord.EventOperationEnd, now, append(endAttrs, attrs...))
	o.span.End(trace.WithTimestamp(now))
}

// exception returns err's exception attributes with the texts redacted:
// errors of net/http quote the full URL, tokens included.
func (o *Operation) exception(err error) []attribute.KeyValue {
	exc := logrecord.Exception(err)
	for i, kv := range exc {
		if kv.Key == logrecord.KeyExceptionMessage || kv.Key == logrecord.KeyExceptionStacktrace {
			exc[i].Value = attribute.StringValue(o.t.redactor.Text(kv.Value.AsString()))
		}
	}
	return exc
}

var (
	sourceUser     = attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser)
	sourceInternal = attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal)
	typeLog        = attribute.String(logrecord.KeyMessageType, logrecord.TypeLog)
	typeHTTP       = attribute.String(logrecord.KeyMessageType, logrecord.TypeHTTP)
	typeSync       = attribute.String(logrecord.KeyMessageType, logrecord.TypeSyncResult)
	late           = attribute.Bool(logrecord.KeyMessageLate, true)
)

// enabled is the cached-threshold check every message starts with.
func (o *Operation) enabled(s severity.Severity) bool {
	return o != nil && int32(s) >= o.min.Load()
}

// emit builds and emits one record of function code.
func (o *Operation) emit(ctx context.Context, sev severity.Severity, body attribute.Value, event string, msgType attribute.KeyValue, attrs []attribute.KeyValue) {
	o.send(ctx, &fastpath.Record{
		Timestamp:    time.Now(),
		Severity:     sev.OTel(),
		SeverityText: sev.String(),
		Body:         body,
		EventName:    event,
	}, attrs, msgType)
}

// send adds what every record of function code carries, the operation's id
// and references, its source and type, the late mark, and emits it
// correlated to the operation. attrs is not changed: the record gets a
// copy.
func (o *Operation) send(ctx context.Context, r *fastpath.Record, attrs []attribute.KeyValue, msgType attribute.KeyValue) {
	base := *o.base.Load()
	var buf [24]attribute.KeyValue
	all := append(append(buf[:0], attrs...), base...)
	all = append(all, sourceUser, msgType)
	if State(o.state.Load()).Terminal() {
		all = append(all, late)
	}
	o.logger.Emit(o.emitContext(ctx), r, all)
}

// emitContext is the operation's span context, or the span in ctx when it
// belongs to the operation's trace (a child span of the operation).
func (o *Operation) emitContext(ctx context.Context) context.Context {
	if ctx != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() && sc.TraceID() == o.span.SpanContext().TraceID() {
			return ctx
		}
	}
	return o.ctx
}

// emitInternal emits a record of the platform: start, end. They are
// emitted whatever the operation's level, as log-only backends find
// operations by them; the export pipeline's minimum still applies.
func (o *Operation) emitInternal(sev severity.Severity, body, event string, at time.Time, attrs []attribute.KeyValue) {
	o.logger.Emit(o.ctx, &fastpath.Record{
		Timestamp:    at,
		Severity:     sev.OTel(),
		SeverityText: sev.String(),
		Body:         attribute.StringValue(body),
		EventName:    event,
	}, append(attrs, sourceInternal, typeLog))
}

// Trace logs msg at [severity.Trace].
func (o *Operation) Trace(msg string, attrs ...attribute.KeyValue) {
	o.message(severity.Trace, msg, attrs)
}

// Debug logs msg at [severity.Debug].
func (o *Operation) Debug(msg string, attrs ...attribute.KeyValue) {
	o.message(severity.Debug, msg, attrs)
}

// Info logs msg at [severity.Info].
func (o *Operation) Info(msg string, attrs ...attribute.KeyValue) {
	o.message(severity.Info, msg, attrs)
}

// Warn logs msg at [severity.Warn].
func (o *Operation) Warn(msg string, attrs ...attribute.KeyValue) {
	o.message(severity.Warn, msg, attrs)
}

// Error logs msg at [severity.Error]. To log an error value with its
// exception attributes, use [Operation.LogError].
func (o *Operation) Error(msg string, attrs ...attribute.KeyValue) {
	o.message(severity.Error, msg, attrs)
}

// Fatal logs msg at [severity.Fatal]. It does not end the operation or the
// program.
func (o *Operation) Fatal(msg string, attrs ...attribute.KeyValue) {
	o.message(severity.Fatal, msg, attrs)
}

func (o *Operation) message(sev severity.Severity, msg string, attrs []attribute.KeyValue) {
	if !o.enabled(sev) {
		return
	}
	o.emit(o.ctx, sev, attribute.StringValue(msg), "", typeLog, attrs)
}

// Log logs a record of any severity and any body (see [logrecord.Value] to
// build one from a Go value). When ctx holds a span of the operation's
// trace (a child span of the operation), the record carries that span's id.
func (o *Operation) Log(ctx context.Context, sev severity.Severity, body attribute.Value, attrs ...attribute.KeyValue) {
	if !o.enabled(sev) {
		return
	}
	o.emit(ctx, sev, body, "", typeLog, attrs)
}

// Emit emits a record built by the caller, such as a bridge from another
// logging API, as a message of the operation: the record keeps its
// timestamp, severity, body, event name and attributes, and gains the
// operation's id and references, oplog.message.source=user and the
// correlation of [Operation.Log]. Below the operation's level it does
// nothing.
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
	if fr.Timestamp.IsZero() {
		fr.Timestamp = time.Now()
	}
	var buf [16]attribute.KeyValue
	attrs := buf[:0]
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = append(attrs, kv)
		return true
	})
	o.send(ctx, &fr, attrs, typeLog)
}

func init() {
	fastpath.OperationTarget = func(op any, ctx context.Context, sev log.Severity) (*fastpath.Logger, context.Context, []attribute.KeyValue, bool, bool) {
		o := op.(*Operation)
		if !o.enabled(severity.FromOTel(sev)) {
			return nil, nil, nil, false, false
		}
		return o.logger, o.emitContext(ctx), *o.base.Load(), State(o.state.Load()).Terminal(), true
	}
}

// Enabled reports whether a message of severity s would be emitted: the
// cached-threshold check every message method makes first.
func (o *Operation) Enabled(s severity.Severity) bool { return o.enabled(s) }

// LogError logs err at [severity.Error]: the body is its text and the
// record carries exception.type, exception.message and, when err has a
// stack, exception.stacktrace. Texts are redacted (errors of net/http
// quote URLs).
func (o *Operation) LogError(err error, attrs ...attribute.KeyValue) {
	if !o.enabled(severity.Error) || err == nil {
		return
	}
	exc := o.exception(err)
	o.emit(o.ctx, severity.Error, exc[1].Value, "", typeLog, append(exc, attrs...))
}

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
	o.emit(o.ctx, severity.Info, attribute.StringValue(body), logrecord.EventSyncResult, typeSync, attrs)
}

func capKeys(keys []string) []string {
	if len(keys) <= keyCap {
		return keys
	}
	out := append([]string(nil), keys[:keyCap]...)
	return append(out, "…[+"+strconv.Itoa(len(keys)-keyCap)+" more]")
}
