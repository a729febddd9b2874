package bridge_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

const fuzzCanary = "fUzZ-CANARY-7731"

// FuzzHandleInOperation: any key, value and error text, logged through
// slog inside an operation whose tracker knows the canary: no panic, the
// operation's own attributes intact, every exported string valid UTF-8,
// the canary never exported. Run longer with
// go test -run '^$' -fuzz FuzzHandleInOperation -fuzztime 5m ./bridge/
func FuzzHandleInOperation(f *testing.F) {
	f.Add("k", "v", "plain error")
	f.Add(logrecord.KeyOperationID, "forged", "token="+fuzzCanary)
	f.Add("oplog", "\xff\xfe", "Authorization: Bearer "+fuzzCanary)
	f.Add("OPLOG.connection.id", strings.Repeat("x", 70<<10)+fuzzCanary, strings.Repeat("é", 40<<10)+fuzzCanary)
	f.Add("a\xffb", "https://h/x?access_token="+fuzzCanary, "GET https://h/?code="+fuzzCanary+": EOF")
	mem := export.NewMemory()
	p, err := export.Setup(f.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem))
	require.NoError(f, err)
	f.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
		operation.WithRedactor(logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{fuzzCanary}})))
	f.Fuzz(func(t *testing.T, key, value, errText string) {
		mem.Reset()
		ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "conn"})
		err := errors.New(errText)
		logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()})).With(key, err)
		require.NotPanics(t, func() {
			logger.ErrorContext(ctx, value, key, value, "err", err, slog.Group(key, slog.Any(value, err)))
		})
		op.Succeed()
		require.NoError(t, p.ForceFlush(t.Context()))
		recs := mem.Records()
		require.Len(t, recs, 3)
		r := recs[1]
		assert.Equal(t, op.ID(), attrOf(r, logrecord.KeyOperationID).AsString())
		assert.Equal(t, "conn", attrOf(r, logrecord.KeyConnectionID).AsString())
		assert.Equal(t, logrecord.SourceUser, attrOf(r, logrecord.KeyMessageSource).AsString())
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			assert.True(t, utf8.ValidString(string(kv.Key)), "key %q", kv.Key)
			assert.True(t, utf8.ValidString(kv.Value.String()), "value of %q", kv.Key)
			return true
		})
		dump := string(export.AppendOTLPJSON(nil, recs))
		// Plain strings and keys are the caller's, not redacted; the dump is
		// JSON, where "\x7f" + "UzZ…" reads "\u007fUzZ…".
		if !strings.Contains(key+value, fuzzCanary[1:]) {
			assert.NotContains(t, dump, fuzzCanary)
		}
	})
}
