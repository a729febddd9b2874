package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

var t0 = time.Date(2026, 11, 21, 10, 30, 0, 123_000_000, time.UTC)

func record(sev severity.Severity, body attribute.Value, attrs ...attribute.KeyValue) log.Record {
	var r log.Record
	r.SetTimestamp(t0)
	r.SetObservedTimestamp(t0.Add(time.Millisecond))
	r.SetSeverity(sev.OTel())
	r.SetSeverityText(sev.String())
	r.SetBody(body)
	r.AddAttributes(attrs...)
	return r
}

// setup builds a pipeline that touches no globals and fails the test on
// reported errors unless the test collects them.
func setup(t *testing.T, opts ...export.Option) *export.Pipeline {
	t.Helper()
	p, err := export.Setup(t.Context(), append([]export.Option{export.WithoutGlobal(), export.WithServiceName("test")}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

func TestConsoleGolden(t *testing.T) {
	var buf bytes.Buffer
	con := export.NewConsole(&buf, export.ConsoleColor(false), export.ConsoleTime("15:04:05.000", time.UTC))
	p := setup(t, export.WithExporter(con))
	lg := p.LoggerProvider().Logger("test")
	ctx := t.Context()
	opAttrs := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationID, "01JD2X3Y4Z5A6B7C8D9E0F1G2H"),
		attribute.String(logrecord.KeyOperationType, "sync"),
		attribute.String(logrecord.KeyOperationAction, "run"),
		attribute.String(logrecord.KeyIntegrationID, "hubspot"),
		attribute.String(logrecord.KeyConnectionID, "conn-42"),
	}
	lg.Emit(ctx, record(severity.Info, attribute.StringValue("Fetched page"), append(opAttrs, attribute.Int("page", 2), attribute.String("cursor", "a b"))...))
	lg.Emit(ctx, record(severity.Warn2, attribute.StringValue("forged\nline\r\x1b[2J\x1b]0;title\x07 \u2028 \u202e end"), attribute.String("k\nv", "x=y\"z")))
	lg.Emit(ctx, record(severity.Error, attribute.MapValue(attribute.Int("n", 1)), attribute.String("empty", ""), attribute.Float64("nan", math.NaN()),
		attribute.Map("m", attribute.String("k", "a\nb\x1b[2J")), attribute.StringSlice("ss", []string{"x y", "z"})))
	r := record(severity.Debug3, attribute.Value{})
	r.SetEventName("oplog.http")
	r.AddAttributes(attribute.Int("http.response.status_code", 200), attribute.StringSlice("h", []string{"one value"}))
	lg.Emit(ctx, r)
	r.SetEventName("custom.event")
	lg.Emit(ctx, r)
	require.NoError(t, p.ForceFlush(ctx))

	want := `10:30:00.123 INFO   [sync.run hubspot/conn-42 #9E0F1G2H] Fetched page  page=2 cursor="a b"
10:30:00.123 WARN2  forged\nline\r\u001b[2J\u001b]0;title\u0007 \u2028 \u202e end  "k\nv"="x=y\"z"
10:30:00.123 ERROR  {"n":1}  empty="" nan=NaN m={"k":"a\nb\u001b[2J"} ss="[\"x y\",\"z\"]"
10:30:00.123 DEBUG3  http.response.status_code=200 h="one value"
10:30:00.123 DEBUG3  event=custom.event http.response.status_code=200 h="one value"
`
	assert.Equal(t, want, buf.String())
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		assert.NotContains(t, line, "\x1b", "no raw ESC reaches the terminal")
	}
}

func TestConsoleColorOnlyWhenAsked(t *testing.T) {
	var plain, colored bytes.Buffer
	recs := exportRecords(t, record(severity.Error, attribute.StringValue("boom")))
	require.NoError(t, export.NewConsole(&plain).Export(t.Context(), recs))
	require.NoError(t, export.NewConsole(&colored, export.ConsoleColor(true)).Export(t.Context(), recs))
	assert.NotContains(t, plain.String(), "\x1b[", "a bytes.Buffer is not a terminal")
	assert.Contains(t, colored.String(), "\x1b[31mERROR\x1b[0m")
}

