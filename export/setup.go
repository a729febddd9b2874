package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
)

// Pipeline is the wired OpenTelemetry SDK: a LoggerProvider and a
// TracerProvider whose records and spans go to the chosen exporters.
type Pipeline struct {
	logs   *sdklog.LoggerProvider
	traces *sdktrace.TracerProvider
	proc   *processor
	bsps   []sdktrace.SpanProcessor
	spans  *spanCounter
	rep    *reporter

	shutdownOnce sync.Once
	shutdownErr  error
}

// Setup builds the pipeline from opts and the environment (see the package
// documentation for the variables and defaults) and, unless [WithoutGlobal]
// is given, registers its providers as the otel globals. Bad environment
// values make it fail with an error naming the variable.
func Setup(ctx context.Context, opts ...Option) (*Pipeline, error) {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	e, err := readEnv()
	if err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if e.disabled {
		return disabledPipeline(c), nil
	}
	c.batch = resolveBatch(c.batch, e.batch)
	if !c.minSeverity.Valid() {
		c.minSeverity = e.level
	}
	handle := c.errHandler
	if handle == nil {
		handle = func(err error) { fmt.Fprintln(os.Stderr, "oplog:", err) }
	}
	rep := newReporter(handle, 5*time.Second)

	res, err := buildResource(ctx, c)
	if err != nil {
		return nil, err
	}

	logExps, spanExps, err := chooseExporters(ctx, c, e)
	if err != nil {
		return nil, err
	}
	proc := &processor{min: minSeverity(c.minSeverity)}
	for _, ne := range logExps {
		cfg := c.batch
		if ne.immediate {
			cfg.interval = min(cfg.interval, 200*time.Millisecond)
		}
		proc.sinks = append(proc.sinks, newSink(ne.name, ne.exp, cfg, c.limits, ne.immediate, rep.report))
	}
	logs := sdklog.NewLoggerProvider(
		sdklog.WithResource(res),
		sdklog.WithProcessor(proc),
		// The sinks de-duplicate keys and bound the depth of values once per
		// record, off the caller's path (logrecord.Limits); the SDK's own
		// passes, one attribute at a time and copying every map and slice,
		// cost more than the rest of an emit.
		sdklog.WithAllowKeyDuplication(),
		sdklog.WithAttributeValueDepthLimit(-1),
		// The SDK cuts attributes past its count limit (128 by default) as
		// they are set, keeping the first and counting the rest in the
		// record's DroppedAttributes; it decides before the sinks see the
		// record, so its limit must be ours. oplog's producers put their own
		// keys first, so they survive the cut.
		sdklog.WithAttributeCountLimit(attributeCountLimit(c.limits)),
	)
	fastpath.Register(&fastpath.Pipeline{Provider: logs, Emit: proc.emit})
	spans := &spanCounter{}
	topts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSpanProcessor(spans)}
	var bsps []sdktrace.SpanProcessor
	for _, se := range spanExps {
		bsp := sdktrace.NewBatchSpanProcessor(&countingSpanExporter{SpanExporter: se, c: spans, report: rep.report})
		bsps = append(bsps, bsp)
		topts = append(topts, sdktrace.WithSpanProcessor(bsp))
	}
	traces := sdktrace.NewTracerProvider(topts...)
	if !c.noGlobal {
		otel.SetLoggerProvider(logs)
		otel.SetTracerProvider(traces)
	}
	return &Pipeline{logs: logs, traces: traces, proc: proc, bsps: bsps, spans: spans, rep: rep}, nil
}

// LoggerProvider returns the pipeline's log provider.
func (p *Pipeline) LoggerProvider() *sdklog.LoggerProvider { return p.logs }

// TracerProvider returns the pipeline's trace provider.
func (p *Pipeline) TracerProvider() *sdktrace.TracerProvider { return p.traces }

// Stats returns the delivery counts so far. It is safe to call at any time.
func (p *Pipeline) Stats() Stats {
	s := Stats{Emitted: p.proc.emitted.Load(), Spans: p.spans.stats()}
	for _, k := range p.proc.sinks {
		s.Exporters = append(s.Exporters, k.stats())
	}
	return s
}

