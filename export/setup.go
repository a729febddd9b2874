package export

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
)

// Pipeline is the wired OpenTelemetry SDK: a LoggerProvider and a
// TracerProvider whose records and spans go to the chosen exporters. Make
// one with [Setup]; the zero Pipeline is one that produces nothing, as with
// OTEL_SDK_DISABLED=true.
type Pipeline struct {
	logs   *sdklog.LoggerProvider
	traces *sdktrace.TracerProvider
	proc   *processor
	spans  *spanProcessor
	rep    *reporter

	shutdownOnce sync.Once
	shutdownErr  error
	// zeroOnce makes a Pipeline not from Setup (its zero value) a
	// disabled one: see ready.
	zeroOnce sync.Once
}

// ready makes the zero Pipeline, not built by Setup, usable as a pipeline
// that produces nothing (as OTEL_SDK_DISABLED=true makes one), and returns
// p.
func (p *Pipeline) ready() *Pipeline {
	p.zeroOnce.Do(func() {
		if p.proc == nil {
			p.logs, p.traces = sdklog.NewLoggerProvider(), sdktrace.NewTracerProvider()
			p.proc, p.spans = &processor{}, &spanProcessor{}
		}
	})
	return p
}

// Setup builds the pipeline from opts and the environment (see the package
// documentation for the variables and defaults) and, unless [WithoutGlobal]
// is given, registers its providers as the otel globals. Bad environment
// values make it fail with an error naming the variable. A nil Option is
// ignored.
func Setup(ctx context.Context, opts ...Option) (*Pipeline, error) {
	var c config
	for _, o := range opts {
		if o != nil { // a nil Option (an option chosen conditionally, say) is none
			o.apply(&c)
		}
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
	spanBatch := resolveBatch(c.batch, overlay(e.batch, e.spanBatch))
	c.batch = resolveBatch(c.batch, e.batch)
	if !c.minSeverity.Valid() {
		c.minSeverity = e.level
	}
	handle := c.handler()

	res, err := buildResource(ctx, c)
	if err != nil {
		return nil, err
	}
	// Every request carries the resource: at most a quarter of one.
	res = fitResource(res, c.limits, c.batch.batchBytes/4, handle)
	// One request's items may take batchBytes less the resource and the
	// envelopes; never less than half of it.
	bound := max(c.batch.batchBytes-requestOverhead(res), c.batch.batchBytes/2)

	logExps, spanExps, err := chooseExporters(ctx, c, e)
	if err != nil {
		return nil, err
	}
	// Started once nothing can fail: its goroutine ends with Shutdown.
	rep := newReporter(handle, 5*time.Second)
	proc := &processor{
		min: minSeverity(c.minSeverity), limits: c.limits, countLimit: attributeCountLimit(c.limits),
		bound: bound, trustClean: c.limits.Covers(logrecord.Limits{}),
	}
	for _, ne := range logExps {
		cfg := c.batch
		if ne.immediate {
			cfg.interval = min(cfg.interval, 200*time.Millisecond)
		}
		proc.sinks = append(proc.sinks, newSink(ne.name, ne.exp, cfg, bound, ne.immediate, proc.cut, rep.report))
	}
	logs := sdklog.NewLoggerProvider(
		sdklog.WithResource(res),
		sdklog.WithProcessor(proc),
		// The processor de-duplicates keys and bounds the depth of values
		// once per record (processor.prepare, logrecord.Limits); the SDK's
		// own passes, one attribute at a time and copying every map and
		// slice, cost more than the rest of an emit.
		sdklog.WithAllowKeyDuplication(),
		sdklog.WithAttributeValueDepthLimit(-1),
		// The SDK cuts attributes past its count limit (128 by default) as
		// they are set, keeping the first and counting the rest in the
		// record's DroppedAttributes; it decides before the sinks see the
		// record, so its limit must be ours. oplog's producers put their own
		// keys first, so they survive the cut.
		sdklog.WithAttributeCountLimit(attributeCountLimit(c.limits)),
	)
	proc.provider = logs
	fastpath.Register(&fastpath.Pipeline{Provider: logs, Emit: proc.emit})
	spans := &spanProcessor{limits: c.limits, bound: bound}
	for _, se := range spanExps {
		spans.queues = append(spans.queues, newSpanQueue(spanExporterName(se, logExps), se, spanBatch, bound, spans.cut, rep.report))
	}
	traces := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		// The SDK cuts attribute values as they are set, so a huge value
		// costs no memory past the limit; one byte more than ours, so that
		// the span processor's sanitizing marks the cut.
		sdktrace.WithRawSpanLimits(spanLimits(c.limits)),
		sdktrace.WithSpanProcessor(spans),
	)
	if !c.noGlobal {
		otel.SetLoggerProvider(logs)
		otel.SetTracerProvider(traces)
	}
	return &Pipeline{logs: logs, traces: traces, proc: proc, spans: spans, rep: rep}, nil
}

