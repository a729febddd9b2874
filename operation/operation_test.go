package operation_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// env is a tracker wired to an in-memory exporter for records and spans.
type env struct {
	t    *testing.T
	p    *export.Pipeline
	mem  *export.Memory
	trk  *operation.Tracker
	refs operation.Refs
}

func newEnv(t *testing.T, opts ...operation.Option) *env {
	t.Helper()
	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	trk := operation.NewTracker(append([]operation.Option{
		operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
	}, opts...)...)
	return &env{t: t, p: p, mem: mem, trk: trk, refs: operation.Refs{Integration: "hubspot", Connection: "conn-42", Account: "acc-1"}}
}

func (e *env) flush() {
	e.t.Helper()
	require.NoError(e.t, e.p.ForceFlush(e.t.Context()))
}

func attr(r sdklog.Record, key string) attribute.Value {
	v, _ := export.Attribute(&r, attribute.Key(key))
	return v
}

func spanAttr(s sdktrace.ReadOnlySpan, key string) attribute.Value {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func TestLifecycleAndCorrelation(t *testing.T) {
	e := newEnv(t)
	ctx, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	require.Same(t, op, operation.FromContext(ctx))
	assert.Len(t, op.ID(), 26)
	assert.Equal(t, operation.Running, op.State())
	op.Info("fetched page", attribute.Int("page", 1))
	op.Warn("contact skipped")
	op.Succeed()
	e.flush()

	spans := e.mem.Spans()
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, "sync.run", s.Name())
	assert.Equal(t, codes.Ok, s.Status().Code)
	assert.Equal(t, op.ID(), spanAttr(s, logrecord.KeyOperationID).AsString())
	assert.Equal(t, "success", spanAttr(s, logrecord.KeyOperationState).AsString())
	assert.Equal(t, "acc-1", spanAttr(s, logrecord.KeyAccountID).AsString())

	recs := e.mem.Records()
	require.Len(t, recs, 4)
	for _, r := range recs {
		assert.Equal(t, s.SpanContext().TraceID(), r.TraceID())
		assert.Equal(t, s.SpanContext().SpanID(), r.SpanID())
		assert.Equal(t, op.ID(), attr(r, logrecord.KeyOperationID).AsString())
		assert.Equal(t, "hubspot", attr(r, logrecord.KeyIntegrationID).AsString())
		assert.Equal(t, operation.ScopeName, r.InstrumentationScope().Name)
	}
	assert.Equal(t, logrecord.EventOperationStart, recs[0].EventName())
	assert.Equal(t, "internal", attr(recs[0], logrecord.KeyMessageSource).AsString())
	assert.Equal(t, "user", attr(recs[1], logrecord.KeyMessageSource).AsString())
	assert.Equal(t, "log", attr(recs[1], logrecord.KeyMessageType).AsString())
	assert.False(t, attr(recs[1], logrecord.KeyAccountID).Type() != attribute.EMPTY, "account is not among the default fields")
	assert.Equal(t, logrecord.EventOperationEnd, recs[3].EventName())
	assert.Equal(t, "success", attr(recs[3], logrecord.KeyOperationState).AsString())
	assert.Equal(t, attribute.INT64, attr(recs[3], logrecord.KeyOperationDurationMS).Type())
}

