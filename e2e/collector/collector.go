// Package collector runs a real OpenTelemetry Collector OTLP receiver
// (go.opentelemetry.io/collector/receiver/otlpreceiver) in-process on
// loopback, so end-to-end tests can export over OTLP/HTTP to the same code a
// production Collector runs and then inspect what it accepted as pdata.
//
// Only the HTTP protocol is enabled (gRPC is off), on 127.0.0.1. The receiver
// serves /v1/logs and /v1/traces, both protobuf and JSON; point an exporter at
// it with otlploghttp.WithEndpoint(r.Endpoint()) and otlploghttp.WithInsecure()
// (likewise otlptracehttp).
//
// # Failures
//
// [Options.FailFirst] makes the first N export requests fail inside the
// receiver's consumer, before anything is stored. The receiver turns the
// consumer's error into the HTTP status of the response:
//
//   - a plain (retryable) error: 503 Service Unavailable, which the OTLP/HTTP
//     exporters retry by themselves with their default retry configuration
//     (enabled; first wait about 5 s, so tests shorten it with WithRetry);
//   - consumererror.NewPermanent ([Options.Permanent]): 500 Internal Server
//     Error, which the exporters do not retry: the export fails and the data
//     is dropped. (Not 400: otlpreceiver v0.162.0 maps a permanent error
//     without a gRPC status to codes.Internal.)
//
// A request with no log records or spans never reaches the consumer: the
// receiver answers it 200 without counting it.
package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Options configures [Start]. The zero value is a receiver on a free port
// that accepts everything.
type Options struct {
	// Addr is the host:port to listen on. Empty means 127.0.0.1:0, a free
	// port. A fixed address lets a test stop a receiver and start another on
	// the same port, to simulate a Collector that goes away and comes back.
	Addr string
	// FailFirst makes the first FailFirst export requests (logs and traces
	// counted together) fail before their data is stored: with HTTP 503 (a
	// retryable error), or with HTTP 500 (a permanent one) if Permanent is
	// set. Failed requests count in [Receiver.Requests].
	FailFirst int
	// Permanent makes the FailFirst failures consumererror.NewPermanent
	// errors (HTTP 500, not retried by the exporters) instead of retryable
	// ones (HTTP 503).
	Permanent bool
}

// Receiver is a real Collector OTLP receiver (HTTP only) on 127.0.0.1 that
// stores, in arrival order, the logs and traces it accepts. Its methods are
// safe for concurrent use.
type Receiver struct {
	endpoint string
	rcv      component.Component
	stopOnce sync.Once

	mu        sync.Mutex
	logs      []plog.Logs
	traces    []ptrace.Traces
	requests  int
	failFirst int
	permanent bool
}

// LogRecord is one received log record together with the resource and
// instrumentation scope it was sent under.
type LogRecord struct {
	Resource pcommon.Resource
	Scope    pcommon.InstrumentationScope
	Record   plog.LogRecord
}

// Span is one received span together with the resource and instrumentation
// scope it was sent under.
type Span struct {
	Resource pcommon.Resource
	Scope    pcommon.InstrumentationScope
	Span     ptrace.Span
}