// LoggerProvider returns the pipeline's log provider.
func (p *Pipeline) LoggerProvider() *sdklog.LoggerProvider { return p.ready().logs }

// TracerProvider returns the pipeline's trace provider.
func (p *Pipeline) TracerProvider() *sdktrace.TracerProvider { return p.ready().traces }

// Stats returns the delivery counts so far. It is safe to call at any time.
func (p *Pipeline) Stats() Stats {
	p.ready()
	s := Stats{Emitted: p.proc.emitted.Load(), Spans: p.spans.stats()}
	for _, k := range p.proc.sinks {
		s.Exporters = append(s.Exporters, k.stats())
	}
	return s
}

// ForceFlush exports everything emitted so far, spans first, then logs,
// and waits, within ctx, until the error handler has seen every drop
// reported before the call.
func (p *Pipeline) ForceFlush(ctx context.Context) error {
	p.ready()
	err := errors.Join(p.traces.ForceFlush(ctx), p.logs.ForceFlush(ctx))
	p.rep.sync(ctx)
	return err
}

// Shutdown flushes spans, then logs, within ctx's deadline, and stops the
// exporters. It returns by ctx's deadline whatever an exporter does (one
// blocked in a write, say), at most 50 ms past it: at the deadline each
// export under way is told to stop (its context is cancelled) and waited
// for that long, so that one that stops is counted as it ended; what is
// still queued or in an export that did not stop is counted as dropped at
// shutdown, once, and the exporter's goroutine ends when the exporter
// returns. Spans still open are counted (see [SpanStats]). Records emitted while it runs, and records that operations and
// slog bridge handlers already using the pipeline emit after it, are
// counted as emitted and dropped at shutdown. Records emitted after it
// through the OTel API of LoggerProvider never reach the pipeline (the SDK
// provider drops them, as the OTel specification says) and are not counted.
// The error says how many records were not delivered, by exporter and
// reason. A second call returns the first call's result.
func (p *Pipeline) Shutdown(ctx context.Context) error {
	p.ready()
	p.shutdownOnce.Do(func() {
		fastpath.Unregister(p.logs)
		errs := []error{p.traces.Shutdown(ctx), p.logs.Shutdown(ctx)}
		// sdk/log's Shutdown returns ctx's error at once, without shutting
		// its processors down, when ctx is already done (as it is when the
		// span flush used up the deadline): the sinks would keep their
		// records pending, uncounted, and their goroutines. Closing them
		// again after a full shutdown does nothing.
		errs = append(errs, p.proc.Shutdown(ctx))
		// sdk/trace likewise skips its span processors when ctx is done.
		// Stopping one twice does nothing.
		_ = p.spans.Shutdown(ctx) // its error is in errs, or ctx's is
		p.rep.close(ctx)
		if s := p.Stats(); s.Undelivered() > 0 {
			errs = append(errs, &UndeliveredError{Stats: s})
		}
		p.shutdownErr = errors.Join(errs...)
	})
	return p.shutdownErr
}

// UndeliveredError is part of Shutdown's error when records or spans were
// dropped.
type UndeliveredError struct{ Stats Stats }

func (e *UndeliveredError) Error() string {
	parts := func(exps []ExporterStats) string {
		var parts []string
		for _, x := range exps {
			if n := x.Dropped.Total(); n > 0 {
				d := x.Dropped
				parts = append(parts, fmt.Sprintf("%s: %d (queue full %d, export failed %d, rejected %d, invalid %d, shutdown %d)",
					x.Name, n, d.QueueFull, d.ExportFailed, d.Rejected, d.Invalid, d.Shutdown))
			}
		}
		return strings.Join(parts, "; ")
	}
	var out []string
	if n := e.Stats.UndeliveredRecords(); n > 0 {
		out = append(out, fmt.Sprintf("%d record(s) not delivered of %d emitted: %s", n, e.Stats.Emitted, parts(e.Stats.Exporters)))
	}
	if sp := e.Stats.Spans; sp.Dropped.Total() > 0 {
		s := fmt.Sprintf("%d span(s) not delivered of %d ended", sp.Dropped.Total(), sp.Ended)
		if sp.OpenAtShutdown > 0 {
			s += fmt.Sprintf(" (%d still open at shutdown)", sp.OpenAtShutdown)
		}
		out = append(out, s+": "+parts(sp.Exporters))
	}
	return "export: " + strings.Join(out, "; ")
}

// overlay is base with the fields set in top (above zero) replacing its own.
func overlay(base, top batchConfig) batchConfig {
	pick := func(b, t int) int {
		if t > 0 {
			return t
		}
		return b
	}
	pickDur := func(b, t time.Duration) time.Duration {
		if t > 0 {
			return t
		}
		return b
	}
	return batchConfig{
		queueSize: pick(base.queueSize, top.queueSize), batchSize: pick(base.batchSize, top.batchSize),
		queueBytes: pick(base.queueBytes, top.queueBytes), batchBytes: pick(base.batchBytes, top.batchBytes),
		interval: pickDur(base.interval, top.interval), timeout: pickDur(base.timeout, top.timeout),
	}
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
	return sanitizeResource(res, c.limits), nil
}

