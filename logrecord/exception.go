package logrecord

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// Exception returns the exception attributes of the semantic conventions
// for err: exception.type, exception.message and, when err carries a stack,
// exception.stacktrace. A nil err gives nil. It never panics: a panicking
// Error method gives a [MarkerPanic] message.
//
// exception.type names the first error in the chain that is not one of the
// standard library's anonymous wrappers (fmt.Errorf's %w, errors.Join), so
// fmt.Errorf("sync: %w", err) reports the type of err, not *fmt.wrapError.
//
// The stack is taken from the first error in the chain that offers one:
// [WithStack]'s errors, a StackTrace method (github.com/pkg/errors and its
// forks, formatted with %+v), or a Stack() []byte or Stack() string method
// (github.com/go-errors/errors and similar).
func Exception(err error) []attribute.KeyValue {
	return AppendException(nil, err)
}

// AppendException appends [Exception]'s attributes to dst.
func AppendException(dst []attribute.KeyValue, err error) []attribute.KeyValue {
	if err == nil {
		return dst
	}
	dst = append(dst,
		attribute.String(KeyExceptionType, ErrorType(err)),
		attribute.KeyValue{Key: KeyExceptionMessage, Value: Value(err)},
	)
	if st := Stacktrace(err); st != "" {
		dst = append(dst, attribute.String(KeyExceptionStacktrace, Limits{}.String(st)))
	}
	return dst
}

// ErrorType is the exception.type (and error.type) of err, as described at
// [Exception]; "" for nil.
func ErrorType(err error) (typ string) {
	if err == nil {
		return ""
	}
	defer func() {
		if recover() != nil { // an Unwrap method on a nil receiver
			typ = reflect.TypeOf(err).String()
		}
	}()
	for e := err; e != nil; {
		t := reflect.TypeOf(e).String()
		switch t {
		case "*fmt.wrapError", "*fmt.wrapErrors", "*errors.joinError", "*logrecord.stackError":
		default:
			return t
		}
		next := errors.Unwrap(e)
		if next == nil {
			// A join or multi-wrap has no single cause: name the wrapper.
			return t
		}
		e = next
	}
	return reflect.TypeOf(err).String()
}

// Stacktrace returns the stack err carries, or "" if none in its chain
// offers one (see [Exception] for the conventions recognised).
func Stacktrace(err error) (st string) {
	defer func() {
		if r := recover(); r != nil {
			st = panicText("StackTrace", r)
		}
	}()
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch s := e.(type) {
		case *stackError:
			return s.stack()
		case interface{ Stack() []byte }:
			return string(s.Stack())
		case interface{ Stack() string }:
			return s.Stack()
		}
		if m := reflect.ValueOf(e).MethodByName("StackTrace"); m.IsValid() && m.Type().NumIn() == 0 && m.Type().NumOut() == 1 {
			return strings.TrimLeft(fmt.Sprintf("%+v", m.Call(nil)[0].Interface()), "\n")
		}
	}
	return ""
}

// WithStack returns err annotated with the stack of its caller, so that
// [Exception] reports an exception.stacktrace. The error text and
// errors.Is/As behave as for err itself. A nil err stays nil.
func WithStack(err error) error {
	if err == nil {
		return nil
	}
	var pcs [32]uintptr
	n := runtime.Callers(2, pcs[:])
	return &stackError{err: err, pcs: pcs[:n]}
}

type stackError struct {
	err error
	pcs []uintptr
}

func (e *stackError) Error() string { return e.err.Error() }
func (e *stackError) Unwrap() error { return e.err }

// stack formats the frames as Go prints a goroutine's stack.
func (e *stackError) stack() string {
	var b strings.Builder
	frames := runtime.CallersFrames(e.pcs)
	for {
		f, more := frames.Next()
		b.WriteString(f.Function)
		b.WriteString("()\n\t")
		b.WriteString(f.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
		b.WriteByte('\n')
		if !more {
			return b.String()
		}
	}
}
