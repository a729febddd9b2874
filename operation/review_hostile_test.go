package operation_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// rvEnv is a tracker on a pipeline with an in-memory exporter.
type rvEnv struct {
	t   *testing.T
	p   *export.Pipeline
	mem *export.Memory
	trk *operation.Tracker
}

func newRVEnv(t *testing.T, eopts []export.Option, opts ...operation.Option) *rvEnv {
	t.Helper()
	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), append([]export.Option{export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem)}, eopts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	trk := operation.NewTracker(append([]operation.Option{
		operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
	}, opts...)...)
	return &rvEnv{t: t, p: p, mem: mem, trk: trk}
}

func (e *rvEnv) records() []sdklog.Record {
	e.t.Helper()
	require.NoError(e.t, e.p.ForceFlush(e.t.Context()))
	return e.mem.Records()
}

// rvText is every text of a record: body, keys and values.
func rvText(r sdklog.Record) string {
	var b strings.Builder
	b.WriteString(r.Body().String())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		b.WriteString("\n" + string(kv.Key) + "=" + kv.Value.String())
		return true
	})
	return b.String()
}

// Hostile errors beyond the package's own tests: cycles, []error unwrappers,
// Format and every other method panicking, joins of all of them.
type rvCycle struct{ next error }

func (e *rvCycle) Error() string { return "cycle" }
func (e *rvCycle) Unwrap() error { return e.next }

type rvMultiSelf struct{}

func (rvMultiSelf) Error() string   { return "multi self" }
func (rvMultiSelf) Unwrap() []error { return []error{rvMultiSelf{}, nil, rvMultiSelf{}} }

type rvMultiPanic struct{}

func (rvMultiPanic) Error() string   { return "multi panic" }
func (rvMultiPanic) Unwrap() []error { panic("Unwrap []error boom") }

type rvAll struct{}

func (rvAll) Error() string                { panic("Error boom") }
func (rvAll) String() string               { panic("String boom") }
func (rvAll) GoString() string             { panic("GoString boom") }
func (rvAll) Format(fmt.State, rune)       { panic("Format boom") }
func (rvAll) Is(error) bool                { panic("Is boom") }
func (rvAll) As(any) bool                  { panic("As boom") }
func (rvAll) Unwrap() []error              { panic("Unwrap boom") }
func (rvAll) LogValue() slog.Value         { panic("LogValue boom") }
func (rvAll) MarshalJSON() ([]byte, error) { panic("MarshalJSON boom") }
func (rvAll) MarshalText() ([]byte, error) { panic("MarshalText boom") }

type rvNilPtr struct{ s *string }

func (e *rvNilPtr) Error() string                { return *e.s }
func (e *rvNilPtr) String() string               { return *e.s }
func (e *rvNilPtr) Unwrap() error                { return errors.New(*e.s) }
func (e *rvNilPtr) MarshalJSON() ([]byte, error) { return []byte(*e.s), nil }

type rvSecretErr struct{}

func (rvSecretErr) Error() string { return "Authorization: Bearer " + rvCanary }

const rvCanary = "Op3rCanaryXq7"

func rvHostileErrors() map[string]error {
	self := &rvCycle{}
	self.next = self
	a, b := &rvCycle{}, &rvCycle{}
	a.next, b.next = b, a
	deep := error(errors.New("bottom"))
	for range 100000 {
		deep = &rvCycle{next: deep}
	}
	return map[string]error{
		"self cycle":          self,
		"two cycle":           a,
		"multi self":          rvMultiSelf{},
		"multi panic":         rvMultiPanic{},
		"every method panics": rvAll{},
		"typed nil":           (*rvNilPtr)(nil),
		"join hostile":        errors.Join(rvAll{}, (*rvNilPtr)(nil), self, rvMultiPanic{}, nil, rvSecretErr{}),
		"wrapped cycle":       fmt.Errorf("outer: %w", a),
		"deep chain":          deep,
		"invalid utf8":        errors.New("bad \xff\xfe text \x00 nul"),
		"secret":              fmt.Errorf("wrapped: %w", rvSecretErr{}),
	}
}

