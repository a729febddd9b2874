package reliability_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// syncBuffer is a writer the exporters and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

type stringer struct{ s string }

func (p *stringer) String() string { return p.s } // panics on a nil pointer

type myErr struct{ msg string }

func (e *myErr) Error() string { return e.msg } // panics on a nil pointer

type panicString struct{}

func (panicString) String() string { panic("boom in String") }

type panicError struct{}

func (panicError) Error() string { panic("boom in Error") }

type panicLogValue struct{}

func (panicLogValue) LogValue() slog.Value { panic("boom in LogValue") }

type panicJSON struct{}

func (panicJSON) MarshalJSON() ([]byte, error) { panic("boom in MarshalJSON") }

type selfLogValuer struct{}

func (s selfLogValuer) LogValue() slog.Value { return slog.AnyValue(s) }

type node struct {
	Name string
	Next *node
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.Bytes()
}

func deepMap(n int) any {
	var v any = "bottom"
	for range n {
		v = map[string]any{"d": v}
	}
	return v
}

func deepAttr(n int) attribute.Value {
	v := attribute.StringValue("bottom")
	for range n {
		v = attribute.MapValue(attribute.KeyValue{Key: "d", Value: v})
	}
	return v
}

func hasAttrContaining(lr plog.LogRecord, sub string) bool {
	found := false
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		if strings.Contains(k, sub) || strings.Contains(v.AsString(), sub) {
			found = true
		}
		return !found
	})
	return found || strings.Contains(lr.Body().AsString(), sub)
}

// badCase is one hostile input. value goes through every route as the
// attribute "v" (logrecord.Value, operation messages, slog through the
// bridge); raw, when set, shapes a raw OTel record instead.
type badCase struct {
	name  string
	msg   string
	value any
	raw   func(r *log.Record)
	check func(t *testing.T, lr plog.LogRecord)
}

