package operation_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/embedded"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tembedded "go.opentelemetry.io/otel/trace/embedded"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// Hostile values: every method a user type can bring panics, or
// dereferences a nil receiver.

type derefErr struct{ msg string }

func (e *derefErr) Error() string { return e.msg }
func (e *derefErr) Unwrap() error { return errors.New(e.msg) }

type panicErr struct{}

func (panicErr) Error() string { panic("Error boom") }

type isPanicErr struct{}

func (isPanicErr) Error() string    { return "is panics" }
func (isPanicErr) Is(error) bool    { panic("Is boom") }
func (isPanicErr) As(any) bool      { panic("As boom") }
func (isPanicErr) Unwrap() error    { panic("Unwrap boom") }
func (isPanicErr) StackTrace() bool { panic("StackTrace boom") }

// allPanic panics in every method a value can bring.
type allPanic struct{}

func (allPanic) Error() string                { panic("Error boom") }
func (allPanic) String() string               { panic("String boom") }
func (allPanic) Format(fmt.State, rune)       { panic("Format boom") }
func (allPanic) Is(error) bool                { panic("Is boom") }
func (allPanic) As(any) bool                  { panic("As boom") }
func (allPanic) Unwrap() error                { panic("Unwrap boom") }
func (allPanic) LogValue() slog.Value         { panic("LogValue boom") }
func (allPanic) MarshalJSON() ([]byte, error) { panic("MarshalJSON boom") }
func (allPanic) MarshalText() ([]byte, error) { panic("MarshalText boom") }
func (allPanic) StackTrace() string           { panic("StackTrace boom") }
func (allPanic) Stack() []byte                { panic("Stack boom") }

type unwrapPanicErr struct{}

func (unwrapPanicErr) Error() string { return "unwrap panics" }
func (unwrapPanicErr) Unwrap() error { panic("Unwrap boom") }

// panicCtx is a context whose every method panics.
type panicCtx struct{}

func (panicCtx) Deadline() (time.Time, bool) { panic("Deadline boom") }
func (panicCtx) Done() <-chan struct{}       { panic("Done boom") }
func (panicCtx) Err() error                  { panic("Err boom") }
func (panicCtx) Value(any) any               { panic("Value boom") }

// nilCtx is a typed nil behind context.Context.
type nilCtx struct{ context.Context }

// panicLP is a logger provider whose loggers panic on Emit.
type panicLP struct{ embedded.LoggerProvider }

func (panicLP) Logger(string, ...log.LoggerOption) log.Logger { return panicLogger{} }

type panicLogger struct{ embedded.Logger }

func (panicLogger) Emit(context.Context, log.Record)                    { panic("Emit boom") }
func (panicLogger) Enabled(context.Context, log.EnabledParameters) bool { panic("Enabled boom") }

// boomLP panics when asked for a logger; nilLP returns none.
type boomLP struct{ embedded.LoggerProvider }

func (boomLP) Logger(string, ...log.LoggerOption) log.Logger { panic("Logger boom") }

type nilLP struct{ embedded.LoggerProvider }

func (nilLP) Logger(string, ...log.LoggerOption) log.Logger { return nil }

// boomTP panics when asked for a tracer; nilSpanTP's tracer returns no span.
type boomTP struct{ tembedded.TracerProvider }

func (boomTP) Tracer(string, ...trace.TracerOption) trace.Tracer { panic("Tracer boom") }

type nilSpanTP struct{ tembedded.TracerProvider }

func (nilSpanTP) Tracer(string, ...trace.TracerOption) trace.Tracer { return nilSpanTracer{} }

type nilSpanTracer struct{ tembedded.Tracer }

func (nilSpanTracer) Start(ctx context.Context, _ string, _ ...trace.SpanStartOption) (context.Context, trace.Span) {
	return ctx, nil
}

// panicProcessor panics on every record.
type panicProcessor struct{ discard }

func (panicProcessor) OnEmit(context.Context, *sdklog.Record) error { panic("OnEmit boom") }

var hostileErrors = map[string]error{
	"typed nil deref":         (*derefErr)(nil),
	"panicking Error":         panicErr{},
	"panicking Is/As":         isPanicErr{},
	"panicking Unwrap":        unwrapPanicErr{},
	"wrapped typed nil":       errors.Join((*derefErr)(nil), panicErr{}),
	"every method panics":     allPanic{},
	"typed nil, every method": (*allPanic)(nil),
}

var hostileContexts = map[string]context.Context{
	"nil":          nil,
	"typed nil":    (*nilCtx)(nil),
	"panicking":    panicCtx{},
	"nil embedded": nilCtx{},
}

