package export_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	collogpb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
)

// rvEmitBodies emits one record per size, its body that many bytes.
func rvEmitBodies(ctx context.Context, p *export.Pipeline, sizes ...int) {
	lg := p.LoggerProvider().Logger("review")
	for i, n := range sizes {
		var r log.Record
		r.SetSeverity(log.SeverityInfo)
		r.SetBody(attribute.StringValue(fmt.Sprintf("%06d", i) + strings.Repeat("b", max(n-6, 0))))
		lg.Emit(ctx, r)
	}
}

// TestReviewRequestsBoundedInBytes: whatever the mix of record sizes, no
// request is larger than WithBatchBytes on the wire, a record larger than
// it alone is cut to fit, and every record arrives.
func TestReviewRequestsBoundedInBytes(t *testing.T) {
	const bound = 64 << 10
	mixes := map[string][]int{
		"many medium":          repeatInts(200, 20<<10),
		"three huge in small":  append(append(repeatInts(50, 100), 1<<20, 2<<20, 1<<20), repeatInts(50, 100)...),
		"just under and over":  {bound - 2000, bound - 100, bound, bound + 1, bound * 3},
		"alternating":          alternate(60, 100, 40<<10),
		"one far over the cap": {8 << 20},
	}
	for name, sizes := range mixes {
		t.Run(name, func(t *testing.T) {
			rv := newRVReceiver(t, nil)
			p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)), export.WithBatchBytes(bound),
				export.WithLimits(logrecord.Limits{MaxStringLen: -1}))
			rvEmitBodies(t.Context(), p, sizes...)
			require.NoError(t, p.ForceFlush(t.Context()))
			require.NoError(t, p.Shutdown(t.Context()))
			_, _, reqSizes, ko := rv.seen()
			assert.Zero(t, ko)
			for _, n := range reqSizes {
				assert.LessOrEqual(t, n, bound)
			}
			assert.Equal(t, len(sizes), rv.records())
			s := p.Stats()
			rvAddsUp(t, s, true)
			assert.Equal(t, uint64(len(sizes)), s.Exporters[0].Delivered)
		})
	}
	t.Run("span with a huge attribute, event and link", func(t *testing.T) {
		rv := newRVReceiver(t, nil)
		p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)), export.WithBatchBytes(bound),
			export.WithLimits(logrecord.Limits{MaxStringLen: -1}))
		huge := strings.Repeat("r", 3<<20)
		tr := p.TracerProvider().Tracer("review")
		for i := range 5 {
			_, span := tr.Start(t.Context(), "op", trace.WithAttributes(attribute.String("refs", huge)),
				trace.WithLinks(trace.Link{SpanContext: rvSpanContext(byte(i + 1)), Attributes: []attribute.KeyValue{attribute.String("l", huge)}}))
			span.AddEvent(huge, trace.WithAttributes(attribute.String("e", huge)))
			span.SetStatus(codes.Error, huge)
			span.End()
		}
		require.NoError(t, p.Shutdown(t.Context()))
		_, _, reqSizes, ko := rv.seen()
		assert.Zero(t, ko)
		for _, n := range reqSizes {
			assert.LessOrEqual(t, n, bound)
		}
		assert.Equal(t, 5, rv.spans())
		rvAddsUp(t, p.Stats(), true)
	})
}

func rvSpanContext(b byte) trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, b}, SpanID: trace.SpanID{2, b}, TraceFlags: trace.FlagsSampled})
}

func repeatInts(n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func alternate(n, a, b int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = a
		if i%2 == 1 {
			out[i] = b
		}
	}
	return out
}

