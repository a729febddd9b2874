package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
)

// rvHostile are strings that try to forge a line, a pair or drive a
// terminal.
var rvHostile = []string{
	"a\nFAKE 00:00:00.000 ERROR forged",
	"a\r\x1b[2K\x1b[31mred",
	"\x1b]0;title\x07",
	"x\u2028y\u2029z",
	"\u202egnp.exe",
	"nul\x00byte",
	"c1\u0085\u009b31m",
	"bad\xff\xfeutf8",
	"tab\there",
	"\u2066isolate\u2069",
}

// rvSafeLine reports what makes a console line unsafe, if anything.
func rvSafeLine(line string) string {
	if !utf8.ValidString(line) {
		return "invalid UTF-8"
	}
	for _, r := range line {
		switch {
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return "control character"
		case r == 0x2028 || r == 0x2029 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			return "separator or bidi control"
		}
	}
	return ""
}

// rvRawRecords builds records with the raw SDK, unsanitized, as a user's
// own SDK pipeline would hand them to NewConsole or NewJSON.
func rvRawRecords(t *testing.T, exp sdklog.Exporter) {
	t.Helper()
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	defer func() { _ = lp.Shutdown(context.Background()) }()
	lg := lp.Logger("raw")
	for _, h := range rvHostile {
		var r log.Record
		r.SetTimestamp(time.Unix(1, 0))
		r.SetSeverity(log.SeverityInfo)
		r.SetSeverityText(h)
		r.SetEventName(h)
		r.SetBody(attribute.StringValue(h))
		r.AddAttributes(attribute.String(h, h), attribute.StringSlice("ss", []string{h, h}),
			attribute.Map("m", attribute.String(h, h)), attribute.String(logrecord.KeyOperationType, h),
			attribute.String(logrecord.KeyConnectionID, h), attribute.String(logrecord.KeyOperationID, h))
		lg.Emit(t.Context(), r)
		var r2 log.Record
		r2.SetSeverity(99) // not a severity: the text is shown
		r2.SetSeverityText(h)
		r2.SetBody(attribute.MapValue(attribute.String(h, h)))
		lg.Emit(t.Context(), r2)
	}
}

// TestReviewConsoleControlCharacters: whatever a record or span holds,
// the console writes one safe line per record and span, through the
// pipeline or as a standalone exporter of unsanitized records.
func TestReviewConsoleControlCharacters(t *testing.T) {
	check := func(t *testing.T, out string, want int) {
		t.Helper()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		assert.Len(t, lines, want)
		for _, l := range lines {
			assert.Empty(t, rvSafeLine(l), "%q", l)
		}
	}
	t.Run("standalone records", func(t *testing.T) {
		var buf bytes.Buffer
		rvRawRecords(t, export.NewConsole(&buf, export.ConsoleColor(false)))
		check(t, buf.String(), 2*len(rvHostile))
	})
	t.Run("standalone spans", func(t *testing.T) {
		var buf bytes.Buffer
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(export.NewConsole(&buf, export.ConsoleColor(false))))
		for _, h := range rvHostile {
			_, s := tp.Tracer(h).Start(t.Context(), h)
			s.SetStatus(codes.Error, h)
			s.AddEvent(h)
			s.End()
		}
		require.NoError(t, tp.Shutdown(t.Context()))
		check(t, buf.String(), len(rvHostile))
	})
	t.Run("through the pipeline", func(t *testing.T) {
		var buf bytes.Buffer
		p := rvSetup(t, export.WithExporter(export.NewConsole(&syncWriter{w: &buf}, export.ConsoleColor(false))),
			export.WithSpanExporter(export.NewConsole(&syncWriter{w: &buf}, export.ConsoleColor(false))))
		lg := p.LoggerProvider().Logger("review")
		for _, h := range rvHostile {
			var r log.Record
			r.SetSeverity(log.SeverityWarn)
			r.SetBody(attribute.StringValue(h))
			r.SetEventName(h)
			r.AddAttributes(attribute.String(h, h), attribute.StringSlice("ss", []string{h, h}))
			lg.Emit(t.Context(), r)
			_, s := p.TracerProvider().Tracer("review").Start(t.Context(), h)
			s.SetStatus(codes.Error, h)
			s.End()
		}
		require.NoError(t, p.Shutdown(t.Context()))
		check(t, buf.String(), 2*len(rvHostile))
	})
}

