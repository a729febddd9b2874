package bridge_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

func pipeline(t *testing.T) (*export.Pipeline, *export.Memory) {
	t.Helper()
	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p, mem
}

// asMap turns a record back into the map slogtest expects.
func asMap(r sdklog.Record) map[string]any {
	m := map[string]any{}
	if !r.Timestamp().IsZero() {
		m[slog.TimeKey] = r.Timestamp()
	}
	m[slog.LevelKey] = severity.FromOTel(r.Severity()).Slog()
	m[slog.MessageKey] = r.Body().AsString()
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		switch kv.Key {
		case logrecord.KeyMessageSource, logrecord.KeyMessageType:
		default:
			m[string(kv.Key)] = raw(kv.Value)
		}
		return true
	})
	return m
}

func raw(v attribute.Value) any {
	if v.Type() == attribute.MAP {
		m := map[string]any{}
		for _, kv := range v.AsMap() {
			m[string(kv.Key)] = raw(kv.Value)
		}
		return m
	}
	return v.AsInterface()
}

func TestSlogtest(t *testing.T) {
	var mem *export.Memory
	var p *export.Pipeline
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		p, mem = pipeline(t)
		return bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})
	}, func(t *testing.T) map[string]any {
		require.NoError(t, p.ForceFlush(t.Context()))
		recs := mem.Records()
		require.Len(t, recs, 1)
		return asMap(recs[0])
	})
}

func TestLevelMapping(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  severity.Severity
	}{
		{slog.LevelDebug - 8, severity.Trace1},
		{slog.LevelDebug - 100, severity.Trace1},
		{slog.LevelDebug - 4, severity.Trace1},
		{slog.LevelDebug - 1, severity.Trace4},
		{slog.LevelDebug, severity.Debug},
		{slog.LevelInfo, severity.Info},
		{slog.LevelInfo + 2, severity.Info3},
		{slog.LevelWarn, severity.Warn},
		{slog.LevelError, severity.Error},
		{slog.LevelError + 4, severity.Fatal},
		{slog.LevelError + 7, severity.Fatal4},
		{slog.LevelError + 8, severity.Fatal4},
		{slog.LevelError + 1000, severity.Fatal4},
	}
	p, mem := pipeline(t)
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))
	for _, tt := range tests {
		mem.Reset()
		logger.Log(t.Context(), tt.level, "m")
		require.NoError(t, p.ForceFlush(t.Context()))
		recs := mem.Records()
		require.Len(t, recs, 1)
		assert.Equal(t, tt.want.OTel(), recs[0].Severity(), "%v", tt.level)
		assert.Equal(t, tt.want.String(), recs[0].SeverityText(), "%v", tt.level)
	}
}

type point struct {
	X, Y int
	Tag  string `json:"tag,omitempty"`
}

type valuer struct{ v any }

func (l valuer) LogValue() slog.Value { return slog.AnyValue(l.v) }

type selfValuer struct{}

func (s selfValuer) LogValue() slog.Value { return slog.AnyValue(s) }

type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("boom") }

type stringer struct{}

func (stringer) String() string { return "as string" }

