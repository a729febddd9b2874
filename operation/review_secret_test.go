package operation_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// TestReviewTrackerSecretOnEveryPath: a secret registered with the
// tracker's Redactor is erased from every record of its operations, on
// every path a caller can put it: a message, a plain attribute, an
// attribute built with logrecord's default rules, nested in maps and
// slices, a Log or Emit body, the slog bridge.
func TestReviewTrackerSecretOnEveryPath(t *testing.T) {
	const secret = "TrkSecretQz81"
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})
	e := newRVEnv(t, nil, operation.WithRedactor(red))
	ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c"})
	err := errors.New("upstream rejected key " + secret)
	attrs := []attribute.KeyValue{
		attribute.String("plain", "k="+secret),
		attribute.StringSlice("list", []string{"a", secret}),
		logrecord.KeyValue("err", err),
		logrecord.KeyValue("nested", map[string]any{"e": err, "s": []any{secret, map[string]string{"x": secret}}}),
		attribute.ByteSlice("bytes", []byte(secret)),
	}
	op.Info("message with "+secret, attrs...)
	op.Log(ctx, severity.Warn, logrecord.Value(map[string]any{"body": secret}), attrs...)
	var r log.Record
	r.SetBody(attribute.StringValue(secret))
	r.AddAttributes(attrs...)
	op.Emit(ctx, r)
	l := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: e.p.LoggerProvider()}))
	l.InfoContext(ctx, "slog "+secret, "plain", secret, "err", err, slog.Group("g", "s", secret))
	l.With("with", secret).WithGroup("grp").InfoContext(ctx, "with", "s", secret)
	op.Fail(err)
	recs := e.records()
	require.Len(t, recs, 7)
	for _, rec := range recs {
		assert.NotContains(t, rvText(rec), secret[:8], "%s", rec.Body().String())
	}
	// Attributes the caller passed are not changed.
	assert.Equal(t, "k="+secret, attrs[0].Value.AsString())
	assert.Equal(t, []string{"a", secret}, attrs[1].Value.AsStringSlice())
	_ = context.Background
}

// TestReviewTrackerSecretInStartAttributes: WithAttributes values lose the
// tracker's secrets on the span and the start record, also when a secret
// straddles the string limit (erased before the cut).
func TestReviewTrackerSecretInStartAttributes(t *testing.T) {
	const secret = "TrkSecretQz81"
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})
	for off := -len(secret); off <= 0; off++ {
		e := newRVEnv(t, nil, operation.WithRedactor(red))
		long := strings.Repeat("a", logrecord.DefaultMaxStringLen+off) + secret
		_, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{},
			operation.WithAttributes(attribute.String("k", "x "+secret), attribute.String("long", long),
				attribute.StringSlice("list", []string{secret})))
		op.Succeed()
		for _, rec := range e.records() {
			assert.NotContains(t, rvText(rec), secret[:6], "record at offset %d", off)
		}
		spans := e.mem.Spans()
		require.Len(t, spans, 1)
		for _, kv := range spans[0].Attributes() {
			assert.NotContains(t, kv.Value.String(), secret[:6], "span attribute %s at offset %d", kv.Key, off)
		}
	}
}

// TestReviewTrackerSecretDeep: with no depth limit in the pipeline, a
// registered secret nested 100 levels deep in an attribute is erased too.
func TestReviewTrackerSecretDeep(t *testing.T) {
	const secret = "TrkSecretQz81"
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})
	e := newRVEnv(t, []export.Option{export.WithLimits(logrecord.Limits{MaxDepth: -1})}, operation.WithRedactor(red))
	_, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
	v := attribute.StringValue(secret)
	for i := range 100 {
		if i%2 == 0 {
			v = attribute.SliceValue(v)
		} else {
			v = attribute.MapValue(attribute.KeyValue{Key: "k", Value: v})
		}
	}
	op.Info("deep", attribute.KeyValue{Key: "deep", Value: v})
	op.Succeed()
	for _, rec := range e.records() {
		assert.NotContains(t, rvText(rec), secret[:6])
	}
}

// TestReviewTrackerSecretInOwnAttributes: references, sync result keys and
// an HTTP message's method carry the caller's strings too.
func TestReviewTrackerSecretInOwnAttributes(t *testing.T) {
	const secret = "TrkSecretQz81"
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})
	e := newRVEnv(t, nil, operation.WithRedactor(red), operation.WithFields(operation.AllFields))
	_, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Account: "acct-" + secret})
	op.Enrich(operation.Refs{EndUser: secret})
	op.SyncResult(operation.SyncResult{Model: secret, AddedKeys: []string{secret}})
	op.HTTP(operation.HTTPCall{})
	op.HTTP(operation.HTTPCall{Response: &http.Response{StatusCode: 500, Request: &http.Request{Method: secret}}})
	op.Succeed()
	recs := e.records()
	require.Len(t, recs, 5)
	for _, rec := range recs {
		assert.NotContains(t, rvText(rec), secret[:6], rec.Body().String())
	}
}
