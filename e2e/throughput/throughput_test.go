// Package throughput_test measures records per second through
// export.Setup's OTLP/HTTP path to the real Collector receiver in-process,
// with every record accounted for, beside the OTel defaults (sdk/log
// BatchProcessor and otlploghttp) given the same records at the same
// offered load.
package throughput_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// load is how records are offered: as fast as one goroutine emits them
// (rate 0), or paced at rate records per second.
type load struct {
	name string
	rate int
}

// pacedRate is below what the OTLP path sustains on the 2-core reference
// machine, so a lossless pipeline must deliver everything.
const pacedRate = 20000

var loads = []load{{"burst", 0}, {"paced", pacedRate}}

// sender is one pipeline under test.
type sender struct {
	logger log.Logger
	// stop flushes and shuts the pipeline down; it is timed.
	stop func(ctx context.Context) error
	// verify checks the pipeline's own account after stop.
	verify func(tb testing.TB, emitted, received int)
}

type peer struct {
	name string
	new  func(tb testing.TB, endpoint string, l load, n int) sender
}

var peers = []peer{
	// oplog's OTLP path with its defaults, but for the burst: a queue as
	// large as the burst, so that no record is shed (the default queue,
	// 2048 records, sheds a burst larger than that and counts it).
	{"oplog", func(tb testing.TB, endpoint string, l load, n int) sender {
		opts := []export.Option{
			export.WithoutGlobal(), export.WithServiceName("throughput"),
			export.WithOTLP(export.OTLPEndpoint(endpoint), export.OTLPInsecure()),
			export.WithErrorHandler(func(err error) { tb.Log(err) }),
		}
		if l.rate == 0 {
			opts = append(opts, export.WithQueueSize(max(n, 2048)))
		}
		p, err := export.Setup(context.Background(), opts...)
		if err != nil {
			tb.Fatal(err)
		}
		return sender{
			logger: p.LoggerProvider().Logger("throughput"),
			stop:   p.Shutdown,
			verify: func(tb testing.TB, emitted, received int) {
				s := p.Stats()
				if s.Emitted != uint64(emitted) || s.Exporters[0].Delivered != uint64(emitted) || s.Undelivered() != 0 || received != emitted {
					tb.Errorf("oplog: emitted %d, pipeline %+v, receiver got %d: not lossless", emitted, s, received)
				}
			},
		}
	}},
	// The OTel defaults: a default BatchProcessor (queue 2048, batches of
	// 512, drops the oldest when full) in front of a default otlploghttp.
	{"otelsdk", func(tb testing.TB, endpoint string, _ load, _ int) sender {
		exp, err := otlploghttp.New(context.Background(), otlploghttp.WithEndpoint(endpoint), otlploghttp.WithInsecure())
		if err != nil {
			tb.Fatal(err)
		}
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)))
		return sender{
			logger: lp.Logger("throughput"),
			stop:   lp.Shutdown,
			verify: func(testing.TB, int, int) {}, // what it loses is reported as lost/op
		}
	}},
}

var spanCtx = trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
	TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
	SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
	TraceFlags: trace.FlagsSampled,
}))

// ctxAttrs is what every record of an operation carries.
var ctxAttrs = []attribute.KeyValue{
	attribute.String(logrecord.KeyOperationID, "01JD3K9W8X2V5T7Q4M6N8P0R1S"),
	attribute.String(logrecord.KeyOperationType, "sync"),
	attribute.String(logrecord.KeyOperationAction, "run"),
	attribute.String(logrecord.KeyIntegrationID, "hubspot"),
	attribute.String(logrecord.KeyConnectionID, "conn-42"),
	attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser),
	attribute.String(logrecord.KeyMessageType, logrecord.TypeLog),
}

// emitOne emits the FiveFields record of the bench module.
func emitOne(lg log.Logger, i int) {
	var r log.Record
	r.SetTimestamp(time.Now())
	r.SetSeverity(severity.Info.OTel())
	r.SetSeverityText(severity.Info.String())
	r.SetBody(attribute.StringValue("contact synced"))
	r.AddAttributes(
		attribute.String("contact.id", "c-1024"),
		attribute.String("contact.email", "ada.lovelace@example.com"),
		attribute.Int("page", i),
		attribute.Float64("duration_ms", 12.5),
		attribute.Bool("retry", false))
	r.AddAttributes(ctxAttrs...)
	lg.Emit(spanCtx, r)
}

// offer emits n records at l's rate (paced in 1 ms steps) and returns how
// long it took.
func offer(lg log.Logger, l load, n int) time.Duration {
	start := time.Now()
	if l.rate == 0 {
		for i := range n {
			emitOne(lg, i)
		}
		return time.Since(start)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := 0; i < n; {
		due := min(n, int(time.Since(start).Seconds()*float64(l.rate))+1)
		for ; i < due; i++ {
			emitOne(lg, i)
		}
		if i < n {
			<-tick.C
		}
	}
	return time.Since(start)
}

type result struct {
	received int
	offered  time.Duration
}

// run sends n records through p to a fresh receiver, stops p, and checks
// the account. The caller times it.
func run(tb testing.TB, p peer, l load, n int, timed func(func())) result {
	r := collector.Start(tb, collector.Options{})
	s := p.new(tb, r.Endpoint(), l, n)
	var res result
	timed(func() {
		res.offered = offer(s.logger, l, n)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := s.stop(ctx); err != nil {
			tb.Logf("%s: shutdown: %v", p.name, err)
		}
	})
	res.received = r.LogRecordCount()
	s.verify(tb, n, res.received)
	return res
}

// BenchmarkOTLPThroughput: an op is one record, offered, exported over
// OTLP/HTTP and accepted by the receiver (the final flush is timed).
// records/s counts the records the receiver accepted; lost/op the share
// the pipeline lost (oplog must lose none: the run fails if it does);
// offered/s the rate at which the records were emitted.
func BenchmarkOTLPThroughput(b *testing.B) {
	for _, l := range loads {
		for _, p := range peers {
			b.Run(l.name+"/"+p.name, func(b *testing.B) {
				res := run(b, p, l, b.N, func(f func()) {
					b.ResetTimer()
					f()
					b.StopTimer()
				})
				b.ReportMetric(float64(res.received)/b.Elapsed().Seconds(), "records/s")
				b.ReportMetric(float64(b.N-res.received)/float64(b.N), "lost/op")
				b.ReportMetric(float64(b.N)/res.offered.Seconds(), "offered/s")
			})
		}
	}
}

// TestThroughput runs each load and peer with a few thousand records, the
// paced one at a quarter of the benchmark's rate (the test runs under
// -race too): oplog must deliver every one.
func TestThroughput(t *testing.T) {
	const n = 3000
	for _, l := range loads {
		l.rate /= 4
		for _, p := range peers {
			t.Run(fmt.Sprintf("%s/%s", l.name, p.name), func(t *testing.T) {
				res := run(t, p, l, n, func(f func()) { f() })
				t.Logf("%d of %d records received", res.received, n)
			})
		}
	}
}
