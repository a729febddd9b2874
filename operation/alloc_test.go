package operation_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// discard is the cheapest processor: the SDK's own work is all that remains.
type discard struct{}

func (discard) OnEmit(context.Context, *sdklog.Record) error           { return nil }
func (discard) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (discard) Shutdown(context.Context) error                         { return nil }
func (discard) ForceFlush(context.Context) error                       { return nil }

func allocTracker(t testing.TB) (*operation.Tracker, *sdklog.LoggerProvider) {
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(discard{}))
	return operation.NewTracker(operation.WithLoggerProvider(lp)), lp
}

func TestDisabledMessageDoesNotAllocate(t *testing.T) {
	trk, _ := allocTracker(t)
	_, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Integration: "i", Connection: "c"})
	op.SetLevel(severity.Warn)
	a, b := attribute.Int("page", 2), attribute.String("cursor", "x")
	assert.Zero(t, testing.AllocsPerRun(100, func() { op.Info("skipped", a, b) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { op.Debug("skipped") }))
	var nilOp *operation.Operation
	assert.Zero(t, testing.AllocsPerRun(100, func() { nilOp.Info("skipped", a, b) }))
}

// TestInfoAllocatesAsTheSDKFloor: Info with up to 3 attributes allocates no
// more than emitting the same final record straight through the OTel API.
func TestInfoAllocatesAsTheSDKFloor(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector; make test runs this without it")
	}
	trk, lp := allocTracker(t)
	_, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Integration: "i", Connection: "c"})
	logger := lp.Logger(operation.ScopeName)
	ctx := trace.ContextWithSpanContext(context.Background(), op.SpanContext())
	base := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationID, op.ID()),
		attribute.String(logrecord.KeyOperationType, "sync"), attribute.String(logrecord.KeyOperationAction, "run"),
		attribute.String(logrecord.KeyIntegrationID, "i"), attribute.String(logrecord.KeyConnectionID, "c"),
		attribute.String(logrecord.KeyMessageSource, "user"), attribute.String(logrecord.KeyMessageType, "log"),
	}
	attrs := []attribute.KeyValue{attribute.Int("page", 2), attribute.String("cursor", "x"), attribute.Bool("more", true)}
	for n := 0; n <= 3; n++ {
		floor := testing.AllocsPerRun(200, func() {
			var r log.Record
			r.SetTimestamp(time.Now())
			r.SetSeverity(log.SeverityInfo)
			r.SetSeverityText("INFO")
			r.SetBody(attribute.StringValue("fetched page"))
			r.AddAttributes(base...)
			r.AddAttributes(attrs[:n]...)
			logger.Emit(ctx, r)
		})
		got := testing.AllocsPerRun(200, func() { op.Info("fetched page", attrs[:n]...) })
		t.Logf("%d attributes: oplog %v allocs, SDK floor %v", n, got, floor)
		require.LessOrEqual(t, got, floor, "%d attributes", n)
	}
}

func BenchmarkInfo(b *testing.B) {
	trk, _ := allocTracker(b)
	_, op := trk.Start(context.Background(), operation.SyncRun, operation.Refs{Integration: "i", Connection: "c"})
	b.ReportAllocs()
	for b.Loop() {
		op.Info("fetched page", attribute.Int("page", 2), attribute.String("cursor", "x"), attribute.Bool("more", true))
	}
}

func BenchmarkDisabled(b *testing.B) {
	trk, _ := allocTracker(b)
	_, op := trk.Start(context.Background(), operation.SyncRun, operation.Refs{})
	op.SetLevel(severity.Error)
	b.ReportAllocs()
	for b.Loop() {
		op.Info("fetched page", attribute.Int("page", 2))
	}
}

// nopExporter drops every batch: what remains is oplog's own work.
type nopExporter struct{}

func (nopExporter) Export(context.Context, []sdklog.Record) error { return nil }
func (nopExporter) Shutdown(context.Context) error                { return nil }
func (nopExporter) ForceFlush(context.Context) error              { return nil }

// BenchmarkInfoPipeline is Info through the export pipeline's fast path.
func BenchmarkInfoPipeline(b *testing.B) {
	p, err := export.Setup(b.Context(), export.WithoutGlobal(), export.WithExporter(nopExporter{}), export.WithErrorHandler(func(error) {}))
	require.NoError(b, err)
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()))
	_, op := trk.Start(b.Context(), operation.SyncRun, operation.Refs{Integration: "i", Connection: "c"})
	b.ReportAllocs()
	for b.Loop() {
		op.Info("fetched page", attribute.Int("page", 2), attribute.String("cursor", "x"), attribute.Bool("more", true))
	}
}
