package bench

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// zap's benchmark field set (int, ints, string, strings, time, times, two
// objects, a list of ten objects, an error), written once per API below.
type user struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

func (u user) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	enc.AddString("email", u.Email)
	enc.AddTime("created_at", u.CreatedAt)
	return nil
}

func (u user) MarshalZerologObject(e *zerolog.Event) {
	e.Str("name", u.Name).Str("email", u.Email).Time("created_at", u.CreatedAt)
}

// otel is the user as an OTel API user writes it by hand: no reflection.
func (u user) otel() attribute.Value {
	return attribute.MapValue(
		attribute.String("name", u.Name),
		attribute.String("email", u.Email),
		attribute.String("created_at", u.CreatedAt.Format(time.RFC3339Nano)),
	)
}

type users []user

func (us users) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, u := range us {
		if err := enc.AppendObject(u); err != nil {
			return err
		}
	}
	return nil
}

func (us users) MarshalZerologArray(a *zerolog.Array) {
	for _, u := range us {
		a.Object(u)
	}
}

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
	tenUsers = func() users {
		u := make(users, 10)
		for i := range u {
			u[i] = oneUser
		}
		return u
	}()
	errExample = errors.New("fail")
)

func tenZapFields() []zap.Field {
	return []zap.Field{
		zap.Int("int", tenInts[0]),
		zap.Ints("ints", tenInts),
		zap.String("string", tenStrings[0]),
		zap.Strings("strings", tenStrings),
		zap.Time("time", tenTimes[0]),
		zap.Times("times", tenTimes),
		zap.Object("user1", oneUser),
		zap.Object("user2", oneUser),
		zap.Array("users", tenUsers),
		zap.Error(errExample),
	}
}

func tenZerologFields(e *zerolog.Event) *zerolog.Event {
	return e.Int("int", tenInts[0]).
		Ints("ints", tenInts).
		Str("string", tenStrings[0]).
		Strs("strings", tenStrings).
		Time("time", tenTimes[0]).
		Times("times", tenTimes).
		Object("user1", oneUser).
		Object("user2", oneUser).
		Array("users", tenUsers).
		Err(errExample)
}

func tenZerologContext(c zerolog.Context) zerolog.Context {
	return c.Int("int", tenInts[0]).
		Ints("ints", tenInts).
		Str("string", tenStrings[0]).
		Strs("strings", tenStrings).
		Time("time", tenTimes[0]).
		Times("times", tenTimes).
		Object("user1", oneUser).
		Object("user2", oneUser).
		Array("users", tenUsers).
		Err(errExample)
}

func tenSlogAttrs() []slog.Attr {
	return []slog.Attr{
		slog.Int("int", tenInts[0]),
		slog.Any("ints", tenInts),
		slog.String("string", tenStrings[0]),
		slog.Any("strings", tenStrings),
		slog.Time("time", tenTimes[0]),
		slog.Any("times", tenTimes),
		slog.Any("user1", oneUser),
		slog.Any("user2", oneUser),
		slog.Any("users", []user(tenUsers)),
		slog.Any("error", errExample),
	}
}

func tenSlogArgs() []any {
	var args []any
	for _, a := range tenSlogAttrs() {
		args = append(args, a)
	}
	return args
}

// tenOplogAttrs is the set as function code writes it for an operation:
// typed attributes, and logrecord.Value for times and structs.
func tenOplogAttrs() []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.Int("int", tenInts[0]),
		attribute.IntSlice("ints", tenInts),
		attribute.String("string", tenStrings[0]),
		attribute.StringSlice("strings", tenStrings),
		logrecord.KeyValue("time", tenTimes[0]),
		logrecord.KeyValue("times", tenTimes),
		logrecord.KeyValue("user1", oneUser),
		logrecord.KeyValue("user2", oneUser),
		logrecord.KeyValue("users", []user(tenUsers)),
		attribute.String("error", errExample.Error()),
	}
}

// tenOtelAttrs is the same set through the OTel API alone, converted by
// hand: the values oplog's conversion produces, without reflection.
func tenOtelAttrs() []attribute.KeyValue {
	times := make([]attribute.Value, len(tenTimes))
	for i, t := range tenTimes {
		times[i] = attribute.StringValue(t.Format(time.RFC3339Nano))
	}
	us := make([]attribute.Value, len(tenUsers))
	for i, u := range tenUsers {
		us[i] = u.otel()
	}
	return []attribute.KeyValue{
		attribute.Int("int", tenInts[0]),
		attribute.IntSlice("ints", tenInts),
		attribute.String("string", tenStrings[0]),
		attribute.StringSlice("strings", tenStrings),
		attribute.String("time", tenTimes[0].Format(time.RFC3339Nano)),
		attribute.Slice("times", times...),
		{Key: "user1", Value: oneUser.otel()},
		{Key: "user2", Value: oneUser.otel()},
		attribute.Slice("users", us...),
		attribute.String("error", errExample.Error()),
	}
}