// TestReviewConsolePairsCannotBeForged: a value holding spaces and '='
// cannot show up as a pair of its own, whatever its type (a string, a
// list, a map), nor as a forged operation context.
func TestReviewConsolePairsCannotBeForged(t *testing.T) {
	const forged = "oplog.connection.id=evil"
	values := []attribute.KeyValue{
		attribute.String("s", "x "+forged),
		attribute.StringSlice("ss", []string{"x", "y " + forged}),
		attribute.Map("m", attribute.String("k", "y "+forged)),
		attribute.Slice("sl", attribute.StringValue("y "+forged)),
		attribute.Map("m2", attribute.String("k "+forged, "v")),
		attribute.String("k "+forged, "v"),
		attribute.String("nbsp", "x\u00a0"+forged),
		attribute.String("ideographic", "x\u3000"+forged),
		attribute.StringSlice("ss-nbsp", []string{"x", "y\u00a0" + forged}),
		attribute.Map("m-em", attribute.String("k", "y\u2003"+forged)),
	}
	for _, kv := range values {
		t.Run(string(kv.Key), func(t *testing.T) {
			var buf bytes.Buffer
			p := rvSetup(t, export.WithExporter(export.NewConsole(&buf, export.ConsoleColor(false))))
			var r log.Record
			r.SetSeverity(log.SeverityInfo)
			r.SetBody(attribute.StringValue("body"))
			r.AddAttributes(kv)
			p.LoggerProvider().Logger("review").Emit(t.Context(), r)
			require.NoError(t, p.Shutdown(t.Context()))
			for _, tok := range rvTokens(buf.String()) {
				assert.False(t, strings.HasPrefix(tok, "oplog.connection.id="), "%q in %s", tok, buf.String())
			}
		})
	}
}

