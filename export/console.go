package export

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// Console writes records for humans, one line each:
//
//	15:04:05.000 WARN   [sync.run hubspot/conn-42 #1f3a9c2e] contact skipped  email="" reason=invalid
//
// time, severity, the operation context when the record has one (type.action,
// integration/connection, the last 8 characters of the operation id), the
// body, the event name unless it is one of oplog's, then the other
// attributes as key=value (oplog.message.source and .type left out), and
// "…[+N attributes dropped]" when limits cut N attributes. Control characters (CR, LF,
// ESC, other C0 and C1, U+2028/2029, bidi overrides) are escaped, so data in
// a record can neither forge a line nor drive the terminal. The severity is
// coloured only when the writer is a terminal.
//
// Console is an sdk/log Exporter and an sdk/trace SpanExporter (a line per
// ended span). It is safe for concurrent use. A writer that panics fails
// the export with a [*PanicError].
type Console struct {
	mu     sync.Mutex
	w      io.Writer
	color  bool
	layout string
	loc    *time.Location
	buf    []byte
}

var (
	_ sdklog.Exporter       = (*Console)(nil)
	_ sdktrace.SpanExporter = (*Console)(nil)
)

// ConsoleOption configures [NewConsole].
type ConsoleOption func(*Console)

// ConsoleColor forces colour on or off. Default: on only when w is a
// terminal and the NO_COLOR variable is unset.
func ConsoleColor(on bool) ConsoleOption { return func(c *Console) { c.color = on } }

// ConsoleTime sets the time layout and location (a nil loc is local
// time). Default: "15:04:05.000", local time.
func ConsoleTime(layout string, loc *time.Location) ConsoleOption {
	return func(c *Console) {
		if loc == nil {
			loc = time.Local
		}
		c.layout, c.loc = layout, loc
	}
}

// NewConsole returns a console exporter writing to w; nil options are
// ignored. With a nil w, every export fails with [ErrNilWriter].
func NewConsole(w io.Writer, opts ...ConsoleOption) *Console {
	c := &Console{w: w, color: isTerminal(w) && os.Getenv("NO_COLOR") == "", layout: "15:04:05.000", loc: time.Local}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// ErrNilWriter is the error of an export by a [Console] or [JSON] exporter
// built on a nil writer ([WithConsole] and [WithJSON] refuse one).
var ErrNilWriter = errors.New("export: nil io.Writer")

// write writes b to the console's writer.
func (c *Console) write(b []byte) error { return writeTo(c.w, b) }

// writeTo writes b to w, as Console and JSON do: a nil w, or a Write that
// panics, is an error, not a panic in the goroutine of a log call (a
// standalone exporter may run there, behind an SDK's simple processor).
func writeTo(w io.Writer, b []byte) (err error) {
	if isNil(w) {
		return ErrNilWriter
	}
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Method: "Write", Value: panicText(r)}
		}
	}()
	_, err = w.Write(b)
	return safeErr(err)
}

// location is the console's location; local time for a zero Console.
func (c *Console) location() *time.Location {
	if c.loc == nil {
		return time.Local
	}
	return c.loc
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && f.Name() != os.DevNull
}

// Export writes one line per record, all in one Write.
func (c *Console) Export(_ context.Context, records []sdklog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.buf[:0]
	for i := range records {
		b = c.appendRecord(b, &records[i])
	}
	c.buf = b
	if len(b) > 64<<10 {
		c.buf = nil // do not keep a huge buffer alive
	}
	return c.write(b)
}

// ExportSpans writes one line per span.
func (c *Console) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.buf[:0]
	for _, s := range spans {
		b = s.EndTime().In(c.location()).AppendFormat(b, c.layout)
		b = append(b, " SPAN   "...)
		b = appendEscaped(b, s.Name())
		b = append(b, " status="...)
		b = append(b, s.Status().Code.String()...)
		if d := s.Status().Description; d != "" {
			b = append(b, " description="...)
			b = appendValue(b, d)
		}
		b = append(b, " duration="...)
		b = append(b, s.EndTime().Sub(s.StartTime()).String()...)
		b = append(b, " trace_id="...)
		b = append(b, s.SpanContext().TraceID().String()...)
		b = append(b, " span_id="...)
		b = append(b, s.SpanContext().SpanID().String()...)
		b = append(b, '\n')
	}
	c.buf = b
	return c.write(b)
}

