package bench

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// batchSize is the number of records in one exported batch (one op).
const batchSize = 64

// attrsPerRecord is what every record of the fixture carries.
const attrsPerRecord = 11

// exportPeer builds, outside the timer, a function that exports batch to w.
type exportPeer struct {
	name  string
	lines int  // lines written per batch
	json  bool // every line is a JSON value
	new   func(tb testing.TB, w io.Writer, batch []sdklog.Record) func(context.Context) error
}

var exportPeers = []exportPeer{
	{name: "console", lines: batchSize, new: func(_ testing.TB, w io.Writer, batch []sdklog.Record) func(context.Context) error {
		e := export.NewConsole(w, export.ConsoleColor(false))
		return func(ctx context.Context) error { return e.Export(ctx, batch) }
	}},
	{name: "json", lines: 1, json: true, new: func(_ testing.TB, w io.Writer, batch []sdklog.Record) func(context.Context) error {
		e := export.NewJSON(w)
		return func(ctx context.Context) error { return e.Export(ctx, batch) }
	}},
	{name: "stdoutlog", lines: batchSize, json: true, new: func(tb testing.TB, w io.Writer, batch []sdklog.Record) func(context.Context) error {
		e, err := stdoutlog.New(stdoutlog.WithWriter(w))
		require.NoError(tb, err)
		return func(ctx context.Context) error { return e.Export(ctx, batch) }
	}},
	{name: "zapjson", lines: batchSize, json: true, new: newZapJSON},
}

// newZapJSON encodes the batch with zap's production JSON encoder, one
// Write per entry as a zapcore.Core does. The records are turned into typed
// zap fields beforehand, so only encoding is measured: the ceiling a
// hand-written encoder can hope to reach.
func newZapJSON(_ testing.TB, w io.Writer, batch []sdklog.Record) func(context.Context) error {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	// The resource is logger context, added once as zap's Logger.With would.
	for _, kv := range batch[0].Resource().Attributes() {
		zapField(kv).AddTo(enc)
	}
	type entry struct {
		ent    zapcore.Entry
		fields []zapcore.Field
	}
	entries := make([]entry, len(batch))
	for i := range batch {
		r := &batch[i]
		e := entry{ent: zapcore.Entry{
			Level:      zapLevel(severity.FromOTel(r.Severity())),
			Time:       r.Timestamp(),
			LoggerName: r.InstrumentationScope().Name,
			Message:    r.Body().AsString(),
		}}
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			e.fields = append(e.fields, zapField(kv))
			return true
		})
		tid, sid := r.TraceID(), r.SpanID()
		e.fields = append(e.fields, zap.String("trace_id", hex.EncodeToString(tid[:])), zap.String("span_id", hex.EncodeToString(sid[:])))
		entries[i] = e
	}
	return func(context.Context) error {
		for i := range entries {
			buf, err := enc.EncodeEntry(entries[i].ent, entries[i].fields)
			if err != nil {
				return err
			}
			_, err = w.Write(buf.Bytes())
			buf.Free()
			if err != nil {
				return err
			}
		}
		return nil
	}
}

func zapLevel(s severity.Severity) zapcore.Level {
	switch s.Category() {
	case severity.Trace, severity.Debug:
		return zapcore.DebugLevel
	case severity.Warn:
		return zapcore.WarnLevel
	case severity.Error:
		return zapcore.ErrorLevel
	case severity.Fatal:
		return zapcore.FatalLevel
	}
	return zapcore.InfoLevel
}

// zapField is the typed zap field a zap user would have written.
func zapField(kv attribute.KeyValue) zapcore.Field {
	k := string(kv.Key)
	switch kv.Value.Type() {
	case attribute.BOOL:
		return zap.Bool(k, kv.Value.AsBool())
	case attribute.INT64:
		return zap.Int64(k, kv.Value.AsInt64())
	case attribute.FLOAT64:
		return zap.Float64(k, kv.Value.AsFloat64())
	case attribute.STRINGSLICE:
		return zap.Strings(k, kv.Value.AsStringSlice())
	case attribute.MAP:
		var obj zapObject
		for _, e := range kv.Value.AsMap() {
			obj = append(obj, zapField(e))
		}
		return zap.Object(k, obj)
	}
	return zap.String(k, kv.Value.String())
}

// zapObject is a nested object whose fields are built in advance.
type zapObject []zapcore.Field

func (o zapObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, f := range o {
		f.AddTo(enc)
	}
	return nil
}

