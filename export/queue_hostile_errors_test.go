package export_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/export"
)

// cycleErr unwraps to itself: errors.Is and errors.As on it never return.
type cycleErr struct{}

func (e *cycleErr) Error() string { return "cycle" }
func (e *cycleErr) Unwrap() error { return e }

// joinCycleErr unwraps, as a join, to itself.
type joinCycleErr struct{}

func (e *joinCycleErr) Error() string   { return "join cycle" }
func (e *joinCycleErr) Unwrap() []error { return []error{e, e} }

// panicMethodsErr panics in each of Is, As and Unwrap.
type panicMethodsErr struct{}

func (panicMethodsErr) Error() string   { return "panics" }
func (panicMethodsErr) Is(error) bool   { panic("Is") }
func (panicMethodsErr) As(any) bool     { panic("As") }
func (panicMethodsErr) Unwrap() []error { panic("Unwrap") }

// failing exports nothing and answers with err.
type failing struct{ err error }

func (f failing) Export(context.Context, []sdklog.Record) error              { return f.err }
func (f failing) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return f.err }
func (failing) ForceFlush(context.Context) error                             { return nil }
func (failing) Shutdown(context.Context) error                               { return nil }

// TestQueueHostileExportErrors: an exporter's error is read to classify the
// failure (too large, transient, partial success); an error whose Unwrap
// chain loops, or whose Is, As or Unwrap panic, neither hangs nor kills the
// export goroutine: the batch counts as export failed.
func TestQueueHostileExportErrors(t *testing.T) {
	for name, err := range map[string]error{
		"Unwrap cycle":         &cycleErr{},
		"Unwrap []error cycle": &joinCycleErr{},
		"Is, As, Unwrap panic": panicMethodsErr{},
	} {
		t.Run(name, func(t *testing.T) {
			exp := failing{err}
			p := setup(t, export.WithExporter(exp), export.WithSpanExporter(exp), export.WithErrorHandler(func(error) {}))
			emitN(p, 5)
			_, sp := p.TracerProvider().Tracer("test").Start(t.Context(), "op")
			sp.End()
			require.Error(t, p.Shutdown(t.Context()))
			s := p.Stats()
			assert.Equal(t, uint64(5), s.Exporters[0].Dropped.ExportFailed, "%+v", s.Exporters[0])
			assert.Equal(t, uint64(1), s.Spans.Exporters[0].Dropped.ExportFailed, "%+v", s.Spans.Exporters[0])
		})
	}
}
