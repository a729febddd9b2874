// Command slogbridge runs an existing slog-based function inside an
// operation. The function is unchanged: only the program's default slog
// handler is now oplog's bridge, so its calls become messages of the
// operation carried by the context, with the operation's id, references and
// span ids.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
)

// syncInvoices is the existing code: it knows slog, not oplog.
func syncInvoices(ctx context.Context, pages int) error {
	logger := slog.Default().With("model", "Invoice")
	for page := 1; page <= pages; page++ {
		logger.InfoContext(ctx, "fetched invoices", "page", page, slog.Group("cursor", "next", fmt.Sprint("p", page+1)))
	}
	logger.WarnContext(ctx, "invoice skipped", "invoice", struct {
		ID     string  `json:"id"`
		Amount float64 `json:"amount"`
	}{"inv-9", -12.5}, "reason", "negative amount")
	if err := errors.New("rate limited by provider"); pages > 2 {
		logger.ErrorContext(ctx, "giving up", "err", err, "after", 3*time.Second)
		return err
	}
	return nil
}

func main() {
	ctx := context.Background()
	p, err := export.Setup(ctx, export.WithServiceName("invoices"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "slogbridge:", err)
		os.Exit(1)
	}
	slog.SetDefault(slog.New(bridge.NewHandler(nil))) // the one change

	opCtx, op := operation.Start(ctx, operation.SyncRun, operation.Refs{Integration: "billing-co", Connection: "conn-7", Sync: "invoices"})
	op.End(syncInvoices(opCtx, 3))

	slog.Info("outside any operation: a standalone record")

	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "slogbridge:", err)
	}
}
