package bench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// setup is one peer ready for one case.
type setup struct {
	// op does one op of the case; it is safe for concurrent use.
	op func()
	// records is what one op emits.
	records int
	// flush waits until every record emitted so far has left (OTel rows);
	// it runs inside the timed region. Nil for synchronous peers.
	flush func()
	// delivered counts the records exported (OTel rows) so far; nil for
	// peers that write to w.
	delivered func() uint64
	// dropped counts the records not delivered, given the ops done.
	dropped func(ops int) uint64
	// exp is the OTel rows' exporter.
	exp *countingExporter
}

type peer struct {
	name string
	// new sets the peer up, outside the timer; the peers that write (zap,
	// zerolog, slog) write to w, the OTel rows to a discarding exporter.
	new func(tb testing.TB, w io.Writer) setup
}

type benchCase struct {
	name  string
	peers []peer
}

// measure times b.N ops, serially or with b.RunParallel, and then the
// flush: a pipeline that defers work to its own goroutine pays for it
// here, and records it shed are reported as dropped/op.
func measure(b *testing.B, s setup, parallel bool) {
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.op()
			}
		})
	} else {
		for range b.N {
			s.op()
		}
	}
	if s.flush != nil {
		s.flush()
	}
	b.StopTimer()
	if s.dropped != nil {
		b.ReportMetric(float64(s.dropped(b.N))/float64(b.N), "dropped/op")
	}
}

func runCase(b *testing.B, name string, parallel bool) {
	for _, c := range cases {
		if c.name != name {
			continue
		}
		for _, p := range c.peers {
			b.Run(p.name, func(b *testing.B) { measure(b, p.new(b, io.Discard), parallel) })
		}
		return
	}
	b.Fatalf("no case %s", name)
}

func BenchmarkStatic(b *testing.B)                     { runCase(b, "Static", false) }
func BenchmarkStaticParallel(b *testing.B)             { runCase(b, "Static", true) }
func BenchmarkFiveFields(b *testing.B)                 { runCase(b, "FiveFields", false) }
func BenchmarkFiveFieldsParallel(b *testing.B)         { runCase(b, "FiveFields", true) }
func BenchmarkTenFields(b *testing.B)                  { runCase(b, "TenFields", false) }
func BenchmarkTenFieldsParallel(b *testing.B)          { runCase(b, "TenFields", true) }
func BenchmarkTenFieldsBound(b *testing.B)             { runCase(b, "TenFieldsBound", false) }
func BenchmarkTenFieldsBoundParallel(b *testing.B)     { runCase(b, "TenFieldsBound", true) }
func BenchmarkDisabled(b *testing.B)                   { runCase(b, "Disabled", false) }
func BenchmarkDisabledParallel(b *testing.B)           { runCase(b, "Disabled", true) }
func BenchmarkOperationLifecycle(b *testing.B)         { runCase(b, "OperationLifecycle", false) }
func BenchmarkOperationLifecycleParallel(b *testing.B) { runCase(b, "OperationLifecycle", true) }
func BenchmarkHTTPMessage(b *testing.B)                { runCase(b, "HTTPMessage", false) }
func BenchmarkHTTPMessageParallel(b *testing.B)        { runCase(b, "HTTPMessage", true) }