// Shutdown does nothing: the writer belongs to the caller.
func (c *Console) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing: every Export writes at once.
func (c *Console) ForceFlush(context.Context) error { return nil }

var sevColor = map[severity.Severity]string{
	severity.Trace: "\x1b[90m", severity.Debug: "\x1b[36m", severity.Info: "\x1b[32m",
	severity.Warn: "\x1b[33m", severity.Error: "\x1b[31m", severity.Fatal: "\x1b[1;35m",
}

// hiddenKey reports the attributes the console does not repeat: those shown
// in brackets, and the message source and type, which the line's shape
// already tells a reader.
func hiddenKey(k attribute.Key) bool {
	switch k {
	case logrecord.KeyOperationID, logrecord.KeyOperationType, logrecord.KeyOperationAction,
		logrecord.KeyIntegrationID, logrecord.KeyConnectionID,
		logrecord.KeyMessageSource, logrecord.KeyMessageType:
		return true
	}
	return false
}

// appendAttrValue writes a value straight into the line: numbers and
// booleans by type, strings as they are (quoted when needed), a one-element
// string list as its element (as header values are), lists and maps as
// JSON, anything else as attribute.Value.String renders it.
func appendAttrValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		return strconv.AppendBool(b, v.AsBool())
	case attribute.INT64:
		return strconv.AppendInt(b, v.AsInt64(), 10)
	case attribute.FLOAT64:
		f := v.AsFloat64()
		switch {
		case math.IsNaN(f):
			return append(b, "NaN"...)
		case math.IsInf(f, 1):
			return append(b, "Infinity"...)
		case math.IsInf(f, -1):
			return append(b, "-Infinity"...)
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	case attribute.STRING:
		return appendValue(b, v.AsString())
	case attribute.STRINGSLICE:
		if ss := v.AsStringSlice(); len(ss) == 1 {
			return appendValue(b, ss[0])
		}
		return appendJSON(b, v.String())
	case attribute.SLICE, attribute.MAP, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.BOOLSLICE:
		return appendJSON(b, v.String())
	}
	return appendValue(b, v.String())
}

func (c *Console) appendRecord(b []byte, r *sdklog.Record) []byte {
	ts := r.Timestamp()
	if ts.IsZero() {
		ts = r.ObservedTimestamp()
	}
	b = ts.In(c.location()).AppendFormat(b, c.layout)
	b = append(b, ' ')

	sev := severity.FromOTel(r.Severity())
	name := sev.String()
	if !sev.Valid() {
		name = r.SeverityText()
		if name == "" {
			name = "-"
		}
	}
	if c.color {
		b = append(b, sevColor[sev.Category()]...)
	}
	b = appendEscaped(b, name)
	if c.color {
		b = append(b, "\x1b[0m"...)
	}
	for n := utf8.RuneCountInString(name); n < 6; n++ {
		b = append(b, ' ')
	}

	var opID, typ, action, integ, conn string
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		switch kv.Key {
		case logrecord.KeyOperationID:
			opID = kv.Value.String()
		case logrecord.KeyOperationType:
			typ = kv.Value.String()
		case logrecord.KeyOperationAction:
			action = kv.Value.String()
		case logrecord.KeyIntegrationID:
			integ = kv.Value.String()
		case logrecord.KeyConnectionID:
			conn = kv.Value.String()
		}
		return true
	})
	if opID != "" || typ != "" {
		b = append(b, " ["...)
		b = appendEscaped(b, typ)
		if action != "" {
			b = append(b, '.')
			b = appendEscaped(b, action)
		}
		if integ != "" || conn != "" {
			b = append(b, ' ')
			b = appendEscaped(b, integ)
			if conn != "" {
				b = append(b, '/')
				b = appendEscaped(b, conn)
			}
		}
		if opID != "" {
			b = append(b, " #"...)
			b = appendEscaped(b, opID[max(0, len(opID)-8):])
		}
		b = append(b, ']')
	}

	body := r.Body()
	if body.Type() != attribute.EMPTY {
		b = append(b, ' ')
		b = appendEscaped(b, body.String())
	}
	sep := "  "
	// oplog's own events are told by their body; others are shown.
	if e := r.EventName(); e != "" && !strings.HasPrefix(e, "oplog.") {
		b = append(b, "  event="...)
		b = appendValue(b, e)
		sep = " "
	}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		if hiddenKey(kv.Key) {
			return true
		}
		b = append(b, sep...)
		sep = " "
		b = appendKey(b, string(kv.Key))
		b = append(b, '=')
		b = appendAttrValue(b, kv.Value)
		return true
	})
	if d := r.DroppedAttributes(); d > 0 {
		// Spaces make it one token no key=value pair can forge: a key
		// or value holding spaces is quoted.
		b = append(b, sep...)
		b = append(b, "…[+"...)
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, " attributes dropped]"...)
	}
	return append(b, '\n')
}