// exportRecords turns API records into SDK records through a real provider.
func exportRecords(t *testing.T, recs ...log.Record) []sdklog.Record {
	t.Helper()
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem))
	for _, r := range recs {
		p.LoggerProvider().Logger("test", log.WithInstrumentationVersion("v1")).Emit(t.Context(), r)
	}
	require.NoError(t, p.ForceFlush(t.Context()))
	return mem.Records()
}

func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	p := setup(t, export.WithJSON(&buf), export.WithResource(resource.NewSchemaless(attribute.String("deployment.environment.name", "test"))))
	lg := p.LoggerProvider().Logger("scope-a", log.WithInstrumentationVersion("1.2.3"))
	tid, _ := trace.TraceIDFromHex("0102030405060708090a0b0c0d0e0f10")
	sid, _ := trace.SpanIDFromHex("0102030405060708")
	ctx := trace.ContextWithSpanContext(t.Context(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	r := record(severity.Info, attribute.StringValue("line\nbreak \u2028"), attribute.Float64("nan", math.NaN()), attribute.Float64("inf", math.Inf(-1)),
		attribute.Int("n", 5), attribute.ByteSlice("b", []byte{1, 2}), attribute.StringSlice("ss", []string{"x"}),
		attribute.Map("m", attribute.Bool("ok", true)), attribute.String("bad\xff", "v\xfe"))
	r.SetEventName("oplog.http")
	lg.Emit(ctx, r)
	require.NoError(t, p.ForceFlush(t.Context()))

	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 1)
	var req map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &req), lines[0])
	rl := req["resourceLogs"].([]any)[0].(map[string]any)
	assert.Contains(t, fmt.Sprint(rl["resource"]), "deployment.environment.name")
	sl := rl["scopeLogs"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"name": "scope-a", "version": "1.2.3"}, sl["scope"])
	lr := sl["logRecords"].([]any)[0].(map[string]any)
	assert.Equal(t, strconv.FormatInt(t0.UnixNano(), 10), lr["timeUnixNano"])
	assert.Equal(t, strconv.FormatInt(t0.Add(time.Millisecond).UnixNano(), 10), lr["observedTimeUnixNano"])
	assert.Equal(t, 9.0, lr["severityNumber"])
	assert.Equal(t, "INFO", lr["severityText"])
	assert.Equal(t, map[string]any{"stringValue": "line\nbreak \u2028"}, lr["body"])
	assert.Equal(t, "0102030405060708090a0b0c0d0e0f10", lr["traceId"])
	assert.Equal(t, "0102030405060708", lr["spanId"])
	assert.Equal(t, 1.0, lr["flags"])
	assert.Equal(t, "oplog.http", lr["eventName"])
	attrs := map[string]any{}
	for _, a := range lr["attributes"].([]any) {
		kv := a.(map[string]any)
		attrs[kv["key"].(string)] = kv["value"]
	}
	assert.Equal(t, map[string]any{"doubleValue": "NaN"}, attrs["nan"])
	assert.Equal(t, map[string]any{"doubleValue": "-Infinity"}, attrs["inf"])
	assert.Equal(t, map[string]any{"intValue": "5"}, attrs["n"])
	assert.Equal(t, map[string]any{"bytesValue": "AQI="}, attrs["b"])
	assert.Equal(t, map[string]any{"arrayValue": map[string]any{"values": []any{map[string]any{"stringValue": "x"}}}}, attrs["ss"])
	assert.Equal(t, map[string]any{"kvlistValue": map[string]any{"values": []any{map[string]any{"key": "ok", "value": map[string]any{"boolValue": true}}}}}, attrs["m"])
	assert.Equal(t, map[string]any{"stringValue": "v\uFFFD"}, attrs["bad\uFFFD"], "sanitized before export")
}