// sanitizeResource makes the resource's strings valid UTF-8 and within l,
// once: every record and span carries it, so one bad byte in
// OTEL_RESOURCE_ATTRIBUTES or the service name would otherwise fail every
// OTLP request for the life of the process.
func sanitizeResource(res *resource.Resource, l logrecord.Limits) *resource.Resource {
	attrs := res.Attributes()
	if kvsClean(attrs, l) && l.String(res.SchemaURL()) == res.SchemaURL() {
		return res
	}
	return resource.NewWithAttributes(l.String(res.SchemaURL()), sanitizeKVs(attrs, l)...)
}

// fitResource cuts res to at most room bytes of attributes, as a record is
// cut (values first, step by step, each cut marked; then the last
// attributes, service.name kept), and says so through report: every
// request carries the resource, so one within the limits but larger than
// a request would make every request too large for the life of the
// process.
func fitResource(res *resource.Resource, l logrecord.Limits, room int, report func(error)) *resource.Resource {
	size := func(kvs []attribute.KeyValue) int {
		n := len(res.SchemaURL())
		for _, kv := range kvs {
			n += kvSize(kv)
		}
		return n
	}
	attrs := res.Attributes()
	before := size(attrs)
	if before <= room {
		return res
	}
	// service.name first: it is kept whatever else is dropped.
	slices.SortStableFunc(attrs, func(a, b attribute.KeyValue) int {
		switch {
		case a.Key == semconv.ServiceNameKey && b.Key != semconv.ServiceNameKey:
			return -1
		case b.Key == semconv.ServiceNameKey && a.Key != semconv.ServiceNameKey:
			return 1
		}
		return 0
	})
	var kvs []attribute.KeyValue
	for _, t := range tighter(l, room) {
		if kvs = sanitizeKVs(attrs, t); size(kvs) <= room {
			break
		}
	}
	if kvs == nil {
		kvs = sanitizeKVs(attrs, logrecord.Limits{MaxStringLen: 16, MaxKeyLen: 16, MaxItems: 1, MaxDepth: 1})
	}
	kept := 0
	for n := len(res.SchemaURL()); kept < len(kvs); kept++ {
		if n += kvSize(kvs[kept]); n > room && kept > 0 {
			break
		}
	}
	kvs = kvs[:kept]
	report(fmt.Errorf("export: the resource's attributes take %d bytes, more than a quarter of one request (WithBatchBytes): cut to %d bytes, %d of %d attributes kept",
		before, size(kvs), len(kvs), len(attrs)))
	return resource.NewWithAttributes(res.SchemaURL(), kvs...)
}

// spanLimits are the SDK's span limits for l: values are cut as they are
// set (one byte, and two levels, past l, so that sanitizing marks the cut);
// attributes past MaxAttributes are dropped and counted.
func spanLimits(l logrecord.Limits) sdktrace.SpanLimits {
	r := resolveLimits(l)
	sl := sdktrace.NewSpanLimits()
	sl.AttributeValueLengthLimit, sl.AttributeValueDepthLimit = -1, -1
	if r.MaxStringLen < math.MaxInt {
		sl.AttributeValueLengthLimit = r.MaxStringLen + 1
	}
	if r.MaxDepth < math.MaxInt-2 {
		sl.AttributeValueDepthLimit = r.MaxDepth + 2
	}
	n := attributeCountLimit(l)
	sl.AttributeCountLimit, sl.AttributePerEventCountLimit, sl.AttributePerLinkCountLimit = n, n, n
	return sl
}

// chooseExporters applies the rules of the package documentation: options
// first; with no exporter option, the OTEL_*_EXPORTER variables; with those
// unset, the console on stdout, plus OTLP for each signal whose endpoint
// variable (the base one or its own) is set.
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
			wantOTLPLogs = e.logsEndpoint
		}
		switch {
		case e.traces != nil:
			wantOTLPTraces = slices.Contains(e.traces, "otlp")
			wantConsoleTraces = slices.Contains(e.traces, "console")
		default:
			wantOTLPTraces = e.tracesEndpoint
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

// spanExporterName names a span exporter in SpanStats: as the log exporter
// it also is ("store"), else by its type.
func spanExporterName(exp sdktrace.SpanExporter, logs []namedExporter) string {
	if t := reflect.TypeOf(exp); t != nil && t.Comparable() {
		for _, ne := range logs {
			if ne.exp != nil && reflect.TypeOf(ne.exp) == t && any(ne.exp) == any(exp) {
				return ne.name
			}
		}
	}
	switch exp.(type) {
	case *Console:
		return "console"
	case *Memory:
		return "memory"
	case *otlptrace.Exporter, *otlpSpans:
		return "otlp"
	}
	if exp == nil {
		return "<nil>"
	}
	return reflect.TypeOf(exp).String()
}

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
