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
// the context. It is safe for concurrent use.
type Handler struct {
	opts   Options
	cached *cachedLogger // the logger for standalone records
	// frames are the groups opened by WithGroup, outermost first; frames[0]
	// is the root (no name). Each holds the attributes WithAttrs added
	// while it was the innermost group, converted once.
	frames []frame
}

type frame struct {
	name  string
	attrs []attribute.KeyValue
	// grouped: attrs hold a map the bridge built for a group attribute,
	// whose keys and size logrecord did not bound.
	grouped bool
}

var _ slog.Handler = (*Handler)(nil)

// NewHandler returns a handler with opts (nil for the defaults).
func NewHandler(opts *Options) *Handler {
	h := &Handler{frames: []frame{{}}, cached: &cachedLogger{}}
	if opts != nil {
		h.opts = *opts
	}
	return h
}

// Enabled reports whether level is at or above the handler's level. It is
// one comparison: no lock, no SDK call. (A Leveler that changes, such as a
// slog.LevelVar, is read at every call.)
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	if h.opts.Level != nil {
		return level >= h.opts.Level.Level()
	}
	return true
}

// WithAttrs returns a handler whose records carry attrs, converted now.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := h.clone()
	last := &h2.frames[len(h2.frames)-1]
	last.attrs = h2.appendAttrs(append([]attribute.KeyValue(nil), last.attrs...), attrs, h2.groupNames(), &last.grouped)
	return h2
}

// WithGroup returns a handler whose later attributes go in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := h.clone()
	h2.frames = append(h2.frames, frame{name: name})
	return h2
}

func (h *Handler) clone() *Handler {
	h2 := *h
	h2.frames = append([]frame(nil), h.frames...)
	return &h2
}

func (h *Handler) groupNames() []string {
	if len(h.frames) == 1 {
		return nil
	}
	names := make([]string, 0, len(h.frames)-1)
	for _, f := range h.frames[1:] {
		names = append(names, f.name)
	}
	return names
}

