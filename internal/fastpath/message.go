package fastpath

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/logrecord"
)

// Target is where one message goes, and the emit core shared by package
// operation and the bridge: every record either of them emits is assembled
// by [Target.Emit], so the rules on oplog's own attributes hold on every
// path. It is built on the caller's stack, per message.
type Target struct {
	Logger *Logger
	// Ctx is the caller's context (may be nil or hostile: it is read under
	// the guard). OpCtx, when set, is the operation's span context: the
	// record is emitted in Ctx only when Ctx holds a span of the same trace
	// (a child span of the operation), else in OpCtx.
	Ctx, OpCtx context.Context
	// Base is the operation's own attributes: Base[0] is its id, then its
	// kind and chosen references. Empty for a standalone record.
	Base []attribute.KeyValue
	// Late marks a record logged after its operation ended.
	Late bool
	// Redactor redacts error texts and panic texts (nil: the default rules).
	Redactor *logrecord.Redactor
	// Method names the entry point, for the text of a recovered panic.
	Method string
}

var lateMark = attribute.Bool(logrecord.KeyMessageLate, true)

// Emit assembles r's attributes and emits it. The order is what the
// attribute count limit keeps (the first ones): the operation id, source
// and type, the late mark, then lead (the message's own most telling
// attributes: HTTP status, method and URL, an operation's state), the rest
// of Base, tail (the message's other own attributes), and last the user's.
// A user attribute whose key is reserved ([Reserved]) or repeats one of
// lead and tail is renamed with [logrecord.KeyUserPrefix], so oplog's own
// always win. None of the slices is changed or kept.
//
// A panic anywhere (a hostile context, a provider or processor that
// panics) is recovered: a record saying "PANIC=<Method> method: …" is
// emitted instead, if the logger still works.
func (t *Target) Emit(r *Record, source, msgType attribute.KeyValue, lead, tail, user []attribute.KeyValue) {
	defer t.Guard()
	var buf [32]attribute.KeyValue
	all := buf[:0]
	if len(t.Base) > 0 {
		all = append(all, t.Base[0])
	}
	all = append(all, source, msgType)
	if t.Late {
		all = append(all, lateMark)
	}
	all = append(all, lead...)
	if len(t.Base) > 1 {
		all = append(all, t.Base[1:]...)
	}
	all = append(all, tail...)
	n := len(all)
	all = append(all, user...)
	for i := n; i < len(all); i++ {
		if k := all[i].Key; Reserved(string(k)) || ownKey(k, lead, tail) {
			all[i].Key = UserKey(k)
		}
	}
	if t.Redactor != nil && t.Redactor != logrecord.DefaultRedactor() {
		// The tracker's registered secrets are erased from the body and
		// every attribute, whatever built them (logrecord.KeyValue with the
		// default rules, a plain string, a reference, a sync result's
		// keys): a secret the tracker knows never leaves in clear. The default rules have no secrets,
		// so the common path does not walk the values.
		var nested bool
		r.Body, nested = eraseSecrets(t.Redactor, r.Body)
		for i := range all {
			var changed bool
			if all[i].Value, changed = eraseSecrets(t.Redactor, all[i].Value); changed {
				nested = true
			}
		}
		if nested {
			r.Clean = false // "REDACTED" may be longer than what it replaced: the pipeline checks the limits again
		}
	}
	t.Logger.Emit(t.emitContext(), r, all)
}

// EraseSecrets returns attrs with red's registered secrets erased from
// every string in their values: a copy if anything changed, attrs itself
// otherwise (and always for nil or the default rules, which have none).
func EraseSecrets(red *logrecord.Redactor, attrs []attribute.KeyValue) []attribute.KeyValue {
	if red == nil || red == logrecord.DefaultRedactor() {
		return attrs
	}
	out := attrs
	for i := range attrs {
		if v, changed := eraseSecrets(red, attrs[i].Value); changed {
			if &out[0] == &attrs[0] {
				out = append([]attribute.KeyValue(nil), attrs...)
			}
			out[i].Value = v
		}
	}
	return out
}

