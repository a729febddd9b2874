package bridge

import (
	"context"
	"log/slog"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// Options configure a [Handler]. A nil *Options means the defaults, as for
// slog.NewJSONHandler.
type Options struct {
	// LoggerProvider receives the records of calls made outside any
	// operation. Nil means the otel global provider at the time of each
	// record. Records inside an operation go where the operation's go.
	LoggerProvider log.LoggerProvider

	// Level is the minimum level handled. Nil means every level.
	Level slog.Leveler

	// AddSource adds code.file.path, code.function.name and code.line.number.
	AddSource bool

	// ReplaceAttr rewrites or drops (by returning an empty Attr) each
	// attribute before it is converted, as in slog.HandlerOptions. It sees
	// the record's and the handler's attributes, not time, level or message,
	// which become the record's own fields.
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr
}

// Handler is an slog.Handler that turns slog records into OpenTelemetry
// log records: inside the operation the context carries, as messages of
// that operation; outside, as standalone records correlated to any span in
// the context. It is safe for concurrent use. A nil *Handler handles
// nothing; a zero Handler (not made by [NewHandler]) behaves as
// NewHandler(nil).
type Handler struct {
	opts   Options
	cached *cachedLogger // the logger for standalone records
	// frames are the groups opened by WithGroup, outermost first; frames[0]
	// is the root (no name). Each holds the attributes WithAttrs added
	// while it was the innermost group, converted once with the default
	// redaction rules, and as given, for an operation whose tracker has
	// other rules.
	frames []frame
}

type frame struct {
	name  string
	attrs []attribute.KeyValue
	raw   []slog.Attr
	// grouped: attrs hold a map the bridge built for a group attribute,
	// whose keys and size logrecord did not bound.
	grouped bool
	// redacted: attrs hold a value the redaction rules applied to (an
	// error, an Any or LogValuer value, a group).
	redacted bool
}

var _ slog.Handler = (*Handler)(nil)

// rootFrames are the frames of a zero Handler.
var rootFrames = []frame{{}}

// zeroCache is the logger cache of zero Handlers.
var zeroCache cachedLogger

// NewHandler returns a handler with opts (nil for the defaults).
func NewHandler(opts *Options) *Handler {
	h := &Handler{frames: []frame{{}}, cached: &cachedLogger{}}
	if opts != nil {
		h.opts = *opts
	}
	return h
}

func (h *Handler) frameList() []frame {
	if len(h.frames) == 0 {
		return rootFrames
	}
	return h.frames
}

// Enabled reports whether level is at or above the handler's level. It is
// one comparison: no lock, no SDK call. (A Leveler that changes, such as a
// slog.LevelVar, is read at every call; one that panics enables every
// level, so nothing is lost silently.)
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	if h == nil {
		return false
	}
	if h.opts.Level != nil {
		return h.enabledBy(level)
	}
	return true
}

func (h *Handler) enabledBy(level slog.Level) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = true
		}
	}()
	return level >= h.opts.Level.Level()
}

// WithAttrs returns a handler whose records carry attrs, converted now.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if h == nil || len(attrs) == 0 {
		return h
	}
	h2 := h.clone()
	last := &h2.frames[len(h2.frames)-1]
	c := converter{h: h2, red: logrecord.DefaultRedactor(), grouped: last.grouped, redacted: last.redacted}
	last.attrs = c.appendAttrs(append([]attribute.KeyValue(nil), last.attrs...), attrs, h2.groupNames())
	last.raw = append(append([]slog.Attr(nil), last.raw...), attrs...)
	last.grouped, last.redacted = c.grouped, c.redacted
	return h2
}

// WithGroup returns a handler whose later attributes go in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if h == nil || name == "" {
		return h
	}
	h2 := h.clone()
	h2.frames = append(h2.frames, frame{name: name})
	return h2
}

func (h *Handler) clone() *Handler {
	h2 := *h
	h2.frames = append([]frame(nil), h.frameList()...)
	return &h2
}

func (h *Handler) groupNames() []string {
	frames := h.frameList()
	if len(frames) == 1 {
		return nil
	}
	return groupNamesOf(frames[1:])
}

