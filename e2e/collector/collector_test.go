package collector_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

const waitTimeout = 10 * time.Second

// fastRetry is otlploghttp's retry, enabled as by default, with short waits:
// the default first wait is about 5 s.
var fastRetry = otlploghttp.RetryConfig{
	Enabled:         true,
	InitialInterval: 10 * time.Millisecond,
	MaxInterval:     50 * time.Millisecond,
	MaxElapsedTime:  5 * time.Second,
}

// statusRecorder is an http.RoundTripper that records the status of every
// response the exporter gets.
type statusRecorder struct {
	mu       sync.Mutex
	statuses []int
}

func (s *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		s.mu.Lock()
		s.statuses = append(s.statuses, resp.StatusCode)
		s.mu.Unlock()
	}
	return resp, err
}

func (s *statusRecorder) got() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statuses)
}

// errRecorder is an sdklog.Exporter that records what each Export of the
// exporter it wraps returned.
type errRecorder struct {
	sdklog.Exporter
	mu   sync.Mutex
	errs []error
}

func (e *errRecorder) Export(ctx context.Context, records []sdklog.Record) error {
	err := e.Exporter.Export(ctx, records)
	e.mu.Lock()
	e.errs = append(e.errs, err)
	e.mu.Unlock()
	return err
}

func (e *errRecorder) got() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.errs)
}

// newLoggerProvider returns a provider that exports synchronously (a
// SimpleProcessor) to r through otlploghttp with opts, and the exporter's
// recorded results.
func newLoggerProvider(t *testing.T, r *collector.Receiver, opts ...otlploghttp.Option) (*sdklog.LoggerProvider, *errRecorder) {
	t.Helper()
	opts = append([]otlploghttp.Option{otlploghttp.WithEndpoint(r.Endpoint()), otlploghttp.WithInsecure()}, opts...)
	exp, err := otlploghttp.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	rec := &errRecorder{Exporter: exp}
	lp := sdklog.NewLoggerProvider(
		sdklog.WithResource(resource.NewSchemaless(attribute.String("service.name", "oplog-e2e"))),
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(rec)),
	)
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	return lp, rec
}

func emit(ctx context.Context, lp *sdklog.LoggerProvider, body string) {
	var rec log.Record
	rec.SetTimestamp(time.Now())
	rec.SetSeverity(severity.Error.OTel())
	rec.SetSeverityText("ERROR")
	rec.SetBody(logrecord.Value(body))
	rec.AddAttributes(logrecord.KeyValue(logrecord.KeyOperationID, "op-1"))
	lp.Logger("oplog/e2e").Emit(ctx, rec)
}

func TestLogRecordAndSpanArrive(t *testing.T) {
	r := collector.Start(t, collector.Options{})

	texp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpoint(r.Endpoint()), otlptracehttp.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(texp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	lp, lexp := newLoggerProvider(t, r)

	ctx, span := tp.Tracer("oplog/e2e").Start(context.Background(), "operation")
	emit(ctx, lp, "hello collector")
	span.End()

	r.WaitForLogRecords(t, 1, waitTimeout)
	r.WaitForSpans(t, 1, waitTimeout)

	if errs := lexp.got(); len(errs) != 1 || errs[0] != nil {
		t.Errorf("log exports returned %v, want one nil", errs)
	}
	recs := r.LogRecords()
	if len(recs) != 1 {
		t.Fatalf("got %d log records, want 1", len(recs))
	}
	got := recs[0]
	if b := got.Record.Body(); b.Type() != pcommon.ValueTypeStr || b.Str() != "hello collector" {
		t.Errorf("body = %v (%v), want string %q", b.AsString(), b.Type(), "hello collector")
	}
	if s := got.Record.SeverityNumber(); s != plog.SeverityNumberError {
		t.Errorf("severity = %v, want %v", s, plog.SeverityNumberError)
	}
	if s := got.Record.SeverityText(); s != "ERROR" {
		t.Errorf("severity text = %q, want ERROR", s)
	}
	if v, ok := got.Record.Attributes().Get(logrecord.KeyOperationID); !ok || v.Str() != "op-1" {
		t.Errorf("attribute %s = %v (present %v), want op-1", logrecord.KeyOperationID, v.AsString(), ok)
	}
	sc := span.SpanContext()
	if id := got.Record.TraceID(); id != pcommon.TraceID(sc.TraceID()) {
		t.Errorf("log trace id = %v, want %v", id, sc.TraceID())
	}
	if id := got.Record.SpanID(); id != pcommon.SpanID(sc.SpanID()) {
		t.Errorf("log span id = %v, want %v", id, sc.SpanID())
	}
	if v, ok := got.Resource.Attributes().Get("service.name"); !ok || v.Str() != "oplog-e2e" {
		t.Errorf("resource service.name = %v (present %v), want oplog-e2e", v.AsString(), ok)
	}
	if n := got.Scope.Name(); n != "oplog/e2e" {
		t.Errorf("scope = %q, want oplog/e2e", n)
	}

	spans := r.Spans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1", len(spans))
	}
	s := spans[0].Span
	if s.Name() != "operation" || s.TraceID() != pcommon.TraceID(sc.TraceID()) || s.SpanID() != pcommon.SpanID(sc.SpanID()) {
		t.Errorf("span = %q %v/%v, want operation %v/%v", s.Name(), s.TraceID(), s.SpanID(), sc.TraceID(), sc.SpanID())
	}
	if n := spans[0].Scope.Name(); n != "oplog/e2e" {
		t.Errorf("span scope = %q, want oplog/e2e", n)
	}
	if got := r.Requests(); got != 2 {
		t.Errorf("Requests() = %d, want 2", got)
	}
	if n := len(r.Logs()); n != 1 {
		t.Errorf("len(Logs()) = %d, want 1", n)
	}
	if n := len(r.Traces()); n != 1 {
		t.Errorf("len(Traces()) = %d, want 1", n)
	}
}

