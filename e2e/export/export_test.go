// Package export_test sends records through export.Setup to the real
// Collector OTLP receiver and checks what arrives.
package export_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// records covers every severity, every body kind, attributes of every kind,
// event names and exception attributes.
func records() []log.Record {
	ts := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	bodies := []attribute.Value{
		attribute.StringValue("text"), attribute.Int64Value(-7), attribute.Float64Value(2.5), attribute.BoolValue(true),
		attribute.ByteSliceValue([]byte{0, 1, 0xff}),
		attribute.SliceValue(attribute.StringValue("a"), attribute.Int64Value(1)),
		attribute.MapValue(attribute.String("k", "v"), attribute.Map("nested", attribute.Bool("ok", false))),
	}
	var out []log.Record
	for s := severity.Trace1; s <= severity.Fatal4; s++ {
		var r log.Record
		r.SetTimestamp(ts.Add(time.Duration(s) * time.Millisecond))
		r.SetObservedTimestamp(ts.Add(time.Duration(s)*time.Millisecond + time.Microsecond))
		r.SetSeverity(s.OTel())
		r.SetSeverityText(s.String())
		r.SetBody(bodies[int(s)%len(bodies)])
		r.AddAttributes(
			attribute.String("s", "x"), attribute.Int64("i", math.MaxInt64), attribute.Float64("f", 0.1), attribute.Bool("b", true),
			attribute.ByteSlice("bytes", []byte("raw")), attribute.StringSlice("ss", []string{"p", "q"}),
			attribute.Int64Slice("is", []int64{1, 2}), attribute.Float64Slice("fs", []float64{1.5}), attribute.BoolSlice("bs", []bool{true}),
			attribute.Map("m", attribute.Int("n", 1)), attribute.Int("seq", int(s)),
		)
		if s.Category() == severity.Error {
			r.AddAttributes(logrecord.Exception(fmt.Errorf("wrapped: %w", errors.ErrUnsupported))...)
			r.SetEventName(logrecord.EventHTTP)
		}
		out = append(out, r)
	}
	return out
}

