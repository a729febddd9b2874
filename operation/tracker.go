package operation

import (
	"context"
	"runtime/debug"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// ScopeName is the instrumentation scope of oplog's records and spans.
const ScopeName = "github.com/oplog-go/oplog"

// scopeVersion is the version of the oplog module in the running binary.
var scopeVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == ScopeName {
				return m.Version
			}
		}
		if bi.Main.Path == ScopeName && bi.Main.Version != "" {
			return bi.Main.Version
		}
	}
	return "devel"
})

// Tracker starts operations with one configuration: where records and spans
// go, the minimum severity, which references ride on every record, and how
// HTTP data is redacted. It is safe for concurrent use.
type Tracker struct {
	lp       log.LoggerProvider   // nil: the otel global, looked up at each Start
	tp       trace.TracerProvider // nil: the otel global, looked up at each Start
	min      severity.Severity
	fields   Fields
	redactor *logrecord.Redactor
}

// Option configures [NewTracker].
type Option func(*Tracker)

// WithLoggerProvider sets where records go. Default: the otel global
// logger provider at the time each operation starts.
func WithLoggerProvider(lp log.LoggerProvider) Option { return func(t *Tracker) { t.lp = lp } }

// WithTracerProvider sets where operation spans go. Default: the otel
// global tracer provider at the time each operation starts.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(t *Tracker) { t.tp = tp } }

// WithMinSeverity drops messages below s before a record is built.
// Default: every severity. [Operation.SetLevel] raises it per operation.
func WithMinSeverity(s severity.Severity) Option { return func(t *Tracker) { t.min = s } }

// WithFields chooses the references on every record. Default:
// [DefaultFields]. oplog.operation.id is always there.
func WithFields(f Fields) Option { return func(t *Tracker) { t.fields = f } }

// WithRedactor sets the rules for HTTP data and error texts. Its
// registered secrets are also erased from every string of every record of
// the tracker's operations (messages, bodies, the caller's attributes, the
// slog bridge's records). Default: [logrecord.DefaultRedactor].
func WithRedactor(r *logrecord.Redactor) Option { return func(t *Tracker) { t.redactor = r } }

// NewTracker returns a tracker; with no options it behaves as the default
// tracker behind [Start].
//
// A nil option is ignored, and so is one that panics. The zero Tracker (not made by NewTracker) works
// too: it follows the otel globals, with only oplog.operation.id on every
// record and the default redaction rules.
func NewTracker(opts ...Option) *Tracker {
	t := &Tracker{fields: DefaultFields}
	for _, o := range opts {
		if o != nil {
			_ = try(func() { o(t) }) // a panicking option is skipped
		}
	}
	if t.redactor == nil {
		t.redactor = logrecord.DefaultRedactor()
	}
	return t
}

// rules is the tracker's redactor (the default one for a zero Tracker).
func (t *Tracker) rules() *logrecord.Redactor {
	if t.redactor == nil {
		return logrecord.DefaultRedactor()
	}
	return t.redactor
}

// defaultTracker is the documented default, following the otel globals.
var defaultTracker = NewTracker()

// Start starts an operation with the default tracker, which follows the
// otel global logger and tracer providers (registering them after the first
// Start works too). See [Tracker.Start].
func Start(ctx context.Context, kind Kind, refs Refs, opts ...StartOption) (context.Context, *Operation) {
	return defaultTracker.Start(ctx, kind, refs, opts...)
}

func (t *Tracker) logger() *fastpath.Logger {
	lp := t.lp
	if lp == nil {
		lp = otel.GetLoggerProvider()
	}
	return fastpath.NewLogger(lp, ScopeName, scopeVersion())
}

// tracer is the tracker's tracer; a provider that panics or returns none
// gives a tracer of non-recording spans.
func (t *Tracker) tracer() (tr trace.Tracer) {
	defer func() {
		if recover() != nil || tr == nil {
			tr = noop.NewTracerProvider().Tracer(ScopeName)
		}
	}()
	tp := t.tp
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(ScopeName, trace.WithInstrumentationVersion(scopeVersion()))
}