func badCases() []badCase {
	self := map[string]any{"k": 1}
	self["self"] = self
	loop := &node{Name: "loop"}
	loop.Next = loop
	selfSlice := []any{1}
	selfSlice[0] = selfSlice
	var nilStringer *stringer
	var nilErr *myErr
	var typedNil error = nilErr
	huge := strings.Repeat("x", 10<<20)
	many := make([]attribute.KeyValue, 10000)
	for i := range many {
		many[i] = attribute.Int("a"+strconv.Itoa(i), i)
	}
	cut := strings.Repeat("a", logrecord.DefaultMaxStringLen-1) + "é" // the limit falls inside é
	vAttr := func(sub string) func(t *testing.T, lr plog.LogRecord) {
		return func(t *testing.T, lr plog.LogRecord) {
			assert.True(t, hasAttrContaining(lr, sub), "want %q in %v", sub, lr.Attributes().AsRaw())
		}
	}
	return []badCase{
		{name: "invalid UTF-8 body", msg: "bad body \xff\xfe end", check: func(t *testing.T, lr plog.LogRecord) {
			assert.Equal(t, "bad body \uFFFD end", lr.Body().Str())
		}},
		{name: "invalid UTF-8 attribute value", value: "bad\xc3value", check: vAttr("bad\uFFFDvalue")},
		{name: "invalid UTF-8 attribute key", raw: func(r *log.Record) { r.AddAttributes(attribute.String("bad\xc3key", "v")) }, check: vAttr("bad\uFFFDkey")},
		{name: "invalid UTF-8 nested map key", value: map[string]any{"outer": map[string]any{"in\xffner": 1}}, check: vAttr("in\uFFFDner")},
		{name: "truncation inside a multibyte rune", value: cut, check: func(t *testing.T, lr plog.LogRecord) {
			v, ok := lr.Attributes().Get("v")
			require.True(t, ok)
			assert.True(t, utf8.ValidString(v.Str()))
			assert.Contains(t, v.Str(), "truncated")
			assert.LessOrEqual(t, len(v.Str()), logrecord.DefaultMaxStringLen+64)
		}},
		{name: "gzip HTTP body as a string", msg: string(gzipped("{\"contacts\":[]}")), check: func(t *testing.T, lr plog.LogRecord) {
			assert.True(t, utf8.ValidString(lr.Body().Str()))
			assert.Contains(t, lr.Body().Str(), "\uFFFD")
		}},
		{name: "gzip HTTP body as bytes", value: gzipped("{\"contacts\":[]}")},
		{name: "NaN", value: math.NaN(), check: func(t *testing.T, lr plog.LogRecord) {
			v, _ := lr.Attributes().Get("v")
			assert.True(t, math.IsNaN(v.Double()))
		}},
		{name: "+Inf", value: math.Inf(1)},
		{name: "-Inf", value: math.Inf(-1)},
		{name: "nil-pointer Stringer", value: nilStringer},
		{name: "typed-nil error", value: typedNil},
		{name: "panicking String", value: panicString{}, check: vAttr(logrecord.MarkerPanic)},
		{name: "panicking Error", value: panicError{}, check: vAttr(logrecord.MarkerPanic)},
		{name: "panicking LogValue", value: panicLogValue{}},
		{name: "panicking MarshalJSON", value: panicJSON{}, check: vAttr(logrecord.MarkerPanic)},
		{name: "self-returning LogValuer", value: selfLogValuer{}},
		{name: "self-referencing map", value: self, check: vAttr(logrecord.MarkerCycle)},
		{name: "self-referencing struct pointer", value: loop, check: vAttr(logrecord.MarkerCycle)},
		{name: "self-referencing slice", value: selfSlice},
		{name: "10,000-deep nesting", value: deepMap(10000), check: vAttr(logrecord.MarkerDepth)},
		{name: "10,000-deep nesting (raw value)", raw: func(r *log.Record) { r.AddAttributes(attribute.KeyValue{Key: "v", Value: deepAttr(10000)}) }},
		{name: "10 MiB string", value: huge, check: vAttr("truncated")},
		{name: "70 MiB value", value: bytes.Repeat([]byte{0xff}, 70<<20)},
		{name: "10,000 attributes", raw: func(r *log.Record) { r.AddAttributes(many...) }, check: func(t *testing.T, lr plog.LogRecord) {
			assert.LessOrEqual(t, lr.Attributes().Len(), logrecord.DefaultMaxAttributes+8)
		}},
		{name: "duplicate keys", raw: func(r *log.Record) {
			r.AddAttributes(attribute.String("dup", "first"), attribute.String("dup", "last"))
		}, check: func(t *testing.T, lr plog.LogRecord) {
			v, _ := lr.Attributes().Get("dup")
			assert.Equal(t, "last", v.Str())
		}},
		{name: "empty key", raw: func(r *log.Record) { r.AddAttributes(attribute.String("", "empty key")) }},
		{name: "empty body", msg: "", raw: func(r *log.Record) { r.SetBody(attribute.Value{}) }},
		{name: "math.MaxUint64", value: uint64(math.MaxUint64)},
		{name: "zero timestamp", raw: func(r *log.Record) { r.SetTimestamp(time.Time{}) }},
		{name: "pre-1970 timestamp", raw: func(r *log.Record) { r.SetTimestamp(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)) }},
		{name: "far-future timestamp", raw: func(r *log.Record) { r.SetTimestamp(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) }},
		{name: "CR/LF forging a line", msg: "first\r\n12:00:00.000 ERROR  forged line\nthird"},
		{name: "ESC clear screen", msg: "before\x1b[2Jafter"},
		{name: "OSC title", msg: "before\x1b]0;owned\x07after"},
		{name: "NUL", msg: "a\x00b"},
		{name: "U+2028 and U+2029", msg: "a\u2028b\u2029c"},
		{name: "U+202E", msg: "invoice\u202Efdp.exe"},
		{name: "a real U+FFFD", msg: "keep \uFFFD as is", check: func(t *testing.T, lr plog.LogRecord) {
			assert.Equal(t, "keep \uFFFD as is", lr.Body().Str(), "a valid U+FFFD is not coerced")
		}},
	}
}