// TestReviewRefusedAsTooLargeIsSplit: a receiver that refuses requests
// above its own limit, by 413 or by the Collector's 400, gets every record
// and span in smaller requests; nothing is dropped whole.
func TestReviewRefusedAsTooLargeIsSplit(t *testing.T) {
	const limit = 48 << 10
	st, err := proto.Marshal(&spb.Status{Code: 3, Message: "http: request body too large"})
	require.NoError(t, err)
	refusals := map[string]func(w http.ResponseWriter){
		"413": func(w http.ResponseWriter) { w.WriteHeader(http.StatusRequestEntityTooLarge) },
		"Collector's 400": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(st)
		},
	}
	for name, refuse := range refusals {
		t.Run(name, func(t *testing.T) {
			rv := newRVReceiver(t, func(w http.ResponseWriter, _ *http.Request, body []byte) bool {
				if len(body) > limit {
					refuse(w)
					return true
				}
				return false
			})
			p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)), export.WithLimits(logrecord.Limits{MaxStringLen: -1}))
			sizes := append(repeatInts(100, 4<<10), 200<<10)
			rvEmitBodies(t.Context(), p, sizes...)
			tr := p.TracerProvider().Tracer("review")
			for range 30 {
				_, span := tr.Start(t.Context(), "op", trace.WithAttributes(attribute.String("a", strings.Repeat("s", 8<<10))))
				span.End()
			}
			require.NoError(t, p.Shutdown(t.Context()))
			assert.Equal(t, len(sizes), rv.records())
			assert.Equal(t, 30, rv.spans())
			s := p.Stats()
			rvAddsUp(t, s, true)
			assert.Equal(t, uint64(len(sizes)), s.Exporters[0].Delivered)
			assert.Equal(t, uint64(30), s.Spans.Exported)
		})
	}
}

// rvTooLarge refuses every batch as too large, as any exporter may.
type rvTooLarge struct{ calls atomic.Int64 }

func (e *rvTooLarge) Export(context.Context, []sdklog.Record) error {
	e.calls.Add(1)
	return fmt.Errorf("my backend: %w", export.ErrTooLarge)
}

func (e *rvTooLarge) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	e.calls.Add(1)
	return fmt.Errorf("my backend: %w", export.ErrTooLarge)
}
func (e *rvTooLarge) Shutdown(context.Context) error   { return nil }
func (e *rvTooLarge) ForceFlush(context.Context) error { return nil }

// TestReviewErrTooLargeForever: an exporter that refuses every batch as
// too large ends with every record and span counted invalid, after a
// bounded number of tries; it never loops.
func TestReviewErrTooLargeForever(t *testing.T) {
	exp := &rvTooLarge{}
	p := rvSetup(t, export.WithExporter(exp), export.WithSpanExporter(exp), export.WithLimits(logrecord.Limits{MaxStringLen: -1}))
	sizes := append(repeatInts(100, 10), 300<<10, 2<<20)
	rvEmitBodies(t.Context(), p, sizes...)
	tr := p.TracerProvider().Tracer("review")
	for range 20 {
		_, span := tr.Start(t.Context(), "op", trace.WithAttributes(attribute.String("a", strings.Repeat("s", 64<<10))))
		span.End()
	}
	require.NoError(t, p.ForceFlush(t.Context()))
	err := p.Shutdown(t.Context())
	require.Error(t, err)
	s := p.Stats()
	rvAddsUp(t, s, true)
	assert.Equal(t, uint64(len(sizes)), s.Exporters[0].Dropped.Invalid)
	assert.Equal(t, uint64(20), s.Spans.Dropped.Invalid)
	assert.Less(t, exp.calls.Load(), int64(40*(len(sizes)+20)))
}

// rvBlocked blocks every export until release is closed.
type rvBlocked struct {
	release chan struct{}
	once    sync.Once
	entered chan struct{}
}

func newRVBlocked() *rvBlocked {
	return &rvBlocked{release: make(chan struct{}), entered: make(chan struct{})}
}

func (e *rvBlocked) wait() {
	e.once.Do(func() { close(e.entered) })
	<-e.release
}

func (e *rvBlocked) Export(context.Context, []sdklog.Record) error { e.wait(); return nil }
func (e *rvBlocked) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	e.wait()
	return nil
}
func (e *rvBlocked) Shutdown(context.Context) error   { return nil }
func (e *rvBlocked) ForceFlush(context.Context) error { return nil }