func TestEndStates(t *testing.T) {
	failure := fmt.Errorf("fetch contacts: %w", &url.Error{Op: "Get", URL: "https://api.example.com/c?token=s3cr3t", Err: errors.New("timeout")})
	tests := []struct {
		name   string
		end    func(*operation.Operation)
		state  operation.State
		status codes.Code
	}{
		{"Succeed", (*operation.Operation).Succeed, operation.Success, codes.Ok},
		{"End(nil)", func(o *operation.Operation) { o.End(nil) }, operation.Success, codes.Ok},
		{"Fail", func(o *operation.Operation) { o.Fail(failure) }, operation.Failed, codes.Error},
		{"End(err)", func(o *operation.Operation) { o.End(failure) }, operation.Failed, codes.Error},
		{"Cancel", (*operation.Operation).Cancel, operation.Cancelled, codes.Error},
		{"End(Canceled)", func(o *operation.Operation) { o.End(fmt.Errorf("stop: %w", context.Canceled)) }, operation.Cancelled, codes.Error},
		{"Timeout", (*operation.Operation).Timeout, operation.Timeout, codes.Error},
		{"End(DeadlineExceeded)", func(o *operation.Operation) { o.End(context.DeadlineExceeded) }, operation.Timeout, codes.Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, op := e.trk.Start(t.Context(), operation.ActionRun, e.refs)
			tt.end(op)
			op.Succeed() // the first ending wins
			op.Fail(errors.New("later"))
			assert.Equal(t, tt.state, op.State())
			e.flush()
			s := e.mem.Spans()[0]
			assert.Equal(t, tt.status, s.Status().Code)
			assert.Equal(t, tt.state.String(), spanAttr(s, logrecord.KeyOperationState).AsString())
			ends := e.mem.WithEventName(logrecord.EventOperationEnd)
			require.Len(t, ends, 1, "ending is idempotent")
			assert.Equal(t, tt.state.String(), attr(ends[0], logrecord.KeyOperationState).AsString())
			if tt.state == operation.Failed {
				require.Len(t, s.Events(), 1)
				assert.Equal(t, "exception", s.Events()[0].Name)
				assert.Equal(t, "*url.Error", attr(ends[0], logrecord.KeyExceptionType).AsString())
				msg := attr(ends[0], logrecord.KeyExceptionMessage).AsString()
				assert.Contains(t, msg, "token=REDACTED")
				assert.NotContains(t, s.Status().Description+fmt.Sprint(s.Events()), "s3cr3t")
			}
		})
	}
}

func TestAutoEndOnContext(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	_, op := e.trk.Start(ctx, operation.SyncRun, e.refs)
	cancel()
	assert.Eventually(t, func() bool { return op.State() == operation.Cancelled }, 5*time.Second, time.Millisecond)

	dctx, dcancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer dcancel()
	_, op2 := e.trk.Start(dctx, operation.SyncRun, e.refs)
	<-dctx.Done()
	assert.Eventually(t, func() bool { return op2.State() == operation.Timeout }, 5*time.Second, time.Millisecond)

	_, op3 := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	op3.Succeed()
	assert.Equal(t, operation.Success, op3.State(), "a finished operation is not touched by its context")
}

func TestEverySeverityAndChildSpan(t *testing.T) {
	e := newEnv(t)
	ctx, op := e.trk.Start(t.Context(), operation.FunctionInvoke, e.refs)
	for s := severity.Trace1; s <= severity.Fatal4; s++ {
		op.Log(ctx, s, attribute.IntValue(int(s)))
	}
	childCtx, child := e.p.TracerProvider().Tracer("t").Start(ctx, "child")
	op.Log(childCtx, severity.Info, attribute.StringValue("in child"))
	child.End()
	op.Log(context.Background(), severity.Info, attribute.StringValue("unrelated ctx"))
	op.Succeed()
	e.flush()
	for s := severity.Trace1; s <= severity.Fatal4; s++ {
		got := e.mem.WithSeverity(s)
		require.NotEmpty(t, got, s.String())
		assert.Equal(t, s.String(), got[0].SeverityText())
	}
	in := e.mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "in child" })
	require.Len(t, in, 1)
	assert.Equal(t, child.SpanContext().SpanID(), in[0].SpanID())
	other := e.mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "unrelated ctx" })
	assert.Equal(t, op.SpanContext().SpanID(), other[0].SpanID())
}

