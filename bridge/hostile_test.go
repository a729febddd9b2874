package bridge_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/embedded"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

type derefErr struct{ msg string }

func (e *derefErr) Error() string { return e.msg }

type hostile struct{}

func (hostile) Error() string                { panic("Error boom") }
func (hostile) String() string               { panic("String boom") }
func (hostile) Format(fmt.State, rune)       { panic("Format boom") }
func (hostile) MarshalJSON() ([]byte, error) { panic("MarshalJSON boom") }
func (hostile) MarshalText() ([]byte, error) { panic("MarshalText boom") }
func (hostile) Is(error) bool                { panic("Is boom") }
func (hostile) As(any) bool                  { panic("As boom") }
func (hostile) Unwrap() error                { panic("Unwrap boom") }
func (hostile) LogValue() slog.Value         { panic("LogValue boom") }
func (hostile) StackTrace() fmt.Formatter    { panic("StackTrace boom") }

type hostileNoLV struct{ hostile }

func (hostileNoLV) LogValue() {}

type textOnly struct{}

func (*textOnly) MarshalText() ([]byte, error) { panic("MarshalText boom") }

type panicCtx struct{}

func (panicCtx) Deadline() (time.Time, bool) { panic("Deadline boom") }
func (panicCtx) Done() <-chan struct{}       { panic("Done boom") }
func (panicCtx) Err() error                  { panic("Err boom") }
func (panicCtx) Value(any) any               { panic("Value boom") }

type nilCtx struct{ context.Context }

type panicLP struct{ embedded.LoggerProvider }

func (panicLP) Logger(string, ...log.LoggerOption) log.Logger { return panicLogger{} }

type panicLogger struct{ embedded.Logger }

func (panicLogger) Emit(context.Context, log.Record)                    { panic("Emit boom") }
func (panicLogger) Enabled(context.Context, log.EnabledParameters) bool { panic("Enabled boom") }

type boomLevel struct{}

func (boomLevel) Level() slog.Level { panic("Level boom") }

// TestNoHandlerMethodPanics: every method of every kind of handler, with
// every hostile value and context, returns normally.
func TestNoHandlerMethodPanics(t *testing.T) {
	p, _ := pipeline(t)
	handlers := map[string]slog.Handler{
		"nil":                (*bridge.Handler)(nil),
		"zero":               &bridge.Handler{},
		"defaults":           bridge.NewHandler(nil),
		"pipeline":           bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider(), AddSource: true}),
		"typed nil LevelVar": bridge.NewHandler(&bridge.Options{Level: (*slog.LevelVar)(nil)}),
		"panicking Leveler":  bridge.NewHandler(&bridge.Options{Level: boomLevel{}}),
		"panicking ReplaceAttr": bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider(),
			ReplaceAttr: func([]string, slog.Attr) slog.Attr { panic("ReplaceAttr boom") }}),
		"panicking logger":   bridge.NewHandler(&bridge.Options{LoggerProvider: panicLP{}}),
		"typed nil provider": bridge.NewHandler(&bridge.Options{LoggerProvider: (*sdklog.LoggerProvider)(nil)}),
	}
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	opCtx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
	defer op.Succeed()
	contexts := map[string]context.Context{
		"nil": nil, "typed nil": (*nilCtx)(nil), "panicking": panicCtx{}, "nil embedded": nilCtx{},
		"operation": opCtx, "operation over panicking": context.WithValue(opCtx, ctxKey{}, panicCtx{}),
	}
	values := map[string]any{
		"hostile":            hostile{},
		"hostile error only": hostileNoLV{},
		"typed nil error":    (*derefErr)(nil),
		"typed nil text":     (*textOnly)(nil),
		"joined":             errors.Join((*derefErr)(nil), hostileNoLV{}),
		"in a struct":        struct{ E error }{hostileNoLV{}},
		"in a map":           map[string]any{"e": hostileNoLV{}, "n": (*derefErr)(nil)},
	}
	for hname, h := range handlers {
		for cname, ctx := range contexts {
			for vname, v := range values {
				msg := fmt.Sprintf("handler %s, context %s, value %s", hname, cname, vname)
				require.NotPanics(t, func() {
					_ = h.Enabled(ctx, slog.LevelInfo)

					r := slog.NewRecord(time.Time{}, slog.LevelError, "m", 1)
					r.AddAttrs(slog.Any("v", v), slog.Group("oplog", slog.Any("operation.state", v)))
					_ = h.Handle(ctx, r)
					h2 := h.WithAttrs([]slog.Attr{slog.Any("w", v)}).WithGroup("oplog").WithGroup("g")
					_ = h2.Handle(ctx, r)
					_ = h.WithGroup("").WithAttrs(nil).Handle(ctx, slog.Record{})
				}, msg)
			}
		}
	}
}

// TestHandlerPanicBecomesARecord: a panic inside Handle (a ReplaceAttr that
// panics is caught per attribute; a context whose Value panics is not) is
// logged as a PANIC record.
func TestHandlerPanicBecomesARecord(t *testing.T) {
	p, mem := pipeline(t)
	logger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider(),
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "bad" {
				panic("ReplaceAttr boom")
			}
			return a
		}}))
	logger.InfoContext(t.Context(), "m", "bad", 1, "good", 2)
	logger.InfoContext(panicCtx{}, "in a hostile context")
	require.NoError(t, p.ForceFlush(t.Context()))
	recs := mem.Records()
	require.Len(t, recs, 2)
	assert.Equal(t, "PANIC=ReplaceAttr method: ReplaceAttr boom", attrOf(recs[0], "bad").AsString())
	assert.Equal(t, int64(2), attrOf(recs[0], "good").AsInt64())
	assert.True(t, strings.HasPrefix(recs[1].Body().AsString(), "PANIC=Handle method: Value boom"), recs[1].Body().AsString())
	assert.Equal(t, logrecord.SourceInternal, attrOf(recs[1], logrecord.KeyMessageSource).AsString())
}

func attrOf(r sdklog.Record, key string) attribute.Value {
	v, _ := export.Attribute(&r, attribute.Key(key))
	return v
}

type ctxKey struct{}