// TestReviewHostileErrorsEveryPath: every entry point that takes an error
// returns (within the test's deadline: no Unwrap cycle hangs it), ends the
// operation as failed, and emits valid, redacted records.
func TestReviewHostileErrorsEveryPath(t *testing.T) {
	for name, herr := range rvHostileErrors() {
		t.Run(name, func(t *testing.T) {
			e := newRVEnv(t, nil)
			ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c"})
			rvWithin(t, func() {
				op.LogError(herr, logrecord.KeyValue("nested", struct{ E error }{herr}), logrecord.KeyValue("list", []error{herr, herr}))
				op.Info("m", logrecord.KeyValue("err", herr), logrecord.KeyValue("map", map[string]any{"e": herr}))
				op.Log(ctx, severity.Warn, logrecord.Value(herr), logrecord.KeyValue("e", herr))
				op.HTTP(operation.HTTPCall{Request: &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h"}}, Err: herr})
				var r log.Record
				r.SetBody(attribute.StringValue("emit"))
				r.AddAttributes(attribute.String("oplog.operation.state", "failed"))
				op.Emit(ctx, r)
				op.End(herr)
			})
			assert.Equal(t, operation.Failed, op.State())
			recs := e.records()
			require.GreaterOrEqual(t, len(recs), 6)
			for _, r := range recs {
				txt := rvText(r)
				assert.True(t, utf8.ValidString(txt), "valid UTF-8: %q", txt)
				assert.NotContains(t, txt, rvCanary)
				v, ok := export.Attribute(&r, logrecord.KeyOperationID)
				assert.True(t, ok)
				assert.Equal(t, op.ID(), v.AsString())
			}
			end := e.mem.WithEventName(logrecord.EventOperationEnd)
			require.Len(t, end, 1)
			st, _ := export.Attribute(&end[0], logrecord.KeyOperationState)
			assert.Equal(t, "failed", st.AsString())
		})
	}
}

// rvWithin runs f and fails the test if f panics or has not returned
// within 30 s (a hang, such as errors.Is on an Unwrap cycle, would
// otherwise stop the whole test binary).
func rvWithin(t *testing.T, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case p := <-done:
		require.Nil(t, p, "panicked")
	case <-timer.C:
		t.Fatal("did not return: hung")
	}
}

// TestReviewZeroHandles: a zero Operation and a zero Tracker accept every call.
func TestReviewZeroHandles(t *testing.T) {
	for _, herr := range rvHostileErrors() {
		rvWithin(t, func() {
			var op operation.Operation
			op.Info("m")
			op.LogError(herr)
			op.HTTP(operation.HTTPCall{Err: herr})
			op.SyncResult(operation.SyncResult{})
			op.Enrich(operation.Refs{Account: "a"})
			op.Emit(t.Context(), log.Record{})
			op.End(herr)
			var trk operation.Tracker
			ctx, o := trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
			o.LogError(herr)
			_, _ = operation.Transport(nil).RoundTrip((&http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}}).WithContext(ctx))
			o.End(herr)
		})
	}
}

// TestReviewNilContextEverywhere: every function of the package that takes
// a context accepts a nil one.
func TestReviewNilContextEverywhere(t *testing.T) {
	var nilCtx context.Context
	e := newRVEnv(t, nil)
	rvWithin(t, func() {
		ctx := operation.WithRetry(nilCtx, operation.Retry{Attempt: 1})
		require.NotNil(t, ctx)
		_ = operation.FromContext(nilCtx)
		_, op := operation.Start(nilCtx, operation.SyncRun, operation.Refs{})
		op.End(nil)
		_, op = e.trk.Start(nilCtx, operation.SyncRun, operation.Refs{})
		op.Log(nilCtx, severity.Info, attribute.StringValue("m"))
		op.Emit(nilCtx, log.Record{})
		op.End(nil)
	})
}