// rvTokens splits a console line as a logfmt reader does: on spaces
// (any Unicode space) outside double quotes, a backslash escaping the
// next byte inside them.
func rvTokens(line string) []string {
	var out []string
	var cur strings.Builder
	quoted, escaped := false, false
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
		case quoted && r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case !quoted && unicode.IsSpace(r):
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

// TestReviewJSONHostileStrings: the JSON exporter writes one valid JSON
// line per export, valid UTF-8, whatever the records hold, even records
// that no pipeline sanitized.
func TestReviewJSONHostileStrings(t *testing.T) {
	var buf bytes.Buffer
	rvRawRecords(t, export.NewJSON(&buf))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	assert.Len(t, lines, 2*len(rvHostile))
	for _, l := range lines {
		assert.True(t, json.Valid([]byte(l)), "%q", l)
		assert.True(t, utf8.ValidString(l), "%q", l)
		assert.Empty(t, rvSafeLine(l), "%q", l)
	}
	assert.Equal(t, []byte(`{"resourceLogs":[]}`), export.AppendOTLPJSON(nil, nil))
	var zero []byte
	require.NotPanics(t, func() { zero = export.AppendOTLPJSON(nil, make([]sdklog.Record, 2)) })
	assert.True(t, json.Valid(zero), "%s", zero)
	var zc bytes.Buffer
	require.NotPanics(t, func() { _ = export.NewConsole(&zc).Export(t.Context(), make([]sdklog.Record, 2)) })
	assert.Equal(t, 2, strings.Count(zc.String(), "\n"))
}

// TestReviewMemory: the Memory exporter survives what a test may pass it
// and hands out copies.
func TestReviewMemory(t *testing.T) {
	var zero export.Memory // the zero value, not from NewMemory
	p := rvSetup(t, export.WithExporter(&zero), export.WithSpanExporter(&zero))
	rvEmit(t.Context(), p, 3)
	_, s := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
	s.End()
	require.NoError(t, p.ForceFlush(t.Context()))
	assert.NotPanics(t, func() { assert.Len(t, zero.Where(nil), 3) })
	recs := zero.Records()
	require.Len(t, recs, 3)
	recs[0].SetBody(attribute.StringValue("changed"))
	recs[0].AddAttributes(attribute.String("added", "x"))
	assert.NotEqual(t, "changed", zero.Records()[0].Body().AsString())
	assert.Empty(t, zero.WithAttribute(attribute.String("added", "x")))
	assert.Empty(t, zero.WithAttribute(attribute.KeyValue{}))
	spans := zero.Spans()
	require.Len(t, spans, 1)
	spans[0] = nil
	assert.NotNil(t, zero.Spans()[0])
	zero.Reset()
	assert.Empty(t, zero.Records())
	assert.Empty(t, zero.Spans())
	_, ok := export.Attribute(&recs[1], "")
	assert.False(t, ok)
	assert.NotPanics(t, func() { _, ok = export.Attribute(nil, "k") })
	assert.False(t, ok)
}

// TestReviewTinyLimits: the smallest limits and bounds still give valid,
// accounted output.
func TestReviewTinyLimits(t *testing.T) {
	tests := map[string][]export.Option{
		"all limits 1":    {export.WithLimits(logrecord.Limits{MaxStringLen: 1, MaxKeyLen: 1, MaxItems: 1, MaxDepth: 1, MaxAttributes: 1})},
		"no limits":       {export.WithLimits(logrecord.Limits{MaxStringLen: -1, MaxKeyLen: -1, MaxItems: -1, MaxDepth: -1, MaxAttributes: -1})},
		"batch bytes 1":   {export.WithBatchBytes(1)},
		"queue bytes 1":   {export.WithQueueBytes(1)},
		"sizes 1":         {export.WithQueueSize(1), export.WithBatchSize(1)},
		"batch bytes 100": {export.WithBatchBytes(100)},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			mem := export.NewMemory()
			var buf bytes.Buffer
			p := rvSetup(t, append([]export.Option{export.WithExporter(mem), export.WithSpanExporter(mem),
				export.WithJSON(&syncWriter{w: &buf})}, opts...)...)
			lg := p.LoggerProvider().Logger("review")
			for _, h := range rvHostile {
				var r log.Record
				r.SetSeverity(log.SeverityInfo)
				r.SetBody(attribute.MapValue(attribute.String("é"+h, "日本"+h), attribute.Slice("s", attribute.MapValue(attribute.String("k", h)))))
				r.AddAttributes(attribute.String("日本", h), attribute.String("k2", h))
				lg.Emit(t.Context(), r)
				_, s := p.TracerProvider().Tracer("review").Start(t.Context(), h, trace0(h))
				s.End()
			}
			require.NoError(t, p.ForceFlush(t.Context()))
			_ = p.Shutdown(t.Context())
			rvAddsUp(t, p.Stats(), true)
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if l != "" {
					assert.True(t, json.Valid([]byte(l)), "%q", l)
				}
			}
			for _, s := range mem.Spans() {
				for _, str := range rvStrings(s) {
					assert.True(t, utf8.ValidString(str), "%q", str)
				}
			}
		})
	}
}

func trace0(h string) trace.SpanStartOption {
	return trace.WithAttributes(attribute.String(h, h), attribute.StringSlice("ss", []string{h, h}))
}

