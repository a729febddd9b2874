package export

import (
	"fmt"
	"io"
	"reflect"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// Option configures [Setup]. Options win over environment variables.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	serviceName string
	resource    *resource.Resource

	consoles []io.Writer
	jsons    []io.Writer
	otlp     []OTLPOption
	otlpSet  bool
	exps     []namedExporter
	spanExps []sdktrace.SpanExporter

	minSeverity severity.Severity
	batch       batchConfig
	limits      logrecord.Limits
	noGlobal    bool
	errHandler  func(error)

	// errs are the mistakes found in options as they were applied;
	// validate returns them.
	errs []error
}

// fail records a mistake in an option, for [config.validate].
func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("export: "+format, args...))
}

// isNil reports whether v is nil or a nil pointer, func, channel or map
// behind an interface: a value that would crash an exporter's goroutine.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Chan, reflect.Map, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}

type namedExporter struct {
	name      string
	exp       sdklog.Exporter
	immediate bool
}

// batchConfig bounds one exporter's queue and batches.
type batchConfig struct {
	queueSize  int
	batchSize  int
	queueBytes int // bytes of records each exporter may hold (estimated encoded size)
	batchBytes int // bytes of one export request (estimated encoded size)
	interval   time.Duration
	timeout    time.Duration
}

// WithServiceName sets the service.name resource attribute.
// Default: the OTEL_SERVICE_NAME variable, else the SDK's default
// ("unknown_service:" and the program name).
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) { c.serviceName = name })
}

// WithResource merges res into the resource built from the environment
// (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME) and the SDK's defaults; the
// attributes of res win.
func WithResource(res *resource.Resource) Option {
	return optionFunc(func(c *config) { c.resource = res })
}

// WithConsole adds an exporter writing the console format to w (see
// [NewConsole]). Given any exporter option, the default console on stdout
// is not added. A nil w is an error.
func WithConsole(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if isNil(w) {
			c.fail("WithConsole: nil io.Writer")
			return
		}
		c.consoles = append(c.consoles, w)
	})
}

// WithJSON adds an exporter writing OTLP/JSON lines to w (see [NewJSON]).
// A nil w is an error.
func WithJSON(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if isNil(w) {
			c.fail("WithJSON: nil io.Writer")
			return
		}
		c.jsons = append(c.jsons, w)
	})
}

// WithOTLP adds OTLP/HTTP export of logs and traces. Settings not given
// here come from the OTEL_EXPORTER_OTLP_* variables, then the OTLP
// defaults (http://localhost:4318). An option with a bad value makes
// [Setup] fail with an error naming it.
func WithOTLP(opts ...OTLPOption) Option {
	return optionFunc(func(c *config) {
		for _, o := range opts {
			if o.err != nil {
				c.errs = append(c.errs, o.err)
			}
		}
		c.otlp, c.otlpSet = append(c.otlp, opts...), true
	})
}

// WithExporter adds any sdk/log exporter, behind the pipeline's own
// sanitizing and counted batching. A nil exp is an error.
func WithExporter(exp sdklog.Exporter) Option {
	return optionFunc(func(c *config) {
		if isNil(exp) {
			c.fail("WithExporter: nil exporter")
			return
		}
		c.exps = append(c.exps, namedExporter{name: exporterName(exp), exp: exp})
	})
}

// WithSpanExporter adds a span exporter for the operation spans, behind the
// pipeline's counted span queue (as bounded and accounted as the records'
// queues). A nil exp is an error.
func WithSpanExporter(exp sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) {
		if isNil(exp) {
			c.fail("WithSpanExporter: nil exporter")
			return
		}
		c.spanExps = append(c.spanExps, exp)
	})
}

// LogSpanExporter exports both records and spans, as a *store.Store does.
type LogSpanExporter interface {
	sdklog.Exporter
	sdktrace.SpanExporter
}

// WithStore adds a store of operations and messages (see package store):
// records reach it through the pipeline like any exporter, counted in
// Stats under "store"; spans through the pipeline's span queue, counted in
// SpanStats. The pipeline's
// Shutdown does not close the store, which stays readable: its owner
// closes it afterwards. A nil s is an error.
func WithStore(s LogSpanExporter) Option {
	return optionFunc(func(c *config) {
		if isNil(s) {
			c.fail("WithStore: nil store")
			return
		}
		c.exps = append(c.exps, namedExporter{name: "store", exp: s})
		c.spanExps = append(c.spanExps, s)
	})
}

