package reliability_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
)

// TestTrustQueueSpanRequestBytes: span batches are bounded by encoded size
// like record batches, and a span request the receiver refuses as too
// large is split and sent again.
func TestTrustQueueSpanRequestBytes(t *testing.T) {
	big := strings.Repeat("s", 60<<10)
	cases := []struct {
		name string
		opts []export.Option
	}{
		{"512 spans of 60 KiB", nil},
		{"512 spans of 60 KiB, bound above the receiver's", []export.Option{export.WithBatchBytes(256 << 20), export.WithQueueBytes(256 << 20)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rcv := collector.Start(t, collector.Options{})
			p, reported := setup(t, append([]export.Option{otlp(rcv.Endpoint())}, c.opts...)...)
			tr := p.TracerProvider().Tracer("reliability")
			for range 512 {
				_, sp := tr.Start(t.Context(), "op")
				sp.SetAttributes(attribute.String("payload", big))
				sp.End()
			}
			require.NoError(t, p.Shutdown(t.Context()), "%v", reported.all())
			st := p.Stats().Spans
			assert.Equal(t, uint64(512), st.Exported, "%+v", st)
			assert.Len(t, rcv.Spans(), 512)
			publish(t, figures{Case: "span request bytes: " + c.name, Stats: export.ExporterStats{Delivered: st.Exported, Dropped: st.Dropped},
				Emitted: st.Ended, Note: fmt.Sprintf("%d request(s) stored", rcv.Requests())})
		})
	}
}