func TestRecordsArriveIntactAndMatchJSON(t *testing.T) {
	r := collector.Start(t, collector.Options{})
	var jsonOut bytes.Buffer
	p, err := export.Setup(t.Context(),
		export.WithoutGlobal(),
		export.WithServiceName("e2e"),
		export.WithResource(resource.NewSchemaless(attribute.String("deployment.environment.name", "ci"))),
		export.WithOTLP(export.OTLPEndpoint(r.Endpoint()), export.OTLPInsecure()),
		export.WithJSON(&jsonOut),
		export.WithExportInterval(20*time.Millisecond),
	)
	require.NoError(t, err)
	ctx, span := p.TracerProvider().Tracer("e2e").Start(t.Context(), "sync.run")
	lg := p.LoggerProvider().Logger("github.com/oplog-go/oplog/e2e", log.WithInstrumentationVersion("v0.1.0"))
	sent := records()
	for _, rec := range sent {
		lg.Emit(ctx, rec)
	}
	span.End()
	require.NoError(t, p.Shutdown(t.Context()))

	got := r.LogRecords()
	require.Len(t, got, len(sent))
	require.Len(t, r.Spans(), 1)
	assert.Equal(t, "sync.run", r.Spans()[0].Span.Name())
	s := p.Stats()
	assert.Equal(t, uint64(24), s.Emitted)
	for _, e := range s.Exporters {
		assert.Equal(t, uint64(24), e.Delivered, e.Name)
		assert.Zero(t, e.Dropped.Total(), e.Name)
	}
	assert.Equal(t, uint64(1), s.Spans.Exported)

	// What the JSON exporter wrote, read back by the Collector's own decoder.
	var fromJSON []plog.LogRecord
	var jsonRes []map[string]any
	sc := bufio.NewScanner(&jsonOut)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(sc.Bytes())
		require.NoError(t, err, sc.Text())
		for i := range ld.ResourceLogs().Len() {
			rl := ld.ResourceLogs().At(i)
			for j := range rl.ScopeLogs().Len() {
				sl := rl.ScopeLogs().At(j)
				for k := range sl.LogRecords().Len() {
					fromJSON = append(fromJSON, sl.LogRecords().At(k))
					jsonRes = append(jsonRes, rl.Resource().Attributes().AsRaw())
				}
			}
		}
	}
	require.Len(t, fromJSON, len(sent))

	for i, g := range got {
		want := sent[i]
		lr := g.Record
		assert.Equal(t, want.Timestamp().UnixNano(), lr.Timestamp().AsTime().UnixNano(), i)
		assert.Equal(t, want.ObservedTimestamp().UnixNano(), lr.ObservedTimestamp().AsTime().UnixNano(), i)
		assert.Equal(t, int32(want.Severity()), int32(lr.SeverityNumber()), i)
		assert.Equal(t, want.SeverityText(), lr.SeverityText(), i)
		assert.Equal(t, want.EventName(), lr.EventName(), i)
		assert.Equal(t, span.SpanContext().TraceID(), trace.TraceID(lr.TraceID()), i)
		assert.Equal(t, span.SpanContext().SpanID(), trace.SpanID(lr.SpanID()), i)
		assert.Equal(t, uint32(span.SpanContext().TraceFlags()), uint32(lr.Flags()), i)
		assert.Equal(t, "e2e", g.Resource.Attributes().AsRaw()["service.name"])
		assert.Equal(t, "ci", g.Resource.Attributes().AsRaw()["deployment.environment.name"])
		assert.Equal(t, "github.com/oplog-go/oplog/e2e", g.Scope.Name())
		assert.Equal(t, "v0.1.0", g.Scope.Version())
		if want.Severity() >= log.SeverityError1 && want.Severity() <= log.SeverityError4 {
			assert.Equal(t, "*errors.errorString", lr.Attributes().AsRaw()[logrecord.KeyExceptionType])
		}

		// Lossless: the JSON line decodes to the same record the receiver got.
		j := fromJSON[i]
		assert.Equal(t, lr.Timestamp(), j.Timestamp(), i)
		assert.Equal(t, lr.ObservedTimestamp(), j.ObservedTimestamp(), i)
		assert.Equal(t, lr.SeverityNumber(), j.SeverityNumber(), i)
		assert.Equal(t, lr.SeverityText(), j.SeverityText(), i)
		assert.Equal(t, lr.Body().AsRaw(), j.Body().AsRaw(), i)
		assert.Equal(t, lr.Attributes().AsRaw(), j.Attributes().AsRaw(), i)
		assert.Equal(t, lr.TraceID(), j.TraceID(), i)
		assert.Equal(t, lr.SpanID(), j.SpanID(), i)
		assert.Equal(t, lr.Flags(), j.Flags(), i)
		assert.Equal(t, lr.EventName(), j.EventName(), i)
		assert.Equal(t, g.Resource.Attributes().AsRaw(), jsonRes[i], i)
	}
	// Spot checks of body kinds as the receiver decoded them (record i has severity i+1).
	assert.Equal(t, []byte{0, 1, 0xff}, got[3].Record.Body().Bytes().AsRaw())
	assert.Equal(t, map[string]any{"k": "v", "nested": map[string]any{"ok": false}}, got[5].Record.Body().Map().AsRaw())
}

func TestInvalidUTF8NeverLosesTheBatch(t *testing.T) {
	r := collector.Start(t, collector.Options{})
	p, err := export.Setup(t.Context(), export.WithoutGlobal(),
		export.WithOTLP(export.OTLPEndpoint(r.Endpoint()), export.OTLPInsecure()), export.WithBatchSize(200))
	require.NoError(t, err)
	lg := p.LoggerProvider().Logger("e2e")
	for i := range 100 {
		var rec log.Record
		rec.SetSeverity(log.SeverityInfo)
		rec.SetBody(attribute.StringValue(fmt.Sprint("record ", i)))
		switch i {
		case 10:
			rec.SetBody(attribute.StringValue("bad body \xff\xfe"))
		case 20:
			rec.AddAttributes(attribute.String("bad\xc3key", "v"))
		case 30:
			rec.AddAttributes(attribute.Map("m", attribute.Map("inner", attribute.String("k", "bad\xe2\x82value"))))
		}
		lg.Emit(t.Context(), rec)
	}
	require.NoError(t, p.Shutdown(t.Context()))
	got := r.LogRecords()
	require.Len(t, got, 100, "one bad string must not lose the batch")
	assert.Equal(t, "bad body \uFFFD", got[10].Record.Body().Str())
	_, ok := got[20].Record.Attributes().Get("bad\uFFFDkey")
	assert.True(t, ok)
	assert.Equal(t, map[string]any{"inner": map[string]any{"k": "bad\uFFFDvalue"}}, got[30].Record.Attributes().AsRaw()["m"])
}

