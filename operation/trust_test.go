package operation_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// forged are user attributes that try to pass for oplog's own.
var forged = []attribute.KeyValue{
	attribute.String(logrecord.KeyOperationState, "failed"),
	attribute.String(logrecord.KeyConnectionID, "forged-conn"),
	attribute.String(logrecord.KeyOperationID, "forged-id"),
	attribute.String("OPLOG.Message.Type", "forged-type"),
	attribute.String("oplog", "forged-root"),
	attribute.Bool(logrecord.KeyMessageLate, false),
}

// TestReservedKeysCannotBeForged: on every path that takes user attributes,
// a reserved key is renamed user.… and oplog's own value stays.
func TestReservedKeysCannotBeForged(t *testing.T) {
	paths := map[string]func(context.Context, *operation.Operation){
		"Info": func(_ context.Context, o *operation.Operation) { o.Info("m", forged...) },
		"Log": func(ctx context.Context, o *operation.Operation) {
			o.Log(ctx, severity.Warn, attribute.StringValue("m"), forged...)
		},
		"Emit": func(ctx context.Context, o *operation.Operation) {
			var r log.Record
			r.SetSeverity(log.SeverityInfo)
			r.SetBody(attribute.StringValue("m"))
			r.AddAttributes(forged...)
			o.Emit(ctx, r)
		},
		"LogError": func(_ context.Context, o *operation.Operation) { o.LogError(errors.New("e"), forged...) },
		"HTTP": func(ctx context.Context, o *operation.Operation) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://h/x", nil)
			o.HTTP(operation.HTTPCall{Request: req, Response: &http.Response{StatusCode: 200}, Attributes: forged})
		},
	}
	for name, log := range paths {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			ctx, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs, operation.WithAttributes(forged...))
			log(ctx, op)
			op.Succeed()
			e.flush()
			recs := e.mem.Records()
			require.Len(t, recs, 3)
			for _, r := range recs {
				assert.Equal(t, op.ID(), attr(r, logrecord.KeyOperationID).AsString(), r.Body().AsString())
				assert.Equal(t, "conn-42", attr(r, logrecord.KeyConnectionID).AsString())
				assert.NotEqual(t, "forged-type", attr(r, logrecord.KeyMessageType).AsString())
				assert.NotEqual(t, attribute.STRING, attr(r, "oplog").Type())
				if r.EventName() == logrecord.EventOperationEnd {
					continue // no user attributes there
				}
				assert.Equal(t, "forged-conn", attr(r, "user."+logrecord.KeyConnectionID).AsString(), "renamed visibly")
				assert.Equal(t, "forged-type", attr(r, "user.OPLOG.Message.Type").AsString(), "any case")
				assert.Equal(t, "forged-root", attr(r, "user.oplog").AsString())
			}
			assert.NotEqual(t, "failed", attr(recs[1], logrecord.KeyOperationState).AsString())
			assert.Equal(t, "success", attr(recs[2], logrecord.KeyOperationState).AsString())
			s := e.mem.Spans()[0]
			assert.Equal(t, "conn-42", spanAttr(s, logrecord.KeyConnectionID).AsString())
			assert.Equal(t, "forged-conn", spanAttr(s, "user."+logrecord.KeyConnectionID).AsString())
			assert.Equal(t, op.ID(), spanAttr(s, logrecord.KeyOperationID).AsString())
		})
	}
}

// TestOwnKeysOfTypedMessagesWin: a user attribute that repeats a typed
// message's own key is renamed, and the late mark cannot be unset.
func TestOwnKeysOfTypedMessagesWin(t *testing.T) {
	e := newEnv(t)
	ctx, op := e.trk.Start(t.Context(), operation.ProxyCall, e.refs)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://h/x", nil)
	op.HTTP(operation.HTTPCall{Request: req, Response: &http.Response{StatusCode: 503}, Attributes: []attribute.KeyValue{
		attribute.Int(logrecord.KeyHTTPResponseStatusCode, 200), attribute.String(logrecord.KeyURLFull, "https://elsewhere"),
	}})
	op.LogError(errors.New("real"), attribute.String(logrecord.KeyExceptionMessage, "forged"))
	op.Succeed()
	op.Info("late", attribute.Bool(logrecord.KeyMessageLate, false))
	e.flush()
	h := e.mem.WithEventName(logrecord.EventHTTP)[0]
	assert.Equal(t, int64(503), attr(h, logrecord.KeyHTTPResponseStatusCode).AsInt64())
	assert.Equal(t, int64(200), attr(h, "user."+logrecord.KeyHTTPResponseStatusCode).AsInt64())
	assert.Equal(t, "https://h/x", attr(h, logrecord.KeyURLFull).AsString())
	le := e.mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "real" })[0]
	assert.Equal(t, "real", attr(le, logrecord.KeyExceptionMessage).AsString())
	assert.Equal(t, "forged", attr(le, "user."+logrecord.KeyExceptionMessage).AsString())
	late := e.mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "late" })[0]
	assert.True(t, attr(late, logrecord.KeyMessageLate).AsBool())
}

