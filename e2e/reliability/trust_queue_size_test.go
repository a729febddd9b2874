package reliability_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

const truncated = "…[truncated from "

// TestTrustQueueRequestBytes: batches that would exceed the Collector's
// request limit (20 MiB) are split by encoded size; a record larger than
// one request is cut to fit, visibly; a request the receiver refuses as
// too large is split and sent again. Every record arrives.
func TestTrustQueueRequestBytes(t *testing.T) {
	big := strings.Repeat("x", 60<<10)
	cases := []struct {
		name  string
		opts  []export.Option
		n     int
		large func(i int) bool // records with 128 attributes of 60 KiB
		cut   int              // records that arrive cut
	}{
		{"512 records of 60 KiB", nil, 512, func(int) bool { return false }, 0},
		{"3 large among 397 small", nil, 400, func(i int) bool { return i%133 == 7 }, 3},
		// With a bound above the Collector's, the first request is refused
		// as too large: the batch is split in halves until it fits.
		{"512 records of 60 KiB, bound above the receiver's", []export.Option{export.WithBatchBytes(256 << 20), export.WithQueueBytes(256 << 20)},
			512, func(int) bool { return false }, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rcv := collector.Start(t, collector.Options{})
			p, reported := setup(t, append([]export.Option{otlp(rcv.Endpoint())}, c.opts...)...)
			lg := p.LoggerProvider().Logger("reliability")
			sent := map[string]bool{}
			for i := range c.n {
				r := rawRecord("bytes", i, "small")
				if c.large(i) {
					for j := range 128 {
						r.AddAttributes(attribute.String("a"+strconv.Itoa(j), big))
					}
				} else if c.n == 512 {
					r.SetBody(attribute.StringValue(big))
				}
				lg.Emit(t.Context(), r)
				sent["bytes/"+strconv.Itoa(i)] = true
			}
			require.NoError(t, p.Shutdown(t.Context()), "%v", reported.all())
			e := checkLedger(t, p, "otlp", sent, rcv)
			assert.Equal(t, uint64(c.n), e.Delivered, "%+v", e.Dropped)
			cut := 0
			for _, lr := range rcv.LogRecords() {
				found := false
				lr.Record.Attributes().Range(func(_ string, v pcommon.Value) bool {
					found = found || strings.Contains(v.AsString(), truncated)
					return !found
				})
				if found {
					cut++
				}
			}
			assert.Equal(t, c.cut, cut, "records cut to fit one request, and marked")
			publish(t, figures{Case: "request bytes: " + c.name, Stats: e, Emitted: p.Stats().Emitted,
				Note: fmt.Sprintf("%d request(s), %d cut", rcv.Requests(), cut)})
		})
	}
}

// TestTrustQueueHugeSpanAttribute: a span with a 21 MiB attribute arrives,
// its value cut visibly, with the operation's records.
func TestTrustQueueHugeSpanAttribute(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	huge := strings.Repeat("r", 21<<20)
	for range 3 {
		_, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Sync: huge})
		op.Succeed()
	}
	_, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{}, operation.WithAttributes(attribute.String("payload", huge)))
	op.Succeed()
	require.NoError(t, p.Shutdown(t.Context()))
	st := p.Stats()
	assert.Equal(t, uint64(4), st.Spans.Ended)
	assert.Equal(t, uint64(4), st.Spans.Exported, "%+v", st.Spans)
	spans := rcv.Spans()
	require.Len(t, spans, 4)
	for _, s := range spans {
		found := false
		s.Span.Attributes().Range(func(_ string, v pcommon.Value) bool {
			if v.Type() == pcommon.ValueTypeStr && len(v.Str()) > 1<<20 {
				t.Errorf("a span attribute of %d bytes was sent whole", len(v.Str()))
			}
			found = found || strings.Contains(v.AsString(), truncated)
			return true
		})
		assert.True(t, found, "the cut is visible")
	}
	assert.Equal(t, 8, rcv.LogRecordCount(), "start and end records arrive too")
	publish(t, figures{Case: "span with a 21 MiB attribute", Stats: export.ExporterStats{Delivered: st.Spans.Exported, Dropped: st.Spans.Dropped},
		Emitted: st.Spans.Ended, Note: "spans; value cut to the limit, marked"})
}

// TestTrustQueueBadSpansAndResource: invalid UTF-8 in references, the
// kind, span attributes, the service name and OTEL_RESOURCE_ATTRIBUTES
// costs neither spans nor records.
func TestTrustQueueBadSpansAndResource(t *testing.T) {
	const bad = "bad\xff\xfe\xc3"
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=%FF%FEprod")
	rcv := collector.Start(t, collector.Options{})
	p, reported := setup(t, otlp(rcv.Endpoint()), export.WithServiceName("svc"+bad))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	for i := range 10 {
		_, op := trk.Start(t.Context(), operation.Kind{Type: "sync" + bad, Action: bad}, operation.Refs{Connection: bad, Sync: strconv.Itoa(i) + bad},
			operation.WithAttributes(attribute.String("k", bad), attribute.String(bad, "v")))
		op.Info("message "+bad, attribute.String("x", bad))
		op.Fail(fmt.Errorf("failed: %s", bad))
	}
	lg := p.LoggerProvider().Logger("reliability" + bad)
	var r log.Record
	r.SetBody(attribute.StringValue(bad))
	lg.Emit(t.Context(), r)
	require.NoError(t, p.Shutdown(t.Context()), "%v", reported.all())
	st := p.Stats()
	assert.Equal(t, uint64(10), st.Spans.Exported, "%+v", st.Spans)
	assert.Zero(t, st.Undelivered(), "%+v", st)
	require.Len(t, rcv.Spans(), 10)
	assert.Equal(t, 31, rcv.LogRecordCount())
	for _, s := range rcv.Spans() {
		s.Resource.Attributes().Range(func(k string, v pcommon.Value) bool {
			assert.True(t, utf8.ValidString(k) && utf8.ValidString(v.AsString()), "%q=%q", k, v.AsString())
			return true
		})
		assert.True(t, utf8.ValidString(s.Span.Name()))
	}
	publish(t, figures{Case: "invalid UTF-8 in spans, service name and OTEL_RESOURCE_ATTRIBUTES", Stats: exporter(t, st, "otlp"), Emitted: st.Emitted,
		Note: fmt.Sprintf("spans %d/%d exported", st.Spans.Exported, st.Spans.Ended)})
}

// TestTrustQueueDroppedAttributes: Limits.MaxAttributes cuts a record of
// 300 attributes to 10, and the receiver learns that 290 were dropped.
func TestTrustQueueDroppedAttributes(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()), export.WithLimits(logrecord.Limits{MaxAttributes: 10}))
	lg := p.LoggerProvider().Logger("reliability")
	for i, v := range []string{"clean", "bad\xff"} {
		r := rawRecord("attrs", i, "many attributes")
		for j := range 298 {
			r.AddAttributes(attribute.String("k"+strconv.Itoa(j), v))
		}
		lg.Emit(t.Context(), r)
	}
	require.NoError(t, p.Shutdown(t.Context()))
	recs := rcv.LogRecords()
	require.Len(t, recs, 2)
	for _, lr := range recs {
		assert.Equal(t, 10, lr.Record.Attributes().Len())
		assert.Equal(t, uint32(290), lr.Record.DroppedAttributesCount())
		_, ok := lr.Record.Attributes().Get(logrecord.KeyOperationID)
		assert.True(t, ok, "the first attributes are kept")
	}
}
