package reliability_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

type nilDerefErr struct{ msg string }

func (e *nilDerefErr) Error() string { return e.msg }
func (e *nilDerefErr) Unwrap() error { return errors.New(e.msg) }

type panicIsErr struct{}

func (panicIsErr) Error() string { return "is panics" }
func (panicIsErr) Is(error) bool { panic("Is boom") }

type panicUnwrapErr struct{}

func (panicUnwrapErr) Error() string { panic("Error boom") }
func (panicUnwrapErr) Unwrap() error { panic("Unwrap boom") }

type valueBoomCtx struct{ context.Context }

func (valueBoomCtx) Value(any) any { panic("Value boom") }

// TestTrustOpHostileValuesNeverPanic: End with a typed nil or errors whose
// methods panic, a zero Operation, a hostile context, through operation and
// the slog bridge: no call panics, every operation ends failed and reaches
// the real receiver with its end record, and the panic inside a log call
// arrives as a PANIC record.
func TestTrustOpHostileValuesNeverPanic(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	p, _ := setup(t, otlp(rcv.Endpoint()))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	slogger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))
	errs := []error{(*nilDerefErr)(nil), panicIsErr{}, panicUnwrapErr{}, errors.Join(panicUnwrapErr{}, (*nilDerefErr)(nil))}
	var ids []string
	require.NotPanics(t, func() {
		var zero operation.Operation
		zero.Info("nothing")
		zero.End(errs[0])
		for _, err := range errs {
			ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
			ids = append(ids, op.ID())
			op.LogError(err)
			slogger.ErrorContext(ctx, "via slog", "err", err)
			op.Log(valueBoomCtx{ctx}, 9, logrecord.Value(err))
			op.End(err)
			assert.Equal(t, operation.Failed, op.State())
		}
	})
	require.NoError(t, p.Shutdown(t.Context()))
	led := checkLedger(t, p, "otlp", nil)
	require.Equal(t, int(led.Delivered), rcv.LogRecordCount())
	ends, panics := map[string]string{}, 0
	for _, r := range rcv.LogRecords() {
		lr := r.Record
		if lr.EventName() == logrecord.EventOperationEnd {
			ends[strAttr(lr, logrecord.KeyOperationID)] = strAttr(lr, logrecord.KeyOperationState)
		}
		if strings.HasPrefix(lr.Body().AsString(), "PANIC=Log method: Value boom") {
			panics++
		}
	}
	for _, id := range ids {
		assert.Equal(t, "failed", ends[id], id)
	}
	assert.Equal(t, len(errs), panics, "one PANIC record per hostile context")
	assert.Len(t, rcv.Spans(), len(errs))
}