// TestOwnKeysSurviveTheCountLimit: a message with 300 attributes keeps the
// operation id, the message type and the HTTP status when the count limit
// cuts it, whatever the limit.
func TestOwnKeysSurviveTheCountLimit(t *testing.T) {
	many := make([]attribute.KeyValue, 300)
	for i := range many {
		many[i] = attribute.Int(fmt.Sprintf("a%03d", i), i)
	}
	for _, tt := range []struct {
		limits logrecord.Limits
		want   int
	}{{logrecord.Limits{}, logrecord.DefaultMaxAttributes}, {logrecord.Limits{MaxAttributes: 10}, 10}} {
		t.Run(fmt.Sprint(tt.want), func(t *testing.T) {
			mem := export.NewMemory()
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem), export.WithLimits(tt.limits))
			require.NoError(t, err)
			defer func() { _ = p.Shutdown(context.Background()) }()
			trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
				operation.WithFields(operation.AllFields))
			refs := operation.Refs{Account: "a", Environment: "e", Integration: "i", Provider: "p", Connection: "c", Sync: "s", Job: "j"}
			ctx, op := trk.Start(t.Context(), operation.ProxyCall, refs, operation.WithAttributes(many...))
			op.Info("many", many...)
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://h/x", nil)
			op.HTTP(operation.HTTPCall{Request: req, Response: &http.Response{StatusCode: 418, Header: http.Header{"A": {"1"}}}, Attributes: many})
			op.Fail(errors.New("boom"))
			require.NoError(t, p.ForceFlush(t.Context()))
			recs := mem.Records()
			require.Len(t, recs, 4)
			for i, r := range recs {
				if i < 3 { // the end record has no user attributes
					assert.Equal(t, tt.want, r.AttributesLen(), r.Body().AsString())
				}
				assert.Equal(t, op.ID(), attr(r, logrecord.KeyOperationID).AsString(), r.Body().AsString())
				assert.NotEmpty(t, attr(r, logrecord.KeyMessageType).AsString(), r.Body().AsString())
				assert.NotEmpty(t, attr(r, logrecord.KeyMessageSource).AsString(), r.Body().AsString())
			}
			h := recs[2]
			assert.Equal(t, int64(418), attr(h, logrecord.KeyHTTPResponseStatusCode).AsInt64())
			assert.Equal(t, "GET", attr(h, logrecord.KeyHTTPRequestMethod).AsString())
			assert.Equal(t, "https://h/x", attr(h, logrecord.KeyURLFull).AsString())
			assert.Equal(t, "failed", attr(recs[3], logrecord.KeyOperationState).AsString())
			assert.Equal(t, "boom", attr(recs[3], logrecord.KeyExceptionMessage).AsString(), "the outcome survives the limit")
			assert.Equal(t, "running", attr(recs[0], logrecord.KeyOperationState).AsString())
		})
	}
}

// TestRedactBeforeCut: a secret that straddles the length limit in an
// error text is redacted whole, not half exported.
func TestRedactBeforeCut(t *testing.T) {
	secret := "tok_" + strings.Repeat("Z", 60)
	e := newEnv(t, operation.WithRedactor(logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})))
	ctx, op := e.trk.Start(t.Context(), operation.ProxyCall, e.refs)
	pad := strings.Repeat("x", logrecord.DefaultMaxStringLen-30)
	err := errors.New(pad + secret)
	op.LogError(err)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://h/x", nil)
	op.HTTP(operation.HTTPCall{Request: req, Err: err})
	op.Fail(err)
	e.flush()
	half := secret[:20]
	for _, r := range e.mem.Records() {
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			assert.NotContains(t, kv.Value.String(), half, "%s of %q", kv.Key, r.EventName())
			return true
		})
		assert.NotContains(t, r.Body().AsString(), half)
	}
	s := e.mem.Spans()[0]
	assert.NotContains(t, s.Status().Description, half)
	for _, ev := range s.Events() {
		for _, kv := range ev.Attributes {
			assert.NotContains(t, kv.Value.String(), half)
		}
	}
}

// TestSpansGetValidText: invalid UTF-8 in the kind, the references, start
// attributes, Enrich and the failure text never reaches the span raw.
func TestSpansGetValidText(t *testing.T) {
	e := newEnv(t)
	bad := "a\xff\xfeb"
	_, op := e.trk.Start(t.Context(), operation.Kind{Type: bad, Action: bad}, operation.Refs{Connection: bad, Account: bad},
		operation.WithAttributes(attribute.String(bad, bad), attribute.StringSlice("s", []string{bad})))
	op.Enrich(operation.Refs{Job: bad})
	op.Fail(errors.New(bad))
	e.flush()
	s := e.mem.Spans()[0]
	assert.True(t, utf8.ValidString(s.Name()), s.Name())
	for _, kv := range s.Attributes() {
		assert.True(t, utf8.ValidString(string(kv.Key)), kv.Key)
		assert.True(t, utf8.ValidString(kv.Value.String()), "%s=%q", kv.Key, kv.Value.String())
	}
	assert.True(t, utf8.ValidString(s.Status().Description))
	for _, ev := range s.Events() {
		for _, kv := range ev.Attributes {
			assert.True(t, utf8.ValidString(kv.Value.String()), kv.Key)
		}
	}
	assert.Equal(t, "a\uFFFDb", op.Refs().Connection)
}

