package reliability_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// TestTrustOpSpansWithInvalidUTF8: ten operations, one with invalid UTF-8
// in its kind, references, start attributes, enrichment and failure text:
// all ten spans reach the real receiver, their text valid.
func TestTrustOpSpansWithInvalidUTF8(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	bad := "bad\xff\xfe"
	for i := range 10 {
		kind, refs := operation.SyncRun, operation.Refs{Connection: "c"}
		var opts []operation.StartOption
		if i == 4 {
			kind, refs = operation.Kind{Type: bad, Action: bad}, operation.Refs{Connection: bad, Account: bad}
			opts = append(opts, operation.WithAttributes(attribute.String("k"+bad, bad), attribute.StringSlice("s", []string{bad})))
		}
		_, op := trk.Start(t.Context(), kind, refs, opts...)
		op.Enrich(operation.Refs{Job: bad})
		op.Fail(errors.New(bad))
	}
	require.NoError(t, p.Shutdown(t.Context()))
	spans := rcv.Spans()
	require.Len(t, spans, 10, "no span of the batch is lost")
	for _, s := range spans {
		assert.True(t, utf8.ValidString(s.Span.Name()))
		assert.True(t, utf8.ValidString(s.Span.Status().Message()))
		for k, v := range s.Span.Attributes().All() {
			assert.True(t, utf8.ValidString(k) && utf8.ValidString(v.AsString()), k)
		}
	}
}

// TestTrustOpSpansWithHugeRefs: ten operations, one with a 21 MiB
// reference: all ten spans reach the real receiver, the reference cut to
// the default string limit at Start.
func TestTrustOpSpansWithHugeRefs(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	huge := strings.Repeat("x", 21<<20)
	for i := range 10 {
		refs := operation.Refs{Connection: "c"}
		if i == 3 {
			refs.Job = huge
		}
		_, op := trk.Start(t.Context(), operation.SyncRun, refs)
		op.Succeed()
	}
	require.NoError(t, p.Shutdown(t.Context()))
	spans := rcv.Spans()
	require.Len(t, spans, 10, "no span of the batch is lost")
	for _, s := range spans {
		if v, ok := s.Span.Attributes().Get(logrecord.KeyJobID); ok {
			assert.LessOrEqual(t, len(v.AsString()), logrecord.DefaultMaxStringLen+64)
		}
	}
}
