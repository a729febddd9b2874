package reliability_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// TestTrustOpTimeoutNamesHTTPInFlight: an operation whose deadline passes
// while a call through its Transport hangs ends as timeout, and its end
// record (at the real receiver) names the call with its redacted URL, in an
// attribute and in the body.
func TestTrustOpTimeoutNamesHTTPInFlight(t *testing.T) {
	release := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hangs until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer api.Close()
	defer close(release)
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	ctx, op := trk.Start(ctx, operation.SyncRun, operation.Refs{})
	client := &http.Client{Transport: operation.Transport(nil)}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.URL+"/contacts?page=2&access_token="+url.QueryEscape(canary), nil)
	require.NoError(t, err)
	_, err = client.Do(req)
	require.Error(t, err)
	op.End(err)
	require.NoError(t, p.Shutdown(t.Context()))
	checkLedger(t, p, "otlp", nil, rcv)

	want := "GET " + api.URL + "/contacts?page=2&access_token=REDACTED"
	var found bool
	for _, r := range rcv.LogRecords() {
		lr := r.Record
		assert.Empty(t, leaks([]byte(lr.Body().AsString()), canary))
		if lr.EventName() != logrecord.EventOperationEnd {
			continue
		}
		found = true
		assert.Equal(t, "timeout", strAttr(lr, logrecord.KeyOperationState))
		v, ok := lr.Attributes().Get(logrecord.KeyOperationHTTPInFlight)
		require.True(t, ok, "the end record names the calls in flight")
		require.Equal(t, 1, v.Slice().Len())
		assert.Equal(t, want, v.Slice().At(0).AsString())
		assert.Contains(t, lr.Body().AsString(), want)
	}
	assert.True(t, found)
}