// WithMinSeverity drops records below s before anything else is done with
// them. Default: the OPLOG_LEVEL variable, else every record. A severity
// that is not one of the 24 (Trace1 to Fatal4) is an error.
func WithMinSeverity(s severity.Severity) Option {
	return optionFunc(func(c *config) {
		if !s.Valid() {
			c.fail("WithMinSeverity(%v): want a severity from TRACE to FATAL4", s)
			return
		}
		c.minSeverity = s
	})
}

// WithQueueSize bounds the records each exporter holds while it is busy;
// past it, records are dropped and counted as QueueFull; n must be ≥ 1.
// Default: OTEL_BLRP_MAX_QUEUE_SIZE, else 2048.
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) { c.batch.queueSize = c.positive("WithQueueSize", n) })
}

// positive returns n, or records a mistake if n < 1.
func (c *config) positive(option string, n int) int {
	if n < 1 {
		c.fail("%s(%d): want a whole number ≥ 1", option, n)
	}
	return n
}

// positiveDur returns d, or records a mistake if d ≤ 0.
func (c *config) positiveDur(option string, d time.Duration) time.Duration {
	if d <= 0 {
		c.fail("%s(%v): want a duration > 0", option, d)
	}
	return d
}

// WithQueueBytes bounds the bytes of records (their estimated encoded size)
// each exporter holds while it is busy; past it, records are dropped and
// counted as QueueFull, as past [WithQueueSize]; n must be ≥ 1.
// Default: OPLOG_BLRP_MAX_QUEUE_BYTES, else 32 MiB.
func WithQueueBytes(n int) Option {
	return optionFunc(func(c *config) { c.batch.queueBytes = c.positive("WithQueueBytes", n) })
}

// WithBatchBytes bounds the bytes (estimated encoded size) of one export
// request; larger batches are split, a record larger than the bound alone
// is cut to fit, and a resource larger than a quarter of it is cut to that. Default: OPLOG_BLRP_MAX_EXPORT_BATCH_BYTES, else
// 4 MiB, well under the 20 MiB an OpenTelemetry Collector accepts; n must
// be ≥ 1.
func WithBatchBytes(n int) Option {
	return optionFunc(func(c *config) { c.batch.batchBytes = c.positive("WithBatchBytes", n) })
}

// WithBatchSize bounds the records of one export; n must be ≥ 1. A batch
// size above the queue size is lowered to it.
// Default: OTEL_BLRP_MAX_EXPORT_BATCH_SIZE, else 512.
func WithBatchSize(n int) Option {
	return optionFunc(func(c *config) { c.batch.batchSize = c.positive("WithBatchSize", n) })
}

// WithExportInterval sets how long the OTLP exporter waits to fill a batch.
// The console and JSON exporters write as soon as records arrive.
// d must be > 0. Default: OTEL_BLRP_SCHEDULE_DELAY, else 1s.
func WithExportInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.batch.interval = c.positiveDur("WithExportInterval", d) })
}

// WithExportTimeout bounds one export, retries included; d must be > 0.
// Default: OTEL_BLRP_EXPORT_TIMEOUT, else 30s.
func WithExportTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.batch.timeout = c.positiveDur("WithExportTimeout", d) })
}

// WithLimits sets the limits every record is sanitized to. Every value is
// meaningful: a zero field is logrecord's default, a negative one no limit.
// MaxAttributes counts every attribute of a record, oplog's own keys
// included: they come first, so a limit cuts the caller's attributes
// first, and one of 32 or more keeps all of oplog's (see package operation).
// Default: logrecord's defaults.
func WithLimits(l logrecord.Limits) Option {
	return optionFunc(func(c *config) { c.limits = l })
}

// WithoutGlobal leaves the otel global logger and tracer providers alone.
// Default: Setup registers its providers as the globals.
func WithoutGlobal() Option {
	return optionFunc(func(c *config) { c.noGlobal = true })
}

// WithErrorHandler receives errors that have no caller: dropped records
// (a [*DropError], at most once per 5 seconds for each exporter and reason,
// with the count held back since) and exporter failures. It is called on
// a goroutine of the pipeline's, one error at a time, never on the
// caller's: a handler that blocks holds neither a log call nor Shutdown
// past its deadline ([Pipeline.ForceFlush] and Shutdown wait for it within
// their context only); errors it is too slow to take are summed up later.
// Default: one line on stderr per error, prefixed "oplog: ", its control
// characters escaped as the console escapes them.
func WithErrorHandler(f func(error)) Option {
	return optionFunc(func(c *config) { c.errHandler = f })
}