// TestReviewQueueByteBudgetCountsMaps: the byte budget counts what a
// record or span holds in maps and slices, not only its strings; past it,
// items are dropped as queue full while the exporter is stalled.
func TestReviewQueueByteBudgetCountsMaps(t *testing.T) {
	const budget = 512 << 10
	exp := newRVBlocked()
	p := rvSetup(t, export.WithExporter(exp), export.WithSpanExporter(exp), export.WithQueueBytes(budget),
		export.WithLimits(logrecord.Limits{MaxItems: -1, MaxAttributes: -1}))
	entries := make([]attribute.KeyValue, 2000)
	for i := range entries {
		entries[i] = attribute.String(fmt.Sprintf("key-%05d", i), strings.Repeat("v", 100))
	}
	lg := p.LoggerProvider().Logger("review")
	const n = 40
	for range n {
		var r log.Record
		r.SetSeverity(log.SeverityInfo)
		r.SetBody(attribute.MapValue(entries...))
		r.AddAttributes(attribute.KeyValue{Key: "m", Value: attribute.MapValue(entries...)})
		lg.Emit(t.Context(), r)
	}
	tr := p.TracerProvider().Tracer("review")
	for range n {
		_, span := tr.Start(t.Context(), "op", trace.WithAttributes(entries...))
		span.End()
	}
	s := p.Stats()
	// Each record holds about 2 × 2000 × 115 bytes: at most a few fit.
	assert.GreaterOrEqual(t, s.Exporters[0].Dropped.QueueFull, uint64(n-4))
	assert.GreaterOrEqual(t, s.Spans.Dropped.QueueFull, uint64(n-4))
	close(exp.release)
	require.NoError(t, p.ForceFlush(t.Context()))
	var ue *export.UndeliveredError
	require.ErrorAs(t, p.Shutdown(t.Context()), &ue)
	s = p.Stats()
	rvAddsUp(t, s, true)
	e := s.Exporters[0]
	assert.Equal(t, e.Dropped.QueueFull, e.Dropped.Total(), "only queue full: %+v", e)
	assert.Equal(t, s.Spans.Dropped.QueueFull, s.Spans.Dropped.Total(), "only queue full: %+v", s.Spans)
}