// eraseSecrets returns v with red's registered secrets erased from every
// string in it, at any depth (a pipeline may allow any), and whether
// anything changed. An attribute value is a finite tree: the walk ends.
func eraseSecrets(red *logrecord.Redactor, v attribute.Value) (attribute.Value, bool) {
	switch v.Type() {
	case attribute.STRING:
		if s := red.String(v.AsString()); s != v.AsString() {
			return attribute.StringValue(s), true
		}
	case attribute.BYTESLICE:
		// Bytes need not be text: they change only if a secret was erased,
		// not because String made them valid UTF-8.
		b := string(v.AsByteSlice())
		if e := red.String(b); e != b && e != strings.ToValidUTF8(b, "\uFFFD") {
			return attribute.ByteSliceValue([]byte(e)), true
		}
	case attribute.STRINGSLICE:
		ss := slices.Clone(v.AsStringSlice())
		changed := false
		for i, s := range ss {
			if e := red.String(s); e != s {
				ss[i], changed = e, true
			}
		}
		if changed {
			return attribute.StringSliceValue(ss), true
		}
	case attribute.SLICE:
		vs := slices.Clone(v.AsSlice())
		changed := false
		for i := range vs {
			var c bool
			if vs[i], c = eraseSecrets(red, vs[i]); c {
				changed = true
			}
		}
		if changed {
			return attribute.SliceValue(vs...), true
		}
	case attribute.MAP:
		kvs := slices.Clone(v.AsMap())
		changed := false
		for i := range kvs {
			var c bool
			if kvs[i].Value, c = eraseSecrets(red, kvs[i].Value); c {
				changed = true
			}
		}
		if changed {
			return attribute.MapValue(kvs...), true
		}
	}
	return v, false
}

// ownKey reports whether k is one of the message's own keys.
func ownKey(k attribute.Key, lead, tail []attribute.KeyValue) bool {
	for _, kv := range lead {
		if kv.Key == k {
			return true
		}
	}
	for _, kv := range tail {
		if kv.Key == k {
			return true
		}
	}
	return false
}

// emitContext is the context the record is correlated by (see [Target]).
func (t *Target) emitContext() context.Context {
	if t.OpCtx == nil {
		if t.Ctx == nil {
			return context.Background()
		}
		return t.Ctx
	}
	if t.Ctx != nil {
		if sc := trace.SpanContextFromContext(t.Ctx); sc.IsValid() && sc.TraceID() == trace.SpanContextFromContext(t.OpCtx).TraceID() {
			return t.Ctx
		}
	}
	return t.OpCtx
}

// Guard, deferred by an entry point, recovers a panic and emits, in its
// place, an error record whose body is "PANIC=<Method> method: <panic>"
// (redacted, within the limits), with the operation's attributes and
// context. If that panics too, nothing more is tried: a log call never
// breaks its caller.
func (t *Target) Guard() {
	if p := recover(); p != nil {
		t.EmitPanic(p)
	}
}

// EmitPanic emits the record [Target.Guard] emits for a recovered p.
func (t *Target) EmitPanic(p any) {
	defer func() { _ = recover() }()
	if t.Logger == nil {
		return
	}
	ctx := t.OpCtx
	if ctx == nil {
		ctx = context.Background()
	}
	var buf [16]attribute.KeyValue
	all := append(append(buf[:0], t.Base...),
		attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal),
		attribute.String(logrecord.KeyMessageType, logrecord.TypeLog))
	if t.Late {
		all = append(all, lateMark)
	}
	t.Logger.Emit(ctx, &Record{
		Timestamp:    time.Now(),
		Severity:     log.SeverityError,
		SeverityText: "ERROR",
		Body:         attribute.StringValue(t.redact(PanicText(t.Method, p))),
		Clean:        true,
	}, all)
}

// redact redacts s with the target's rules, then cuts it to the default
// limits: redaction first, so no secret straddles the cut.
func (t *Target) redact(s string) string {
	return logrecord.Limits{}.String(t.Redactor.Text(s))
}