func TestEnrichLevelsAndLate(t *testing.T) {
	e := newEnv(t, operation.WithFields(operation.DefaultFields|operation.FieldAccount))
	_, op := e.trk.Start(t.Context(), operation.AuthCreateConnection, operation.Refs{Integration: "github"})
	op.Enrich(operation.Refs{Connection: "conn-9"})
	assert.Equal(t, operation.Refs{Integration: "github", Connection: "conn-9"}, op.Refs())
	op.SetLevel(severity.Warn)
	op.Info("dropped")
	op.Warn("kept")
	op.Succeed()
	op.Error("after the end")
	e.flush()
	assert.Empty(t, e.mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "dropped" }))
	kept := e.mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "kept" })
	require.Len(t, kept, 1)
	assert.Equal(t, "conn-9", attr(kept[0], logrecord.KeyConnectionID).AsString())
	late := e.mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "after the end" })
	require.Len(t, late, 1)
	assert.True(t, attr(late[0], logrecord.KeyMessageLate).AsBool())
	assert.Equal(t, op.SpanContext().SpanID(), late[0].SpanID(), "late records stay correlated")
	assert.Equal(t, "conn-9", spanAttr(e.mem.Spans()[0], logrecord.KeyConnectionID).AsString())
}

func TestNilOperationIsSafe(t *testing.T) {
	var op *operation.Operation
	assert.NotPanics(t, func() {
		op.Info("x")
		op.Log(t.Context(), severity.Fatal4, attribute.StringValue("x"))
		op.LogError(errors.New("x"))
		op.HTTP(operation.HTTPCall{})
		op.SyncResult(operation.SyncResult{Model: "m"})
		op.Enrich(operation.Refs{Connection: "c"})
		op.SetLevel(severity.Debug)
		op.Run()
		op.Succeed()
		op.Fail(errors.New("x"))
		op.End(nil)
		op.Cancel()
		op.Timeout()
		_ = op.ID() + op.Kind().String() + op.State().String()
		_ = op.Refs()
		_ = op.Duration()
	})
	assert.Nil(t, operation.FromContext(t.Context()))
}

func TestConcurrentLoggingWhileEnding(t *testing.T) {
	e := newEnv(t)
	_, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range 64 {
		wg.Go(func() {
			<-start
			for i := range 20 {
				op.Info("msg", attribute.Int("g", g), attribute.Int("i", i))
				if g == 0 && i == 10 {
					op.Fail(errors.New("stop"))
				}
				op.Enrich(operation.Refs{Job: "j"})
			}
		})
	}
	close(start)
	wg.Wait()
	e.flush()
	assert.Len(t, e.mem.Records(), 64*20+2)
	assert.Len(t, e.mem.WithEventName(logrecord.EventOperationEnd), 1)
}

const canary = "s3cr3t-CANARY-9f8e"

// noCanary checks every exported record and span for the canary, raw,
// URL-encoded or base64.
func noCanary(t *testing.T, e *env) {
	t.Helper()
	e.flush()
	recs := e.mem.Records()
	require.NotEmpty(t, recs)
	dump := string(export.AppendOTLPJSON(nil, recs))
	for _, s := range e.mem.Spans() {
		dump += fmt.Sprint(s.Attributes(), s.Events(), s.Status())
	}
	for _, form := range []string{canary, url.QueryEscape(canary), base64.StdEncoding.EncodeToString([]byte(canary))} {
		assert.NotContains(t, dump, form)
	}
	assert.Contains(t, dump, "REDACTED", "the places stay, their values go")
}

func TestHTTPRedaction(t *testing.T) {
	e := newEnv(t)
	ctx, op := e.trk.Start(t.Context(), operation.ProxyCall, e.refs)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://user:"+canary+"@api.example.com/v1/x?access_token="+canary+"&page=2", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+canary)
	req.Header.Set("X-Api-Key", canary)
	req.Header.Set("Cookie", "session="+canary)
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Set-Cookie": {"s=" + canary}, "Retry-After": {"1"}}}
	op.HTTP(operation.HTTPCall{Request: req, Response: resp, Duration: 12 * time.Millisecond, Retry: operation.Retry{Attempt: 1, Max: 3, Waited: time.Second}})
	netErr := &url.Error{Op: "Post", URL: req.URL.String(), Err: errors.New("connection refused")}
	op.HTTP(operation.HTTPCall{Request: req, Err: netErr, Duration: time.Millisecond})
	op.Fail(netErr)
	noCanary(t, e)

	https := e.mem.WithEventName(logrecord.EventHTTP)
	require.Len(t, https, 2)
	r := https[0]
	assert.Equal(t, severity.Error.OTel(), r.Severity(), "429 is an error")
	assert.Equal(t, int64(429), attr(r, logrecord.KeyHTTPResponseStatusCode).AsInt64())
	assert.Equal(t, int64(1), attr(r, logrecord.KeyHTTPResendCount).AsInt64())
	assert.Equal(t, []string{"1"}, attr(r, "http.response.header.retry-after").AsStringSlice())
	assert.Equal(t, "http", attr(r, logrecord.KeyMessageType).AsString())
	assert.Contains(t, r.Body().AsString(), "POST https://REDACTED:REDACTED@api.example.com/v1/x?access_token=REDACTED&page=2 → 429")
	assert.Equal(t, "*url.Error", attr(https[1], logrecord.KeyErrorType).AsString())
}

func TestTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("fail") != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write([]byte("body stays unread by the transport"))
	}))
	defer srv.Close()
	e := newEnv(t)
	ctx, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	client := &http.Client{Transport: operation.Transport(nil)}
	for _, q := range []string{"?token=" + canary, "?fail=1&api_key=" + canary} {
		req, _ := http.NewRequestWithContext(operation.WithRetry(ctx, operation.Retry{Attempt: 2}), http.MethodGet, srv.URL+"/contacts"+q, nil)
		req.Header.Set("Authorization", canary)
		resp, err := client.Do(req)
		require.NoError(t, err)
		b := new(strings.Builder)
		_, _ = fmt.Fprint(b, resp.Body != nil)
		_ = resp.Body.Close()
	}
	// Without an operation in the context nothing is logged.
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	_ = resp.Body.Close()
	op.Succeed()
	noCanary(t, e)
	https := e.mem.WithEventName(logrecord.EventHTTP)
	require.Len(t, https, 2)
	assert.Equal(t, int64(200), attr(https[0], logrecord.KeyHTTPResponseStatusCode).AsInt64())
	assert.Equal(t, int64(503), attr(https[1], logrecord.KeyHTTPResponseStatusCode).AsInt64())
	assert.Equal(t, int64(2), attr(https[1], logrecord.KeyHTTPResendCount).AsInt64())
}

func TestSyncResultAndLogError(t *testing.T) {
	e := newEnv(t)
	_, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	keys := make([]string, 150)
	for i := range keys {
		keys[i] = fmt.Sprint("k", i)
	}
	op.SyncResult(operation.SyncResult{Model: "Contact", Added: 150, Updated: 2, AddedKeys: keys})
	op.LogError(logrecord.WithStack(errors.New("quota exceeded")), attribute.String("model", "Contact"))
	op.Succeed()
	e.flush()
	sr := e.mem.WithEventName(logrecord.EventSyncResult)
	require.Len(t, sr, 1)
	assert.Equal(t, "Contact: 150 added, 2 updated, 0 unchanged, 0 deleted", sr[0].Body().AsString())
	added := attr(sr[0], logrecord.KeySyncAddedKeys).AsStringSlice()
	assert.Len(t, added, 101)
	assert.Equal(t, "…[+50 more]", added[100])
	errs := e.mem.AtLeast(severity.Error)
	require.Len(t, errs, 1)
	assert.Equal(t, "quota exceeded", errs[0].Body().AsString())
	assert.NotEmpty(t, attr(errs[0], logrecord.KeyExceptionStacktrace).AsString())
}

func TestDefaultTrackerFollowsGlobals(t *testing.T) {
	_, before := operation.Start(t.Context(), operation.SyncRun, operation.Refs{})
	before.Info("goes to the no-op global") // nothing registered yet: must not panic
	before.Succeed()

	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), export.WithExporter(mem), export.WithSpanExporter(mem)) // registers globals
	require.NoError(t, err)
	defer func() { _ = p.Shutdown(context.Background()) }()
	_, op := operation.Start(t.Context(), operation.SyncRun, operation.Refs{})
	op.Info("after Setup")
	op.Succeed()
	require.NoError(t, p.ForceFlush(t.Context()))
	assert.Len(t, mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "after Setup" }), 1)
	assert.Len(t, mem.Spans(), 1)
}