// Handle emits r.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	sev := severity.FromSlog(r.Level)
	op := operation.FromContext(ctx)
	if op != nil && !op.Enabled(sev) {
		return nil
	}
	rec := fastpath.Record{
		Timestamp:    r.Time,
		Severity:     sev.OTel(),
		SeverityText: sev.String(),
		Body:         attribute.StringValue(r.Message),
	}

	// Root attributes go on the record; a group's attributes, the record's
	// included, nest in maps from the innermost group outwards.
	var buf [24]attribute.KeyValue
	all := append(buf[:0], h.frames[0].attrs...)
	grouped := h.frames[0].grouped
	inner := len(h.frames) - 1
	var tail []attribute.KeyValue
	if r.NumAttrs() > 0 {
		var tbuf [16]attribute.KeyValue
		tail = tbuf[:0]
		if inner > 0 {
			tail = append(tail, h.frames[inner].attrs...)
		}
		groups := h.groupNames()
		r.Attrs(func(a slog.Attr) bool {
			tail = h.appendAttr(tail, a, groups, &grouped)
			return true
		})
	} else if inner > 0 {
		tail = h.frames[inner].attrs
	}
	if inner > 0 {
		grouped = true
		for i := inner; i >= 1; i-- {
			if len(tail) > 0 {
				tail = []attribute.KeyValue{attribute.Map(h.frames[i].name, tail...)}
			}
			if i > 1 && len(h.frames[i-1].attrs) > 0 {
				tail = append(append([]attribute.KeyValue(nil), h.frames[i-1].attrs...), tail...)
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
	rec.Clean = !grouped
	if op != nil {
		l, emitCtx, base, late, ok := fastpath.OperationTarget(op, ctx, rec.Severity)
		if !ok {
			return nil
		}
		if rec.Timestamp.IsZero() {
			rec.Timestamp = time.Now() // as Operation.Emit does
		}
		all = append(append(all, base...), sourceUser, typeLog)
		if late {
			all = append(all, lateMark)
		}
		l.Emit(emitCtx, &rec, all)
		return nil
	}
	h.logger().Emit(ctx, &rec, append(all, sourceUser, typeLog))
	return nil
}

var (
	sourceUser = attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser)
	typeLog    = attribute.String(logrecord.KeyMessageType, logrecord.TypeLog)
	lateMark   = attribute.Bool(logrecord.KeyMessageLate, true)
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
	comparable := reflect.TypeOf(lp).Comparable() // a provider of a non-comparable type is not cached
	if c := h.cached.p.Load(); comparable && c != nil && c.lp == lp {
		return c.logger
	}
	l := fastpath.NewLogger(lp, operation.ScopeName, "")
	h.cached.p.Store(&providerLogger{lp: lp, logger: l})
	return l
}

// appendAttrs converts attrs under groups and appends them to dst; it sets
// *grouped if it built a map for a group.
func (h *Handler) appendAttrs(dst []attribute.KeyValue, attrs []slog.Attr, groups []string, grouped *bool) []attribute.KeyValue {
	for _, a := range attrs {
		dst = h.appendAttr(dst, a, groups, grouped)
	}
	return dst
}

// appendAttr converts one slog attribute as the slog.Handler contract asks:
// empty attributes vanish, groups become maps (empty ones vanish), a group
// with an empty key is inlined, LogValuers are resolved. An error value
// keeps its key and text and adds the exception.* attributes.
func (h *Handler) appendAttr(dst []attribute.KeyValue, a slog.Attr, groups []string, grouped *bool) []attribute.KeyValue {
	a.Value = a.Value.Resolve()
	if h.opts.ReplaceAttr != nil && a.Value.Kind() != slog.KindGroup {
		a = h.opts.ReplaceAttr(groups, a)
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
		if a.Key == "" {
			return h.appendAttrs(dst, members, groups, grouped)
		}
		inner := h.appendAttrs(nil, members, append(groups, a.Key), grouped)
		if len(inner) == 0 {
			return dst
		}
		*grouped = true
		return append(dst, attribute.Map(a.Key, inner...))
	}
	if a.Value.Kind() == slog.KindGroup || a.Value.Kind() == slog.KindLogValuer {
		*grouped = true // Value builds group maps itself (a LogValuer may resolve to a group)
	}
	dst = append(dst, attribute.KeyValue{Key: attribute.Key(a.Key), Value: Value(a.Value)})
	if a.Value.Kind() == slog.KindAny {
		if err, ok := a.Value.Any().(error); ok && err != nil {
			// Error texts are redacted as the operation's own are: net/http
			// errors quote the URL, query and all.
			n := len(dst) - 1
			dst = logrecord.AppendException(dst, err)
			for i := n; i < len(dst); i++ {
				if i == n || dst[i].Key == logrecord.KeyExceptionMessage || dst[i].Key == logrecord.KeyExceptionStacktrace {
					if dst[i].Value.Type() == attribute.STRING {
						dst[i].Value = attribute.StringValue(logrecord.DefaultRedactor().Text(dst[i].Value.AsString()))
					}
				}
			}
		}
	}
	return dst
}

// Value converts an slog value: strings, numbers and booleans as they are
// (uint64 above MaxInt64 as an exact decimal string), durations and times
// as logrecord.Value writes them, groups as maps, and Any values through
// logrecord.Value (structs and maps become maps, slices arrays, errors
// their text), never through fmt.
func Value(v slog.Value) attribute.Value {
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
		var kvs []attribute.KeyValue
		for _, a := range v.Group() {
			if a.Key == "" && a.Value.Kind() != slog.KindGroup {
				continue
			}
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(a.Key), Value: Value(a.Value.Resolve())})
		}
		return attribute.MapValue(kvs...)
	case slog.KindLogValuer:
		return Value(v.Resolve())
	}
	return logrecord.Value(v.Any())
}
