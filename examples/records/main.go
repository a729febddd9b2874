// Command records logs a proxied API call the way oplog's operation handle
// will: the request is redacted, the response payload converted to a
// structured value, the failure turned into exception attributes, and the
// records printed by the export pipeline (console by default; set
// OPLOG_CONSOLE_FORMAT=json for OTLP/JSON lines, or OTEL_EXPORTER_OTLP_ENDPOINT
// to send them to a Collector as well).
package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

type contact struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Tags      []string  `json:"tags,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func main() {
	ctx := context.Background()
	p, err := export.Setup(ctx, export.WithServiceName("crm-proxy"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "records:", err)
		os.Exit(1)
	}
	logger := p.LoggerProvider().Logger("github.com/oplog-go/oplog/examples/records")

	// The call as the function made it, secrets and all.
	req, _ := http.NewRequest(http.MethodGet,
		"https://bot:hunter2@api.example-crm.com/v3/contacts?limit=2&access_token=s3cr3t-token", nil)
	req.Header.Set("Authorization", "Bearer s3cr3t-token")
	req.Header.Set("Accept", "application/json")

	redact := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{"s3cr3t-token"}})
	emit := func(sev severity.Severity, body attribute.Value, attrs ...attribute.KeyValue) {
		var r log.Record
		r.SetTimestamp(time.Now())
		r.SetSeverity(sev.OTel())
		r.SetSeverityText(sev.String())
		r.SetBody(body)
		r.AddAttributes(attrs...)
		logger.Emit(ctx, r)
	}

	httpAttrs := []attribute.KeyValue{
		attribute.String(logrecord.KeyHTTPRequestMethod, req.Method),
		attribute.String(logrecord.KeyURLFull, redact.URL(req.URL)),
	}
	headers := redact.Header(req.Header)
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		httpAttrs = append(httpAttrs, attribute.String(logrecord.KeyHTTPRequestHeaderPrefix+strings.ToLower(name), strings.Join(headers[name], ", ")))
	}
	emit(severity.Info, attribute.StringValue("GET contacts"), append(httpAttrs, attribute.Int(logrecord.KeyHTTPResponseStatusCode, 200))...)

	page := []contact{
		{ID: "c-1", Email: "ada@example.com", Tags: []string{"vip"}, UpdatedAt: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)},
		{ID: "c-2", Email: "grace@example.com", UpdatedAt: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)},
	}
	emit(severity.Debug, logrecord.Value(page), attribute.Int("page.size", len(page)))
	emit(severity.Warn2, attribute.StringValue("contact has no phone; skipped\nforged line?"), logrecord.KeyValue("contact", page[1]))

	// net/http errors quote the full URL, token included: redact the text too.
	callErr := fmt.Errorf("sync contacts: %w", &url.Error{
		Op:  "Get",
		URL: "https://api.example-crm.com/v3/contacts?access_token=s3cr3t-token",
		Err: errors.New("dial tcp 203.0.113.7:443: connect: connection refused"),
	})
	exc := logrecord.Exception(logrecord.WithStack(callErr))
	for i, kv := range exc {
		exc[i].Value = attribute.StringValue(redact.Text(kv.Value.AsString()))
	}
	emit(severity.Error, attribute.StringValue("GET contacts failed"), append(exc, attribute.Int(logrecord.KeyHTTPResendCount, 2))...)

	if err := p.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "records:", err)
		os.Exit(1)
	}
}
