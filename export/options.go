package export

import (
	"io"
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
// is not added.
func WithConsole(w io.Writer) Option {
	return optionFunc(func(c *config) { c.consoles = append(c.consoles, w) })
}

// WithJSON adds an exporter writing OTLP/JSON lines to w (see [NewJSON]).
func WithJSON(w io.Writer) Option {
	return optionFunc(func(c *config) { c.jsons = append(c.jsons, w) })
}

// WithOTLP adds OTLP/HTTP export of logs and traces. Settings not given
// here come from the OTEL_EXPORTER_OTLP_* variables, then the OTLP
// defaults (http://localhost:4318).
func WithOTLP(opts ...OTLPOption) Option {
	return optionFunc(func(c *config) { c.otlp, c.otlpSet = append(c.otlp, opts...), true })
}

// WithExporter adds any sdk/log exporter, behind the pipeline's own
// sanitizing and counted batching.
func WithExporter(exp sdklog.Exporter) Option {
	return optionFunc(func(c *config) {
		c.exps = append(c.exps, namedExporter{name: exporterName(exp), exp: exp})
	})
}

// WithSpanExporter adds a span exporter for the operation spans, behind the
// SDK's batch span processor.
func WithSpanExporter(exp sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) { c.spanExps = append(c.spanExps, exp) })
}

// LogSpanExporter exports both records and spans, as a *store.Store does.
type LogSpanExporter interface {
	sdklog.Exporter
	sdktrace.SpanExporter
}

// WithStore adds a store of operations and messages (see package store):
// records reach it through the pipeline like any exporter, counted in
// Stats under "store"; spans through the span batcher. The pipeline's
// Shutdown does not close the store, which stays readable: its owner
// closes it afterwards.
func WithStore(s LogSpanExporter) Option {
	return optionFunc(func(c *config) {
		c.exps = append(c.exps, namedExporter{name: "store", exp: s})
		c.spanExps = append(c.spanExps, s)
	})
}

// WithMinSeverity drops records below s before anything else is done with
// them. Default: the OPLOG_LEVEL variable, else every record.
func WithMinSeverity(s severity.Severity) Option {
	return optionFunc(func(c *config) { c.minSeverity = s })
}

// WithQueueSize bounds the records each exporter holds while it is busy;
// past it, records are dropped and counted as QueueFull.
// Default: OTEL_BLRP_MAX_QUEUE_SIZE, else 2048.
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) { c.batch.queueSize = n })
}

// WithQueueBytes bounds the bytes of records (their estimated encoded size)
// each exporter holds while it is busy; past it, records are dropped and
// counted as QueueFull, as past [WithQueueSize].
// Default: OPLOG_BLRP_MAX_QUEUE_BYTES, else 32 MiB.
func WithQueueBytes(n int) Option {
	return optionFunc(func(c *config) { c.batch.queueBytes = n })
}

// WithBatchBytes bounds the bytes (estimated encoded size) of one export
// request; larger batches are split, and a record larger than the bound
// alone is cut to fit. Default: OPLOG_BLRP_MAX_EXPORT_BATCH_BYTES, else
// 4 MiB, well under the 20 MiB an OpenTelemetry Collector accepts.
func WithBatchBytes(n int) Option {
	return optionFunc(func(c *config) { c.batch.batchBytes = n })
}

// WithBatchSize bounds the records of one export.
// Default: OTEL_BLRP_MAX_EXPORT_BATCH_SIZE, else 512.
func WithBatchSize(n int) Option {
	return optionFunc(func(c *config) { c.batch.batchSize = n })
}

// WithExportInterval sets how long the OTLP exporter waits to fill a batch.
// The console and JSON exporters write as soon as records arrive.
// Default: OTEL_BLRP_SCHEDULE_DELAY, else 1s.
func WithExportInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.batch.interval = d })
}

// WithExportTimeout bounds one export, retries included.
// Default: OTEL_BLRP_EXPORT_TIMEOUT, else 30s.
func WithExportTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.batch.timeout = d })
}

// WithLimits sets the limits every record is sanitized to.
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
// with the count held back since) and exporter failures.
// Default: one line on stderr per error, prefixed "oplog: ".
func WithErrorHandler(f func(error)) Option {
	return optionFunc(func(c *config) { c.errHandler = f })
}
