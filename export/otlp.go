package export

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// OTLPOption configures [WithOTLP]. Each one overrides the matching
// OTEL_EXPORTER_OTLP_* variable, for logs and traces alike.
type OTLPOption struct {
	logs   otlploghttp.Option
	traces otlptracehttp.Option
}

// OTLPEndpoint sets the host and port of the receiver ("collector:4318"),
// over https unless [OTLPInsecure] is given. Overrides
// OTEL_EXPORTER_OTLP_ENDPOINT. Default: localhost:4318.
func OTLPEndpoint(hostport string) OTLPOption {
	return OTLPOption{otlploghttp.WithEndpoint(hostport), otlptracehttp.WithEndpoint(hostport)}
}

// OTLPEndpointURL sets the base URL of the receiver
// ("http://collector:4318"); /v1/logs and /v1/traces are appended.
// Overrides OTEL_EXPORTER_OTLP_ENDPOINT.
func OTLPEndpointURL(base string) OTLPOption {
	return OTLPOption{otlploghttp.WithEndpointURL(base + "/v1/logs"), otlptracehttp.WithEndpointURL(base + "/v1/traces")}
}

// OTLPInsecure sends over plain http. Overrides OTEL_EXPORTER_OTLP_INSECURE.
func OTLPInsecure() OTLPOption {
	return OTLPOption{otlploghttp.WithInsecure(), otlptracehttp.WithInsecure()}
}

// OTLPHeaders adds headers to every request (an API key for a backend, say).
// Overrides OTEL_EXPORTER_OTLP_HEADERS.
func OTLPHeaders(h map[string]string) OTLPOption {
	return OTLPOption{otlploghttp.WithHeaders(h), otlptracehttp.WithHeaders(h)}
}

// OTLPGzip compresses requests with gzip. Overrides
// OTEL_EXPORTER_OTLP_COMPRESSION. Default: no compression.
func OTLPGzip() OTLPOption {
	return OTLPOption{otlploghttp.WithCompression(otlploghttp.GzipCompression), otlptracehttp.WithCompression(otlptracehttp.GzipCompression)}
}

// OTLPTimeout bounds one HTTP request. Overrides OTEL_EXPORTER_OTLP_TIMEOUT.
// Default: 10s.
func OTLPTimeout(d time.Duration) OTLPOption {
	return OTLPOption{otlploghttp.WithTimeout(d), otlptracehttp.WithTimeout(d)}
}

// OTLPRetry sets how long the exporters retry 429 and 5xx answers before
// giving up on a batch (a refused connection is retried by the pipeline
// within the export timeout). Default: 1 minute, as in OTLP.
func OTLPRetry(maxElapsed time.Duration) OTLPOption {
	return OTLPOption{
		otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: true, InitialInterval: 100 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: maxElapsed}),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: true, InitialInterval: 100 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: maxElapsed}),
	}
}

func newOTLP(ctx context.Context, opts []OTLPOption) (sdklog.Exporter, sdktrace.SpanExporter, error) {
	var lo []otlploghttp.Option
	var to []otlptracehttp.Option
	for _, o := range opts {
		lo, to = append(lo, o.logs), append(to, o.traces)
	}
	logs, err := otlploghttp.New(ctx, lo...)
	if err != nil {
		return nil, nil, fmt.Errorf("export: OTLP logs exporter: %w", err)
	}
	traces, err := otlptracehttp.New(ctx, to...)
	if err != nil {
		return nil, nil, fmt.Errorf("export: OTLP traces exporter: %w", err)
	}
	return logs, traces, nil
}