// TestCases runs every case's op for every peer a few times, from two
// goroutines, and checks that each peer wrote or exported exactly the
// records it should: the benchmarks stay correct under go test -race.
func TestCases(t *testing.T) {
	const goroutines, opsEach = 2, 2
	for _, c := range cases {
		for _, p := range c.peers {
			t.Run(c.name+"/"+p.name, func(t *testing.T) {
				w := &lockedBuffer{}
				s := p.new(t, w)
				var wg sync.WaitGroup
				for range goroutines {
					wg.Go(func() {
						for range opsEach {
							s.op()
						}
					})
				}
				wg.Wait()
				if s.flush != nil {
					s.flush()
				}
				ops := goroutines * opsEach
				want := uint64(ops * s.records)
				if s.delivered != nil {
					assert.Equal(t, want, s.delivered(), "records exported")
				} else {
					assert.Equal(t, want, uint64(bytes.Count(w.Bytes(), []byte("\n"))), "lines written:\n%s", w.Bytes())
				}
				if s.dropped != nil {
					assert.Zero(t, s.dropped(ops), "dropped")
				}
			})
		}
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// oplogSetup is an oplog row: op runs in an operation of e's tracker,
// whose start record is flushed and left out of the counts.
func oplogSetup(e *oplogEnv, records int, op func()) setup {
	e.flush()
	base := e.exp.n.Load()
	return setup{
		op: op, records: records, flush: e.flush, exp: e.exp,
		delivered: func() uint64 { return e.exp.n.Load() - base },
		dropped:   func(int) uint64 { return e.dropped() },
	}
}

// otelSetup is an OTel SDK row: what it loses is what was emitted and never
// reached the exporter (BatchProcessor drops the oldest when full).
func otelSetup(e *otelEnv, records int, op func()) setup {
	return setup{
		op: op, records: records, flush: e.flush, exp: e.exp,
		delivered: func() uint64 { return e.exp.n.Load() },
		dropped: func(ops int) uint64 {
			if d, want := e.exp.n.Load(), uint64(ops*records); d < want {
				return want - d
			}
			return 0
		},
	}
}

func writerSetup(records int, op func()) setup { return setup{op: op, records: records} }

// head sets what every otelapi record has before its attributes, as oplog
// sets it.
func head(r *log.Record, sev severity.Severity, body string) {
	r.SetTimestamp(time.Now())
	r.SetSeverity(sev.OTel())
	r.SetSeverityText(sev.String())
	r.SetBody(attribute.StringValue(body))
}

// spanCtx is the context the otelapi and otelslog rows log with: a span,
// as oplog's records have.
var spanCtx = trace.ContextWithSpanContext(context.Background(), spanContext)

const (
	msgStatic = "No context."
	msgFive   = "Five fields, passed at the log site."
	msgTen    = "Ten fields, passed at the log site."
	msgBound  = "Ten fields, bound to the logger."
	msgDebug  = "Below the threshold."
)

// messageCases are the cases of one record (or none) per op.
func messageCases() []benchCase {
	return []benchCase{
		{"Static", []peer{
			{"oplog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				_, op := e.start(tb, opRefs)
				return oplogSetup(e, 1, func() { op.Info(msgStatic) })
			}},
			{"oplogslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				ctx, _ := e.start(tb, opRefs)
				l := newOplogSlog(e, slog.LevelDebug)
				return oplogSetup(e, 1, func() { l.LogAttrs(ctx, slog.LevelInfo, msgStatic) })
			}},
			{"otelapi", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				lg, ctxAttrs := e.logger(), opAttrs(exampleID, opRefs, false, logrecord.TypeLog)
				return otelSetup(e, 1, func() {
					var r log.Record
					head(&r, severity.Info, msgStatic)
					r.AddAttributes(ctxAttrs...)
					lg.Emit(spanCtx, r)
				})
			}},
			{"otelslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				l := e.slog()
				return otelSetup(e, 1, func() { l.LogAttrs(spanCtx, slog.LevelInfo, msgStatic) })
			}},
			{"zap", func(_ testing.TB, w io.Writer) setup {
				l := newZap(w, zapcore.DebugLevel)
				return writerSetup(1, func() { l.Info(msgStatic) })
			}},
			{"zerolog", func(_ testing.TB, w io.Writer) setup {
				l := newZerolog(w, zerolog.DebugLevel)
				return writerSetup(1, func() { l.Info().Msg(msgStatic) })
			}},
			{"slog", func(_ testing.TB, w io.Writer) setup {
				l := newSlog(w, slog.LevelDebug)
				ctx := context.Background()
				return writerSetup(1, func() { l.LogAttrs(ctx, slog.LevelInfo, msgStatic) })
			}},
		}},

		{"FiveFields", []peer{
			{"oplog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				_, op := e.start(tb, opRefs)
				return oplogSetup(e, 1, func() {
					op.Info(msgFive,
						attribute.String("contact.id", fiveContact),
						attribute.String("contact.email", fiveEmail),
						attribute.Int("page", fivePage),
						attribute.Float64("duration_ms", fiveDuration),
						attribute.Bool("retry", fiveRetry))
				})
			}},
			{"oplogslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				ctx, _ := e.start(tb, opRefs)
				l := newOplogSlog(e, slog.LevelDebug)
				return oplogSetup(e, 1, func() {
					l.LogAttrs(ctx, slog.LevelInfo, msgFive,
						slog.String("contact.id", fiveContact),
						slog.String("contact.email", fiveEmail),
						slog.Int("page", fivePage),
						slog.Float64("duration_ms", fiveDuration),
						slog.Bool("retry", fiveRetry))
				})
			}},
			{"otelapi", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				lg, ctxAttrs := e.logger(), opAttrs(exampleID, opRefs, false, logrecord.TypeLog)
				return otelSetup(e, 1, func() {
					var r log.Record
					head(&r, severity.Info, msgFive)
					r.AddAttributes(
						attribute.String("contact.id", fiveContact),
						attribute.String("contact.email", fiveEmail),
						attribute.Int("page", fivePage),
						attribute.Float64("duration_ms", fiveDuration),
						attribute.Bool("retry", fiveRetry))
					r.AddAttributes(ctxAttrs...)
					lg.Emit(spanCtx, r)
				})
			}},
			{"otelslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				l := e.slog()
				return otelSetup(e, 1, func() {
					l.LogAttrs(spanCtx, slog.LevelInfo, msgFive,
						slog.String("contact.id", fiveContact),
						slog.String("contact.email", fiveEmail),
						slog.Int("page", fivePage),
						slog.Float64("duration_ms", fiveDuration),
						slog.Bool("retry", fiveRetry))
				})
			}},
			{"zap", func(_ testing.TB, w io.Writer) setup {
				l := newZap(w, zapcore.DebugLevel)
				return writerSetup(1, func() {
					l.Info(msgFive,
						zap.String("contact.id", fiveContact),
						zap.String("contact.email", fiveEmail),
						zap.Int("page", fivePage),
						zap.Float64("duration_ms", fiveDuration),
						zap.Bool("retry", fiveRetry))
				})
			}},
			{"zerolog", func(_ testing.TB, w io.Writer) setup {
				l := newZerolog(w, zerolog.DebugLevel)
				return writerSetup(1, func() { fiveZerologFields(l.Info()).Msg(msgFive) })
			}},
			{"slog", func(_ testing.TB, w io.Writer) setup {
				l := newSlog(w, slog.LevelDebug)
				ctx := context.Background()
				return writerSetup(1, func() {
					l.LogAttrs(ctx, slog.LevelInfo, msgFive,
						slog.String("contact.id", fiveContact),
						slog.String("contact.email", fiveEmail),
						slog.Int("page", fivePage),
						slog.Float64("duration_ms", fiveDuration),
						slog.Bool("retry", fiveRetry))
				})
			}},
		}},

		{"TenFields", []peer{
			{"oplog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				_, op := e.start(tb, opRefs)
				return oplogSetup(e, 1, func() { op.Info(msgTen, tenOplogAttrs()...) })
			}},
			{"oplogslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				ctx, _ := e.start(tb, opRefs)
				l := newOplogSlog(e, slog.LevelDebug)
				return oplogSetup(e, 1, func() { l.LogAttrs(ctx, slog.LevelInfo, msgTen, tenSlogAttrs()...) })
			}},
			{"otelapi", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				lg, ctxAttrs := e.logger(), opAttrs(exampleID, opRefs, false, logrecord.TypeLog)
				return otelSetup(e, 1, func() {
					var r log.Record
					head(&r, severity.Info, msgTen)
					r.AddAttributes(tenOtelAttrs()...)
					r.AddAttributes(ctxAttrs...)
					lg.Emit(spanCtx, r)
				})
			}},
			{"otelslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				l := e.slog()
				return otelSetup(e, 1, func() { l.LogAttrs(spanCtx, slog.LevelInfo, msgTen, tenSlogAttrs()...) })
			}},
			{"zap", func(_ testing.TB, w io.Writer) setup {
				l := newZap(w, zapcore.DebugLevel)
				return writerSetup(1, func() { l.Info(msgTen, tenZapFields()...) })
			}},
			{"zerolog", func(_ testing.TB, w io.Writer) setup {
				l := newZerolog(w, zerolog.DebugLevel)
				return writerSetup(1, func() { tenZerologFields(l.Info()).Msg(msgTen) })
			}},
			{"slog", func(_ testing.TB, w io.Writer) setup {
				l := newSlog(w, slog.LevelDebug)
				ctx := context.Background()
				return writerSetup(1, func() { l.LogAttrs(ctx, slog.LevelInfo, msgTen, tenSlogAttrs()...) })
			}},
		}},

		// oplog binds what its API lets one bind: the operation's references,
		// all of them on every record (WithFields(AllFields)): twelve strings.
		// otelapi emits the same final record; the other rows bind zap's set.
		{"TenFieldsBound", []peer{
			{"oplog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb, operation.WithFields(operation.AllFields))
				_, op := e.start(tb, allRefs)
				return oplogSetup(e, 1, func() { op.Info(msgBound) })
			}},
			{"oplogslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				ctx, _ := e.start(tb, opRefs)
				l := newOplogSlog(e, slog.LevelDebug).With(tenSlogArgs()...)
				return oplogSetup(e, 1, func() { l.LogAttrs(ctx, slog.LevelInfo, msgBound) })
			}},
			{"otelapi", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				lg, bound := e.logger(), opAttrs(exampleID, allRefs, true, logrecord.TypeLog)
				return otelSetup(e, 1, func() {
					var r log.Record
					head(&r, severity.Info, msgBound)
					r.AddAttributes(bound...)
					lg.Emit(spanCtx, r)
				})
			}},
			{"otelslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, 0)
				l := e.slog().With(tenSlogArgs()...)
				return otelSetup(e, 1, func() { l.LogAttrs(spanCtx, slog.LevelInfo, msgBound) })
			}},
			{"zap", func(_ testing.TB, w io.Writer) setup {
				l := newZap(w, zapcore.DebugLevel).With(tenZapFields()...)
				return writerSetup(1, func() { l.Info(msgBound) })
			}},
			{"zerolog", func(_ testing.TB, w io.Writer) setup {
				l := tenZerologContext(newZerolog(w, zerolog.DebugLevel).With()).Logger()
				return writerSetup(1, func() { l.Info().Msg(msgBound) })
			}},
			{"slog", func(_ testing.TB, w io.Writer) setup {
				l := newSlog(w, slog.LevelDebug).With(tenSlogArgs()...)
				ctx := context.Background()
				return writerSetup(1, func() { l.LogAttrs(ctx, slog.LevelInfo, msgBound) })
			}},
		}},

		// A debug message under an info threshold. The SDK has no threshold
		// of its own: the otel rows get a filtering processor, and otelapi
		// asks Logger.Enabled first, as the API tells callers to.
		{"Disabled", []peer{
			{"oplog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb, operation.WithMinSeverity(severity.Info))
				_, op := e.start(tb, opRefs)
				return oplogSetup(e, 0, func() { op.Debug(msgDebug) })
			}},
			{"oplogslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOplog(tb)
				ctx, _ := e.start(tb, opRefs)
				l := newOplogSlog(e, slog.LevelInfo)
				return oplogSetup(e, 0, func() { l.LogAttrs(ctx, slog.LevelDebug, msgDebug) })
			}},
			{"otelapi", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, severity.Info)
				lg := e.logger()
				params := log.EnabledParameters{Severity: severity.Debug.OTel()}
				return otelSetup(e, 0, func() {
					if lg.Enabled(spanCtx, params) {
						var r log.Record
						head(&r, severity.Debug, msgDebug)
						lg.Emit(spanCtx, r)
					}
				})
			}},
			{"otelslog", func(tb testing.TB, _ io.Writer) setup {
				e := newOtel(tb, severity.Info)
				l := e.slog()
				return otelSetup(e, 0, func() { l.LogAttrs(spanCtx, slog.LevelDebug, msgDebug) })
			}},
			{"zap", func(_ testing.TB, w io.Writer) setup {
				l := newZap(w, zapcore.InfoLevel)
				return writerSetup(0, func() { l.Debug(msgDebug) })
			}},
			{"zerolog", func(_ testing.TB, w io.Writer) setup {
				l := newZerolog(w, zerolog.InfoLevel)
				return writerSetup(0, func() { l.Debug().Msg(msgDebug) })
			}},
			{"slog", func(_ testing.TB, w io.Writer) setup {
				l := newSlog(w, slog.LevelInfo)
				ctx := context.Background()
				return writerSetup(0, func() { l.LogAttrs(ctx, slog.LevelDebug, msgDebug) })
			}},
		}},
	}
}