// TestReviewNilArguments: nil options, a nil location and a nil writer
// given to the constructors neither panic in the caller nor in an
// exporter's goroutine.
func TestReviewNilArguments(t *testing.T) {
	t.Run("nil Option to Setup", func(t *testing.T) {
		mem := export.NewMemory()
		var p *export.Pipeline
		require.NotPanics(t, func() {
			var err error
			p, err = export.Setup(t.Context(), nil, export.WithoutGlobal(), nil, export.WithExporter(mem))
			require.NoError(t, err)
		})
		rvEmit(t.Context(), p, 1)
		require.NoError(t, p.Shutdown(t.Context()))
		assert.Len(t, mem.Records(), 1)
	})
	t.Run("nil ConsoleOption and location", func(t *testing.T) {
		var buf bytes.Buffer
		var con *export.Console
		require.NotPanics(t, func() { con = export.NewConsole(&buf, nil, export.ConsoleTime("15:04", nil)) })
		p := rvSetup(t, export.WithExporter(con))
		rvEmit(t.Context(), p, 2)
		require.NoError(t, p.Shutdown(t.Context()))
		assert.Equal(t, uint64(2), p.Stats().Exporters[0].Delivered)
		assert.Equal(t, 2, strings.Count(buf.String(), "\n"))
	})
	t.Run("nil writer, standalone", func(t *testing.T) {
		for _, exp := range []sdklog.Exporter{export.NewConsole(nil), export.NewJSON(nil)} {
			lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
			require.NotPanics(t, func() {
				var r log.Record
				r.SetBody(attribute.StringValue("x"))
				lp.Logger("raw").Emit(t.Context(), r)
			})
			require.NoError(t, lp.Shutdown(t.Context()))
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(export.NewConsole(nil)))
		require.NotPanics(t, func() {
			_, s := tp.Tracer("raw").Start(t.Context(), "op")
			s.End()
		})
		require.NoError(t, tp.Shutdown(t.Context()))
	})
}

// TestReviewJSONTimestampsOutOfRange: a time that Unix nanoseconds cannot
// hold is written clamped, never wrapped around to another date.
func TestReviewJSONTimestampsOutOfRange(t *testing.T) {
	tests := map[string]struct {
		ts   time.Time
		want string
	}{
		"year 3000":  {time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), "9223372036854775807"},
		"year 2263":  {time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC), "9223372036854775807"},
		"year 1000":  {time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), "0"},
		"year 1677":  {time.Date(1677, 1, 1, 0, 0, 0, 0, time.UTC), "0"},
		"year 2026":  {time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "1767225600000000000"},
		"last ns ok": {time.Unix(0, math.MaxInt64), "9223372036854775807"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			p := rvSetup(t, export.WithJSON(&syncWriter{w: &buf}))
			var r log.Record
			r.SetTimestamp(tt.ts)
			r.SetObservedTimestamp(tt.ts)
			r.SetSeverity(log.SeverityInfo)
			p.LoggerProvider().Logger("review").Emit(t.Context(), r)
			require.NoError(t, p.Shutdown(t.Context()))
			assert.Contains(t, buf.String(), `"timeUnixNano":"`+tt.want+`"`)
			assert.Contains(t, buf.String(), `"observedTimeUnixNano":"`+tt.want+`"`)
		})
	}
}

type rvPanicWriter struct{}

func (rvPanicWriter) Write([]byte) (int, error) { panic("writer boom") }

// TestReviewWriterPanics: a writer that panics fails the export of a
// standalone Console or JSON with a *PanicError; the log call that ran
// it, behind the SDK's simple processor, goes on.
func TestReviewWriterPanics(t *testing.T) {
	for _, exp := range []sdklog.Exporter{export.NewConsole(rvPanicWriter{}), export.NewJSON(rvPanicWriter{})} {
		var r log.Record
		r.SetBody(attribute.StringValue("x"))
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
		require.NotPanics(t, func() { lp.Logger("raw").Emit(t.Context(), r) })
		require.NoError(t, lp.Shutdown(t.Context()))
		var pe *export.PanicError
		var recs []sdklog.Record
		mem := export.NewMemory()
		p := rvSetup(t, export.WithExporter(mem))
		p.LoggerProvider().Logger("x").Emit(t.Context(), r)
		require.NoError(t, p.ForceFlush(t.Context()))
		recs = mem.Records()
		require.Len(t, recs, 1)
		require.ErrorAs(t, exp.Export(t.Context(), recs), &pe)
	}
}