// TestEndNamesHTTPCallsInFlight: an operation that times out while a call
// through its Transport hangs names the call, redacted, in its end record.
func TestEndNamesHTTPCallsInFlight(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/contacts" {
			select { // hangs until the client gives up
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	ctx, op := e.trk.Start(ctx, operation.SyncRun, e.refs)
	client := &http.Client{Transport: operation.Transport(nil)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/contacts?token="+canary, nil)
	require.NoError(t, err)
	_, err = client.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	op.End(err)
	noCanary(t, e)
	end := e.mem.WithEventName(logrecord.EventOperationEnd)
	require.Len(t, end, 1)
	want := "GET " + srv.URL + "/contacts?token=REDACTED"
	assert.Equal(t, "timeout", attr(end[0], logrecord.KeyOperationState).AsString())
	assert.Equal(t, []string{want}, attr(end[0], logrecord.KeyOperationHTTPInFlight).AsStringSlice())
	assert.Contains(t, end[0].Body().AsString(), want)

	// A call that finished before the end is not named.
	e.mem.Reset()
	ctx2, op2 := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	req2, _ := http.NewRequestWithContext(ctx2, http.MethodGet, srv.URL+"/fast", nil)
	resp, err := client.Do(req2)
	require.NoError(t, err)
	_ = resp.Body.Close()
	op2.Timeout()
	e.flush()
	end = e.mem.WithEventName(logrecord.EventOperationEnd)
	require.Len(t, end, 1)
	assert.Equal(t, attribute.EMPTY, attr(end[0], logrecord.KeyOperationHTTPInFlight).Type())
}

// TestEndNamesCallCutByTheSameCancel: when the cancellation that ends the
// operation also ends the call, the call is named whichever of the two
// finishes first (here the call returns before the operation's watch runs).
func TestEndNamesCallCutByTheSameCancel(t *testing.T) {
	for i := range 20 {
		e := newEnv(t)
		ctx, cancel := context.WithCancel(t.Context())
		ctx, op := e.trk.Start(ctx, operation.SyncRun, e.refs)
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			cancel()
			return nil, r.Context().Err()
		})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.example.com/v1/deals?n="+fmt.Sprint(i), nil)
		_, err := operation.Transport(base).RoundTrip(req)
		require.ErrorIs(t, err, context.Canceled)
		op.End(err)
		e.flush()
		end := e.mem.WithEventName(logrecord.EventOperationEnd)
		require.Len(t, end, 1)
		assert.Equal(t, "cancelled", attr(end[0], logrecord.KeyOperationState).AsString())
		assert.Equal(t, []string{"POST https://api.example.com/v1/deals?n=" + fmt.Sprint(i)}, attr(end[0], logrecord.KeyOperationHTTPInFlight).AsStringSlice())
	}
}

// TestEndNamesConcurrentCalls: an operation failed while five calls are in
// flight names all five in the attribute and the first three in the body.
func TestEndNamesConcurrentCalls(t *testing.T) {
	e := newEnv(t)
	ctx, op := e.trk.Start(t.Context(), operation.SyncRun, e.refs)
	started, release := make(chan struct{}), make(chan struct{})
	rt := operation.Transport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		started <- struct{}{}
		<-release
		return nil, errors.New("aborted")
	}))
	done := make(chan struct{})
	for i := range 5 {
		go func() {
			defer func() { done <- struct{}{} }()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("https://h/%d?api_key=k", i), nil)
			_, _ = rt.RoundTrip(req)
		}()
	}
	for range 5 {
		<-started
	}
	op.Fail(errors.New("gave up"))
	close(release)
	for range 5 {
		<-done
	}
	e.flush()
	end := e.mem.WithEventName(logrecord.EventOperationEnd)
	require.Len(t, end, 1)
	names := attr(end[0], logrecord.KeyOperationHTTPInFlight).AsStringSlice()
	assert.Len(t, names, 5)
	for _, n := range names {
		assert.Regexp(t, `^GET https://h/\d\?api_key=REDACTED$`, n)
	}
	assert.Contains(t, end[0].Body().AsString(), "sync.run failed: gave up (HTTP in flight: GET https://h/")
	assert.Contains(t, end[0].Body().AsString(), " and 2 more)")
}

// TestEndingCallReturnsAfterTheEndRecord: when the context's watch and the
// caller end the operation at once, the caller's End returns only after
// the end record was emitted, whoever won: a Shutdown right after End
// never loses it.
func TestEndingCallReturnsAfterTheEndRecord(t *testing.T) {
	e := newEnv(t)
	for range 200 {
		ctx, cancel := context.WithCancel(t.Context())
		_, op := e.trk.Start(ctx, operation.SyncRun, e.refs)
		cancel()
		op.End(nil)
		e.flush()
		require.Len(t, e.mem.Where(func(r *sdklog.Record) bool {
			return r.EventName() == logrecord.EventOperationEnd && attr(*r, logrecord.KeyOperationID).AsString() == op.ID()
		}), 1)
	}
}