// cases lists every case with its peers, in table order.
var cases = append(messageCases(), lifecycleCase(), httpCase())

// The messages of one operation in OperationLifecycle.
const (
	msgFetch   = "fetching contacts page"
	msgSynced  = "contact synced"
	msgLimited = "rate limited, backing off"
)

// lifecycleCase: start an operation, log three messages, end it: five
// records (start, three messages, end) and, for the OTel rows, a span.
// zap, zerolog and slog have no operation: their closest equivalent is a
// child logger with the operation's fields, a start line, three messages
// and an end line with the state and duration.
func lifecycleCase() benchCase {
	return benchCase{"OperationLifecycle", []peer{
		{"oplog", func(tb testing.TB, _ io.Writer) setup {
			e := newOplog(tb)
			root := rootContext(tb)
			return oplogSetup(e, 5, func() {
				_, op := e.tr.Start(root, opKind, opRefs)
				op.Info(msgFetch, attribute.Int("page", 1))
				op.Info(msgSynced, attribute.String("contact.id", fiveContact))
				op.Warn(msgLimited, attribute.Int("retry_after_ms", 250))
				op.End(nil)
			})
		}},
		{"oplogslog", func(tb testing.TB, _ io.Writer) setup {
			e := newOplog(tb)
			root := rootContext(tb)
			l := newOplogSlog(e, slog.LevelDebug)
			return oplogSetup(e, 5, func() {
				ctx, op := e.tr.Start(root, opKind, opRefs)
				l.LogAttrs(ctx, slog.LevelInfo, msgFetch, slog.Int("page", 1))
				l.LogAttrs(ctx, slog.LevelInfo, msgSynced, slog.String("contact.id", fiveContact))
				l.LogAttrs(ctx, slog.LevelWarn, msgLimited, slog.Int("retry_after_ms", 250))
				op.End(nil)
			})
		}},
		{"otelapi", func(tb testing.TB, _ io.Writer) setup {
			e := newOtel(tb, 0)
			root := rootContext(tb)
			lg, tracer := e.logger(), e.tp.Tracer("bench")
			source := attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal)
			typeLog := attribute.String(logrecord.KeyMessageType, logrecord.TypeLog)
			name := opKind.String()
			return otelSetup(e, 5, func() {
				start := time.Now()
				kv := opAttrs(nextID(), opRefs, false, logrecord.TypeLog)
				refs := kv[:len(kv)-2] // id, kind and references
				ctx, span := tracer.Start(root, name, trace.WithTimestamp(start), trace.WithAttributes(refs...), trace.WithSpanKind(trace.SpanKindInternal))
				emit := func(sev severity.Severity, body, event string, at time.Time, attrs ...attribute.KeyValue) {
					var r log.Record
					head(&r, sev, body)
					r.SetTimestamp(at)
					if event != "" {
						r.SetEventName(event)
					}
					r.AddAttributes(attrs...)
					lg.Emit(ctx, r)
				}
				var a [10]attribute.KeyValue
				emit(severity.Info, name+" started", logrecord.EventOperationStart, start,
					append(append(a[:0], refs...), attribute.String(logrecord.KeyOperationState, "running"), source, typeLog)...)
				emit(severity.Info, msgFetch, "", time.Now(), append(append(a[:0], attribute.Int("page", 1)), kv...)...)
				emit(severity.Info, msgSynced, "", time.Now(), append(append(a[:0], attribute.String("contact.id", fiveContact)), kv...)...)
				emit(severity.Warn, msgLimited, "", time.Now(), append(append(a[:0], attribute.Int("retry_after_ms", 250)), kv...)...)
				now := time.Now()
				endAttrs := [2]attribute.KeyValue{
					attribute.String(logrecord.KeyOperationState, "success"),
					attribute.Int64(logrecord.KeyOperationDurationMS, now.Sub(start).Milliseconds()),
				}
				span.SetAttributes(endAttrs[:]...)
				span.SetStatus(codes.Ok, "")
				emit(severity.Info, name+" success", logrecord.EventOperationEnd, now,
					append(append(append(a[:0], refs...), endAttrs[:]...), source, typeLog)...)
				span.End(trace.WithTimestamp(now))
			})
		}},
		{"otelslog", func(tb testing.TB, _ io.Writer) setup {
			e := newOtel(tb, 0)
			root := rootContext(tb)
			l, tracer := e.slog(), e.tp.Tracer("bench")
			name := opKind.String()
			return otelSetup(e, 5, func() {
				start := time.Now()
				id := nextID()
				ctx, span := tracer.Start(root, name, trace.WithTimestamp(start), trace.WithSpanKind(trace.SpanKindInternal),
					trace.WithAttributes(opAttrs(id, opRefs, false, logrecord.TypeLog)[:5]...))
				ol := l.With(
					slog.String(logrecord.KeyOperationID, id),
					slog.String(logrecord.KeyOperationType, opKind.Type),
					slog.String(logrecord.KeyOperationAction, opKind.Action),
					slog.String(logrecord.KeyIntegrationID, opRefs.Integration),
					slog.String(logrecord.KeyConnectionID, opRefs.Connection))
				ol.LogAttrs(ctx, slog.LevelInfo, name+" started", slog.String(logrecord.KeyOperationState, "running"))
				ol.LogAttrs(ctx, slog.LevelInfo, msgFetch, slog.Int("page", 1))
				ol.LogAttrs(ctx, slog.LevelInfo, msgSynced, slog.String("contact.id", fiveContact))
				ol.LogAttrs(ctx, slog.LevelWarn, msgLimited, slog.Int("retry_after_ms", 250))
				now := time.Now()
				span.SetStatus(codes.Ok, "")
				ol.LogAttrs(ctx, slog.LevelInfo, name+" success",
					slog.String(logrecord.KeyOperationState, "success"),
					slog.Int64(logrecord.KeyOperationDurationMS, now.Sub(start).Milliseconds()))
				span.End(trace.WithTimestamp(now))
			})
		}},
		{"zap", func(_ testing.TB, w io.Writer) setup {
			l := newZap(w, zapcore.DebugLevel)
			name := opKind.String()
			return writerSetup(5, func() {
				start := time.Now()
				ol := l.With(
					zap.String(logrecord.KeyOperationID, nextID()),
					zap.String(logrecord.KeyOperationType, opKind.Type),
					zap.String(logrecord.KeyOperationAction, opKind.Action),
					zap.String(logrecord.KeyIntegrationID, opRefs.Integration),
					zap.String(logrecord.KeyConnectionID, opRefs.Connection))
				ol.Info(name+" started", zap.String(logrecord.KeyOperationState, "running"))
				ol.Info(msgFetch, zap.Int("page", 1))
				ol.Info(msgSynced, zap.String("contact.id", fiveContact))
				ol.Warn(msgLimited, zap.Int("retry_after_ms", 250))
				ol.Info(name+" success",
					zap.String(logrecord.KeyOperationState, "success"),
					zap.Int64(logrecord.KeyOperationDurationMS, time.Since(start).Milliseconds()))
			})
		}},
		{"zerolog", func(_ testing.TB, w io.Writer) setup {
			l := newZerolog(w, zerolog.DebugLevel)
			name := opKind.String()
			return writerSetup(5, func() {
				start := time.Now()
				ol := l.With().
					Str(logrecord.KeyOperationID, nextID()).
					Str(logrecord.KeyOperationType, opKind.Type).
					Str(logrecord.KeyOperationAction, opKind.Action).
					Str(logrecord.KeyIntegrationID, opRefs.Integration).
					Str(logrecord.KeyConnectionID, opRefs.Connection).
					Logger()
				ol.Info().Str(logrecord.KeyOperationState, "running").Msg(name + " started")
				ol.Info().Int("page", 1).Msg(msgFetch)
				ol.Info().Str("contact.id", fiveContact).Msg(msgSynced)
				ol.Warn().Int("retry_after_ms", 250).Msg(msgLimited)
				ol.Info().Str(logrecord.KeyOperationState, "success").
					Int64(logrecord.KeyOperationDurationMS, time.Since(start).Milliseconds()).
					Msg(name + " success")
			})
		}},
		{"slog", func(_ testing.TB, w io.Writer) setup {
			l := newSlog(w, slog.LevelDebug)
			ctx := context.Background()
			name := opKind.String()
			return writerSetup(5, func() {
				start := time.Now()
				ol := l.With(
					slog.String(logrecord.KeyOperationID, nextID()),
					slog.String(logrecord.KeyOperationType, opKind.Type),
					slog.String(logrecord.KeyOperationAction, opKind.Action),
					slog.String(logrecord.KeyIntegrationID, opRefs.Integration),
					slog.String(logrecord.KeyConnectionID, opRefs.Connection))
				ol.LogAttrs(ctx, slog.LevelInfo, name+" started", slog.String(logrecord.KeyOperationState, "running"))
				ol.LogAttrs(ctx, slog.LevelInfo, msgFetch, slog.Int("page", 1))
				ol.LogAttrs(ctx, slog.LevelInfo, msgSynced, slog.String("contact.id", fiveContact))
				ol.LogAttrs(ctx, slog.LevelWarn, msgLimited, slog.Int("retry_after_ms", 250))
				ol.LogAttrs(ctx, slog.LevelInfo, name+" success",
					slog.String(logrecord.KeyOperationState, "success"),
					slog.Int64(logrecord.KeyOperationDurationMS, time.Since(start).Milliseconds()))
			})
		}},
	}}
}