// TestReviewAccountingAnswers: delivery is read only from a 2xx answer's
// decoded partial_success, for logs and for spans; every other answer,
// whatever its body, fails the batch; a redirect is never followed.
func TestReviewAccountingAnswers(t *testing.T) {
	const n = 20
	logsPartial := func(rejected int64) []byte {
		b, _ := proto.Marshal(&collogpb.ExportLogsServiceResponse{PartialSuccess: &collogpb.ExportLogsPartialSuccess{RejectedLogRecords: rejected, ErrorMessage: "bad\n\x1b[31m"}})
		return b
	}
	spansPartial := func(rejected int64) []byte {
		b, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: rejected}})
		return b
	}
	logsJSON, err := protojson.Marshal(&collogpb.ExportLogsServiceResponse{PartialSuccess: &collogpb.ExportLogsPartialSuccess{RejectedLogRecords: 4}})
	require.NoError(t, err)
	type answer struct {
		status int
		ctype  string
		logs   []byte
		spans  []byte
	}
	tests := []struct {
		name                 string
		a                    answer
		delivered, rejected  uint64
		failed, invalid      uint64
		spansDelivered, spRj uint64
	}{
		{"500 with a partial success body", answer{500, "application/x-protobuf", logsPartial(3), spansPartial(3)}, 0, 0, n, 0, 0, 0},
		{"501 with a partial success body", answer{501, "application/x-protobuf", logsPartial(3), spansPartial(3)}, 0, 0, n, 0, 0, 0},
		{"403 with a JSON partial success body", answer{403, "application/json", logsJSON, logsJSON}, 0, 0, n, 0, 0, 0},
		{"200 with a decoded partial success", answer{200, "application/x-protobuf", logsPartial(3), spansPartial(2)}, n - 3, 3, 0, 0, n - 2, 2},
		{"200 with a JSON partial success", answer{200, "application/json", logsJSON, nil}, n - 4, 4, 0, 0, n, 0},
		{"200 rejecting more than sent", answer{200, "application/x-protobuf", logsPartial(1000), spansPartial(1000)}, 0, n, 0, 0, 0, n},
		{"200 rejecting a negative count", answer{200, "application/x-protobuf", logsPartial(-5), spansPartial(-5)}, n, 0, 0, 0, n, 0},
		{"202 empty", answer{202, "", nil, nil}, n, 0, 0, 0, n, 0},
		{"204 empty", answer{204, "", nil, nil}, n, 0, 0, 0, n, 0},
		{"400 malformed", answer{400, "text/plain", []byte("bad"), []byte("bad")}, 0, 0, 0, n, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rv := newRVReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
				if tt.a.ctype != "" {
					w.Header().Set("Content-Type", tt.a.ctype)
				}
				w.WriteHeader(tt.a.status)
				if strings.HasSuffix(r.URL.Path, "/v1/logs") {
					_, _ = w.Write(tt.a.logs)
				} else {
					_, _ = w.Write(tt.a.spans)
				}
				return true
			})
			p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL), export.OTLPRetry(0)), export.WithBatchSize(n))
			rvEmit(t.Context(), p, n)
			tr := p.TracerProvider().Tracer("review")
			ctx, parent := tr.Start(t.Context(), "parent")
			for range n - 1 {
				_, span := tr.Start(ctx, "op")
				span.End()
			}
			parent.End()
			_ = p.Shutdown(t.Context())
			s := p.Stats()
			rvAddsUp(t, s, true)
			e := s.Exporters[0]
			assert.Equal(t, tt.delivered, e.Delivered, "delivered")
			assert.Equal(t, tt.rejected, e.Dropped.Rejected, "rejected")
			assert.Equal(t, tt.failed, e.Dropped.ExportFailed, "failed")
			assert.Equal(t, tt.invalid, e.Dropped.Invalid, "invalid")
			assert.Equal(t, tt.spansDelivered, s.Spans.Exported, "spans delivered")
			assert.Equal(t, tt.spRj, s.Spans.Dropped.Rejected, "spans rejected")
		})
	}
	t.Run("redirect to another host", func(t *testing.T) {
		other := newRVReceiver(t, nil)
		rv := newRVReceiver(t, func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
			return true
		})
		p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL), export.OTLPHeaders(map[string]string{"api-key": "s3cr3t"})))
		rvEmit(t.Context(), p, n)
		_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
		span.End()
		_ = p.Shutdown(t.Context())
		paths, _, _, _ := other.seen()
		assert.Empty(t, paths)
		s := p.Stats()
		rvAddsUp(t, s, true)
		assert.Equal(t, uint64(n), s.Exporters[0].Dropped.ExportFailed)
		assert.Equal(t, uint64(1), s.Spans.Dropped.ExportFailed)
	})
}

// rvStrings lists every string of a span an exporter sees.
func rvStrings(s sdktrace.ReadOnlySpan) []string {
	out := []string{s.Name(), s.Status().Description, s.InstrumentationScope().Name, s.InstrumentationScope().Version}
	var value func(v attribute.Value)
	kvs := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, string(kv.Key))
			value(kv.Value)
		}
	}
	value = func(v attribute.Value) {
		switch v.Type() {
		case attribute.MAP:
			kvs(v.AsMap())
		case attribute.SLICE:
			for _, e := range v.AsSlice() {
				value(e)
			}
		case attribute.STRINGSLICE:
			out = append(out, v.AsStringSlice()...)
		case attribute.STRING:
			out = append(out, v.AsString())
		}
	}
	kvs(s.Attributes())
	for _, e := range s.Events() {
		out = append(out, e.Name)
		kvs(e.Attributes)
	}
	for _, l := range s.Links() {
		kvs(l.Attributes)
	}
	sc := s.InstrumentationScope()
	kvs(sc.Attributes.ToSlice())
	return out
}

