package operation_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// rvForged are reserved keys in every case variant a forger would try.
func rvForged() []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("OPLOG.operation.id", "forged"),
		attribute.String("oplog.operation.id", "forged"),
		attribute.String("Oplog.Operation.State", "forged"),
		attribute.String("oplog.operation.state", "forged"),
		attribute.String("oplog.connection.id", "forged"),
		attribute.String("oplog.message.type", "forged"),
		attribute.String("oplog.message.source", "forged"),
		attribute.Bool("oplog.message.late", false),
		attribute.String("oplog", "forged"),
		attribute.String("oplog.", "forged"),
		attribute.String("OPLOG", "forged"),
		attribute.String("oPlOg.integration.id", "forged"),
	}
}

// rvAssertOwn: every key of the record appears once, no value is "forged"
// under a reserved key, and the operation's own id is there.
func rvAssertOwn(t *testing.T, r sdklog.Record, id string) {
	t.Helper()
	seen := map[string]int{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		k := string(kv.Key)
		seen[strings.ToLower(k)]++
		if low := strings.ToLower(k); low == "oplog" || strings.HasPrefix(low, "oplog.") {
			assert.NotEqual(t, "forged", kv.Value.String(), "%s kept a forged value", k)
			if kv.Value.Type() == attribute.BOOL {
				assert.True(t, kv.Value.AsBool(), "%s forged false", k)
			}
		}
		return true
	})
	for k, n := range seen {
		if strings.HasPrefix(k, "oplog") {
			assert.Equal(t, 1, n, "key %s repeated", k)
		}
	}
	v, ok := export.Attribute(&r, logrecord.KeyOperationID)
	require.True(t, ok, "operation id kept")
	assert.Equal(t, id, v.AsString())
}

// TestReviewReservedKeysEveryPath: every path that takes caller attributes.
func TestReviewReservedKeysEveryPath(t *testing.T) {
	paths := map[string]func(context.Context, *operation.Operation){
		"Info":  func(_ context.Context, o *operation.Operation) { o.Info("m", rvForged()...) },
		"Trace": func(_ context.Context, o *operation.Operation) { o.Trace("m", rvForged()...) },
		"Fatal": func(_ context.Context, o *operation.Operation) { o.Fatal("m", rvForged()...) },
		"Log": func(ctx context.Context, o *operation.Operation) {
			o.Log(ctx, severity.Error4, attribute.MapValue(rvForged()...), rvForged()...)
		},
		"Emit": func(ctx context.Context, o *operation.Operation) {
			var r log.Record
			r.SetEventName(logrecord.EventOperationEnd)
			r.SetBody(attribute.StringValue("m"))
			r.AddAttributes(rvForged()...)
			o.Emit(ctx, r)
		},
		"LogError": func(_ context.Context, o *operation.Operation) { o.LogError(fmt.Errorf("e"), rvForged()...) },
		"HTTP": func(ctx context.Context, o *operation.Operation) {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://h/x", nil)
			o.HTTP(operation.HTTPCall{Request: req, Response: &http.Response{StatusCode: 200}, Attributes: append(rvForged(),
				attribute.Int("http.response.status_code", 500), attribute.String("http.request.method", "DELETE"))})
		},
		"SyncResult": func(_ context.Context, o *operation.Operation) {
			o.SyncResult(operation.SyncResult{Model: "oplog.operation.state", AddedKeys: []string{"oplog.x"}})
		},
		"Enrich": func(_ context.Context, o *operation.Operation) {
			o.Enrich(operation.Refs{Connection: "c2"})
			o.Info("after enrich", rvForged()...)
		},
	}
	for name, f := range paths {
		t.Run(name, func(t *testing.T) {
			e := newRVEnv(t, nil, operation.WithFields(operation.AllFields))
			ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c", Integration: "i"},
				operation.WithAttributes(rvForged()...))
			f(ctx, op)
			op.Succeed()
			recs := e.records()
			require.GreaterOrEqual(t, len(recs), 3)
			for _, r := range recs {
				rvAssertOwn(t, r, op.ID())
			}
			end := e.mem.WithEventName(logrecord.EventOperationEnd)
			require.Len(t, end, 1, "only the operation's own end record has the end event")
			for _, s := range e.mem.Spans() {
				for _, kv := range s.Attributes() {
					if strings.HasPrefix(strings.ToLower(string(kv.Key)), "oplog") {
						assert.NotEqual(t, "forged", kv.Value.String(), "span attribute %s", kv.Key)
					}
				}
			}
		})
	}
}