// Handle emits r. Inside an operation, error texts and values are redacted
// by the operation tracker's rules, else by [logrecord.DefaultRedactor];
// the record is assembled by the same core as the operation's own
// messages: its id, references, source, type and late mark come first and
// win, and an attribute named "oplog" or "oplog.…" (a group named "oplog"
// included) is renamed "user.oplog…". A panic (in ReplaceAttr, a context,
// a provider) never reaches the caller: a "PANIC=Handle method: …" record
// is emitted instead. It always returns nil.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if h == nil {
		return nil
	}
	sev := severity.FromSlog(r.Level)
	t := fastpath.Target{Method: "Handle"}
	defer t.Guard()
	if op := operation.FromContext(ctx); op != nil {
		var ok bool
		if t, ok = fastpath.OperationTarget(op, ctx, sev.OTel()); !ok {
			return nil
		}
	} else {
		t.Logger, t.Ctx, t.Redactor = h.logger(), ctx, logrecord.DefaultRedactor()
	}
	rec := fastpath.Record{
		Timestamp:    r.Time,
		Severity:     sev.OTel(),
		SeverityText: sev.String(),
		Body:         attribute.StringValue(r.Message),
	}
	if rec.Timestamp.IsZero() && t.OpCtx != nil {
		rec.Timestamp = time.Now() // as Operation.Emit does
	}
	frames := h.frameList()
	if t.Redactor != logrecord.DefaultRedactor() {
		frames = h.reconvert(frames, t.Redactor)
	}

	// Root attributes go on the record; a group's attributes, the record's
	// included, nest in maps from the innermost group outwards.
	var buf [24]attribute.KeyValue
	all := append(buf[:0], frames[0].attrs...)
	c := converter{h: h, red: t.Redactor, grouped: frames[0].grouped}
	inner := len(frames) - 1
	var tail []attribute.KeyValue
	if r.NumAttrs() > 0 {
		var tbuf [16]attribute.KeyValue
		tail = tbuf[:0]
		if inner > 0 {
			tail = append(tail, frames[inner].attrs...)
		}
		groups := h.groupNames()
		r.Attrs(func(a slog.Attr) bool {
			tail = c.appendAttr(tail, a, groups)
			return true
		})
	} else if inner > 0 {
		tail = frames[inner].attrs
	}
	if inner > 0 {
		c.grouped = true
		for i := inner; i >= 1; i-- {
			if len(tail) > 0 {
				tail = []attribute.KeyValue{attribute.Map(frames[i].name, tail...)}
			}
			if i > 1 && len(frames[i-1].attrs) > 0 {
				tail = append(append([]attribute.KeyValue(nil), frames[i-1].attrs...), tail...)
			}
		}
	}
	all = append(all, tail...)
	if h.opts.AddSource && r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		all = append(all,
			attribute.String(logrecord.KeyCodeFilePath, f.File),
			attribute.String(logrecord.KeyCodeFunctionName, f.Function),
			attribute.Int(logrecord.KeyCodeLineNumber, f.Line),
		)
	}
	// Every slice and map value came from logrecord, within the default
	// limits, unless the bridge built a group's map itself: then the
	// pipeline checks the record whole.
	rec.Clean = !c.grouped
	t.Emit(&rec, sourceUser, typeLog, nil, nil, all)
	return nil
}

// reconvert returns frames with the attributes the redaction rules apply
// to converted again with red: the slow path, for an operation whose
// tracker has its own rules.
func (h *Handler) reconvert(frames []frame, red *logrecord.Redactor) []frame {
	var out []frame
	for i, f := range frames {
		if !f.redacted {
			continue
		}
		if out == nil {
			out = append([]frame(nil), frames...)
		}
		c := converter{h: h, red: red}
		out[i].attrs = c.appendAttrs(nil, f.raw, groupNamesOf(frames[1:i+1]))
		out[i].grouped = c.grouped
	}
	if out == nil {
		return frames
	}
	return out
}

func groupNamesOf(frames []frame) []string {
	names := make([]string, 0, len(frames))
	for _, f := range frames {
		names = append(names, f.name)
	}
	return names
}

var (
	sourceUser = attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser)
	typeLog    = attribute.String(logrecord.KeyMessageType, logrecord.TypeLog)
)

// cachedLogger keeps the logger of the provider last seen: asking an SDK
// provider for a logger takes its lock, so it is done once per provider,
// not once per record.
type cachedLogger struct {
	p atomic.Pointer[providerLogger]
}

type providerLogger struct {
	lp     log.LoggerProvider
	logger *fastpath.Logger
}

func (h *Handler) logger() *fastpath.Logger {
	lp := h.opts.LoggerProvider
	if lp == nil {
		lp = otel.GetLoggerProvider()
	}
	cache := h.cached
	if cache == nil {
		cache = &zeroCache
	}
	comparable := reflect.TypeOf(lp).Comparable() // a provider of a non-comparable type is not cached
	if c := cache.p.Load(); comparable && c != nil && c.lp == lp {
		return c.logger
	}
	l := fastpath.NewLogger(lp, operation.ScopeName, "")
	cache.p.Store(&providerLogger{lp: lp, logger: l})
	return l
}

// converter converts slog attributes with one set of redaction rules.
type converter struct {
	h   *Handler
	red *logrecord.Redactor
	// grouped is set when a map was built for a group; redacted when a
	// value the rules apply to was converted.
	grouped, redacted bool
	// depth is the nesting of the group being converted: a LogValuer may
	// resolve to a group that holds itself, without end.
	depth int
}

