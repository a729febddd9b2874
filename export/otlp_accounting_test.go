package export_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	collogpb "go.opentelemetry.io/proto/otlp/collector/logs/v1"

	"github.com/oplog-go/oplog/export"
)

// collected gathers what a pipeline reports to its error handler.
type collected struct {
	mu   sync.Mutex
	errs []error
}

func (c *collected) handle(err error) { c.mu.Lock(); c.errs = append(c.errs, err); c.mu.Unlock() }

func (c *collected) all() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.errs...)
}

// TestOTLPAccountingFromAnswers: delivery is read from the answer's status
// and a 2xx's decoded partial_success, never from an error body's text.
func TestOTLPAccountingFromAnswers(t *testing.T) {
	const n = 100
	partial, err := proto.Marshal(&collogpb.ExportLogsServiceResponse{
		PartialSuccess: &collogpb.ExportLogsPartialSuccess{RejectedLogRecords: 3, ErrorMessage: "too old"}})
	require.NoError(t, err)
	lie := []byte("OTLP partial success: too old (3 logs rejected)")
	tests := []struct {
		name        string
		status      int
		contentType string
		body        []byte
		want        export.ExporterStats
	}{
		{"500 whose body says partial success", 500, "text/plain", lie,
			export.ExporterStats{Dropped: export.Drops{ExportFailed: n}}},
		{"200 with a decoded partial success", 200, "application/x-protobuf", partial,
			export.ExporterStats{Delivered: n - 3, Dropped: export.Drops{Rejected: 3}}},
		{"200 whose text body says partial success", 200, "text/plain", lie,
			export.ExporterStats{Delivered: n}},
		{"400", 400, "text/plain", lie,
			export.ExporterStats{Dropped: export.Drops{Invalid: n}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write(tt.body)
			}))
			defer srv.Close()
			c := &collected{}
			p := setup(t, export.WithOTLP(export.OTLPEndpointURL(srv.URL), export.OTLPRetry(0)),
				export.WithErrorHandler(c.handle), export.WithBatchSize(n))
			emitN(p, n)
			_ = p.Shutdown(t.Context())
			s := p.Stats()
			e := s.Exporters[0]
			tt.want.Name = "otlp"
			assert.Equal(t, tt.want, e)
			assertAddsUp(t, s)
			if e.Dropped.Total() > 0 {
				var de *export.DropError
				require.NotEmpty(t, c.all())
				require.True(t, errors.As(c.all()[0], &de), "%v", c.all())
				assert.Contains(t, de.Error(), fmt.Sprintf("receiver answered %d %s", tt.status, http.StatusText(tt.status)))
			}
		})
	}
}

// TestOTLPRedirectNotFollowed: a receiver's redirect is an export failure;
// the configured headers never reach the other server.
func TestOTLPRedirectNotFollowed(t *testing.T) {
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			var mu sync.Mutex
			var reached []http.Header
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				reached = append(reached, r.Header.Clone())
				mu.Unlock()
			}))
			defer other.Close()
			redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.Path, code)
			}))
			defer redirector.Close()
			c := &collected{}
			p := setup(t, export.WithOTLP(export.OTLPEndpointURL(redirector.URL), export.OTLPRetry(0),
				export.OTLPHeaders(map[string]string{"Api-Key": "s3cr3t-CANARY"})),
				export.WithErrorHandler(c.handle))
			emitN(p, 10)
			_, span := p.TracerProvider().Tracer("test").Start(t.Context(), "op")
			span.End()
			_ = p.Shutdown(t.Context())
			mu.Lock()
			assert.Empty(t, reached, "nothing reaches the server redirected to")
			mu.Unlock()
			s := p.Stats()
			assert.Equal(t, uint64(10), s.Exporters[0].Dropped.ExportFailed)
			assert.Equal(t, uint64(1), s.Spans.Failed)
			require.NotEmpty(t, c.all())
			assert.Contains(t, c.all()[0].Error(), "redirects are not followed")
		})
	}
}