// TestReviewAttributeLimit: with MaxAttributes 10, negative or default,
// a message with 300 or 10,000 attributes keeps oplog's own, cuts the
// caller's, and counts what it dropped.
func TestReviewAttributeLimit(t *testing.T) {
	for _, limit := range []int{10, -1, 0} {
		for _, n := range []int{300, 10000} {
			t.Run(fmt.Sprintf("limit %d, %d attributes", limit, n), func(t *testing.T) {
				e := newRVEnv(t, []export.Option{export.WithLimits(logrecord.Limits{MaxAttributes: limit})})
				ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c", Integration: "i"})
				attrs := make([]attribute.KeyValue, n)
				for i := range attrs {
					attrs[i] = attribute.Int(fmt.Sprintf("user.%05d", i), i)
				}
				op.Info("info", attrs...)
				op.LogError(fmt.Errorf("boom"), attrs...)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://h/x", nil)
				op.HTTP(operation.HTTPCall{Request: req, Response: &http.Response{StatusCode: 503}, Attributes: attrs})
				op.Log(ctx, severity.Warn, attribute.StringValue("log"), attrs...)
				op.Fail(fmt.Errorf("failed"))
				recs := e.records()
				require.Len(t, recs, 6)
				for _, r := range recs {
					rvAssertOwn(t, r, op.ID())
					own := []string{logrecord.KeyMessageType, logrecord.KeyMessageSource}
					if limit != 10 {
						// A limit below the count of oplog's own attributes (an end
						// record has 11 with the default fields) cuts the last of
						// them: the limit is applied by the export pipeline.
						own = append(own, logrecord.KeyConnectionID)
					}
					for _, k := range own {
						_, ok := export.Attribute(&r, attribute.Key(k))
						assert.True(t, ok, "%s kept on %s", k, r.Body().String())
					}
					total := r.AttributesLen() + r.DroppedAttributes()
					switch {
					case limit == 10:
						assert.LessOrEqual(t, r.AttributesLen(), 10)
					case limit < 0:
						assert.Zero(t, r.DroppedAttributes())
					default:
						assert.LessOrEqual(t, r.AttributesLen(), logrecord.DefaultMaxAttributes)
					}
					if r.EventName() != logrecord.EventOperationStart && r.EventName() != logrecord.EventOperationEnd {
						assert.GreaterOrEqual(t, total, n, "dropped attributes counted")
					}
				}
				http := e.mem.WithEventName(logrecord.EventHTTP)
				require.Len(t, http, 1)
				for _, k := range []string{logrecord.KeyHTTPResponseStatusCode, logrecord.KeyHTTPRequestMethod, logrecord.KeyURLFull} {
					_, ok := export.Attribute(&http[0], attribute.Key(k))
					assert.True(t, ok, "%s kept", k)
				}
				end := e.mem.WithEventName(logrecord.EventOperationEnd)
				require.Len(t, end, 1)
				st, _ := export.Attribute(&end[0], logrecord.KeyOperationState)
				assert.Equal(t, "failed", st.AsString())
			})
		}
	}
}

// TestReviewTimeoutNamesCallInFlight: an operation whose deadline passes
// during a call through Transport ends with a record naming the call,
// method and redacted URL.
func TestReviewTimeoutNamesCallInFlight(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	e := newRVEnv(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	ctx, op := e.trk.Start(ctx, operation.SyncRun, operation.Refs{Connection: "c"})
	client := &http.Client{Transport: operation.Transport(nil)}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, srv.URL+"/v1/items?page=2&access_token="+rvCanary+"&apiKey="+rvCanary, nil)
	req.SetBasicAuth("u", rvCanary)
	resp, err := client.Do(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err)
	// The deadline ends the call and, through the context watch, the
	// operation: which the runtime runs first is not promised, so the state
	// is read once End has run (End(err) of a deadline error is a timeout
	// too), and the end record must name the call either way.
	op.End(err)
	assert.Equal(t, operation.Timeout, op.State())
	recs := e.records()
	end := e.mem.WithEventName(logrecord.EventOperationEnd)
	require.Len(t, end, 1)
	st, _ := export.Attribute(&end[0], logrecord.KeyOperationState)
	assert.Equal(t, "timeout", st.AsString())
	inflight, ok := export.Attribute(&end[0], logrecord.KeyOperationHTTPInFlight)
	require.True(t, ok, "end record names the calls in flight: %s", rvText(end[0]))
	assert.Contains(t, inflight.String(), "PATCH")
	assert.Contains(t, inflight.String(), "/v1/items")
	assert.Contains(t, end[0].Body().String(), "/v1/items")
	for _, r := range recs {
		assert.NotContains(t, rvText(r), rvCanary)
	}
	// The call's own message comes before or after the end record, marked
	// late in the second case, by the same race.
	require.Len(t, e.mem.WithEventName(logrecord.EventHTTP), 1)
}

// TestReviewFailNamesCallsInFlight: an operation failed (not timed out)
// while two calls through Transport are in flight names both on its end
// record, redacted; calls that finished before are not named.
func TestReviewFailNamesCallsInFlight(t *testing.T) {
	arrived := make(chan struct{}, 2)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/done" {
			return
		}
		arrived <- struct{}{}
		<-release
	}))
	defer srv.Close()
	e := newRVEnv(t, nil)
	ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c"})
	client := &http.Client{Transport: operation.Transport(http.DefaultTransport)}
	get := func(method, path string) error {
		req, _ := http.NewRequestWithContext(ctx, method, srv.URL+path, nil)
		resp, err := client.Do(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		return err
	}
	require.NoError(t, get(http.MethodGet, "/done"))
	errs := make(chan error, 2)
	go func() { errs <- get(http.MethodPut, "/a?client_secret="+rvCanary) }()
	go func() { errs <- get(http.MethodDelete, "/b?sig="+rvCanary) }()
	<-arrived
	<-arrived
	op.Fail(fmt.Errorf("gave up"))
	close(release)
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	e.records()
	end := e.mem.WithEventName(logrecord.EventOperationEnd)
	require.Len(t, end, 1)
	inflight, ok := export.Attribute(&end[0], logrecord.KeyOperationHTTPInFlight)
	require.True(t, ok, rvText(end[0]))
	txt := inflight.String()
	assert.Contains(t, txt, "PUT")
	assert.Contains(t, txt, "DELETE")
	assert.NotContains(t, txt, "/done")
	assert.NotContains(t, txt, rvCanary)
	for _, r := range e.mem.Records() {
		assert.NotContains(t, rvText(r), rvCanary)
	}
}
