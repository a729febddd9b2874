package export

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/logrecord"
)

// OTLPOption configures [WithOTLP]. Each one overrides the matching
// OTEL_EXPORTER_OTLP_* variable, for logs and traces alike. A bad value
// makes [Setup] fail with an error naming the option.
type OTLPOption struct {
	logs    otlploghttp.Option
	traces  otlptracehttp.Option
	timeout time.Duration // OTLPTimeout: the HTTP client's, which oplog builds
	err     error
}

// OTLPEndpoint sets the host and port of the receiver ("collector:4318"),
// over https unless [OTLPInsecure] is given. Overrides
// OTEL_EXPORTER_OTLP_ENDPOINT. Default: localhost:4318. An empty value, a
// port that is not from 1 to 65535, or a value with a scheme or a path, is
// an error: give a URL to [OTLPEndpointURL].
func OTLPEndpoint(hostport string) OTLPOption {
	switch {
	case strings.TrimSpace(hostport) == "":
		return OTLPOption{err: errors.New("export: OTLPEndpoint(\"\"): want host:port, such as collector:4318")}
	case strings.Contains(hostport, "://"):
		return OTLPOption{err: errors.New("export: OTLPEndpoint: want host:port without a scheme; give a URL to OTLPEndpointURL")}
	case strings.ContainsAny(hostport, "/?#@ \t\r\n"):
		return OTLPOption{err: errors.New("export: OTLPEndpoint: want host:port only (no path, query, credentials or spaces)")}
	case strings.Contains(hostport, ":"):
		_, port, err := net.SplitHostPort(hostport)
		if err == nil {
			err = checkPort(port)
		}
		if err != nil {
			return OTLPOption{err: fmt.Errorf("export: OTLPEndpoint(%q): want host:port, the port from 1 to 65535", hostport)}
		}
	}
	return OTLPOption{logs: otlploghttp.WithEndpoint(hostport), traces: otlptracehttp.WithEndpoint(hostport)}
}

// OTLPEndpointURL sets the base URL of the receiver
// ("http://collector:4318" or "https://…/prefix"); /v1/logs and /v1/traces
// are appended to its path ("http://h:4318/" gives http://h:4318/v1/logs).
// The scheme, http or https, decides plain or TLS transport. Overrides
// OTEL_EXPORTER_OTLP_ENDPOINT. Anything but an absolute http or https URL
// without credentials, query or fragment, its port (if given) from 1 to
// 65535, is an error.
func OTLPEndpointURL(base string) OTLPOption {
	u, err := url.Parse(base)
	shown := logrecord.DefaultRedactor().URLString(base)
	var why string
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		why = "want an absolute URL such as http://collector:4318"
	case u.Scheme != "http" && u.Scheme != "https":
		why = "want an http or https URL"
	case u.User != nil:
		why = "credentials in the URL are not sent; use OTLPHeaders"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		why = "want a URL without query or fragment"
	case checkURLPort(u) != nil:
		why = "want a port from 1 to 65535"
	}
	if why != "" {
		return OTLPOption{err: fmt.Errorf("export: OTLPEndpointURL(%q): %s", shown, why)}
	}
	signal := func(p string) string {
		v := *u
		v.Path, v.RawPath = path.Join("/", u.Path, p), ""
		return v.String()
	}
	return OTLPOption{
		logs:   otlploghttp.WithEndpointURL(signal("v1/logs")),
		traces: otlptracehttp.WithEndpointURL(signal("v1/traces")),
	}
}

// OTLPInsecure sends over plain http. Overrides OTEL_EXPORTER_OTLP_INSECURE.
func OTLPInsecure() OTLPOption {
	return OTLPOption{logs: otlploghttp.WithInsecure(), traces: otlptracehttp.WithInsecure()}
}