func TestRetryable503ThenDelivered(t *testing.T) {
	r := collector.Start(t, collector.Options{FailFirst: 2})
	p, err := export.Setup(t.Context(), export.WithoutGlobal(),
		export.WithOTLP(export.OTLPEndpoint(r.Endpoint()), export.OTLPInsecure(), export.OTLPRetry(10*time.Second)))
	require.NoError(t, err)
	lg := p.LoggerProvider().Logger("e2e")
	for range 50 {
		var rec log.Record
		rec.SetSeverity(log.SeverityInfo)
		rec.SetBody(attribute.StringValue("x"))
		lg.Emit(t.Context(), rec)
	}
	require.NoError(t, p.Shutdown(t.Context()))
	assert.Len(t, r.LogRecords(), 50, "everything arrives, nothing duplicated")
	assert.Equal(t, uint64(50), p.Stats().Exporters[0].Delivered)
}

func emitSeq(t *testing.T, p *export.Pipeline, from, n int) {
	lg := p.LoggerProvider().Logger("e2e")
	for i := from; i < from+n; i++ {
		var rec log.Record
		rec.SetSeverity(log.SeverityInfo)
		rec.SetBody(attribute.StringValue("record"))
		rec.AddAttributes(attribute.Int("seq", i))
		lg.Emit(t.Context(), rec)
	}
}

// seqs returns the seq attribute of every record received, failing on a duplicate.
func seqs(t *testing.T, r *collector.Receiver) map[int64]bool {
	t.Helper()
	seen := map[int64]bool{}
	for _, lr := range r.LogRecords() {
		v, ok := lr.Record.Attributes().Get("seq")
		require.True(t, ok)
		require.False(t, seen[v.Int()], "duplicate record %d", v.Int())
		seen[v.Int()] = true
	}
	return seen
}

func assertAddsUp(t *testing.T, s export.Stats) {
	t.Helper()
	for _, e := range s.Exporters {
		assert.Equal(t, s.Emitted, e.Delivered+e.Dropped.Total()+e.Pending, "%s: %+v", e.Name, e)
	}
}

func TestReceiverAbsentAtStartThenAppearing(t *testing.T) {
	addr := collector.FreeAddr(t)
	p, err := export.Setup(t.Context(), export.WithoutGlobal(),
		export.WithOTLP(export.OTLPEndpoint(addr), export.OTLPInsecure()),
		export.WithExportInterval(20*time.Millisecond), export.WithExportTimeout(20*time.Second),
		export.WithErrorHandler(func(err error) { t.Log("reported:", err) }))
	require.NoError(t, err)

	emitSeq(t, p, 0, 100)
	// Nothing listens: the export is refused, retried, and cannot finish.
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.ForceFlush(ctx), context.DeadlineExceeded)
	assert.Equal(t, uint64(100), p.Stats().Exporters[0].Pending, "held while the receiver is absent")

	r := collector.Start(t, collector.Options{Addr: addr})
	emitSeq(t, p, 100, 100)
	require.NoError(t, p.Shutdown(t.Context()))

	s := p.Stats()
	assertAddsUp(t, s)
	got := seqs(t, r)
	assert.Equal(t, int(s.Exporters[0].Delivered), len(got), "delivered is what the receiver holds")
	assert.Equal(t, uint64(200), s.Exporters[0].Delivered, "a refused connection is retried, not lost: %+v", s.Exporters[0])
}

func TestReceiverGoneForGood(t *testing.T) {
	r := collector.Start(t, collector.Options{})
	var reported []error
	var mu sync.Mutex
	p, err := export.Setup(t.Context(), export.WithoutGlobal(),
		export.WithOTLP(export.OTLPEndpoint(r.Endpoint()), export.OTLPInsecure()),
		export.WithExportInterval(20*time.Millisecond),
		export.WithErrorHandler(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
	require.NoError(t, err)
	emitSeq(t, p, 0, 10)
	require.NoError(t, p.ForceFlush(t.Context()))
	r.Stop()
	emitSeq(t, p, 10, 20)

	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	start := time.Now()
	err = p.Shutdown(ctx)
	took := time.Since(start)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "20 record(s) not delivered of 30 emitted")
	assert.Less(t, took, 5*time.Second, "Shutdown honours its deadline (1s) instead of retrying for the export timeout")

	s := p.Stats()
	assertAddsUp(t, s)
	assert.Equal(t, uint64(10), s.Exporters[0].Delivered)
	assert.Equal(t, uint64(20), s.Exporters[0].Dropped.Total())
	assert.Len(t, seqs(t, r), 10)
	mu.Lock()
	assert.NotEmpty(t, reported, "the drops were reported through the error handler")
	mu.Unlock()
}