// Start starts a receiver and registers t.Cleanup(r.Stop). It fails the test
// if the receiver cannot be created or cannot listen on opts.Addr.
func Start(t testing.TB, opts Options) *Receiver {
	t.Helper()
	r, err := start(opts)
	if err != nil {
		t.Fatalf("collector: start OTLP receiver: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}

func start(opts Options) (*Receiver, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	r := &Receiver{failFirst: opts.FailFirst, permanent: opts.Permanent}

	factory := otlpreceiver.NewFactory()
	cfg := factory.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.GRPC = configoptional.None[configgrpc.ServerConfig]()
	httpCfg := cfg.Protocols.HTTP.GetOrInsertDefault()
	httpCfg.ServerConfig.NetAddr.Endpoint = addr
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	// The receiver logs the address it actually listens on; that is the only
	// way to learn the port it got for 127.0.0.1:0.
	core, entries := observer.New(zapcore.InfoLevel)
	set := receivertest.NewNopSettings(factory.Type())
	set.Logger = zap.New(core)

	logsConsumer, err := consumer.NewLogs(r.consumeLogs)
	if err != nil {
		return nil, err
	}
	tracesConsumer, err := consumer.NewTraces(r.consumeTraces)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	// Both calls return the same shared receiver (it is keyed by cfg), with
	// the two consumers registered; starting and stopping it once is enough.
	lr, err := factory.CreateLogs(ctx, set, cfg, logsConsumer)
	if err != nil {
		return nil, err
	}
	if _, err := factory.CreateTraces(ctx, set, cfg, tracesConsumer); err != nil {
		return nil, err
	}
	if err := lr.Start(ctx, componenttest.NewNopHost()); err != nil {
		return nil, errors.Join(err, lr.Shutdown(ctx))
	}
	r.rcv = lr

	for _, e := range entries.FilterMessage("Starting HTTP server").All() {
		if ep, ok := e.ContextMap()["endpoint"].(string); ok {
			r.endpoint = ep
		}
	}
	if r.endpoint == "" {
		return nil, errors.Join(errors.New("receiver did not report its HTTP endpoint"), lr.Shutdown(ctx))
	}
	return r, nil
}

// fail counts an export request and reports the error it must fail with, or
// nil if its data is to be stored. It is called with r.mu held.
func (r *Receiver) fail() error {
	r.requests++
	if r.requests > r.failFirst {
		return nil
	}
	err := fmt.Errorf("collector: injected failure %d of %d", r.requests, r.failFirst)
	if r.permanent {
		return consumererror.NewPermanent(err)
	}
	return err
}

func (r *Receiver) consumeLogs(_ context.Context, ld plog.Logs) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fail(); err != nil {
		return err
	}
	c := plog.NewLogs()
	ld.CopyTo(c)
	r.logs = append(r.logs, c)
	return nil
}

func (r *Receiver) consumeTraces(_ context.Context, td ptrace.Traces) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fail(); err != nil {
		return err
	}
	c := ptrace.NewTraces()
	td.CopyTo(c)
	r.traces = append(r.traces, c)
	return nil
}

// Endpoint is the receiver's address, "127.0.0.1:port", for
// otlploghttp.WithEndpoint / otlptracehttp.WithEndpoint together with
// WithInsecure. Logs go to /v1/logs and traces to /v1/traces, the exporters'
// default paths.
func (r *Receiver) Endpoint() string { return r.endpoint }

// Requests is the number of non-empty export requests (logs and traces) that
// reached the receiver's consumer, including the ones failed by
// [Options.FailFirst].
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Logs returns copies of the accepted logs requests, in arrival order.
func (r *Receiver) Logs() []plog.Logs {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]plog.Logs, len(r.logs))
	for i, ld := range r.logs {
		out[i] = plog.NewLogs()
		ld.CopyTo(out[i])
	}
	return out
}

// Traces returns copies of the accepted traces requests, in arrival order.
func (r *Receiver) Traces() []ptrace.Traces {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ptrace.Traces, len(r.traces))
	for i, td := range r.traces {
		out[i] = ptrace.NewTraces()
		td.CopyTo(out[i])
	}
	return out
}

// LogRecords returns every accepted log record, flattened across requests,
// resources and scopes, in arrival order. The values are copies.
func (r *Receiver) LogRecords() []LogRecord {
	var out []LogRecord
	for _, ld := range r.Logs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, LogRecord{Resource: rl.Resource(), Scope: sl.Scope(), Record: lr})
				}
			}
		}
	}
	return out
}

// Spans returns every accepted span, flattened across requests, resources
// and scopes, in arrival order. The values are copies.
func (r *Receiver) Spans() []Span {
	var out []Span
	for _, td := range r.Traces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					out = append(out, Span{Resource: rs.Resource(), Scope: ss.Scope(), Span: s})
				}
			}
		}
	}
	return out
}

// LogRecordCount is the number of log records accepted so far, counted
// without copying them (for tests that send many).
func (r *Receiver) LogRecordCount() int {
	n, _ := r.counts()
	return n
}

func (r *Receiver) counts() (records, spans int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ld := range r.logs {
		records += ld.LogRecordCount()
	}
	for _, td := range r.traces {
		spans += td.SpanCount()
	}
	return records, spans
}

// pollInterval is how often the Wait methods look at the receiver.
const pollInterval = 5 * time.Millisecond

// WaitForLogRecords polls until the receiver holds at least n log records and
// fails the test (t.Fatalf, so call it from the test's goroutine) if it does
// not within timeout.
func (r *Receiver) WaitForLogRecords(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	r.waitFor(t, "log records", n, timeout, func() int { c, _ := r.counts(); return c })
}

// WaitForSpans polls until the receiver holds at least n spans and fails the
// test (t.Fatalf, so call it from the test's goroutine) if it does not within
// timeout.
func (r *Receiver) WaitForSpans(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	r.waitFor(t, "spans", n, timeout, func() int { _, c := r.counts(); return c })
}

func (r *Receiver) waitFor(t testing.TB, what string, n int, timeout time.Duration, count func() int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := count()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector: got %d %s within %v, want at least %d (requests: %d)", got, what, timeout, n, r.Requests())
		}
		time.Sleep(pollInterval)
	}
}

// Stop shuts the receiver down and frees its port. It waits up to 5 s for
// requests in flight. It is idempotent, and [Start] registers it with
// t.Cleanup; data received stays readable after Stop.
func (r *Receiver) Stop() {
	r.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.rcv.Shutdown(ctx)
	})
}

// FreeAddr returns a loopback host:port that was free a moment ago: an
// address to start a receiver on later, or one nothing listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
