package reliability_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

type selfGroup struct{}

func (selfGroup) LogValue() slog.Value { return slog.GroupValue(slog.Any("again", selfGroup{})) }

// TestTrustRedactTrackerSecretEverywhere: a secret registered with the
// tracker reaches the real receiver from no path: a plain attribute, an
// attribute built with the default rules, an slog string, an slog.Value
// nested in a struct, a secret half seen at the long-text bound after a
// long credential is redacted. A LogValuer whose group holds itself is cut
// at the depth limit, and every record is delivered.
func TestTrustRedactTrackerSecretEverywhere(t *testing.T) {
	const secret = "E2eTrackerSecret7"
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
		operation.WithRedactor(red))
	ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c"},
		operation.WithAttributes(attribute.String("start", secret)))
	err := errors.New("upstream refused key " + secret)
	op.Info("plain "+secret, attribute.String("k", secret), logrecord.KeyValue("err", err))
	long := "Authorization: Bearer " + strings.Repeat("y", 30000) + "\n"
	for k := 4; k <= 24; k += 4 {
		op.LogError(errors.New(long + strings.Repeat("x", logrecord.DefaultMaxStringLen+4096+k-len(long)) + secret))
	}
	l := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))
	l.ErrorContext(ctx, "slog", "s", secret, "v", struct{ V slog.Value }{slog.AnyValue(err)}, "self", selfGroup{})
	op.Fail(err)
	require.NoError(t, p.Shutdown(t.Context()))
	led := checkLedger(t, p, "otlp", nil)
	recs := rcv.LogRecords()
	require.Equal(t, int(led.Delivered), len(recs))
	require.Len(t, recs, 10)
	depth := false
	for _, r := range recs {
		b, jerr := json.Marshal(map[string]any{"body": r.Record.Body().AsRaw(), "attrs": r.Record.Attributes().AsRaw()})
		require.NoError(t, jerr)
		assert.NotContains(t, string(b), secret[:8], r.Record.Body().AsString()[:min(40, len(r.Record.Body().AsString()))])
		depth = depth || strings.Contains(string(b), logrecord.MarkerDepth)
	}
	assert.True(t, depth, "the self-holding group is cut at the depth limit")
}