// receivers are the handles a user can hold: nil, zero, and operations of
// trackers wired to hostile providers or started in a hostile context.
func receivers(t *testing.T) map[string]func() (context.Context, *operation.Operation) {
	start := func(trk *operation.Tracker, ctx context.Context) func() (context.Context, *operation.Operation) {
		return func() (context.Context, *operation.Operation) {
			return trk.Start(ctx, operation.Kind{Type: "s\xffync", Action: "run"}, operation.Refs{Connection: "c\xff"})
		}
	}
	panicProc := sdklog.NewLoggerProvider(sdklog.WithProcessor(panicProcessor{}))
	return map[string]func() (context.Context, *operation.Operation){
		"nil":                     func() (context.Context, *operation.Operation) { return t.Context(), nil },
		"zero":                    func() (context.Context, *operation.Operation) { return t.Context(), &operation.Operation{} },
		"nil tracker":             start(nil, t.Context()),
		"zero tracker, nil ctx":   start(&operation.Tracker{}, nil),
		"panicking context":       start(operation.NewTracker(), panicCtx{}),
		"typed nil context":       start(operation.NewTracker(), (*nilCtx)(nil)),
		"logger that panics":      start(operation.NewTracker(operation.WithLoggerProvider(panicLP{})), t.Context()),
		"provider that panics":    start(operation.NewTracker(operation.WithLoggerProvider(boomLP{})), t.Context()),
		"provider of nil loggers": start(operation.NewTracker(operation.WithLoggerProvider(nilLP{})), t.Context()),
		"typed nil providers":     start(operation.NewTracker(operation.WithLoggerProvider((*sdklog.LoggerProvider)(nil)), operation.WithTracerProvider((*sdktrace.TracerProvider)(nil))), t.Context()),
		"processor that panics":   start(operation.NewTracker(operation.WithLoggerProvider(panicProc)), t.Context()),
		"tracer provider panics":  start(operation.NewTracker(operation.WithTracerProvider(boomTP{})), t.Context()),
		"tracer returns nil span": start(operation.NewTracker(operation.WithTracerProvider(nilSpanTP{})), t.Context()),
		"nil option": func() (context.Context, *operation.Operation) {
			return operation.NewTracker(nil).Start(t.Context(), operation.SyncRun, operation.Refs{}, nil)
		},
	}
}

// methods calls every entry point with one hostile error and context.
func methods(err error, ctx, opCtx context.Context) map[string]func(*operation.Operation) {
	req := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h", RawQuery: "token=x"}}
	bodyless := &http.Request{}
	return map[string]func(*operation.Operation){
		"Trace": func(o *operation.Operation) { o.Trace("m", attribute.String("oplog.operation.id", "x")) },
		"Debug": func(o *operation.Operation) { o.Debug("m") },
		"Info": func(o *operation.Operation) {
			o.Info("m", logrecord.KeyValue("v", err), logrecord.KeyValue("s", []any{err}), logrecord.KeyValue("all", allPanic{}))
		},
		"Warn":            func(o *operation.Operation) { o.Warn("m") },
		"Error":           func(o *operation.Operation) { o.Error("m") },
		"Fatal":           func(o *operation.Operation) { o.Fatal("m") },
		"Log":             func(o *operation.Operation) { o.Log(ctx, severity.Info, logrecord.Value(err)) },
		"Log severity 0":  func(o *operation.Operation) { o.Log(ctx, 0, attribute.Value{}) },
		"Log severity 99": func(o *operation.Operation) { o.Log(ctx, 99, attribute.Value{}) },
		"Emit": func(o *operation.Operation) {
			var r log.Record
			r.SetSeverity(log.SeverityError)
			o.Emit(ctx, r)
		},
		"LogError": func(o *operation.Operation) { o.LogError(err) },
		"HTTP":     func(o *operation.Operation) { o.HTTP(operation.HTTPCall{Request: req, Err: err}) },
		"HTTP zero": func(o *operation.Operation) {
			o.HTTP(operation.HTTPCall{Request: bodyless, Response: &http.Response{}})
		},
		"HTTP ctx": func(o *operation.Operation) {
			if ctx != nil {
				o.HTTP(operation.HTTPCall{Request: req.WithContext(ctx), Err: err})
			}
		},
		"Transport": func(o *operation.Operation) {
			_, _ = operation.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, err })).
				RoundTrip(req.WithContext(opCtx))
		},
		"Transport nil request": func(*operation.Operation) { _, _ = operation.Transport(nil).RoundTrip(nil) },
		"SyncResult": func(o *operation.Operation) {
			o.SyncResult(operation.SyncResult{Model: "\xff", AddedKeys: []string{"\xfe"}})
		},
		"Enrich":      func(o *operation.Operation) { o.Enrich(operation.Refs{Account: "\xff"}) },
		"Fail":        func(o *operation.Operation) { o.Fail(err) },
		"End":         func(o *operation.Operation) { o.End(err) },
		"Cancel":      (*operation.Operation).Cancel,
		"Timeout":     (*operation.Operation).Timeout,
		"Succeed":     (*operation.Operation).Succeed,
		"Run":         (*operation.Operation).Run,
		"SetLevel":    func(o *operation.Operation) { o.SetLevel(-5); o.SetLevel(100) },
		"SpanContext": func(o *operation.Operation) { _ = o.SpanContext() },
		"accessors": func(o *operation.Operation) {
			_, _, _, _, _ = o.ID(), o.State(), o.Kind(), o.Refs(), o.Duration()
			_ = o.Enabled(severity.Info)
		},
		"FromContext": func(*operation.Operation) { _ = operation.FromContext(ctx) },
		"late Info": func(o *operation.Operation) {
			o.End(err)
			o.Info("after", attribute.String("oplog.message.late", "false"))
		},
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNoEntryPointPanics: every method, on every kind of handle, with every
// hostile error and context, returns normally.
func TestNoEntryPointPanics(t *testing.T) {
	for rname, recv := range receivers(t) {
		for ename, err := range hostileErrors {
			for cname, ctx := range hostileContexts {
				for mname := range methods(err, ctx, nil) {
					require.NotPanics(t, func() {
						opCtx, op := recv()
						methods(err, ctx, opCtx)[mname](op)
					}, "%s on %s handle, error %s, context %s", mname, rname, ename, cname)
				}
			}
		}
	}
}