// rootContext is a cancellable context, as a request's or a worker's is,
// that operations start from.
func rootContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	return ctx
}

// httpCase: one HTTP call logged with its method, URL, status, duration
// and headers (the Authorization value redacted). oplog's row is
// Operation.HTTP, which redacts the URL and headers by its rules; the other
// rows log the same fields with the secret header replaced by a constant.
func httpCase() benchCase {
	return benchCase{"HTTPMessage", []peer{
		{"oplog", func(tb testing.TB, _ io.Writer) setup {
			e := newOplog(tb)
			ctx, op := e.start(tb, opRefs)
			req, resp := httpCall(ctx)
			return oplogSetup(e, 1, func() {
				op.HTTP(operation.HTTPCall{Request: req, Response: resp, Duration: httpDuration})
			})
		}},
		{"oplogslog", func(tb testing.TB, _ io.Writer) setup {
			e := newOplog(tb)
			ctx, _ := e.start(tb, opRefs)
			req, resp := httpCall(ctx)
			l := newOplogSlog(e, slog.LevelDebug)
			return oplogSetup(e, 1, func() { slogHTTP(ctx, l, req.Method, req, resp) })
		}},
		{"otelapi", func(tb testing.TB, _ io.Writer) setup {
			e := newOtel(tb, 0)
			lg, ctxAttrs := e.logger(), opAttrs(exampleID, opRefs, false, logrecord.TypeHTTP)
			req, resp := httpCall(spanCtx)
			return otelSetup(e, 1, func() {
				body, full := httpBody(req.Method, req.URL, resp.StatusCode, httpDuration)
				var a [16]attribute.KeyValue
				attrs := append(a[:0],
					attribute.String(logrecord.KeyHTTPRequestMethod, req.Method),
					attribute.String(logrecord.KeyURLFull, full))
				for _, h := range reqHeaders {
					attrs = append(attrs, attribute.StringSlice(h.key, h.values(req.Header)))
				}
				attrs = append(attrs, attribute.Int(logrecord.KeyHTTPResponseStatusCode, resp.StatusCode))
				for _, h := range respHeaders {
					attrs = append(attrs, attribute.StringSlice(h.key, h.values(resp.Header)))
				}
				attrs = append(attrs, attribute.Float64(logrecord.KeyHTTPDurationMS, durationMS(httpDuration)))
				var r log.Record
				head(&r, severity.Info, body)
				r.SetEventName(logrecord.EventHTTP)
				r.AddAttributes(attrs...)
				r.AddAttributes(ctxAttrs...)
				lg.Emit(req.Context(), r)
			})
		}},
		{"otelslog", func(tb testing.TB, _ io.Writer) setup {
			e := newOtel(tb, 0)
			req, resp := httpCall(spanCtx)
			l := e.slog()
			return otelSetup(e, 1, func() { slogHTTP(spanCtx, l, req.Method, req, resp) })
		}},
		{"zap", func(_ testing.TB, w io.Writer) setup {
			l := newZap(w, zapcore.DebugLevel)
			req, resp := httpCall(context.Background())
			return writerSetup(1, func() {
				body, full := httpBody(req.Method, req.URL, resp.StatusCode, httpDuration)
				var a [16]zap.Field
				f := append(a[:0], zap.String(logrecord.KeyHTTPRequestMethod, req.Method), zap.String(logrecord.KeyURLFull, full))
				for _, h := range reqHeaders {
					f = append(f, zap.Strings(h.key, h.values(req.Header)))
				}
				f = append(f, zap.Int(logrecord.KeyHTTPResponseStatusCode, resp.StatusCode))
				for _, h := range respHeaders {
					f = append(f, zap.Strings(h.key, h.values(resp.Header)))
				}
				f = append(f, zap.Float64(logrecord.KeyHTTPDurationMS, durationMS(httpDuration)))
				l.Info(body, f...)
			})
		}},
		{"zerolog", func(_ testing.TB, w io.Writer) setup {
			l := newZerolog(w, zerolog.DebugLevel)
			req, resp := httpCall(context.Background())
			return writerSetup(1, func() {
				body, full := httpBody(req.Method, req.URL, resp.StatusCode, httpDuration)
				ev := l.Info().Str(logrecord.KeyHTTPRequestMethod, req.Method).Str(logrecord.KeyURLFull, full)
				for _, h := range reqHeaders {
					ev = ev.Strs(h.key, h.values(req.Header))
				}
				ev = ev.Int(logrecord.KeyHTTPResponseStatusCode, resp.StatusCode)
				for _, h := range respHeaders {
					ev = ev.Strs(h.key, h.values(resp.Header))
				}
				ev.Float64(logrecord.KeyHTTPDurationMS, durationMS(httpDuration)).Msg(body)
			})
		}},
		{"slog", func(_ testing.TB, w io.Writer) setup {
			l := newSlog(w, slog.LevelDebug)
			req, resp := httpCall(context.Background())
			ctx := context.Background()
			return writerSetup(1, func() { slogHTTP(ctx, l, req.Method, req, resp) })
		}},
	}}
}

