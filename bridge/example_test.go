package bridge_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

func ExampleNewHandler() {
	mem := export.NewMemory()
	p, _ := export.Setup(context.Background(), export.WithExporter(mem), export.WithoutGlobal())
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))

	// Existing slog code needs only a new handler.
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider(), Level: slog.LevelInfo}))

	ctx, op := trk.Start(context.Background(), operation.SyncRun, operation.Refs{Integration: "hubspot"})
	logger.InfoContext(ctx, "contacts fetched", "count", 120)           // a message of op
	logger.DebugContext(ctx, "below the handler's level")               // dropped
	logger.InfoContext(context.Background(), "no operation in context") // standalone
	op.Succeed()
	_ = p.Shutdown(context.Background())

	for _, r := range mem.Records() {
		_, inOp := export.Attribute(&r, logrecord.KeyOperationID)
		fmt.Println(r.SeverityText(), r.Body(), inOp)
	}
	// Output:
	// INFO sync.run started true
	// INFO contacts fetched true
	// INFO no operation in context false
	// INFO sync.run success true
}