// TestReviewSpansInvalidUTF8RawAPI: invalid UTF-8 anywhere a user can put
// it through the raw OTel trace API on the pipeline's TracerProvider never
// fails a batch: every span reaches the receiver, valid.
func TestReviewSpansInvalidUTF8RawAPI(t *testing.T) {
	const bad = "x\xff\xfe\xc3"
	cases := map[string]func(ctx context.Context, tr trace.Tracer){
		"event name": func(ctx context.Context, tr trace.Tracer) { _, s := tr.Start(ctx, "op"); s.AddEvent(bad); s.End() },
		"event attr": func(ctx context.Context, tr trace.Tracer) {
			_, s := tr.Start(ctx, "op")
			s.AddEvent("e", trace.WithAttributes(attribute.String(bad, bad)))
			s.End()
		},
		"link attr at start": func(ctx context.Context, tr trace.Tracer) {
			_, s := tr.Start(ctx, "op", trace.WithLinks(trace.Link{SpanContext: rvSpanContext(1), Attributes: []attribute.KeyValue{attribute.String(bad, bad)}}))
			s.End()
		},
		"link attr added": func(ctx context.Context, tr trace.Tracer) {
			_, s := tr.Start(ctx, "op")
			s.AddLink(trace.Link{SpanContext: rvSpanContext(2), Attributes: []attribute.KeyValue{attribute.StringSlice("k", []string{bad})}})
			s.End()
		},
		"status description": func(ctx context.Context, tr trace.Tracer) {
			_, s := tr.Start(ctx, "op")
			s.SetStatus(codes.Error, bad)
			s.End()
		},
		"span name renamed": func(ctx context.Context, tr trace.Tracer) { _, s := tr.Start(ctx, "op"); s.SetName(bad); s.End() },
		"map attribute": func(ctx context.Context, tr trace.Tracer) {
			_, s := tr.Start(ctx, "op")
			s.SetAttributes(attribute.Map("m", attribute.String(bad, bad)))
			s.End()
		},
		"slice attribute": func(ctx context.Context, tr trace.Tracer) {
			_, s := tr.Start(ctx, "op")
			s.SetAttributes(attribute.Slice("s", attribute.StringValue(bad), attribute.MapValue(attribute.String("k", bad))))
			s.End()
		},
		"recorded error": func(ctx context.Context, tr trace.Tracer) {
			_, s := tr.Start(ctx, "op")
			s.RecordError(errors.New(bad), trace.WithAttributes(attribute.String("k", bad)))
			s.End()
		},
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			rv := newRVReceiver(t, nil)
			mem := export.NewMemory()
			p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)), export.WithSpanExporter(mem))
			ctx := t.Context()
			run(ctx, p.TracerProvider().Tracer("review"))
			// A good span in the same batch must not be lost either.
			_, good := p.TracerProvider().Tracer(bad, trace.WithInstrumentationVersion(bad),
				trace.WithInstrumentationAttributes(attribute.String(bad, bad))).Start(ctx, "good")
			good.End()
			require.NoError(t, p.Shutdown(t.Context()))
			_, _, _, ko := rv.seen()
			assert.Zero(t, ko)
			spans := mem.Spans()
			assert.Equal(t, len(spans), rv.spans())
			for _, s := range spans {
				for _, str := range rvStrings(s) {
					assert.True(t, utf8.ValidString(str), "%q", str)
				}
			}
			rvAddsUp(t, p.Stats(), true)
		})
	}
}

// TestReviewRecordsInvalidUTF8RawAPI: the same for log records through
// the raw OTel log API, scope included.
func TestReviewRecordsInvalidUTF8RawAPI(t *testing.T) {
	const bad = "x\xff\xfe\xc3"
	rv := newRVReceiver(t, nil)
	p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)))
	lgs := []log.Logger{
		p.LoggerProvider().Logger("ok"),
		p.LoggerProvider().Logger(bad, log.WithInstrumentationVersion(bad), log.WithSchemaURL(bad),
			log.WithInstrumentationAttributes(attribute.String(bad, bad))),
	}
	for _, lg := range lgs {
		var r log.Record
		r.SetSeverity(log.SeverityWarn)
		r.SetSeverityText(bad)
		r.SetEventName(bad)
		r.SetBody(attribute.MapValue(attribute.String(bad, bad), attribute.Slice("s", attribute.StringValue(bad))))
		r.AddAttributes(attribute.String(bad, bad), attribute.ByteSlice("b", []byte(bad)), attribute.StringSlice("ss", []string{bad}))
		lg.Emit(t.Context(), r)
	}
	require.NoError(t, p.Shutdown(t.Context()))
	_, _, _, ko := rv.seen()
	assert.Zero(t, ko)
	assert.Equal(t, 2, rv.records())
	rvAddsUp(t, p.Stats(), true)
}

