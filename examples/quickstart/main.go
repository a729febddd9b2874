// Command quickstart runs a realistic integration against a fake CRM API
// served in-process: a sync that pages through contacts (one page answers
// 429 and is retried), warns about an invalid contact and reports its
// result, then an action that fails with a wrapped error. The integration's
// functions are in examples/internal/crm.
//
// Records go to stdout in the console format; OPLOG_CONSOLE_FORMAT=json gives
// OTLP/JSON lines instead, and OTEL_EXPORTER_OTLP_ENDPOINT sends logs and
// traces to a Collector as well. The program's own messages go to stderr.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/oplog-go/oplog/examples/internal/crm"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	// The root context ends open operations (as cancelled) on Ctrl-C and
	// before the pipeline shuts down.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	pipeline, err := export.Setup(ctx, export.WithServiceName("crm-sync"))
	if err != nil {
		return err
	}
	defer func() {
		cancel()
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := pipeline.Shutdown(sctx); err != nil {
			fmt.Fprintln(os.Stderr, "quickstart: shutdown:", err)
		}
	}()

	api := crm.Fake()
	defer api.Close()
	fmt.Fprintln(os.Stderr, "quickstart: fake CRM API at", api.URL)

	client := &http.Client{Transport: operation.Transport(nil), Timeout: 5 * time.Second}
	refs := operation.Refs{Account: "acc-7", Environment: "prod", Integration: "acme-crm", Provider: "acme", Connection: "conn-42", Sync: "contacts"}

	crm.SyncContacts(ctx, client, api.URL, refs)
	crm.CreateDeal(ctx, client, api.URL, refs)
	return nil
}
