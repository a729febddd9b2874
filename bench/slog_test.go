package bench

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
)

type user struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// zap's benchmark field set, mirrored as closely as slog allows.
var (
	tenInts    = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	tenStrings = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	tenTimes   = func() []time.Time {
		t := make([]time.Time, 10)
		for i := range t {
			t[i] = time.Unix(0, int64(i)).UTC()
		}
		return t
	}()
	oneUser  = user{Name: "Jane Doe", Email: "jane@test.com", CreatedAt: time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	tenUsers = func() []user {
		u := make([]user, 10)
		for i := range u {
			u[i] = oneUser
		}
		return u
	}()
	errExample = errors.New("fail")
)

func tenSlogFields() []any {
	return []any{
		slog.Int("int", tenInts[0]),
		slog.Any("ints", tenInts),
		slog.String("string", tenStrings[0]),
		slog.Any("strings", tenStrings),
		slog.Time("time", tenTimes[0]),
		slog.Any("times", tenTimes),
		slog.Any("user1", oneUser),
		slog.Any("user2", oneUser),
		slog.Any("users", tenUsers),
		slog.Any("error", errExample),
	}
}

// discardExporter is where every OTel peer's records end.
type discardExporter struct{}

func (discardExporter) Export(context.Context, []sdklog.Record) error { return nil }
func (discardExporter) Shutdown(context.Context) error                { return nil }
func (discardExporter) ForceFlush(context.Context) error              { return nil }

// otelDefaultProvider is the SDK as a user would set it up: a default
// BatchProcessor in front of the exporter.
func otelDefaultProvider() *sdklog.LoggerProvider {
	return sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(discardExporter{})))
}

// oplogPipeline is oplog's own wiring, export.Setup, in front of the same
// exporter. Records dropped because the queue was full are reported per op,
// so a run that sheds load cannot pass for a fast one.
func oplogPipeline(b *testing.B) *export.Pipeline {
	p, err := export.Setup(context.Background(), export.WithoutGlobal(), export.WithExporter(discardExporter{}),
		export.WithErrorHandler(func(error) {}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = p.Shutdown(context.Background())
		if s := p.Stats(); s.Emitted > 0 {
			b.ReportMetric(float64(s.Exporters[0].Dropped.QueueFull)/float64(s.Emitted), "dropped/op")
		}
	})
	return p
}

type slogPeer struct {
	name string
	make func(b *testing.B) slog.Handler
}

// slogPeers are the slog handlers that feed the OTel SDK.
var slogPeers = []slogPeer{
	{"oplogslog", func(b *testing.B) slog.Handler {
		return bridge.NewHandler(&bridge.Options{LoggerProvider: oplogPipeline(b).LoggerProvider()})
	}},
	{"otelslog", func(*testing.B) slog.Handler {
		return otelslog.NewHandler("bench", otelslog.WithLoggerProvider(otelDefaultProvider()))
	}},
}

func BenchmarkTenFields(b *testing.B) {
	for _, peer := range slogPeers {
		b.Run(peer.name, func(b *testing.B) {
			logger := slog.New(peer.make(b))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				logger.InfoContext(ctx, "Ten fields, passed at the log site.", tenSlogFields()...)
			}
		})
	}
}

func BenchmarkTenFieldsBound(b *testing.B) {
	for _, peer := range slogPeers {
		b.Run(peer.name, func(b *testing.B) {
			logger := slog.New(peer.make(b)).With(tenSlogFields()...)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				logger.InfoContext(ctx, "Ten fields, bound to the logger.")
			}
		})
	}
}