// slogHTTP logs the HTTP call's fields through slog, as the slog rows do.
func slogHTTP(ctx context.Context, l *slog.Logger, method string, req *http.Request, resp *http.Response) {
	body, full := httpBody(method, req.URL, resp.StatusCode, httpDuration)
	var a [12]slog.Attr
	attrs := append(a[:0], slog.String(logrecord.KeyHTTPRequestMethod, method), slog.String(logrecord.KeyURLFull, full))
	for _, h := range reqHeaders {
		attrs = append(attrs, slog.Any(h.key, h.values(req.Header)))
	}
	attrs = append(attrs, slog.Int(logrecord.KeyHTTPResponseStatusCode, resp.StatusCode))
	for _, h := range respHeaders {
		attrs = append(attrs, slog.Any(h.key, h.values(resp.Header)))
	}
	attrs = append(attrs, slog.Float64(logrecord.KeyHTTPDurationMS, durationMS(httpDuration)))
	l.LogAttrs(ctx, slog.LevelInfo, body, attrs...)
}

// TestSameRecord checks that the otelapi rows emit the record oplog emits:
// same body, severity, event name and attributes (the operation id aside),
// so that their ratio compares the cost of one record.
func TestSameRecord(t *testing.T) {
	for _, c := range cases {
		if c.name == "Disabled" || c.name == "OperationLifecycle" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			got := map[string]sdklog.Record{}
			for _, p := range c.peers {
				if p.name != "oplog" && p.name != "otelapi" {
					continue
				}
				s := p.new(t, io.Discard)
				s.op()
				s.flush()
				got[p.name] = s.exp.lastRecord()
			}
			want, r := got["oplog"], got["otelapi"]
			assert.Equal(t, want.Body(), r.Body())
			assert.Equal(t, want.Severity(), r.Severity())
			assert.Equal(t, want.SeverityText(), r.SeverityText())
			assert.Equal(t, want.EventName(), r.EventName())
			assert.True(t, r.TraceID().IsValid())
			assert.True(t, r.SpanID().IsValid())
			assert.Equal(t, recordAttrs(want), recordAttrs(r))
		})
	}
}

// recordAttrs are a record's attributes by key, the operation id left out.
func recordAttrs(r sdklog.Record) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		if kv.Key != logrecord.KeyOperationID {
			m[string(kv.Key)] = kv.Value
		}
		return true
	})
	return m
}
