package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/store"
)

// TestReviewUnsanitizedInput: the store is an exporter any SDK provider
// may use, without oplog's sanitizing: records and spans with NUL, other
// controls and invalid UTF-8 in every text are stored, read back as valid
// JSON, and searchable by their words.
func TestReviewUnsanitizedInput(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	bad := "a\x00b\xff\xfe\u2028c\x1b[31m\x7f" + strings.Repeat("é", 3)[:5] // a cut rune at the end
	at := time.Now()
	var r log.Record
	r.SetTimestamp(at)
	r.SetSeverity(log.SeverityError)
	r.SetSeverityText(bad)
	r.SetEventName(bad)
	r.SetBody(attribute.StringValue("findme " + bad))
	r.AddAttributes(
		attribute.String(logrecord.KeyOperationID, "op"+bad),
		attribute.String(bad, bad),
		attribute.String(logrecord.KeyMessageType, logrecord.TypeHTTP),
		attribute.String(logrecord.KeyURLFull, "https://x.example/"+bad),
		attribute.String(logrecord.KeyHTTPRequestHeaderPrefix+bad, bad),
		attribute.StringSlice(logrecord.KeyHTTPResponseHeaderPrefix+"x", []string{bad, bad}),
		attribute.String(logrecord.KeyHTTPResponseStatusCode, bad), // not an int
		attribute.String(logrecord.KeyHTTPDurationMS, bad),         // not a float
		attribute.ByteSlice("bytes", []byte(bad)),
	)
	require.NoError(t, s.Export(ctx, []sdklog.Record{sdkRecord(r)}))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(s))
	_, sp := tp.Tracer(bad).Start(ctx, bad, trace.WithAttributes(attribute.String(logrecord.KeyOperationID, "op"+bad),
		attribute.String(logrecord.KeyIntegrationID, bad), attribute.String(logrecord.KeyOperationState, bad)))
	sp.End()
	require.NoError(t, tp.Shutdown(ctx))

	p, err := s.Operations(ctx, store.OperationFilter{Search: "findme"})
	require.NoError(t, err)
	require.Len(t, p.Operations, 1)
	id := p.Operations[0].ID
	m, err := s.Messages(ctx, store.MessageFilter{OperationID: id})
	require.NoError(t, err)
	require.Len(t, m.Messages, 1)
	f, err := s.Facets(ctx)
	require.NoError(t, err)
	for _, v := range []any{p, m, f} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.True(t, utf8.Valid(b))
	}
	assert.True(t, json.Valid(m.Messages[0].Attributes), "%s", m.Messages[0].Attributes)
	assert.True(t, json.Valid(m.Messages[0].Body), "%s", m.Messages[0].Body)
}