// TestBadInput sends every hostile input through raw OTel records, an
// operation and the slog bridge to OTLP, JSON and console at once: nothing
// panics, nothing is dropped (the rest of each batch is delivered), each
// value arrives coerced, the JSON output is one object per line and the
// console one line per record.
func TestBadInput(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	var jsonOut, consoleOut syncBuffer
	p, _ := setup(t, otlp(rcv.Endpoint()), export.WithJSON(&jsonOut), export.WithConsole(&consoleOut), export.WithBatchSize(64))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	ctx, op := trk.Start(t.Context(), operation.SyncRun, operation.Refs{Integration: "bad"})
	bctx, bop := trk.Start(t.Context(), operation.ActionRun, operation.Refs{Integration: "bad"})
	slogger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))
	lg := p.LoggerProvider().Logger("reliability")

	cases := badCases()
	sent := map[string]bool{}
	routes := map[string]string{} // key → case name, for the checks
	for i, c := range cases {
		msg := c.msg
		if c.msg == "" && c.raw == nil {
			msg = c.name
		}
		// Raw OTel record.
		r := rawRecord("bad-raw", i, msg)
		if c.value != nil {
			r.AddAttributes(logrecord.KeyValue("v", c.value))
		}
		if c.raw != nil {
			c.raw(&r)
		}
		lg.Emit(t.Context(), r)
		sent["bad-raw/"+strconv.Itoa(i)] = true
		routes["bad-raw/"+strconv.Itoa(i)] = c.name
		if c.raw != nil {
			continue // the shape of a raw record has no operation or slog form
		}
		// Operation message and slog record through the bridge.
		attrs := []attribute.KeyValue{attribute.Int("seq", i)}
		if c.value != nil {
			attrs = append(attrs, logrecord.KeyValue("v", c.value))
		}
		op.Log(ctx, 9, attribute.StringValue(msg), attrs...)
		sent[op.ID()+"/"+strconv.Itoa(i)] = true
		routes[op.ID()+"/"+strconv.Itoa(i)] = c.name
		args := []any{"seq", i}
		if c.value != nil {
			args = append(args, "v", c.value)
		}
		slogger.InfoContext(bctx, msg, args...)
		sent[bop.ID()+"/"+strconv.Itoa(i)] = true
		routes[bop.ID()+"/"+strconv.Itoa(i)] = c.name
	}
	op.Succeed()
	bop.Succeed()
	for _, o := range []*operation.Operation{op, bop} {
		sent[o.ID()+"/oplog.operation.start"], sent[o.ID()+"/oplog.operation.end"] = true, true
	}
	ctxS, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	require.NoError(t, p.Shutdown(ctxS), "nothing dropped")

	e := checkLedger(t, p, "otlp", sent, rcv)
	s := p.Stats()
	for _, x := range s.Exporters {
		assert.Equal(t, s.Emitted, x.Delivered, "%s delivered everything: %+v", x.Name, x)
	}
	byName := map[string]int{}
	for _, lr := range rcv.LogRecords() {
		name, ok := routes[key(lr.Record)]
		if !ok {
			continue
		}
		byName[name]++
		for _, c := range cases {
			if c.name == name && c.check != nil {
				t.Run(name+"/"+key(lr.Record), func(t *testing.T) { c.check(t, lr.Record) })
			}
		}
	}
	for _, c := range cases {
		assert.NotZero(t, byName[c.name], "case %q arrived", c.name)
	}

	// JSON: one ExportLogsServiceRequest per line, all of them readable by
	// the Collector's decoder, as many records as delivered.
	jsonRecords := map[string]plog.LogRecord{}
	sc := bufio.NewScanner(bytes.NewReader(jsonOut.Bytes()))
	sc.Buffer(nil, 256<<20)
	for sc.Scan() {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(sc.Bytes())
		require.NoError(t, err, "line %.200q", sc.Text())
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					jsonRecords[key(lr)] = lr
				}
			}
		}
	}
	require.NoError(t, sc.Err())
	assert.Len(t, jsonRecords, int(s.Emitted))
	// The JSON exporter writes what the OTLP exporter sends.
	for _, lr := range rcv.LogRecords() {
		k := key(lr.Record)
		j, ok := jsonRecords[k]
		if assert.True(t, ok, "%s in the JSON output", k) {
			assert.Equal(t, lr.Record.Timestamp(), j.Timestamp(), "%s (%s): timestamp", k, routes[k])
			assert.Equal(t, lr.Record.Body().AsString(), j.Body().AsString(), "%s (%s): body", k, routes[k])
		}
	}

	// Console: one line per record, no raw control or bidi characters.
	con := consoleOut.Bytes()
	assert.Equal(t, int(s.Emitted), bytes.Count(con, []byte("\n")), "one console line per record: none forged")
	for _, bad := range []string{"\r", "\x1b", "\x00", "\u2028", "\u2029", "\u202e", "\x07"} {
		assert.NotContains(t, string(con), bad, "raw %q in the console output", bad)
	}
	assert.True(t, utf8.Valid(con), "console output is valid UTF-8")
	assert.Contains(t, string(con), "keep \uFFFD as is")
	publish(t, figures{Case: fmt.Sprintf("bad input: %d cases through raw records, operation and slog bridge, to OTLP + JSON + console", len(cases)),
		Stats: e, Emitted: s.Emitted, Note: "JSON and console exporters delivered the same count; no panic"})
}