func TestMemoryQueries(t *testing.T) {
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem), export.WithSpanExporter(mem))
	lg := p.LoggerProvider().Logger("test")
	ctx, span := p.TracerProvider().Tracer("test").Start(t.Context(), "sync.run")
	lg.Emit(ctx, record(severity.Info, attribute.StringValue("a"), attribute.String("k", "v")))
	ev := record(severity.Error2, attribute.StringValue("b"))
	ev.SetEventName("oplog.operation.end")
	lg.Emit(t.Context(), ev)
	span.End()
	require.NoError(t, p.ForceFlush(t.Context()))

	assert.Len(t, mem.Records(), 2)
	assert.Len(t, mem.AtLeast(severity.Error), 1)
	assert.Len(t, mem.WithSeverity(severity.Error2), 1)
	assert.Len(t, mem.WithEventName("oplog.operation.end"), 1)
	assert.Len(t, mem.WithAttribute(attribute.String("k", "v")), 1)
	assert.Empty(t, mem.WithAttribute(attribute.String("k", "other")))
	assert.Len(t, mem.WithTraceID(span.SpanContext().TraceID()), 1)
	assert.Len(t, mem.WithSpanID(span.SpanContext().SpanID()), 1)
	require.Len(t, mem.Spans(), 1)
	assert.Equal(t, "sync.run", mem.Spans()[0].Name())
	mem.Reset()
	assert.Empty(t, mem.Records())
}

func TestMinSeverity(t *testing.T) {
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem), export.WithMinSeverity(severity.Warn))
	lg := p.LoggerProvider().Logger("test")
	assert.False(t, lg.Enabled(t.Context(), log.EnabledParameters{Severity: log.SeverityInfo4}))
	assert.True(t, lg.Enabled(t.Context(), log.EnabledParameters{Severity: log.SeverityWarn}))
	for s := severity.Trace1; s <= severity.Fatal4; s++ {
		lg.Emit(t.Context(), record(s, attribute.StringValue(s.String())))
	}
	require.NoError(t, p.ForceFlush(t.Context()))
	assert.Len(t, mem.Records(), 12)
	assert.Equal(t, uint64(12), p.Stats().Emitted)
}

// stubExporter fails, delays or answers as told.
type stubExporter struct {
	mu       sync.Mutex
	calls    int
	got      int
	fail     func(call int) error
	block    chan struct{} // Export waits on it when not nil
	entered  chan struct{} // receives once per Export call that blocks
	shutdown bool
}