// Reserved reports whether key is oplog's: "oplog" or anything starting
// with "oplog.", in any ASCII case (a backend or a reader that folds case
// must not be fooled either).
func Reserved(key string) bool {
	if len(key) < 5 || key[0]|0x20 != 'o' {
		return false
	}
	if len(key) > 5 && key[5] != '.' {
		return false
	}
	return key[1]|0x20 == 'p' && key[2]|0x20 == 'l' && key[3]|0x20 == 'o' && key[4]|0x20 == 'g'
}

// UserKey is the key a user attribute named k is renamed to when k is
// reserved or taken by one of the message's own attributes.
func UserKey(k attribute.Key) attribute.Key {
	return attribute.Key(logrecord.KeyUserPrefix + string(k))
}

// RenameReserved returns attrs with every reserved key renamed by
// [UserKey]: a copy if anything changes, attrs itself otherwise.
func RenameReserved(attrs []attribute.KeyValue) []attribute.KeyValue {
	out := attrs
	for i, kv := range attrs {
		if Reserved(string(kv.Key)) {
			if &out[0] == &attrs[0] {
				out = append([]attribute.KeyValue(nil), attrs...)
			}
			out[i].Key = UserKey(kv.Key)
		}
	}
	return out
}

// PanicText describes a recovered panic without risking a second one:
// "PANIC=<method> method: <p>".
func PanicText(method string, p any) (s string) {
	defer func() {
		if recover() != nil {
			s = logrecord.MarkerPanic + method + " method: (unprintable " + fmt.Sprintf("%T", p) + ")"
		}
	}()
	return logrecord.MarkerPanic + method + " method: " + fmt.Sprint(p)
}

// Is is errors.Is that never panics nor hangs: a panicking Is or Unwrap
// method anywhere in err's tree makes it false, and so does a tree that
// does not end within [maxIsSteps] errors (an Unwrap cycle, which would
// make errors.Is loop forever). target must be comparable, as the
// sentinel errors it is used with are.
func Is(err, target error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	budget := maxIsSteps
	return is(err, target, &budget)
}

// maxIsSteps bounds the errors [Is] looks at: far more than any real
// error tree holds.
const maxIsSteps = 1 << 12

func is(err, target error, budget *int) bool {
	for err != nil {
		if *budget--; *budget < 0 {
			return false
		}
		if err == target {
			return true
		}
		if x, ok := err.(interface{ Is(error) bool }); ok && x.Is(target) {
			return true
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			err = x.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if is(e, target, budget) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// As is errors.As for an error of type T, never panicking and bounded
// like [Is]: a panicking As or Unwrap method, or an Unwrap cycle, makes it
// false.
func As[T any](err error) (found T, ok bool) {
	defer func() {
		if recover() != nil {
			var zero T
			found, ok = zero, false
		}
	}()
	budget := maxIsSteps
	return as[T](err, &budget)
}

func as[T any](err error, budget *int) (T, bool) {
	var zero T
	for err != nil {
		if *budget--; *budget < 0 {
			return zero, false
		}
		if t, ok := err.(T); ok {
			return t, true
		}
		if x, ok := err.(interface{ As(any) bool }); ok {
			var t T
			if x.As(&t) {
				return t, true
			}
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			err = x.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if t, ok := as[T](e, budget); ok {
					return t, true
				}
			}
			return zero, false
		default:
			return zero, false
		}
	}
	return zero, false
}

// AppendException appends err's exception attributes through red (see
// [logrecord.Redactor.AppendException]: texts redacted before they are cut,
// no panic whatever err's methods do). With errorType it adds error.type
// first, as HTTP messages carry it.
func AppendException(dst []attribute.KeyValue, err error, red *logrecord.Redactor, errorType bool) []attribute.KeyValue {
	if err == nil {
		return dst
	}
	n := len(dst)
	if errorType {
		dst = append(dst, attribute.KeyValue{}) // error.type, once the type is known
	}
	dst = red.AppendException(dst, err)
	if errorType {
		dst[n] = attribute.KeyValue{Key: logrecord.KeyErrorType, Value: dst[n+1].Value}
	}
	return dst
}