func TestValueConversion(t *testing.T) {
	when := time.Date(2026, 11, 21, 10, 0, 0, 5, time.UTC)
	tests := []struct {
		name string
		in   slog.Value
		want attribute.Value
	}{
		{"string", slog.StringValue("s"), attribute.StringValue("s")},
		{"int64", slog.Int64Value(-3), attribute.Int64Value(-3)},
		{"uint64", slog.Uint64Value(7), attribute.Int64Value(7)},
		{"uint64 max", slog.Uint64Value(math.MaxUint64), attribute.StringValue("18446744073709551615")},
		{"float64", slog.Float64Value(0.5), attribute.Float64Value(0.5)},
		{"bool", slog.BoolValue(true), attribute.BoolValue(true)},
		{"duration", slog.DurationValue(1500 * time.Millisecond), attribute.StringValue("1.5s")},
		{"time", slog.TimeValue(when), attribute.StringValue("2026-11-21T10:00:00.000000005Z")},
		{"group", slog.GroupValue(slog.Int("a", 1), slog.String("b", "x")), attribute.MapValue(attribute.Int("a", 1), attribute.String("b", "x"))},
		{"LogValuer", slog.AnyValue(valuer{42}), attribute.Int64Value(42)},
		{"self-returning LogValuer is bounded", slog.AnyValue(selfValuer{}), attribute.StringValue("LogValue called too many times on Value of type bridge_test.selfValuer")},
		{"panicking LogValuer", slog.AnyValue(panicValuer{}), attribute.StringValue("LogValue panicked\n")},
		{"Any struct", slog.AnyValue(point{1, 2, ""}), attribute.MapValue(attribute.Int("X", 1), attribute.Int("Y", 2))},
		{"Any map", slog.AnyValue(map[string]int{"b": 2, "a": 1}), attribute.MapValue(attribute.Int("a", 1), attribute.Int("b", 2))},
		{"Any slice", slog.AnyValue([]int{1, 2}), attribute.IntSliceValue([]int{1, 2})},
		{"Any []any", slog.AnyValue([]any{"a", 1}), attribute.SliceValue(attribute.StringValue("a"), attribute.IntValue(1))},
		{"Any error", slog.AnyValue(errors.New("e")), attribute.StringValue("e")},
		{"Any Stringer", slog.AnyValue(stringer{}), attribute.StringValue("as string")},
		{"Any bytes", slog.AnyValue([]byte("hi")), attribute.ByteSliceValue([]byte("hi"))},
		{"Any nil", slog.AnyValue(nil), attribute.Value{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bridge.Value(tt.in.Resolve())
			if strings.HasPrefix(tt.want.AsString(), "LogValue panicked") {
				assert.True(t, strings.HasPrefix(got.AsString(), "LogValue panicked"), got.AsString())
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestInsideAnOperation(t *testing.T) {
	p, mem := pipeline(t)
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider(), AddSource: true})).With("component", "crm")

	ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Integration: "hubspot", Connection: "c-1"})
	logger.InfoContext(ctx, "inside", "page", 2, "err", fmt.Errorf("wrapped: %w", errors.ErrUnsupported))
	childCtx, child := p.TracerProvider().Tracer("t").Start(ctx, "child")
	logger.WarnContext(childCtx, "in child span")
	child.End()
	op.Succeed()
	spanCtx, span := p.TracerProvider().Tracer("t").Start(t.Context(), "unrelated")
	logger.InfoContext(spanCtx, "standalone")
	span.End()
	require.NoError(t, p.ForceFlush(t.Context()))

	find := func(body string) sdklog.Record {
		recs := mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == body })
		require.Len(t, recs, 1, body)
		return recs[0]
	}
	attr := func(r sdklog.Record, k string) attribute.Value {
		v, _ := export.Attribute(&r, attribute.Key(k))
		return v
	}
	in := find("inside")
	assert.Equal(t, op.ID(), attr(in, logrecord.KeyOperationID).AsString())
	assert.Equal(t, "hubspot", attr(in, logrecord.KeyIntegrationID).AsString())
	assert.Equal(t, "user", attr(in, logrecord.KeyMessageSource).AsString())
	assert.Equal(t, "crm", attr(in, "component").AsString())
	assert.Equal(t, int64(2), attr(in, "page").AsInt64())
	assert.Equal(t, "wrapped: unsupported operation", attr(in, "err").AsString(), "the error keeps its key and value")
	assert.Equal(t, "*errors.errorString", attr(in, logrecord.KeyExceptionType).AsString())
	assert.Equal(t, op.SpanContext().TraceID(), in.TraceID())
	assert.Equal(t, op.SpanContext().SpanID(), in.SpanID())
	assert.Contains(t, attr(in, logrecord.KeyCodeFilePath).AsString(), "handler_test.go")
	assert.Contains(t, attr(in, logrecord.KeyCodeFunctionName).AsString(), "TestInsideAnOperation")
	assert.Positive(t, attr(in, logrecord.KeyCodeLineNumber).AsInt64())

	ch := find("in child span")
	assert.Equal(t, child.SpanContext().SpanID(), ch.SpanID())
	assert.Equal(t, op.ID(), attr(ch, logrecord.KeyOperationID).AsString())

	sa := find("standalone")
	assert.Equal(t, attribute.EMPTY, attr(sa, logrecord.KeyOperationID).Type())
	assert.Equal(t, span.SpanContext().TraceID(), sa.TraceID(), "standalone records still correlate to the span in ctx")
}

func TestGroupsAndReplaceAttr(t *testing.T) {
	p, mem := pipeline(t)
	h := bridge.NewHandler(&bridge.Options{
		LoggerProvider: p.LoggerProvider(),
		Level:          slog.LevelInfo,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == "password" {
				return slog.String(a.Key, "REDACTED")
			}
			if a.Key == "drop" {
				return slog.Attr{}
			}
			return a
		},
	})
	logger := slog.New(h).With("root", 1).WithGroup("req").With("id", "r-1").WithGroup("empty")
	logger.Debug("below the level")
	logger.Info("m", "password", "hunter2", "drop", true, slog.Group("g"), slog.Group("", slog.Int("inlined", 1)))
	require.NoError(t, p.ForceFlush(t.Context()))
	recs := mem.Records()
	require.Len(t, recs, 1)
	assert.Equal(t, map[string]any{
		slog.LevelKey: slog.LevelInfo, slog.MessageKey: "m", slog.TimeKey: recs[0].Timestamp(),
		"root": int64(1),
		"req":  map[string]any{"id": "r-1", "empty": map[string]any{"password": "REDACTED", "inlined": int64(1)}},
	}, asMap(recs[0]))
}

func TestEnabledIsOneComparison(t *testing.T) {
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	h := bridge.NewHandler(&bridge.Options{Level: &lv})
	assert.False(t, h.Enabled(t.Context(), slog.LevelInfo))
	assert.True(t, h.Enabled(t.Context(), slog.LevelError))
	lv.Set(slog.LevelDebug)
	assert.True(t, h.Enabled(t.Context(), slog.LevelInfo), "a LevelVar is read at each call")
	assert.Zero(t, testing.AllocsPerRun(100, func() { h.Enabled(context.Background(), slog.LevelInfo) }))
	assert.True(t, bridge.NewHandler(nil).Enabled(t.Context(), slog.LevelDebug-100), "nil options: every level")
}
