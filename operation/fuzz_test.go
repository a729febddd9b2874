package operation_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// FuzzOperation: any kind, reference, attribute, message and error text,
// through Start, Info, LogError, HTTP and Fail: no panic, the operation's
// own attributes intact on every record, every exported string (records
// and span) valid UTF-8, the registered canary never exported from error
// texts or URLs. Run longer with
// go test -run '^$' -fuzz FuzzOperation -fuzztime 5m ./operation/
func FuzzOperation(f *testing.F) {
	f.Add("sync", "k", "v", "plain error", "token=x")
	f.Add("s\xffync", logrecord.KeyOperationState, "\xff\xfe", "Bearer "+canary, "access_token="+canary)
	f.Add("oplog", "OPLOG.connection.id", strings.Repeat("x", 70<<10), strings.Repeat("é", 40<<10)+canary, "code="+url.QueryEscape(canary))
	mem := export.NewMemory()
	p, err := export.Setup(f.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem))
	require.NoError(f, err)
	f.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
		operation.WithRedactor(logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{canary}})))
	f.Fuzz(func(t *testing.T, typ, key, value, errText, query string) {
		mem.Reset()
		var id string
		require.NotPanics(t, func() {
			ctx, op := trk.Start(t.Context(), operation.Kind{Type: typ, Action: value}, operation.Refs{Connection: value},
				operation.WithAttributes(attribute.String(key, value)))
			id = op.ID()
			op.Info(value, attribute.String(key, value))
			op.LogError(errors.New(errText), attribute.String(key, value))
			req := (&http.Request{Method: value, URL: &url.URL{Scheme: "https", Host: "h", Path: "/x", RawQuery: query}}).WithContext(ctx)
			op.HTTP(operation.HTTPCall{Request: req, Err: errors.New(errText), Attributes: []attribute.KeyValue{attribute.String(key, value)}})
			op.Fail(errors.New(errText))
		})
		require.NoError(t, p.ForceFlush(t.Context()))
		recs := mem.Records()
		require.Len(t, recs, 5)
		for _, r := range recs {
			assert.Equal(t, id, attr(r, logrecord.KeyOperationID).AsString())
			assert.NotEmpty(t, attr(r, logrecord.KeyMessageType).AsString())
			assert.True(t, utf8.ValidString(r.Body().String()))
			r.WalkAttributes(func(kv attribute.KeyValue) bool {
				assert.True(t, utf8.ValidString(string(kv.Key)) && utf8.ValidString(kv.Value.String()), "%q", kv.Key)
				return true
			})
		}
		assert.Equal(t, "failed", attr(recs[4], logrecord.KeyOperationState).AsString())
		s := mem.Spans()
		require.Len(t, s, 1)
		assert.True(t, utf8.ValidString(s[0].Name()) && utf8.ValidString(s[0].Status().Description))
		for _, kv := range s[0].Attributes() {
			assert.True(t, utf8.ValidString(string(kv.Key)) && utf8.ValidString(kv.Value.String()), "%q", kv.Key)
		}
		// Plain strings and keys are the caller's, not redacted; the dump
		// is JSON, so look for a part of the canary JSON cannot escape.
		// A part of the canary that is not the whole registered secret (the
		// query "3cr3t-…" without its first letter) is no secret either.
		partial := func(s string) bool { return strings.Count(s, canary[1:]) != strings.Count(s, canary) }
		if !strings.Contains(typ+key+value, canary[1:]) && !partial(errText) && !partial(query) {
			assert.NotContains(t, string(export.AppendOTLPJSON(nil, recs)), canary[1:])
		}
	})
}
