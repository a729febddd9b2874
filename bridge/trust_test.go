package bridge_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// TestBridgeCannotForgeOplogKeys: slog attributes, WithAttrs and groups
// named oplog cannot override the operation's own attributes.
func TestBridgeCannotForgeOplogKeys(t *testing.T) {
	p, mem := pipeline(t)
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "conn-42"})
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})).
		With(logrecord.KeyConnectionID, "forged-conn")
	logger.InfoContext(ctx, "attrs", logrecord.KeyOperationState, "failed", logrecord.KeyOperationID, "forged-id",
		"Oplog.Message.Source", "internal", slog.Group("oplog", slog.String("operation.state", "failed")))
	logger.WithGroup("oplog").InfoContext(ctx, "group", "operation.state", "failed")
	logger.InfoContext(t.Context(), "standalone", logrecord.KeyOperationID, "forged-id")
	op.Succeed()
	require.NoError(t, p.ForceFlush(t.Context()))

	get := func(body string) sdklog.Record {
		recs := mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == body })
		require.Len(t, recs, 1, body)
		return recs[0]
	}
	for _, body := range []string{"attrs", "group"} {
		r := get(body)
		assert.Equal(t, op.ID(), attrOf(r, logrecord.KeyOperationID).AsString(), body)
		assert.Equal(t, "conn-42", attrOf(r, logrecord.KeyConnectionID).AsString(), body)
		assert.Equal(t, "forged-conn", attrOf(r, "user."+logrecord.KeyConnectionID).AsString(), body)
		assert.Equal(t, attribute.EMPTY, attrOf(r, logrecord.KeyOperationState).Type(), body)
		assert.Equal(t, attribute.EMPTY, attrOf(r, "oplog").Type(), body)
		assert.Equal(t, attribute.MAP, attrOf(r, "user.oplog").Type(), body)
		assert.Equal(t, logrecord.SourceUser, attrOf(r, logrecord.KeyMessageSource).AsString(), body)
	}
	r := get("attrs")
	assert.Equal(t, "failed", attrOf(r, "user."+logrecord.KeyOperationState).AsString())
	assert.Equal(t, "internal", attrOf(r, "user.Oplog.Message.Source").AsString())
	sa := get("standalone")
	assert.Equal(t, attribute.EMPTY, attrOf(sa, logrecord.KeyOperationID).Type(), "a standalone record is no operation's")
	assert.Equal(t, "forged-id", attrOf(sa, "user."+logrecord.KeyOperationID).AsString())
}

// TestBridgeUsesTheTrackersRedactor: inside an operation, error texts (in
// the record's attributes and in WithAttrs) are redacted by the operation
// tracker's rules; outside, by the default ones.
func TestBridgeUsesTheTrackersRedactor(t *testing.T) {
	const secret = "sk_live_CANARY_4242"
	p, mem := pipeline(t)
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
		operation.WithRedactor(logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})))
	ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
	err := errors.New("charge failed for key " + secret)
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})).With("cause", err)
	logger.ErrorContext(ctx, "inside", "err", err, slog.Group("g", slog.Any("err", err)))
	logger.WithGroup("w").ErrorContext(ctx, "inside group", "err", err)
	slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})).ErrorContext(t.Context(), "outside", "err", errors.New("GET https://h/x?token=t0k3n_CANARY failed"))
	op.Succeed()
	require.NoError(t, p.ForceFlush(t.Context()))

	recs := mem.Records()
	dump := string(export.AppendOTLPJSON(nil, recs))
	assert.NotContains(t, dump, secret)
	assert.NotContains(t, dump, "t0k3n_CANARY")
	in := mem.Where(func(r *sdklog.Record) bool { return r.Body().AsString() == "inside" })
	require.Len(t, in, 1)
	assert.Equal(t, "charge failed for key REDACTED", attrOf(in[0], "err").AsString())
	assert.Equal(t, "charge failed for key REDACTED", attrOf(in[0], "cause").AsString())
	assert.Equal(t, "charge failed for key REDACTED", attrOf(in[0], logrecord.KeyExceptionMessage).AsString())
	assert.True(t, strings.Contains(dump, "token=REDACTED"), "standalone: the default rules")
}