// TestFailFirstRetried shows that the receiver answers a retryable consumer
// error with 503 and that otlploghttp retries 503 by itself: the export
// succeeds and the record is stored exactly once.
func TestFailFirstRetried(t *testing.T) {
	r := collector.Start(t, collector.Options{FailFirst: 2})
	statuses := &statusRecorder{}
	lp, lexp := newLoggerProvider(t, r,
		otlploghttp.WithRetry(fastRetry),
		otlploghttp.WithHTTPClient(&http.Client{Transport: statuses}))

	emit(context.Background(), lp, "retried") // SimpleProcessor: returns after the export, retries included

	if got, want := statuses.got(), []int{503, 503, 200}; !slices.Equal(got, want) {
		t.Errorf("exporter saw statuses %v, want %v", got, want)
	}
	if errs := lexp.got(); len(errs) != 1 || errs[0] != nil {
		t.Errorf("exports returned %v, want one nil (retried to success)", errs)
	}
	if got := r.Requests(); got != 3 {
		t.Errorf("Requests() = %d, want 3", got)
	}
	recs := r.LogRecords()
	if len(recs) != 1 || recs[0].Record.Body().Str() != "retried" {
		t.Errorf("got %d records, want exactly 1 with body \"retried\"", len(recs))
	}
}

// TestFailures shows what the exporter sees when it does not get through:
// a 503 with retries disabled, and a permanent error (500, never retried).
func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   collector.Options
		retry  otlploghttp.RetryConfig
		status int
	}{
		{"retryable, retry disabled", collector.Options{FailFirst: 1}, otlploghttp.RetryConfig{Enabled: false}, http.StatusServiceUnavailable},
		{"permanent", collector.Options{FailFirst: 1, Permanent: true}, fastRetry, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := collector.Start(t, tc.opts)
			statuses := &statusRecorder{}
			lp, lexp := newLoggerProvider(t, r,
				otlploghttp.WithRetry(tc.retry),
				otlploghttp.WithHTTPClient(&http.Client{Transport: statuses}))

			emit(context.Background(), lp, "lost")

			if got, want := statuses.got(), []int{tc.status}; !slices.Equal(got, want) {
				t.Errorf("exporter saw statuses %v, want %v", got, want)
			}
			errs := lexp.got()
			if len(errs) != 1 || errs[0] == nil {
				t.Fatalf("exports returned %v, want one error", errs)
			}
			t.Logf("export error: %v", errs[0])
			if n := len(r.LogRecords()); n != 0 {
				t.Errorf("got %d records, want 0", n)
			}
			if got := r.Requests(); got != 1 {
				t.Errorf("Requests() = %d, want 1", got)
			}

			// The next request is past FailFirst and is stored.
			emit(context.Background(), lp, "kept")
			if recs := r.LogRecords(); len(recs) != 1 || recs[0].Record.Body().Str() != "kept" {
				t.Errorf("after the failure got %d records, want 1 \"kept\"", len(recs))
			}
		})
	}
}

// TestRestartOnSameAddr stops a receiver and starts another on its port.
func TestRestartOnSameAddr(t *testing.T) {
	r1 := collector.Start(t, collector.Options{})
	addr := r1.Endpoint()
	r1.Stop()
	r1.Stop() // idempotent

	lp, lexp := newLoggerProvider(t, r1, otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}))
	emit(context.Background(), lp, "nobody listening")
	if errs := lexp.got(); len(errs) != 1 || errs[0] == nil {
		t.Errorf("export to a stopped receiver returned %v, want an error", errs)
	}

	r2 := collector.Start(t, collector.Options{Addr: addr})
	if r2.Endpoint() != addr {
		t.Fatalf("restarted endpoint = %s, want %s", r2.Endpoint(), addr)
	}
	emit(context.Background(), lp, "back")
	r2.WaitForLogRecords(t, 1, waitTimeout)
	if recs := r2.LogRecords(); recs[0].Record.Body().Str() != "back" {
		t.Errorf("body = %q, want back", recs[0].Record.Body().Str())
	}
	if n := len(r1.LogRecords()); n != 0 {
		t.Errorf("stopped receiver got %d records", n)
	}
}