// countingWriter discards what it is given and counts the bytes.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// exportBatch returns batchSize SDK records such as an integration's sync
// emits: a message, a severity, both timestamps, trace and span ids, the
// operation context and a few attributes of every common kind. They go
// through an sdk/log LoggerProvider, so they are the records a real
// pipeline hands its exporters.
func exportBatch(tb testing.TB) []sdklog.Record {
	tb.Helper()
	ctx := context.Background()
	mem := export.NewMemory()
	res := resource.NewSchemaless(
		attribute.String("service.name", "sync-worker"),
		attribute.String("service.version", "1.8.2"),
		attribute.String("deployment.environment.name", "production"),
	)
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewSimpleProcessor(mem)))
	logger := lp.Logger("github.com/oplog-go/oplog", log.WithInstrumentationVersion("v0.1.0"))

	messages := []struct {
		sev severity.Severity
		msg string
	}{
		{severity.Info, "fetching contacts page"},
		{severity.Debug, "request sent"},
		{severity.Info, "contact synced"},
		{severity.Info, "contact synced"},
		{severity.Warn, "contact skipped: missing email"},
		{severity.Info, "upsert batch committed"},
		{severity.Warn, "rate limited, backing off"},
		{severity.Error, "contact update failed: 422 Unprocessable Entity"},
	}
	emails := []string{"ada.lovelace@example.com", "grace@example.org", "zoë.müller@example.de", ""}
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	traceID := trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	for i := range batchSize {
		spanID := trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, byte(i / 8)}
		sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled})
		m := messages[i%len(messages)]
		ts := start.Add(time.Duration(i) * 37 * time.Millisecond)

		var r log.Record
		r.SetTimestamp(ts)
		r.SetObservedTimestamp(ts.Add(850 * time.Microsecond))
		r.SetSeverity(m.sev.OTel())
		r.SetSeverityText(m.sev.String())
		r.SetBody(attribute.StringValue(m.msg))
		r.AddAttributes(
			attribute.String(logrecord.KeyOperationID, "op_01JD3K9W8X2V5T7Q4M6N8P0R1S"),
			attribute.String(logrecord.KeyOperationType, "sync"),
			attribute.String(logrecord.KeyOperationAction, "run"),
			attribute.String(logrecord.KeyIntegrationID, "hubspot"),
			attribute.String(logrecord.KeyConnectionID, "conn-42"),
			attribute.String("contact.email", emails[i%len(emails)]),
			attribute.Int(logrecord.KeyHTTPResponseStatusCode, []int{200, 200, 201, 429}[i%4]),
			attribute.Float64("duration_ms", 12.5+float64(i)*1.75),
			attribute.Bool("retry", i%4 == 3),
			attribute.StringSlice("tags", []string{"crm", "contacts", "incremental"}),
			attribute.Map("cursor", attribute.Int("page", i/8), attribute.String("after", "eyJpZCI6MTAyNDB9")),
		)
		logger.Emit(trace.ContextWithSpanContext(ctx, sc), r)
	}
	require.NoError(tb, lp.Shutdown(ctx))
	batch := mem.Records()
	require.Len(tb, batch, batchSize)
	return batch
}

func TestExportBatch(t *testing.T) {
	batch := exportBatch(t)
	for i := range batch {
		r := &batch[i]
		assert.Equal(t, attrsPerRecord, r.AttributesLen())
		assert.Zero(t, r.DroppedAttributes())
		assert.True(t, r.TraceID().IsValid())
		assert.True(t, r.SpanID().IsValid())
		assert.NotEmpty(t, r.Body().AsString())
		assert.NotZero(t, r.Severity())
	}

	for _, p := range exportPeers {
		t.Run(p.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, p.new(t, &out, batch)(t.Context()))
			lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
			require.Len(t, lines, p.lines)
			for _, l := range lines {
				require.NotEmpty(t, l)
				if p.json {
					require.True(t, json.Valid(l), "%s", l)
				}
			}
			// Every peer carries each record's message.
			for _, m := range []string{"fetching contacts page", "rate limited, backing off"} {
				assert.Equal(t, batchSize/8, bytes.Count(out.Bytes(), []byte(m)), m)
			}
		})
	}
}

func BenchmarkExportRecords(b *testing.B) {
	batch := exportBatch(b)
	for _, p := range exportPeers {
		b.Run(p.name, func(b *testing.B) {
			w := &countingWriter{}
			exportFn := p.new(b, w, batch)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if err := exportFn(ctx); err != nil {
					b.Fatal(err)
				}
			}
			records := float64(b.N * len(batch))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/records, "ns/record")
			b.ReportMetric(float64(w.n)/records, "B/record")
		})
	}
}
