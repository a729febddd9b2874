package export_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/severity"
)

func ExampleSetup() {
	ctx := context.Background()
	p, err := export.Setup(ctx,
		export.WithServiceName("crm-sync"),
		export.WithConsole(os.Stdout),
		export.WithMinSeverity(severity.Info),
		export.WithoutGlobal(), // an application would keep the globals
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	var r log.Record
	r.SetSeverity(log.SeverityDebug) // below the minimum: not emitted
	p.LoggerProvider().Logger("example").Emit(ctx, r)

	if err := p.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println("emitted:", p.Stats().Emitted)
	// Output:
	// emitted: 0
}

func ExampleNewConsole() {
	con := export.NewConsole(os.Stdout, export.ConsoleTime(time.TimeOnly, time.UTC))
	p, _ := export.Setup(context.Background(), export.WithExporter(con), export.WithoutGlobal())
	var r log.Record
	r.SetTimestamp(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	r.SetSeverity(log.SeverityWarn)
	r.SetBody(attribute.StringValue("contact skipped"))
	r.AddAttributes(attribute.String("reason", "no email"), attribute.String("oplog.operation.type", "sync"), attribute.String("oplog.operation.action", "run"))
	p.LoggerProvider().Logger("example").Emit(context.Background(), r)
	_ = p.Shutdown(context.Background())
	// Output:
	// 09:00:00 WARN   [sync.run] contact skipped  reason="no email"
}

func ExampleNewJSON() {
	p, _ := export.Setup(context.Background(), export.WithExporter(export.NewJSON(os.Stdout)), export.WithoutGlobal(),
		export.WithServiceName("crm-sync"))
	var r log.Record
	r.SetTimestamp(time.Unix(1, 0))
	r.SetObservedTimestamp(time.Unix(2, 0))
	r.SetSeverity(log.SeverityInfo)
	r.SetBody(attribute.StringValue("synced"))
	p.LoggerProvider().Logger("example").Emit(context.Background(), r)
	_ = p.Shutdown(context.Background())
	// Output:
	// {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"crm-sync"}},{"key":"telemetry.sdk.language","value":{"stringValue":"go"}},{"key":"telemetry.sdk.name","value":{"stringValue":"opentelemetry"}},{"key":"telemetry.sdk.version","value":{"stringValue":"1.47.0"}}]},"schemaUrl":"https://opentelemetry.io/schemas/1.43.0","scopeLogs":[{"scope":{"name":"example"},"logRecords":[{"timeUnixNano":"1000000000","observedTimeUnixNano":"2000000000","severityNumber":9,"body":{"stringValue":"synced"}}]}]}]}
}

func ExampleNewMemory() {
	mem := export.NewMemory()
	p, _ := export.Setup(context.Background(), export.WithExporter(mem), export.WithSpanExporter(mem), export.WithoutGlobal())
	var r log.Record
	r.SetSeverity(log.SeverityError)
	r.SetBody(attribute.StringValue("token refresh failed"))
	p.LoggerProvider().Logger("example").Emit(context.Background(), r)
	_ = p.ForceFlush(context.Background())

	for _, rec := range mem.AtLeast(severity.Error) {
		fmt.Println(severity.FromOTel(rec.Severity()), rec.Body())
	}
	_ = p.Shutdown(context.Background())
	// Output:
	// ERROR token refresh failed
}
