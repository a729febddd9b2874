package export

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	collogpb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
)

// answer is one canned HTTP answer of a fake receiver.
type answer struct {
	status      int
	contentType string
	body        []byte
}

func protoBody(t *testing.T, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

// TestOTLPOutcomeClassified: what the pipeline counts comes from what the
// HTTP client observed (status, decoded partial_success), for logs and
// spans alike, never from the text of an answer.
func TestOTLPOutcomeClassified(t *testing.T) {
	logsPartial := func(n int64) []byte {
		return protoBody(t, &collogpb.ExportLogsServiceResponse{PartialSuccess: &collogpb.ExportLogsPartialSuccess{RejectedLogRecords: n, ErrorMessage: "too old"}})
	}
	spansPartial := func(n int64) []byte {
		return protoBody(t, &coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: n, ErrorMessage: "too old"}})
	}
	status := func(msg string) []byte { return protoBody(t, &spb.Status{Code: 3, Message: msg}) }
	jsonLogsPartial, err := protojson.Marshal(&collogpb.ExportLogsServiceResponse{PartialSuccess: &collogpb.ExportLogsPartialSuccess{RejectedLogRecords: 2}})
	require.NoError(t, err)
	const pb, text = "application/x-protobuf", "text/plain; charset=utf-8"
	lying := []byte("OTLP partial success: too old (3 logs rejected)")
	lyingSpans := []byte("OTLP partial success: too old (3 spans rejected)")

	type want struct {
		ok       bool // a plain success
		rejected uint64
		partial  bool
		bad      bool
		large    bool
	}
	tests := []struct {
		name   string
		logs   answer
		spans  answer
		want   want
		inText string
	}{
		{"200 empty", answer{200, pb, nil}, answer{200, pb, nil}, want{ok: true}, ""},
		{"200 partial success, 3 rejected", answer{200, pb, logsPartial(3)}, answer{200, pb, spansPartial(3)}, want{partial: true, rejected: 3}, "rejected 3"},
		{"200 partial success rejecting nothing (a warning)", answer{200, pb, logsPartial(0)}, answer{200, pb, spansPartial(0)}, want{ok: true}, ""},
		{"200 JSON partial success", answer{200, "application/json", jsonLogsPartial}, answer{200, pb, spansPartial(2)}, want{partial: true, rejected: 2}, "rejected 2"},
		{"200 text body saying partial success", answer{200, text, lying}, answer{200, text, lyingSpans}, want{ok: true}, ""},
		{"200 undecodable protobuf", answer{200, pb, []byte{0xff, 0xff, 0xff}}, answer{200, pb, []byte{0xff, 0xff, 0xff}}, want{}, "could not be read"},
		{"500 whose body says partial success", answer{500, text, lying}, answer{500, text, lyingSpans}, want{}, "500 Internal Server Error"},
		{"500 protobuf status saying partial success", answer{500, pb, status(string(lying))}, answer{500, pb, status(string(lyingSpans))}, want{}, "500"},
		{"400 malformed", answer{400, pb, status("bad data")}, answer{400, pb, status("bad data")}, want{bad: true}, "bad data"},
		{"400 the Collector's too large", answer{400, pb, status(tooLargeMessage)}, answer{400, pb, status(tooLargeMessage)}, want{large: true}, "too large"},
		{"400 text saying too large is only bad", answer{400, text, []byte("request body too large? no: bad field")}, answer{400, text, []byte("x")}, want{bad: true}, "400"},
		{"413", answer{413, text, nil}, answer{413, text, nil}, want{large: true}, "413"},
		{"404", answer{404, text, []byte("404 page not found")}, answer{404, text, nil}, want{}, "404"},
		{"200 with an answer over 4 MiB", answer{200, pb, make([]byte, maxAnswerBytes+1)}, answer{200, pb, make([]byte, maxAnswerBytes+1)}, want{}, "delivery unknown"},
		{"500 with a long answer, cut", answer{500, text, []byte(strings.Repeat("é", 100_000))}, answer{500, text, []byte(strings.Repeat("é", 100_000))}, want{}, "é…\""},
		{"control characters in the answer are escaped", answer{500, text, []byte("a\nforged\x1b[2J")}, answer{500, text, []byte("a\nforged\x1b[2J")}, want{}, `message "a\nforged\x1b[2J"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				a := tt.logs
				if r.URL.Path == "/v1/traces" {
					a = tt.spans
				}
				if a.contentType != "" {
					w.Header().Set("Content-Type", a.contentType)
				}
				w.WriteHeader(a.status)
				_, _ = w.Write(a.body)
			}))
			defer srv.Close()
			logs, spans, err := newOTLP(t.Context(), []OTLPOption{OTLPEndpointURL(srv.URL), OTLPRetry(0)})
			require.NoError(t, err)
			defer func() { _ = logs.Shutdown(t.Context()); _ = spans.Shutdown(t.Context()) }()

			check := func(t *testing.T, err error) {
				if tt.want.ok {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				n, partial := partialSuccess(err)
				assert.Equal(t, tt.want.partial, partial, "partial success: %v", err)
				assert.Equal(t, tt.want.rejected, n)
				assert.Equal(t, tt.want.bad, badRequest(err), "bad request: %v", err)
				assert.Equal(t, tt.want.large, tooLarge(err), "too large: %v", err)
				assert.Contains(t, err.Error(), tt.inText)
				assert.NotContains(t, err.Error(), "\n")
				assert.Less(t, len(err.Error()), 400, "an answer cannot flood the error handler")
			}
			t.Run("logs", func(t *testing.T) {
				check(t, logs.Export(t.Context(), make([]sdklog.Record, 10)))
			})
			t.Run("spans", func(t *testing.T) {
				check(t, spans.ExportSpans(t.Context(), tracetest.SpanStubs(make([]tracetest.SpanStub, 10)).Snapshots()))
			})
		})
	}
}

// TestOTLPRequestTooLargeNotSent: a request over the client's bound is
// refused unsent, as too large (the sink splits it), not as a network error.
func TestOTLPRequestTooLargeNotSent(t *testing.T) {
	defer func(n int64) { maxRequestBytes = n }(maxRequestBytes)
	maxRequestBytes = 1 << 20
	var requests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests++ }))
	defer srv.Close()
	for _, gzip := range []bool{false, true} {
		opts := []OTLPOption{OTLPEndpointURL(srv.URL), OTLPRetry(0)}
		if gzip {
			opts = append(opts, OTLPGzip())
		}
		logs, _, err := newOTLP(t.Context(), opts)
		require.NoError(t, err)
		recs := make([]sdklog.Record, 1)
		// Random bytes: gzip cannot shrink them under the bound.
		big := make([]byte, maxRequestBytes+1024)
		_, _ = rand.NewChaCha8([32]byte{1}).Read(big)
		recs[0].SetBody(attribute.ByteSliceValue(big))
		err = logs.Export(t.Context(), recs)
		require.Error(t, err)
		assert.True(t, tooLarge(err), "gzip %v: %v", gzip, err)
		assert.Zero(t, requests)
		require.NoError(t, logs.Shutdown(t.Context()))
	}
}

var _ sdktrace.SpanExporter = (*otlpSpans)(nil)