// ForceFlush exports everything emitted so far, spans first, then logs.
func (p *Pipeline) ForceFlush(ctx context.Context) error {
	return errors.Join(p.traces.ForceFlush(ctx), p.logs.ForceFlush(ctx))
}

// Shutdown flushes spans, then logs, within ctx's deadline, and stops the
// exporters. Records emitted while it runs, and records that operations and
// slog bridge handlers already using the pipeline emit after it, are
// counted as emitted and dropped at shutdown. Records emitted after it
// through the OTel API of LoggerProvider never reach the pipeline (the SDK
// provider drops them, as the OTel specification says) and are not counted.
// The error says how many records were not delivered, by exporter and
// reason. A second call returns the first call's result.
func (p *Pipeline) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		fastpath.Unregister(p.logs)
		errs := []error{p.traces.Shutdown(ctx), p.logs.Shutdown(ctx)}
		// sdk/log's Shutdown returns ctx's error at once, without shutting
		// its processors down, when ctx is already done (as it is when the
		// span flush used up the deadline): the sinks would keep their
		// records pending, uncounted, and their goroutines. Closing them
		// again after a full shutdown does nothing.
		errs = append(errs, p.proc.Shutdown(ctx))
		// sdk/trace likewise skips its span processors when ctx is done,
		// leaving each batcher's goroutine running for good. Stopping one
		// twice does nothing.
		for _, bsp := range p.bsps {
			_ = bsp.Shutdown(ctx) // ctx's error is already in errs
		}
		p.rep.flush()
		if s := p.Stats(); s.Undelivered() > 0 {
			errs = append(errs, &UndeliveredError{Stats: s})
		}
		p.shutdownErr = errors.Join(errs...)
	})
	return p.shutdownErr
}

// UndeliveredError is part of Shutdown's error when records were dropped.
type UndeliveredError struct{ Stats Stats }

func (e *UndeliveredError) Error() string {
	var parts []string
	for _, x := range e.Stats.Exporters {
		if n := x.Dropped.Total(); n > 0 {
			d := x.Dropped
			parts = append(parts, fmt.Sprintf("%s: %d (queue full %d, export failed %d, rejected %d, invalid %d, shutdown %d)",
				x.Name, n, d.QueueFull, d.ExportFailed, d.Rejected, d.Invalid, d.Shutdown))
		}
	}
	return fmt.Sprintf("export: %d record(s) not delivered of %d emitted: %s", e.Stats.Undelivered(), e.Stats.Emitted, strings.Join(parts, "; "))
}

func resolveBatch(opt, env batchConfig) batchConfig {
	pickInt := func(o, e, d int) int {
		if o > 0 {
			return o
		}
		if e > 0 {
			return e
		}
		return d
	}
	pickDur := func(o, e, d time.Duration) time.Duration {
		if o > 0 {
			return o
		}
		if e > 0 {
			return e
		}
		return d
	}
	b := batchConfig{
		queueSize:  pickInt(opt.queueSize, env.queueSize, 2048),
		batchSize:  pickInt(opt.batchSize, env.batchSize, 512),
		queueBytes: pickInt(opt.queueBytes, env.queueBytes, 32<<20),
		batchBytes: pickInt(opt.batchBytes, env.batchBytes, 4<<20),
		interval:   pickDur(opt.interval, env.interval, time.Second),
		timeout:    pickDur(opt.timeout, env.timeout, 30*time.Second),
	}
	b.batchSize = min(b.batchSize, b.queueSize)
	return b
}

func buildResource(ctx context.Context, c config) (*resource.Resource, error) {
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("export: resource from OTEL_RESOURCE_ATTRIBUTES/OTEL_SERVICE_NAME: %w", err)
	}
	if res, err = resource.Merge(resource.Default(), res); err != nil {
		return nil, fmt.Errorf("export: resource: %w", err)
	}
	if c.resource != nil {
		if res, err = resource.Merge(res, c.resource); err != nil {
			return nil, fmt.Errorf("export: WithResource: %w", err)
		}
	}
	if c.serviceName != "" {
		named := resource.NewSchemaless(attribute.String(string(semconv.ServiceNameKey), c.serviceName))
		if res, err = resource.Merge(res, named); err != nil {
			return nil, fmt.Errorf("export: WithServiceName: %w", err)
		}
	}
	return res, nil
}