// Five scalar fields of an integration's message, in every API.
const (
	fiveContact  = "c-1024"
	fiveEmail    = "ada.lovelace@example.com"
	fivePage     = 3
	fiveDuration = 12.5
	fiveRetry    = false
)

func fiveZerologFields(e *zerolog.Event) *zerolog.Event {
	return e.Str("contact.id", fiveContact).
		Str("contact.email", fiveEmail).
		Int("page", fivePage).
		Float64("duration_ms", fiveDuration).
		Bool("retry", fiveRetry)
}

// The operation every case runs in, and the references bound in
// TenFieldsBound (every reference, all of them on every record).
var (
	opKind  = operation.SyncRun
	opRefs  = operation.Refs{Integration: "hubspot", Connection: "conn-42"}
	allRefs = operation.Refs{
		Account: "acct-7", Environment: "production", Integration: "hubspot", Provider: "hubspot",
		Connection: "conn-42", Sync: "contacts", Function: "fetch-contacts", Job: "job-1138", EndUser: "user-99",
	}
)

// opAttrs is what oplog adds to a record of function code: the operation's
// id and references, then its source and type. otelapi rows add the same,
// prebuilt, so that both emit the same final record.
func opAttrs(id string, refs operation.Refs, all bool, msgType string) []attribute.KeyValue {
	kv := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationID, id),
		attribute.String(logrecord.KeyOperationType, opKind.Type),
		attribute.String(logrecord.KeyOperationAction, opKind.Action),
	}
	add := func(on bool, k, v string) {
		if on && v != "" {
			kv = append(kv, attribute.String(k, v))
		}
	}
	add(all, logrecord.KeyAccountID, refs.Account)
	add(all, logrecord.KeyEnvironment, refs.Environment)
	add(true, logrecord.KeyIntegrationID, refs.Integration)
	add(all, logrecord.KeyIntegrationProvider, refs.Provider)
	add(true, logrecord.KeyConnectionID, refs.Connection)
	add(all, logrecord.KeySyncName, refs.Sync)
	add(all, logrecord.KeyFunctionName, refs.Function)
	add(all, logrecord.KeyJobID, refs.Job)
	add(all, logrecord.KeyEndUserID, refs.EndUser)
	return append(kv,
		attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser),
		attribute.String(logrecord.KeyMessageType, msgType))
}

// exampleID has the shape of an operation id (26 characters).
const exampleID = "01JD3K9W8X2V5T7Q4M6N8P0R1S"

// spanContext is a sampled span, for otelapi records emitted without a span
// of their own.
var spanContext = trace.NewSpanContext(trace.SpanContextConfig{
	TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
	SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
	TraceFlags: trace.FlagsSampled,
})

var seq atomic.Uint64

// nextID is a unique id per operation for the peers that have none.
func nextID() string { return strconv.FormatUint(seq.Add(1), 36) }

// countingExporter discards records and counts them: every OTel row ends
// here. It keeps a copy of the last record of each batch, for the tests.
type countingExporter struct {
	n    atomic.Uint64
	mu   sync.Mutex
	last sdklog.Record
}

func (e *countingExporter) Export(_ context.Context, rs []sdklog.Record) error {
	if len(rs) == 0 {
		return nil
	}
	e.n.Add(uint64(len(rs)))
	last := rs[len(rs)-1].Clone()
	e.mu.Lock()
	e.last = last
	e.mu.Unlock()
	return nil
}

func (e *countingExporter) lastRecord() sdklog.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}
func (e *countingExporter) Shutdown(context.Context) error   { return nil }
func (e *countingExporter) ForceFlush(context.Context) error { return nil }

// discardSpans is the span exporter of every OTel row.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

var (
	_ sdklog.Exporter       = (*countingExporter)(nil)
	_ sdktrace.SpanExporter = discardSpans{}
)

// queueSize is oplog's queue in the benchmarks: large enough that the
// records of one benchmark run are not shed while the sink goroutine
// catches up, since the final flush is timed (see measure).
const queueSize = 1 << 18

// oplogEnv is oplog's wiring: export.Setup with a discarding exporter for
// logs and spans, and a tracker on its providers.
type oplogEnv struct {
	p   *export.Pipeline
	exp *countingExporter
	tr  *operation.Tracker
}

