package bridge_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
)

// nopExporter drops every batch: what remains is oplog's own work.
type nopExporter struct{}

func (nopExporter) Export(context.Context, []sdklog.Record) error { return nil }
func (nopExporter) Shutdown(context.Context) error                { return nil }
func (nopExporter) ForceFlush(context.Context) error              { return nil }

func benchLogger(b *testing.B) (*slog.Logger, context.Context) {
	p, err := export.Setup(b.Context(), export.WithoutGlobal(), export.WithExporter(nopExporter{}), export.WithErrorHandler(func(error) {}))
	require.NoError(b, err)
	b.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()))
	ctx, _ := trk.Start(b.Context(), operation.SyncRun, operation.Refs{Integration: "i", Connection: "c"})
	return slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})), ctx
}

// BenchmarkHandleInOperation is an slog call inside an operation, through
// the export pipeline's fast path.
func BenchmarkHandleInOperation(b *testing.B) {
	logger, ctx := benchLogger(b)
	b.ReportAllocs()
	for b.Loop() {
		logger.InfoContext(ctx, "fetched page", "page", 2, "cursor", "x", "more", true)
	}
}

// BenchmarkHandleStandalone is an slog call outside any operation.
func BenchmarkHandleStandalone(b *testing.B) {
	logger, _ := benchLogger(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		logger.InfoContext(ctx, "fetched page", "page", 2, "cursor", "x", "more", true)
	}
}
