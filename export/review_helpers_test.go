package export_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	collogpb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"

	"github.com/oplog-go/oplog/export"
)

// rvReceiver is an OTLP/HTTP receiver for the review tests: it decodes
// every request as the Collector does (protobuf, which refuses invalid
// UTF-8), and keeps what it saw.
type rvReceiver struct {
	*httptest.Server
	// answer, when set, answers instead of the default 200.
	answer func(w http.ResponseWriter, r *http.Request, body []byte) bool

	mu       sync.Mutex
	logs     []*collogpb.ExportLogsServiceRequest
	traces   []*coltracepb.ExportTraceServiceRequest
	paths    []string
	headers  []http.Header
	sizes    []int
	decodeKO int
}

func newRVReceiver(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte) bool) *rvReceiver {
	t.Helper()
	rv := &rvReceiver{answer: answer}
	rv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rv.mu.Lock()
		rv.paths = append(rv.paths, r.URL.Path)
		rv.headers = append(rv.headers, r.Header.Clone())
		rv.sizes = append(rv.sizes, len(body))
		rv.mu.Unlock()
		if rv.answer != nil && rv.answer(w, r, body) {
			return
		}
		var m proto.Message
		switch {
		case len(r.URL.Path) >= 8 && r.URL.Path[len(r.URL.Path)-8:] == "/v1/logs":
			m = &collogpb.ExportLogsServiceRequest{}
		default:
			m = &coltracepb.ExportTraceServiceRequest{}
		}
		if err := proto.Unmarshal(body, m); err != nil {
			rv.mu.Lock()
			rv.decodeKO++
			rv.mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rv.mu.Lock()
		switch m := m.(type) {
		case *collogpb.ExportLogsServiceRequest:
			rv.logs = append(rv.logs, m)
		case *coltracepb.ExportTraceServiceRequest:
			rv.traces = append(rv.traces, m)
		}
		rv.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rv.Close)
	return rv
}

// records counts the log records received and decoded.
func (rv *rvReceiver) records() int {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	n := 0
	for _, req := range rv.logs {
		for _, rl := range req.GetResourceLogs() {
			for _, sl := range rl.GetScopeLogs() {
				n += len(sl.GetLogRecords())
			}
		}
	}
	return n
}

// spans counts the spans received and decoded.
func (rv *rvReceiver) spans() int {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	n := 0
	for _, req := range rv.traces {
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				n += len(ss.GetSpans())
			}
		}
	}
	return n
}

func (rv *rvReceiver) seen() (paths []string, headers []http.Header, sizes []int, decodeKO int) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]string(nil), rv.paths...), append([]http.Header(nil), rv.headers...), append([]int(nil), rv.sizes...), rv.decodeKO
}

// rvAddsUp checks the accounting of every exporter, of records and of
// spans: emitted (ended) = delivered + dropped + pending; after Shutdown,
// nothing is pending.
func rvAddsUp(t *testing.T, s export.Stats, afterShutdown bool) {
	t.Helper()
	for _, e := range s.Exporters {
		assert.Equal(t, s.Emitted, e.Delivered+e.Dropped.Total()+e.Pending, "records, exporter %s: %+v", e.Name, e)
		if afterShutdown {
			assert.Zero(t, e.Pending, "records pending after Shutdown, exporter %s", e.Name)
		}
	}
	var delivered, pending uint64
	var dropped export.Drops
	for _, e := range s.Spans.Exporters {
		assert.Equal(t, s.Spans.Ended, e.Delivered+e.Dropped.Total()+e.Pending, "spans, exporter %s: %+v", e.Name, e)
		if afterShutdown {
			assert.Zero(t, e.Pending, "spans pending after Shutdown, exporter %s", e.Name)
		}
		delivered += e.Delivered
		pending += e.Pending
		dropped.QueueFull += e.Dropped.QueueFull
		dropped.ExportFailed += e.Dropped.ExportFailed
		dropped.Rejected += e.Dropped.Rejected
		dropped.Invalid += e.Dropped.Invalid
		dropped.Shutdown += e.Dropped.Shutdown
	}
	assert.Equal(t, delivered, s.Spans.Exported, "SpanStats.Exported")
	assert.Equal(t, pending, s.Spans.Pending, "SpanStats.Pending")
	assert.Equal(t, dropped, s.Spans.Dropped, "SpanStats.Dropped")
	assert.Equal(t, dropped.ExportFailed, s.Spans.Failed, "SpanStats.Failed")
}

// rvSetup builds a pipeline that leaves the globals alone and is shut down
// at the end of the test.
func rvSetup(t *testing.T, opts ...export.Option) *export.Pipeline {
	t.Helper()
	p, err := export.Setup(t.Context(), append([]export.Option{export.WithoutGlobal(), export.WithErrorHandler(func(error) {})}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}