func newOplog(tb testing.TB, opts ...operation.Option) *oplogEnv {
	exp := &countingExporter{}
	p, err := export.Setup(context.Background(), export.WithoutGlobal(),
		export.WithExporter(exp), export.WithSpanExporter(discardSpans{}),
		export.WithQueueSize(queueSize), export.WithErrorHandler(func(error) {}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	opts = append([]operation.Option{operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider())}, opts...)
	return &oplogEnv{p: p, exp: exp, tr: operation.NewTracker(opts...)}
}

// start starts an operation that ends when the test does.
func (e *oplogEnv) start(tb testing.TB, refs operation.Refs) (context.Context, *operation.Operation) {
	ctx, op := e.tr.Start(context.Background(), opKind, refs)
	tb.Cleanup(func() { op.End(nil) })
	return ctx, op
}

func (e *oplogEnv) flush() { _ = e.p.ForceFlush(context.Background()) }

func (e *oplogEnv) dropped() uint64 { return e.p.Stats().Undelivered() }

// otelEnv is the SDK as a user sets it up: default providers, a default
// BatchProcessor (and batch span processor) in front of discarding
// exporters.
type otelEnv struct {
	lp  *sdklog.LoggerProvider
	tp  *sdktrace.TracerProvider
	exp *countingExporter
}

func newOtel(tb testing.TB, min severity.Severity) *otelEnv {
	e := &otelEnv{exp: &countingExporter{}}
	var proc sdklog.Processor = sdklog.NewBatchProcessor(e.exp)
	if min > 0 {
		// The SDK has no minimum severity of its own: a processor must say
		// so in Enabled (as contrib's minsev does).
		proc = minSeverity{Processor: proc, min: min.OTel()}
	}
	e.lp = sdklog.NewLoggerProvider(sdklog.WithProcessor(proc))
	e.tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}))
	tb.Cleanup(func() {
		_ = e.tp.Shutdown(context.Background())
		_ = e.lp.Shutdown(context.Background())
	})
	return e
}

func (e *otelEnv) logger() log.Logger { return e.lp.Logger("bench") }

func (e *otelEnv) slog() *slog.Logger {
	return slog.New(otelslog.NewHandler("bench", otelslog.WithLoggerProvider(e.lp)))
}

func (e *otelEnv) flush() {
	_ = e.tp.ForceFlush(context.Background())
	_ = e.lp.ForceFlush(context.Background())
}

// minSeverity is a filtering processor for the Disabled case.
type minSeverity struct {
	sdklog.Processor
	min log.Severity
}

func (m minSeverity) Enabled(_ context.Context, p sdklog.EnabledParameters) bool {
	return p.Severity >= m.min
}

func (m minSeverity) OnEmit(ctx context.Context, r *sdklog.Record) error {
	if r.Severity() < m.min {
		return nil
	}
	return m.Processor.OnEmit(ctx, r)
}

// The loggers that write to w.
func newZap(w io.Writer, lvl zapcore.Level) *zap.Logger {
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(w), lvl))
}

func newZerolog(w io.Writer, lvl zerolog.Level) zerolog.Logger {
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}

func newSlog(w io.Writer, lvl slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl}))
}

func newOplogSlog(e *oplogEnv, lvl slog.Level) *slog.Logger {
	return slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: e.p.LoggerProvider(), Level: lvl}))
}

// The HTTP call of HTTPMessage: a GET with three request headers, one of
// them a secret, answered 200 with two response headers.
func httpCall(ctx context.Context) (*http.Request, *http.Response) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.hubapi.com/crm/v3/objects/contacts?limit=100&after=eyJpZCI6MTAyNDB9", nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer pat-na1-11111111-2222-3333-4444-555555555555")
	req.Header.Set("User-Agent", "oplog-bench/1.0")
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}}
	resp.Header.Set("Content-Type", "application/json;charset=utf-8")
	resp.Header.Set("X-Request-Id", "req-8f14e45f")
	return req, resp
}

const httpDuration = 182500 * time.Microsecond

// httpHeader is one header as the peers log it: the semantic-conventions
// key, computed once, and the name to read.
type httpHeader struct {
	name, key string
	secret    bool
}

var (
	reqHeaders = []httpHeader{
		{"Accept", logrecord.KeyHTTPRequestHeaderPrefix + "accept", false},
		{"Authorization", logrecord.KeyHTTPRequestHeaderPrefix + "authorization", true},
		{"User-Agent", logrecord.KeyHTTPRequestHeaderPrefix + "user-agent", false},
	}
	respHeaders = []httpHeader{
		{"Content-Type", logrecord.KeyHTTPResponseHeaderPrefix + "content-type", false},
		{"X-Request-Id", logrecord.KeyHTTPResponseHeaderPrefix + "x-request-id", false},
	}
	redactedValue = []string{logrecord.Redacted}
)

func (h httpHeader) values(hdr http.Header) []string {
	if h.secret {
		return redactedValue
	}
	return hdr[h.name]
}

// httpBody is the message of an HTTP call as oplog writes it.
func httpBody(method string, u *url.URL, status int, d time.Duration) (body, full string) {
	full = u.String()
	var b strings.Builder
	b.Grow(len(method) + len(full) + 32)
	b.WriteString(method)
	b.WriteByte(' ')
	b.WriteString(full)
	b.WriteString(" → ")
	b.WriteString(strconv.Itoa(status))
	b.WriteString(" (")
	b.WriteString(d.Round(10 * time.Microsecond).String())
	b.WriteByte(')')
	return b.String(), full
}

func durationMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