// OTLPHeaders adds headers to every request (an API key for a backend, say).
// Overrides OTEL_EXPORTER_OTLP_HEADERS. A name that is not an HTTP token,
// or a value with a control character (CR, LF…), is an error; values are
// never shown in it.
func OTLPHeaders(h map[string]string) OTLPOption {
	for k, v := range h {
		if err := checkHeader(k, v); err != nil {
			return OTLPOption{err: fmt.Errorf("export: OTLPHeaders: %w", err)}
		}
	}
	return OTLPOption{logs: otlploghttp.WithHeaders(h), traces: otlptracehttp.WithHeaders(h)}
}

// OTLPGzip compresses requests with gzip. Overrides
// OTEL_EXPORTER_OTLP_COMPRESSION. Default: no compression.
func OTLPGzip() OTLPOption {
	return OTLPOption{logs: otlploghttp.WithCompression(otlploghttp.GzipCompression), traces: otlptracehttp.WithCompression(otlptracehttp.GzipCompression)}
}

// OTLPTimeout bounds one HTTP request; d must be > 0. Overrides
// OTEL_EXPORTER_OTLP_TIMEOUT. Default: 10s.
func OTLPTimeout(d time.Duration) OTLPOption {
	if d <= 0 {
		return OTLPOption{err: fmt.Errorf("export: OTLPTimeout(%v): want a duration > 0", d)}
	}
	return OTLPOption{timeout: d}
}

// OTLPRetry sets how long the exporters retry 429, 502, 503 and 504 answers
// before giving up on a batch (a refused connection is retried by the
// pipeline within the export timeout); 0 turns those retries off, a
// negative value is an error. Default: 1 minute, as in OTLP.
func OTLPRetry(maxElapsed time.Duration) OTLPOption {
	if maxElapsed < 0 {
		return OTLPOption{err: fmt.Errorf("export: OTLPRetry(%v): want a duration ≥ 0", maxElapsed)}
	}
	on := maxElapsed > 0
	return OTLPOption{
		logs:   otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: on, InitialInterval: 100 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: maxElapsed}),
		traces: otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: on, InitialInterval: 100 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: maxElapsed}),
	}
}

// newOTLP builds the OTLP exporters, each on its own HTTP client (see
// transport.go); the options were checked by [config.validate].
func newOTLP(ctx context.Context, opts []OTLPOption) (sdklog.Exporter, sdktrace.SpanExporter, error) {
	var lo []otlploghttp.Option
	var to []otlptracehttp.Option
	var timeout time.Duration
	for _, o := range opts {
		if o.logs != nil {
			lo = append(lo, o.logs)
		}
		if o.traces != nil {
			to = append(to, o.traces)
		}
		if o.timeout > 0 {
			timeout = o.timeout
		}
	}
	logsTLS, err := envTLS("LOGS")
	if err != nil {
		return nil, nil, err
	}
	tracesTLS, err := envTLS("TRACES")
	if err != nil {
		return nil, nil, err
	}
	logsClient := newOTLPClient(logsTLS, requestTimeout(timeout, "LOGS"), partialLogs)
	tracesClient := newOTLPClient(tracesTLS, requestTimeout(timeout, "TRACES"), partialSpans)
	// The client's transport enforces the request size bound (typed, see
	// transport.go) instead of the exporters.
	lo = append(lo, otlploghttp.WithHTTPClient(logsClient), otlploghttp.WithMaxRequestSize(0))
	to = append(to, otlptracehttp.WithHTTPClient(tracesClient), otlptracehttp.WithMaxRequestSize(0))

	logs, err := otlploghttp.New(ctx, lo...)
	if err != nil {
		return nil, nil, fmt.Errorf("export: OTLP logs exporter: %w", err)
	}
	traces, err := otlptracehttp.New(ctx, to...)
	if err != nil {
		_ = logs.Shutdown(ctx)
		logsClient.CloseIdleConnections()
		return nil, nil, fmt.Errorf("export: OTLP traces exporter: %w", err)
	}
	return &otlpLogs{exp: logs, client: logsClient}, &otlpSpans{exp: traces, client: tracesClient}, nil
}