// chooseExporters applies the rules of the package documentation: options
// first; with no exporter option, the OTEL_*_EXPORTER variables; with those
// unset, the console on stdout, plus OTLP when an endpoint variable is set.
func chooseExporters(ctx context.Context, c config, e env) ([]namedExporter, []sdktrace.SpanExporter, error) {
	var logs []namedExporter
	spans := slices.Clone(c.spanExps)
	for _, w := range c.consoles {
		con := NewConsole(w)
		logs = append(logs, namedExporter{name: "console", exp: con, immediate: true})
	}
	for _, w := range c.jsons {
		logs = append(logs, namedExporter{name: "json", exp: NewJSON(w), immediate: true})
	}
	logs = append(logs, c.exps...)
	optionsChose := len(logs) > 0 || len(spans) > 0 || c.otlpSet

	wantConsole, wantConsoleTraces, wantOTLPLogs, wantOTLPTraces := false, false, c.otlpSet, c.otlpSet
	if !optionsChose {
		switch {
		case e.logs != nil:
			wantConsole = slices.Contains(e.logs, "console")
			wantOTLPLogs = slices.Contains(e.logs, "otlp")
		default:
			wantConsole = true
			wantOTLPLogs = e.otlpEndpoint
		}
		switch {
		case e.traces != nil:
			wantOTLPTraces = slices.Contains(e.traces, "otlp")
			wantConsoleTraces = slices.Contains(e.traces, "console")
		default:
			wantOTLPTraces = e.otlpEndpoint
		}
	}
	if wantConsole {
		if e.consoleFormat == "json" {
			logs = append(logs, namedExporter{name: "json", exp: NewJSON(os.Stdout), immediate: true})
		} else {
			logs = append(logs, namedExporter{name: "console", exp: NewConsole(os.Stdout), immediate: true})
		}
	}
	if wantConsoleTraces {
		spans = append(spans, NewConsole(os.Stdout))
	}
	if wantOTLPLogs || wantOTLPTraces {
		l, t, err := newOTLP(ctx, c.otlp)
		if err != nil {
			return nil, nil, err
		}
		if wantOTLPLogs {
			logs = append(logs, namedExporter{name: "otlp", exp: l})
		} else {
			_ = l.Shutdown(ctx)
		}
		if wantOTLPTraces {
			spans = append(spans, t)
		} else {
			_ = t.Shutdown(ctx)
		}
	}
	return logs, spans, nil
}

func exporterName(exp sdklog.Exporter) string {
	switch exp.(type) {
	case *Console:
		return "console"
	case *JSON:
		return "json"
	case *Memory:
		return "memory"
	}
	if exp == nil {
		return "<nil>"
	}
	return reflect.TypeOf(exp).String()
}

// spanCounter counts ended spans.
type spanCounter struct {
	ended, exported, failed atomic.Uint64
}

func (c *spanCounter) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c *spanCounter) OnEnd(sdktrace.ReadOnlySpan)                     { c.ended.Add(1) }
func (c *spanCounter) Shutdown(context.Context) error                  { return nil }
func (c *spanCounter) ForceFlush(context.Context) error                { return nil }

func (c *spanCounter) stats() SpanStats {
	return SpanStats{Ended: c.ended.Load(), Exported: c.exported.Load(), Failed: c.failed.Load()}
}

// countingSpanExporter counts what a span exporter delivered.
type countingSpanExporter struct {
	sdktrace.SpanExporter
	c      *spanCounter
	report func(error)
}

func (e *countingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.SpanExporter.ExportSpans(ctx, spans)
	if err != nil {
		e.c.failed.Add(uint64(len(spans)))
		e.report(fmt.Errorf("span exporter: %d span(s) not delivered: %w", len(spans), err))
		return nil // reported once, here, rather than again through otel.Handle
	}
	e.c.exported.Add(uint64(len(spans)))
	return nil
}

func joinErrs(errs []error) error { return errors.Join(errs...) }

// attributeCountLimit is l's MaxAttributes in the SDK's terms (-1: none).
func attributeCountLimit(l logrecord.Limits) int {
	n := l.MaxAttributes
	switch {
	case n == 0:
		return logrecord.DefaultMaxAttributes
	case n < 0:
		return -1
	}
	return n
}