// TestReviewLargeResourceStaysInBound: a resource whose attributes are
// each within the limits but together near or past the request bound
// cannot make every request larger than WithBatchBytes.
func TestReviewLargeResourceStaysInBound(t *testing.T) {
	const bound = 64 << 10
	rv := newRVReceiver(t, nil)
	var attrs []attribute.KeyValue
	for i := range 6 {
		attrs = append(attrs, attribute.String(fmt.Sprintf("big.%d", i), strings.Repeat("r", 60<<10)))
	}
	p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)), export.WithBatchBytes(bound),
		export.WithResource(resource.NewSchemaless(attrs...)))
	rvEmitBodies(t.Context(), p, repeatInts(20, 1<<10)...)
	_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
	span.End()
	require.NoError(t, p.Shutdown(t.Context()))
	_, _, sizes, ko := rv.seen()
	assert.Zero(t, ko)
	require.NotEmpty(t, sizes)
	for _, n := range sizes {
		assert.LessOrEqual(t, n, bound)
	}
	assert.Equal(t, 20, rv.records())
	assert.Equal(t, 1, rv.spans())
}

// TestReviewSpanAttributeCountLimit: MaxAttributes holds for spans, their
// events and links, with the rest counted.
func TestReviewSpanAttributeCountLimit(t *testing.T) {
	for _, limit := range []int{1, 10, -1} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			mem := export.NewMemory()
			p := rvSetup(t, export.WithSpanExporter(mem), export.WithLimits(logrecord.Limits{MaxAttributes: limit}))
			attrs := make([]attribute.KeyValue, 300)
			for i := range attrs {
				attrs[i] = attribute.Int(fmt.Sprintf("k%03d", i), i)
			}
			_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op", trace.WithAttributes(attrs...),
				trace.WithLinks(trace.Link{SpanContext: rvSpanContext(1), Attributes: attrs}))
			span.AddEvent("e", trace.WithAttributes(attrs...))
			span.End()
			require.NoError(t, p.ForceFlush(t.Context()))
			spans := mem.Spans()
			require.Len(t, spans, 1)
			want := limit
			if limit < 0 {
				want = 300
			}
			s := spans[0]
			assert.Len(t, s.Attributes(), want)
			assert.Equal(t, 300-want, s.DroppedAttributes())
			require.Len(t, s.Events(), 1)
			assert.Len(t, s.Events()[0].Attributes, want)
			assert.Equal(t, 300-want, s.Events()[0].DroppedAttributeCount)
			require.Len(t, s.Links(), 1)
			assert.Len(t, s.Links()[0].Attributes, want)
			assert.Equal(t, 300-want, s.Links()[0].DroppedAttributeCount)
		})
	}
}

// TestReviewCutIsMarked: a record and a span larger than one request
// arrive cut, and the cut is marked as logrecord marks one.
func TestReviewCutIsMarked(t *testing.T) {
	const bound = 32 << 10
	mem := export.NewMemory()
	p := rvSetup(t, export.WithExporter(mem), export.WithSpanExporter(mem), export.WithBatchBytes(bound),
		export.WithLimits(logrecord.Limits{MaxStringLen: -1}))
	rvEmitBodies(t.Context(), p, 1<<20)
	_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op",
		trace.WithAttributes(attribute.String("refs", strings.Repeat("r", 1<<20))))
	span.End()
	require.NoError(t, p.ForceFlush(t.Context()))
	recs := mem.Records()
	require.Len(t, recs, 1)
	body := recs[0].Body().AsString()
	assert.Less(t, len(body), bound)
	assert.Regexp(t, `…\[truncated from \d+ bytes\]$`, body[max(len(body)-40, 0):])
	spans := mem.Spans()
	require.Len(t, spans, 1)
	require.Len(t, spans[0].Attributes(), 1)
	refs := spans[0].Attributes()[0].Value.AsString()
	assert.Less(t, len(refs), bound)
	assert.Regexp(t, `…\[truncated from \d+ bytes\]$`, refs[max(len(refs)-40, 0):])
}