func (s *stubExporter) Export(ctx context.Context, recs []sdklog.Record) error {
	if s.block != nil {
		if s.entered != nil {
			s.entered <- struct{}{}
		}
		select {
		case <-s.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		if err := s.fail(s.calls); err != nil {
			return err
		}
	}
	s.got += len(recs)
	return nil
}
func (s *stubExporter) Shutdown(context.Context) error   { s.shutdown = true; return nil }
func (s *stubExporter) ForceFlush(context.Context) error { return nil }

func emitN(p *export.Pipeline, n int) {
	lg := p.LoggerProvider().Logger("test")
	for i := range n {
		lg.Emit(context.Background(), record(severity.Info, attribute.IntValue(i)))
	}
}

func assertAddsUp(t *testing.T, s export.Stats) {
	t.Helper()
	for _, e := range s.Exporters {
		assert.Equal(t, s.Emitted, e.Delivered+e.Dropped.Total()+e.Pending, "%s: %+v", e.Name, e)
	}
}

func TestStatsExportFailed(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	stub := &stubExporter{fail: func(int) error { return errors.New("backend down") }}
	p := setup(t, export.WithExporter(stub), export.WithBatchSize(10), export.WithExportInterval(time.Millisecond),
		export.WithErrorHandler(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	emitN(p, 25)
	require.NoError(t, p.ForceFlush(t.Context()))
	s := p.Stats()
	assert.Equal(t, uint64(25), s.Emitted)
	assert.Equal(t, uint64(25), s.Exporters[0].Dropped.ExportFailed)
	assertAddsUp(t, s)
	mu.Lock()
	require.NotEmpty(t, reported, "drops are reported, not only counted")
	var de *export.DropError
	require.ErrorAs(t, reported[0], &de)
	assert.Equal(t, "export failed", de.Reason)
	assert.Less(t, len(reported), 3, "rate-limited: one report per interval")
	mu.Unlock()

	err := p.Shutdown(t.Context())
	var ue *export.UndeliveredError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "25 record(s) not delivered of 25 emitted")
	assert.Equal(t, err, p.Shutdown(t.Context()), "a second Shutdown returns the first result")
}

func TestStatsQueueFull(t *testing.T) {
	stub := &stubExporter{block: make(chan struct{}), entered: make(chan struct{}, 16)}
	p := setup(t, export.WithExporter(stub), export.WithQueueSize(100), export.WithBatchSize(100),
		export.WithExportInterval(time.Millisecond), export.WithErrorHandler(func(error) {}))
	emitN(p, 1)
	<-stub.entered // one record in flight; the queue is empty and the exporter stuck
	emitN(p, 1000)
	s := p.Stats()
	assert.Equal(t, uint64(1001), s.Emitted)
	assert.Equal(t, uint64(900), s.Exporters[0].Dropped.QueueFull, "exactly the records beyond the queue")
	assert.Equal(t, uint64(101), s.Exporters[0].Pending)
	assertAddsUp(t, s)
	close(stub.block)
	require.NoError(t, p.ForceFlush(t.Context()))
	s = p.Stats()
	assert.Equal(t, uint64(101), s.Exporters[0].Delivered)
	assertAddsUp(t, s)
}

func TestShutdownDeadline(t *testing.T) {
	stub := &stubExporter{block: make(chan struct{}), entered: make(chan struct{}, 16)} // a receiver that hangs
	p := setup(t, export.WithExporter(stub), export.WithErrorHandler(func(error) {}))
	emitN(p, 10)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err := p.Shutdown(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "10 record(s) not delivered")
	s := p.Stats()
	assert.Equal(t, uint64(10), s.Exporters[0].Dropped.Shutdown)
	assertAddsUp(t, s)

	emitN(p, 3) // after Shutdown: counted, never lost silently
	assert.Equal(t, uint64(10), p.Stats().Emitted, "the SDK provider no longer reaches the pipeline after shutdown")
}

func TestSetupEnvErrors(t *testing.T) {
	tests := []struct{ name, val, want string }{
		{"OTEL_LOGS_EXPORTER", "zipkin", `OTEL_LOGS_EXPORTER="zipkin": want a comma-separated list of console, otlp, none`},
		{"OTEL_TRACES_EXPORTER", "otlp,jaeger", `OTEL_TRACES_EXPORTER="otlp,jaeger"`},
		{"OPLOG_CONSOLE_FORMAT", "xml", `OPLOG_CONSOLE_FORMAT="xml": want pretty or json`},
		{"OPLOG_LEVEL", "loud", `OPLOG_LEVEL: severity: unknown severity "loud"`},
		{"OTEL_BLRP_MAX_QUEUE_SIZE", "-3", `OTEL_BLRP_MAX_QUEUE_SIZE="-3"`},
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", `OTEL_EXPORTER_OTLP_PROTOCOL="grpc": want http/protobuf`},
		{"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd", `want gzip or none`},
		{"OTEL_EXPORTER_OTLP_TIMEOUT", "10s", `want a whole number of milliseconds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.name, tt.val)
			_, err := export.Setup(t.Context(), export.WithoutGlobal())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestSetupEndpointErrorIsRedacted(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318/?token=s3cr3t-CANARY")
	_, err := export.Setup(t.Context(), export.WithoutGlobal())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "OTEL_EXPORTER_OTLP_ENDPOINT")
	assert.NotContains(t, err.Error(), "CANARY")
}

func TestSetupHeadersErrorHidesValue(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "Bearer s3cr3t-CANARY")
	_, err := export.Setup(t.Context(), export.WithoutGlobal())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "CANARY")
}

func TestSetupChoosesExporters(t *testing.T) {
	names := func(p *export.Pipeline) []string {
		var out []string
		for _, e := range p.Stats().Exporters {
			out = append(out, e.Name)
		}
		return out
	}
	tests := []struct {
		name string
		env  map[string]string
		opts []export.Option
		want []string
	}{
		{"nothing set: console on stdout", nil, nil, []string{"console"}},
		{"endpoint set: console and OTLP", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}, nil, []string{"console", "otlp"}},
		{"logs endpoint set", map[string]string{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://127.0.0.1:1/v1/logs"}, nil, []string{"console", "otlp"}},
		{"json console format", map[string]string{"OPLOG_CONSOLE_FORMAT": "json"}, nil, []string{"json"}},
		{"explicit list", map[string]string{"OTEL_LOGS_EXPORTER": "otlp, console"}, nil, []string{"console", "otlp"}},
		{"none", map[string]string{"OTEL_LOGS_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}, nil, nil},
		{"options win over variables", map[string]string{"OTEL_LOGS_EXPORTER": "otlp"}, []export.Option{export.WithJSON(io.Discard)}, []string{"json"}},
		{"several exporters combine", nil, []export.Option{export.WithConsole(io.Discard), export.WithJSON(io.Discard), export.WithExporter(export.NewMemory())},
			[]string{"console", "json", "memory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			p := setup(t, tt.opts...)
			assert.Equal(t, tt.want, names(p))
		})
	}
}

func TestSetupResourceFromEnvAndOptions(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team=integrations,region=eu")
	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem))
	require.NoError(t, err)
	p.LoggerProvider().Logger("x").Emit(t.Context(), record(severity.Info, attribute.StringValue("a")))
	require.NoError(t, p.Shutdown(t.Context()))
	res := mem.Records()[0].Resource()
	v, _ := res.Set().Value("service.name")
	assert.Equal(t, "from-env", v.AsString())
	v, _ = res.Set().Value("region")
	assert.Equal(t, "eu", v.AsString())

	mem = export.NewMemory()
	p, err = export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithServiceName("from-option"))
	require.NoError(t, err)
	p.LoggerProvider().Logger("x").Emit(t.Context(), record(severity.Info, attribute.StringValue("a")))
	require.NoError(t, p.Shutdown(t.Context()))
	v, _ = mem.Records()[0].Resource().Set().Value("service.name")
	assert.Equal(t, "from-option", v.AsString(), "the option wins over OTEL_SERVICE_NAME")
}

func TestSetupRegistersGlobals(t *testing.T) {
	p, err := export.Setup(t.Context(), export.WithExporter(export.NewMemory()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	assert.Same(t, p.LoggerProvider(), otel.GetLoggerProvider())
	assert.Same(t, p.TracerProvider(), otel.GetTracerProvider())
}

func TestDuplicateKeysLastWins(t *testing.T) {
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem))
	var r log.Record
	r.SetBody(attribute.StringValue("dup"))
	r.AddAttributes(attribute.String("a", "1"), attribute.Int("b", 2))
	r.AddAttributes(attribute.String("a", "3"), attribute.String("c", "x")) // the API record keeps both "a"
	p.LoggerProvider().Logger("x").Emit(t.Context(), r)
	require.NoError(t, p.ForceFlush(t.Context()))
	var got []attribute.KeyValue
	rec := mem.Records()[0]
	rec.WalkAttributes(func(kv attribute.KeyValue) bool { got = append(got, kv); return true })
	assert.Equal(t, []attribute.KeyValue{attribute.String("a", "3"), attribute.Int("b", 2), attribute.String("c", "x")}, got)
}

// Past the first 32 keys the duplicate check switches from a scan to a map;
// a duplicate on either side of the switch must still be found.
func TestDuplicateKeysAmongManyAttributes(t *testing.T) {
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem))
	var r log.Record
	r.SetBody(attribute.StringValue("many"))
	for i := range 100 {
		r.AddAttributes(attribute.Int("k"+strconv.Itoa(i), i))
	}
	r.AddAttributes(attribute.String("k5", "late"), attribute.String("k70", "late"))
	p.LoggerProvider().Logger("x").Emit(t.Context(), r)
	require.NoError(t, p.ForceFlush(t.Context()))
	rec := mem.Records()[0]
	assert.Equal(t, 100, rec.AttributesLen())
	for key, want := range map[attribute.Key]attribute.Value{
		"k5": attribute.StringValue("late"), "k70": attribute.StringValue("late"), "k99": attribute.IntValue(99),
	} {
		got, ok := export.Attribute(&rec, key)
		assert.True(t, ok, string(key))
		assert.Equal(t, want, got, string(key))
	}
}
