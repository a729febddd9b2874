package export_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/export"
)

// nilErr is an error whose Error method dereferences its receiver: a
// typed nil behind the error interface panics.
type nilErr struct{ msg string }

func (e *nilErr) Error() string { return e.msg }

// panicky is a log and span exporter that panics in the methods named.
type panicky struct {
	export, flush, shutdown bool
	typedNil                bool // Export returns a typed-nil error instead
}

func (p *panicky) Export(context.Context, []sdklog.Record) error {
	if p.typedNil {
		var e *nilErr
		return e
	}
	if p.export {
		panic("boom in Export")
	}
	return nil
}

func (p *panicky) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	return p.Export(ctx, nil)
}

func (p *panicky) ForceFlush(context.Context) error {
	if p.flush {
		panic(errors.New("boom in ForceFlush"))
	}
	return nil
}

func (p *panicky) Shutdown(context.Context) error {
	if p.shutdown {
		var e *nilErr
		panic(e) // a panic value whose Error panics too
	}
	return nil
}

// TestQueueExporterPanics: a user exporter that panics, in any method,
// or returns an error whose Error panics, crashes neither the caller nor
// the export goroutine; its records and spans are counted as export
// failed and the panic is reported.
func TestQueueExporterPanics(t *testing.T) {
	cases := []struct {
		name            string
		exp             *panicky
		failed          bool // records and spans counted as export failed
		flushErr, shErr bool
	}{
		{"Export panics", &panicky{export: true}, true, false, false},
		{"Export returns a typed nil error", &panicky{typedNil: true}, true, false, false},
		{"ForceFlush panics", &panicky{flush: true}, false, true, false},
		{"Shutdown panics with a value whose Error panics", &panicky{shutdown: true}, false, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var reported []error
			p := setup(t, export.WithExporter(c.exp), export.WithSpanExporter(c.exp),
				export.WithErrorHandler(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() }))
			emitN(p, 5)
			_, sp := p.TracerProvider().Tracer("test").Start(t.Context(), "op")
			sp.End()

			err := p.ForceFlush(t.Context())
			if c.flushErr {
				var pe *export.PanicError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, "ForceFlush", pe.Method)
			} else {
				require.NoError(t, err)
			}
			emitN(p, 5) // the goroutine still runs
			err = p.Shutdown(t.Context())
			if c.shErr || c.failed {
				require.Error(t, err)
				assert.NotPanics(t, func() { _ = err.Error() })
			} else {
				require.NoError(t, err)
			}

			s := p.Stats()
			e, se := s.Exporters[0], s.Spans.Exporters[0]
			assert.Equal(t, s.Emitted, e.Delivered+e.Dropped.Total(), "%+v", e)
			assert.Equal(t, s.Spans.Ended, se.Delivered+se.Dropped.Total(), "%+v", se)
			if c.failed {
				assert.Equal(t, uint64(10), e.Dropped.ExportFailed)
				assert.Equal(t, uint64(1), se.Dropped.ExportFailed)
				mu.Lock()
				defer mu.Unlock()
				require.NotEmpty(t, reported)
				var pe *export.PanicError
				assert.ErrorAs(t, reported[0], &pe, "the panic is reported")
			} else {
				assert.Equal(t, uint64(10), e.Delivered)
				assert.Equal(t, uint64(1), se.Delivered)
			}
		})
	}
}

// TestQueueErrorHandlerPanics: a handler that panics does not stop the
// pipeline; drops are still counted.
func TestQueueErrorHandlerPanics(t *testing.T) {
	stub := &stubExporter{fail: func(int) error { return errors.New("backend down") }}
	p := setup(t, export.WithExporter(stub), export.WithSpanExporter(&panicky{export: true}),
		export.WithErrorHandler(func(error) { panic("handler boom") }))
	emitN(p, 3)
	_, sp := p.TracerProvider().Tracer("test").Start(t.Context(), "op")
	sp.End()
	require.NoError(t, p.ForceFlush(t.Context()))
	emitN(p, 3)
	require.Error(t, p.Shutdown(t.Context()))
	s := p.Stats()
	assert.Equal(t, uint64(6), s.Exporters[0].Dropped.ExportFailed)
	assert.Equal(t, uint64(1), s.Spans.Dropped.ExportFailed)
}
