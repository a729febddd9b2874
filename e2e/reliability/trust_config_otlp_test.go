package reliability_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
)

// TestTrustConfigTooLargeAnswer pins what the real receiver answers to a
// body over its 20 MiB limit, which the exporter reads as "too large" (see
// export/transport.go's tooLargeMessage): 400 with a google.rpc.Status
// whose message is net/http's.
func TestTrustConfigTooLargeAnswer(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr(strings.Repeat("x", 21<<20))
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	resp, err := http.Post("http://"+rcv.Endpoint()+"/v1/logs", "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "application/x-protobuf", resp.Header.Get("Content-Type"))
	var st spb.Status
	require.NoError(t, proto.Unmarshal(answer, &st))
	assert.Equal(t, "http: request body too large", st.GetMessage())
	assert.Zero(t, rcv.Requests(), "the receiver stored nothing")
}

// TestTrustConfigOversizedRequest: a request the real receiver refuses
// for its size is not counted as delivered, nor as an invalid batch.
func TestTrustConfigOversizedRequest(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint(), export.OTLPRetry(0)),
		export.WithBatchBytes(1<<30), export.WithBatchSize(400), export.WithExportInterval(time.Hour))
	sent := map[string]bool{}
	big := strings.Repeat("y", 60<<10)
	lg := p.LoggerProvider().Logger("reliability")
	for i := range 400 { // 24 MiB in one request, each record within the limits
		lg.Emit(t.Context(), rawRecord("oversized", i, big))
		sent[fmt.Sprintf("oversized/%d", i)] = true
	}
	_ = p.Shutdown(t.Context())
	e := checkLedger(t, p, "otlp", sent, rcv)
	assert.Zero(t, e.Dropped.Invalid, "too large is not malformed: %+v", e.Dropped)
	publish(t, figures{Case: "400 records of 60 KiB in one 24 MiB request to the receiver", Stats: e, Emitted: p.Stats().Emitted})
}

// TestTrustConfigErrorBodyIsNotDelivery: a 500 whose body reads like an
// OTLP partial success counts its batch as failed; the next batches reach
// the real receiver, which holds exactly what is counted delivered.
func TestTrustConfigErrorBodyIsNotDelivery(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	target, err := url.Parse("http://" + rcv.Endpoint())
	require.NoError(t, err)
	forward := httputil.NewSingleHostReverseProxy(target)
	var n atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "OTLP partial success: too old (3 logs rejected)")
			return
		}
		forward.ServeHTTP(w, r)
	}))
	defer front.Close()
	p, reported := setup(t, export.WithOTLP(export.OTLPEndpointURL(front.URL), export.OTLPRetry(0)),
		export.WithBatchSize(100), export.WithExportInterval(time.Hour))
	sent := map[string]bool{}
	emit(t, p, sent, "lying", 0, 100)
	require.NoError(t, p.ForceFlush(t.Context()))
	emit(t, p, sent, "lying", 100, 100)
	_ = p.Shutdown(t.Context())
	e := checkLedger(t, p, "otlp", sent, rcv)
	assert.Equal(t, uint64(100), e.Dropped.ExportFailed, "%+v", e)
	assert.Zero(t, e.Dropped.Rejected)
	assert.Equal(t, uint64(100), e.Delivered)
	calls, count := reported.drops("export failed")
	assert.Equal(t, 1, calls)
	assert.Equal(t, uint64(100), count)
	publish(t, figures{Case: "500 whose body reads like a partial success (3 rejected)", Stats: e, Emitted: p.Stats().Emitted})
}

// TestTrustConfigRedirectRefused: a redirect to the real receiver is not
// followed: the configured headers go nowhere else, and the records and
// spans count as failed.
func TestTrustConfigRedirectRefused(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	var mu sync.Mutex
	var seen []string
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Api-Key"))
		mu.Unlock()
		http.Redirect(w, r, "http://"+rcv.Endpoint()+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	p, reported := setup(t, export.WithOTLP(export.OTLPEndpointURL(redirector.URL), export.OTLPRetry(0),
		export.OTLPHeaders(map[string]string{"Api-Key": "s3cr3t-CANARY"})))
	sent := map[string]bool{}
	emit(t, p, sent, "redirected", 0, 50)
	_, span := p.TracerProvider().Tracer("reliability").Start(t.Context(), "op")
	span.End()
	_ = p.Shutdown(t.Context())
	e := checkLedger(t, p, "otlp", sent, rcv)
	assert.Equal(t, uint64(50), e.Dropped.ExportFailed)
	assert.Equal(t, uint64(1), p.Stats().Spans.Failed)
	assert.Zero(t, rcv.Requests(), "nothing reached the receiver redirected to")
	mu.Lock()
	assert.NotEmpty(t, seen, "the configured endpoint got the requests")
	mu.Unlock()
	var msgs []string
	for _, err := range reported.all() {
		msgs = append(msgs, err.Error())
	}
	assert.Contains(t, strings.Join(msgs, "\n"), "redirects are not followed")
	publish(t, figures{Case: "receiver answering 307 to another host", Stats: e, Emitted: p.Stats().Emitted})
}
