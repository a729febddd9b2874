// Package fastpath carries oplog's own records (those of the operation and
// bridge packages) into oplog's own export pipeline without the SDK's
// per-record rebuild.
//
// Through the OTel API, a record is built twice: once as a log.Record by
// the caller, then again by the SDK logger, which adds the attributes one at
// a time to an sdk/log Record (its slice grows, and reallocates, four or
// five times for a dozen attributes). When the provider is one built by
// export.Setup, the pipeline registers itself here, and a [Logger] for that
// provider fills a copy of a template sdk/log Record (resource, scope and
// limits set by the SDK) with all the attributes at once and hands it to
// the pipeline's processor. Any other provider is used through the OTel
// API, unchanged.
//
// A record sent this way can also say that its composite values (slices,
// maps) were built by logrecord within the default limits ([Record.Clean]),
// so the pipeline need not walk them again: reading an otel slice or map
// value copies it.
//
// [Target.Emit] is the emit core of the operation package and the bridge:
// every record either emits is assembled there (oplog's attributes first,
// reserved user keys renamed, correlation, late mark, panics recovered).
package fastpath

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/noop"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"
)

// Record is what oplog's producers emit, but for the attributes, which
// travel beside it: a slice inside a struct passed by pointer would make the
// caller's stack buffer escape to the heap.
type Record struct {
	Timestamp    time.Time
	Severity     log.Severity
	SeverityText string
	Body         attribute.Value
	EventName    string
	// Clean reports that every slice and map value in the attributes was built by
	// logrecord (or oplog itself) within the default limits.
	Clean bool
}

// OperationTarget is set by package operation. For op, an
// *operation.Operation, and a message of severity sev logged in ctx, it
// reports whether op takes the message (ok) and, if so, the [Target] to
// emit it with: the operation's logger, correlation, attributes, late mark
// and redactor. The bridge emits through it with [Target.Emit], the core
// operation uses itself. A function variable, since operation cannot be
// imported from here, that returns what to do rather than doing it, so the
// bridge's stack buffers do not escape through an indirect call.
var OperationTarget func(op any, ctx context.Context, sev log.Severity) (t Target, ok bool)

// EmitFunc is a pipeline's entry for records sent through the fast path.
// The record is passed by value: through a pointer, the indirect call would
// move every record to the heap.
type EmitFunc func(r sdklog.Record, clean bool)

// Pipeline is what export.Setup registers for its provider.
type Pipeline struct {
	Provider *sdklog.LoggerProvider
	Emit     EmitFunc
}

var pipelines sync.Map // *sdklog.LoggerProvider → *Pipeline

// Register makes p's provider use the fast path for loggers made after it.
func Register(p *Pipeline) { pipelines.Store(p.Provider, p) }

// Unregister stops new loggers of provider from using the fast path;
// loggers already made keep theirs (the pipeline counts what they emit
// after its shutdown as dropped).
func Unregister(provider *sdklog.LoggerProvider) { pipelines.Delete(provider) }

// Logger emits [Record]s: through the fast path when its provider is a
// registered pipeline's, through the OTel API otherwise. The zero value is
// not usable; make one with [NewLogger].
type Logger struct {
	api      log.Logger
	template sdklog.Record // valid when emit != nil
	emit     EmitFunc
}

// NewLogger returns the logger of scope name (and version, if not empty)
// from lp. It takes the provider's lock, as asking any SDK provider for a
// logger does: make loggers once, not per record.
//
// A provider that is nil, panics or returns no logger gives a logger that
// drops every record: a log call never breaks its caller.
func NewLogger(lp log.LoggerProvider, name, version string) (l *Logger) {
	defer func() {
		if recover() != nil {
			l = &Logger{api: noop.NewLoggerProvider().Logger(name)}
		}
	}()
	var opts []log.LoggerOption
	if version != "" {
		opts = append(opts, log.WithInstrumentationVersion(version))
	}
	api := lp.Logger(name, opts...)
	if api == nil {
		api = noop.NewLoggerProvider().Logger(name)
	}
	l = &Logger{api: api}
	if sp, ok := lp.(*sdklog.LoggerProvider); ok {
		if p, ok := pipelines.Load(sp); ok {
			if t, ok := capture(l.api); ok {
				l.template, l.emit = t, p.(*Pipeline).Emit
			}
		}
	}
	return l
}

// Capture is the context under which a pipeline's processor hands the SDK
// record it is given back instead of processing it: the template carrying
// the resource, scope and limits only the SDK can set.
type Capture struct {
	context.Context
	Record   sdklog.Record
	Captured bool
}

func capture(l log.Logger) (sdklog.Record, bool) {
	c := &Capture{Context: context.Background()}
	l.Emit(c, log.Record{})
	return c.Record, c.Captured
}

// Emit emits r with attrs in the span context of ctx. attrs is copied,
// not kept.
func (l *Logger) Emit(ctx context.Context, r *Record, attrs []attribute.KeyValue) {
	if l.emit == nil {
		l.api.Emit(ctx, apiRecord(r, attrs))
		return
	}
	rec := l.template
	rec.SetTimestamp(r.Timestamp)
	rec.SetObservedTimestamp(time.Now())
	rec.SetSeverity(r.Severity)
	rec.SetSeverityText(r.SeverityText)
	rec.SetBody(r.Body)
	rec.SetEventName(r.EventName)
	sc := trace.SpanContextFromContext(ctx)
	rec.SetTraceID(sc.TraceID())
	rec.SetSpanID(sc.SpanID())
	rec.SetTraceFlags(sc.TraceFlags())
	rec.SetAttributes(attrs...)
	l.emit(rec, r.Clean)
}

// apiRecord is r with attrs as an OTel API record.
func apiRecord(r *Record, attrs []attribute.KeyValue) log.Record {
	var lr log.Record
	lr.SetTimestamp(r.Timestamp)
	lr.SetSeverity(r.Severity)
	lr.SetSeverityText(r.SeverityText)
	lr.SetBody(r.Body)
	lr.SetEventName(r.EventName)
	lr.AddAttributes(attrs...)
	return lr
}