// rvLiar fails every export with a text that claims a partial success.
type rvLiar struct{}

func (rvLiar) Export(context.Context, []sdklog.Record) error {
	return errors.New("OTLP partial success: 3 log records rejected (rejected_log_records: 3)")
}

func (rvLiar) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	return errors.New("OTLP partial success: 3 spans rejected (rejected_spans: 3)")
}
func (rvLiar) Shutdown(context.Context) error   { return nil }
func (rvLiar) ForceFlush(context.Context) error { return nil }

// TestReviewUserExporterErrorTextIgnored: an error's text never decides
// delivery: an exporter whose error says "partial success" failed.
func TestReviewUserExporterErrorTextIgnored(t *testing.T) {
	p := rvSetup(t, export.WithExporter(rvLiar{}), export.WithSpanExporter(rvLiar{}))
	rvEmit(t.Context(), p, 10)
	_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
	span.End()
	require.NoError(t, p.ForceFlush(t.Context()))
	s := p.Stats()
	rvAddsUp(t, s, false)
	assert.Equal(t, uint64(10), s.Exporters[0].Dropped.ExportFailed)
	assert.Zero(t, s.Exporters[0].Delivered)
	assert.Equal(t, uint64(1), s.Spans.Dropped.ExportFailed)
}

// TestReviewOTLPTimestampsOutOfRange: over OTLP too, a time that Unix
// nanoseconds cannot hold arrives clamped (before 1970: 0; past 2262: the
// last nanosecond an int64 holds), never wrapped around to another date.
func TestReviewOTLPTimestampsOutOfRange(t *testing.T) {
	const last = uint64(math.MaxInt64)
	tests := map[string]struct {
		ts   time.Time
		want uint64
	}{
		"year 3000": {time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), last},
		"year 1000": {time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		"year 1969": {time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		"year 2026": {time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1767225600000000000},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rv := newRVReceiver(t, nil)
			mem := export.NewMemory()
			p := rvSetup(t, export.WithOTLP(export.OTLPEndpointURL(rv.URL)), export.WithExporter(mem), export.WithSpanExporter(mem))
			var r log.Record
			r.SetTimestamp(tt.ts)
			r.SetObservedTimestamp(tt.ts)
			r.SetSeverity(log.SeverityInfo)
			p.LoggerProvider().Logger("review").Emit(t.Context(), r)
			_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op", trace.WithTimestamp(tt.ts))
			span.AddEvent("e", trace.WithTimestamp(tt.ts))
			span.End(trace.WithTimestamp(tt.ts))
			require.NoError(t, p.Shutdown(t.Context()))
			rv.mu.Lock()
			defer rv.mu.Unlock()
			require.Len(t, rv.logs, 1)
			lr := rv.logs[0].GetResourceLogs()[0].GetScopeLogs()[0].GetLogRecords()[0]
			assert.Equal(t, tt.want, lr.GetTimeUnixNano())
			assert.Equal(t, tt.want, lr.GetObservedTimeUnixNano())
			require.Len(t, rv.traces, 1)
			sp := rv.traces[0].GetResourceSpans()[0].GetScopeSpans()[0].GetSpans()[0]
			assert.Equal(t, tt.want, sp.GetStartTimeUnixNano())
			assert.Equal(t, tt.want, sp.GetEndTimeUnixNano())
			assert.Equal(t, tt.want, sp.GetEvents()[0].GetTimeUnixNano())
			// Other exporters (the store) get the time as it was.
			require.Len(t, mem.Records(), 1)
			assert.True(t, mem.Records()[0].Timestamp().Equal(tt.ts))
			assert.True(t, mem.Spans()[0].StartTime().Equal(tt.ts))
		})
	}
}