// appendJSON writes a list or map rendered as JSON, which brackets and
// quotes its own parts: as it is, control characters escaped, unless it
// holds a space, which would let a string inside it read as a key=value
// pair of the line: then it is quoted whole.
func appendJSON(b []byte, s string) []byte {
	if strings.IndexFunc(s, isSpace) >= 0 {
		return appendQuoted(b, s)
	}
	return appendEscaped(b, s)
}

// isSpace: ASCII blanks and controls, and the Unicode spaces a reader may
// split a line on.
func isSpace(r rune) bool { return r <= ' ' || unicode.IsSpace(r) }

// appendKey writes a key, quoted when it would not read back as one.
func appendKey(b []byte, k string) []byte {
	if k == "" || needsQuote(k) {
		return appendQuoted(b, k)
	}
	return append(b, k...)
}

// appendValue writes a value, quoted when empty or when it holds spaces,
// quotes, '=' or characters that must be escaped.
func appendValue(b []byte, s string) []byte {
	if s == "" || needsQuote(s) {
		return appendQuoted(b, s)
	}
	return append(b, s...)
}

// quoteASCII marks the ASCII bytes that make a value need quotes.
var quoteASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f
	}
	return t
}()

func needsQuote(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if quoteASCII[c] {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if mustEscape(r) || r == utf8.RuneError && size == 1 || unicode.IsSpace(r) {
			return true
		}
		i += size
	}
	return false
}

func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscapedQ(b, s, true)
	return append(b, '"')
}

// appendEscaped writes s with control characters escaped.
func appendEscaped(b []byte, s string) []byte { return appendEscapedQ(b, s, false) }

// appendEscapedQ copies runs of safe bytes at once and escapes the rest;
// inside quotes, '"' and '\\' are escaped too. Invalid UTF-8 becomes \ufffd.
func appendEscapedQ(b []byte, s string, quoted bool) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f && !(quoted && (c == '"' || c == '\\')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			if c == '"' || c == '\\' {
				b = append(b, '\\', c)
			} else {
				b = appendRune(b, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case mustEscape(r):
			b = append(b, s[start:i]...)
			b = appendRune(b, r)
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

func appendRune(b []byte, r rune) []byte {
	if !mustEscape(r) {
		return utf8.AppendRune(b, r)
	}
	switch r {
	case '\n':
		return append(b, `\n`...)
	case '\r':
		return append(b, `\r`...)
	case '\t':
		return append(b, `\t`...)
	}
	b = append(b, `\u`...)
	h := strconv.FormatInt(int64(r), 16)
	for i := len(h); i < 4; i++ {
		b = append(b, '0')
	}
	return append(b, h...)
}

// mustEscape: C0 and C1 controls, DEL, the line and paragraph separators,
// and the bidirectional controls that can make text read in another order.
func mustEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
