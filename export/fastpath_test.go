package export_test

import (
	"context"
	"log/slog"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// The fast path (internal/fastpath) must give the exporters the same record
// the SDK would have built from the same log.Record: resource, scope,
// timestamps, severity, body, event name, trace correlation, attributes.
func TestFastPathRecordEqualsSDKRecord(t *testing.T) {
	fast := export.NewMemory()
	p := setup(t, export.WithExporter(fast))
	viaSDK := export.NewMemory()
	q := setup(t, export.WithExporter(viaSDK))

	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	_, op := trk.Start(t.Context(), operation.ActionRun, operation.Refs{Integration: "github", Connection: "c1"}, operation.At(at))
	attrs := []attribute.KeyValue{attribute.Int("page", 2), attribute.StringSlice("ids", []string{"a", "b"})}
	op.Warn("fetched", attrs...)
	require.NoError(t, p.ForceFlush(t.Context()))
	got := fast.WithEventName("")
	require.Len(t, got, 1)
	f := got[0]

	// The same record by hand through the OTel API of an SDK provider.
	var r log.Record
	r.SetTimestamp(f.Timestamp())
	r.SetSeverity(f.Severity())
	r.SetSeverityText(f.SeverityText())
	r.SetBody(f.Body())
	f.WalkAttributes(func(kv attribute.KeyValue) bool { r.AddAttributes(kv); return true })
	ctx := trace.ContextWithSpanContext(context.Background(), op.SpanContext())
	q.LoggerProvider().Logger(operation.ScopeName, log.WithInstrumentationVersion(f.InstrumentationScope().Version)).Emit(ctx, r)
	require.NoError(t, q.ForceFlush(t.Context()))
	require.Len(t, viaSDK.Records(), 1)
	s := viaSDK.Records()[0]

	assert.Equal(t, s.Resource().Attributes(), f.Resource().Attributes())
	assert.Equal(t, s.InstrumentationScope(), f.InstrumentationScope())
	assert.Equal(t, s.Timestamp(), f.Timestamp())
	assert.Equal(t, s.Severity(), f.Severity())
	assert.Equal(t, s.SeverityText(), f.SeverityText())
	assert.Equal(t, s.Body(), f.Body())
	assert.Equal(t, s.EventName(), f.EventName())
	assert.Equal(t, op.SpanContext().TraceID(), f.TraceID())
	assert.Equal(t, op.SpanContext().SpanID(), f.SpanID())
	assert.Equal(t, op.SpanContext().TraceFlags(), f.TraceFlags())
	assert.False(t, f.ObservedTimestamp().IsZero())
	assert.Equal(t, attrList(&s), attrList(&f))
	v, ok := export.Attribute(&f, "ids")
	assert.True(t, ok)
	assert.Equal(t, []string{"a", "b"}, v.AsStringSlice())
}

func attrList(r *sdklog.Record) []attribute.KeyValue {
	var out []attribute.KeyValue
	r.WalkAttributes(func(kv attribute.KeyValue) bool { out = append(out, kv); return true })
	return out
}

// The template a fast-path logger takes from the SDK is not a record: it is
// neither counted nor exported.
func TestFastPathTemplateIsNotCounted(t *testing.T) {
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem))
	h := bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})
	slog.New(h).Info("one")
	require.NoError(t, p.ForceFlush(t.Context()))
	assert.Len(t, mem.Records(), 1)
	assert.Equal(t, uint64(1), p.Stats().Emitted)
}

// A record whose composite values the bridge did not build through
// logrecord (a group's map) is not marked clean: the sink still makes its
// keys valid. Values the bridge converted are valid when they arrive
// either way.
func TestFastPathSanitizesWhatIsNotClean(t *testing.T) {
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem))
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))
	bad := "k\xff"
	logger.Info("grouped", slog.Group("g", slog.String(bad, "v")))
	logger.Info("any", slog.Any("m", map[string]any{bad: []string{"x\xfe"}}))
	logger.Info("otel value", slog.Any("v", attribute.MapValue(attribute.String(bad, "y\xfd"))))
	require.NoError(t, p.ForceFlush(t.Context()))
	recs := mem.Records()
	require.Len(t, recs, 3)
	for _, r := range recs {
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			assert.True(t, validValue(kv.Value), "%s: %v", kv.Key, kv.Value.String())
			return true
		})
	}
	g, _ := export.Attribute(&recs[0], "g")
	assert.Equal(t, attribute.Key("k\uFFFD"), g.AsMap()[0].Key)
}

func validValue(v attribute.Value) bool {
	switch v.Type() {
	case attribute.STRING:
		return utf8.ValidString(v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			if !utf8.ValidString(s) {
				return false
			}
		}
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			if !validValue(e) {
				return false
			}
		}
	case attribute.MAP:
		for _, kv := range v.AsMap() {
			if !utf8.ValidString(string(kv.Key)) || !validValue(kv.Value) {
				return false
			}
		}
	}
	return true
}

// Limits tighter than the defaults the bridge converts within make the sink
// walk clean records too.
func TestFastPathTighterLimitsStillApply(t *testing.T) {
	mem := export.NewMemory()
	p := setup(t, export.WithExporter(mem), export.WithLimits(logrecord.Limits{MaxItems: 2}))
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))
	logger.Info("many", slog.Any("ids", []int{1, 2, 3, 4, 5}))
	require.NoError(t, p.ForceFlush(t.Context()))
	require.Len(t, mem.Records(), 1)
	v, ok := export.Attribute(&mem.Records()[0], "ids")
	require.True(t, ok)
	assert.Len(t, logrecord.Elements(v), 3, "2 kept and the cut marker")
}

// After Shutdown, a logger made before it still reaches the processor,
// which counts the record as dropped at shutdown: nothing is lost silently.
func TestFastPathAfterShutdownIsCounted(t *testing.T) {
	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem))
	require.NoError(t, err)
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))
	logger.Info("before")
	require.NoError(t, p.Shutdown(t.Context()))
	logger.Info("after")
	s := p.Stats()
	assert.Equal(t, uint64(2), s.Emitted)
	assert.Equal(t, uint64(1), s.Exporters[0].Delivered)
	assert.Equal(t, uint64(1), s.Exporters[0].Dropped.Shutdown)
}