// appendAttrs converts attrs under groups and appends them to dst.
func (c *converter) appendAttrs(dst []attribute.KeyValue, attrs []slog.Attr, groups []string) []attribute.KeyValue {
	for _, a := range attrs {
		dst = c.appendAttr(dst, a, groups)
	}
	return dst
}

// replace applies Options.ReplaceAttr; a panic in it gives the attribute a
// "PANIC=ReplaceAttr method: …" value.
func (c *converter) replace(groups []string, a slog.Attr) (out slog.Attr) {
	defer func() {
		if p := recover(); p != nil {
			out = slog.String(a.Key, logrecord.Limits{}.String(c.red.Text(fastpath.PanicText("ReplaceAttr", p))))
		}
	}()
	return c.h.opts.ReplaceAttr(groups, a)
}

// appendAttr converts one slog attribute as the slog.Handler contract asks:
// empty attributes vanish, groups become maps (empty ones vanish), a group
// with an empty key is inlined, LogValuers are resolved. An error value
// keeps its key and text and adds the exception.* attributes; its texts
// are redacted before they are cut.
func (c *converter) appendAttr(dst []attribute.KeyValue, a slog.Attr, groups []string) []attribute.KeyValue {
	a.Value = a.Value.Resolve()
	if c.h.opts.ReplaceAttr != nil && a.Value.Kind() != slog.KindGroup {
		a = c.replace(groups, a)
		a.Value = a.Value.Resolve()
	}
	if a.Equal(slog.Attr{}) {
		return dst
	}
	if a.Value.Kind() == slog.KindGroup {
		members := a.Value.Group()
		if len(members) == 0 {
			return dst
		}
		if c.depth >= logrecord.DefaultMaxDepth {
			return append(dst, attribute.String(a.Key, logrecord.MarkerDepth))
		}
		c.depth++
		defer func() { c.depth-- }()
		if a.Key == "" {
			return c.appendAttrs(dst, members, groups)
		}
		inner := c.appendAttrs(nil, members, append(groups, a.Key))
		if len(inner) == 0 {
			return dst
		}
		c.grouped = true
		return append(dst, attribute.Map(a.Key, inner...))
	}
	if a.Value.Kind() == slog.KindLogValuer {
		c.grouped = true // Value builds group maps itself (a LogValuer may resolve to a group)
	}
	if a.Value.Kind() != slog.KindAny {
		return append(dst, attribute.KeyValue{Key: attribute.Key(a.Key), Value: Value(a.Value)})
	}
	c.redacted = true
	if err, ok := a.Value.Any().(error); ok && err != nil {
		// The error keeps its key, with the redacted text of exception.message.
		n := len(dst)
		dst = append(dst, attribute.KeyValue{Key: attribute.Key(a.Key)})
		dst = fastpath.AppendException(dst, err, c.red, false)
		dst[n].Value = dst[n+2].Value
		return dst
	}
	return append(dst, attribute.KeyValue{Key: attribute.Key(a.Key), Value: c.red.Value(a.Value.Any())})
}

// Value converts an slog value: strings, numbers and booleans as they are
// (uint64 above MaxInt64 as an exact decimal string), durations and times
// as logrecord.Value writes them, groups as maps, and Any values through
// logrecord.Value (structs and maps become maps, slices arrays, errors
// their text), never through fmt.
func Value(v slog.Value) attribute.Value {
	return value(v, 0)
}

// value is Value at group nesting d: deeper than the default depth limit,
// a group reads [logrecord.MarkerDepth] (a LogValuer may resolve to a group
// that holds itself, without end).
func value(v slog.Value, d int) attribute.Value {
	switch v.Kind() {
	case slog.KindString:
		return attribute.StringValue(v.String())
	case slog.KindInt64:
		return attribute.Int64Value(v.Int64())
	case slog.KindUint64:
		if u := v.Uint64(); u > math.MaxInt64 {
			return attribute.StringValue(strconv.FormatUint(u, 10))
		}
		return attribute.Int64Value(int64(v.Uint64()))
	case slog.KindFloat64:
		return attribute.Float64Value(v.Float64())
	case slog.KindBool:
		return attribute.BoolValue(v.Bool())
	case slog.KindDuration:
		return attribute.StringValue(v.Duration().String())
	case slog.KindTime:
		return attribute.StringValue(v.Time().Format(time.RFC3339Nano))
	case slog.KindGroup:
		if d >= logrecord.DefaultMaxDepth {
			return attribute.StringValue(logrecord.MarkerDepth)
		}
		var kvs []attribute.KeyValue
		for _, a := range v.Group() {
			if a.Key == "" && a.Value.Kind() != slog.KindGroup {
				continue
			}
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(a.Key), Value: value(a.Value.Resolve(), d+1)})
		}
		return attribute.MapValue(kvs...)
	case slog.KindLogValuer:
		return value(v.Resolve(), d)
	}
	return logrecord.Value(v.Any())
}