// TestHostileEndClassifies: an error whose Is or Unwrap panics, or a typed
// nil, ends the operation as failed, with a readable end record.
func TestHostileEndClassifies(t *testing.T) {
	for name, err := range hostileErrors {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			_, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
			op.End(err)
			assert.Equal(t, operation.Failed, op.State())
			e.flush()
			end := e.mem.Where(func(r *sdklog.Record) bool { return r.EventName() == logrecord.EventOperationEnd })
			require.Len(t, end, 1)
			assert.Equal(t, "failed", attr(end[0], logrecord.KeyOperationState).AsString())
			assert.NotEmpty(t, attr(end[0], logrecord.KeyExceptionMessage).AsString())
			spans := e.mem.Spans()
			require.Len(t, spans, 1, "the span ends")
		})
	}
}

// TestPanicBecomesARecord: a panic inside a log call (here a context whose
// Value panics) is logged as a PANIC record of the operation.
func TestPanicBecomesARecord(t *testing.T) {
	e := newEnv(t)
	_, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	op.Log(panicCtx{}, severity.Info, attribute.StringValue("m"))
	e.flush()
	recs := e.mem.Where(func(r *sdklog.Record) bool { return strings.HasPrefix(r.Body().AsString(), logrecord.MarkerPanic) })
	require.Len(t, recs, 1)
	assert.Equal(t, "PANIC=Log method: Value boom", recs[0].Body().AsString())
	assert.Equal(t, op.ID(), attr(recs[0], logrecord.KeyOperationID).AsString())
}

// reentrantProcessor ends the operation again from inside its own end.
type reentrantProcessor struct {
	discard
	op *atomic.Pointer[operation.Operation]
}

func (p reentrantProcessor) OnEmit(context.Context, *sdklog.Record) error {
	p.op.Load().End(errors.New("again"))
	return nil
}

// errPanicCtx is a working context whose Err panics.
type errPanicCtx struct{ context.Context }

func (errPanicCtx) Err() error { panic("Err boom") }

// TestWatchSurvivesAPanickingErr: the goroutine that ends the operation
// when its context is done survives a context whose Err panics (a panic
// there would kill the process).
func TestWatchSurvivesAPanickingErr(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	_, op := e.trk.Start(errPanicCtx{ctx}, operation.SyncRun, e.refs)
	cancel()
	op.End(nil) // returns once the watch's end record is out, or ends it itself
	assert.True(t, op.State().Terminal())
	e.flush()
	assert.Len(t, e.mem.WithEventName(logrecord.EventOperationEnd), 1)
}

// TestEndFromInsideEndReturns: a processor that ends the operation while
// its end record is emitted does not deadlock the ending call.
func TestEndFromInsideEndReturns(t *testing.T) {
	var cur atomic.Pointer[operation.Operation]
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(reentrantProcessor{op: &cur}))
	trk := operation.NewTracker(operation.WithLoggerProvider(lp))
	_, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
	cur.Store(op)
	op.Fail(errors.New("first"))
	assert.Equal(t, operation.Failed, op.State())
}
