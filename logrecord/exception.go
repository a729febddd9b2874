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
// exception.stacktrace. A nil err gives nil. The message and the stack are
// redacted by [DefaultRedactor] before they are cut to the string limit
// ([Redactor.Exception] uses another Redactor's rules). It never panics:
// whatever err's methods do (Error, Unwrap, a stack method panicking, a nil
// pointer behind the interface, an Unwrap chain that never ends), the
// attributes come out, a panic as a [MarkerPanic] text.
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
	return appendException(dst, err, defaultRedactor)
}

func appendException(dst []attribute.KeyValue, err error, r *Redactor) []attribute.KeyValue {
	if err == nil {
		return dst
	}
	c := converter{l: defaults, red: r}
	dst = append(dst,
		attribute.String(KeyExceptionType, ErrorType(err)),
		attribute.KeyValue{Key: KeyExceptionMessage, Value: c.value(err, 0)},
	)
	if st := Stacktrace(err); st != "" {
		dst = append(dst, attribute.String(KeyExceptionStacktrace, r.textCut(st, defaults.MaxStringLen)))
	}
	return dst
}

// ErrorType is the exception.type (and error.type) of err, as described at
// [Exception]; "" for nil. It never panics: an Unwrap method that panics
// ends the walk down the chain there.
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	e := err
	for range maxChain {
		t := reflect.TypeOf(e).String()
		switch t {
		case "*fmt.wrapError", "*fmt.wrapErrors", "*errors.joinError", "*logrecord.stackError":
		default:
			return t
		}
		next := unwrap(e)
		if next == nil {
			// A join or multi-wrap has no single cause: name the wrapper.
			return t
		}
		e = next
	}
	return reflect.TypeOf(err).String()
}

// maxChain bounds the walks down an Unwrap chain: an Unwrap that returns
// its receiver, or a new error each time, would otherwise never end.
const maxChain = 100

// unwrap is errors.Unwrap, nil if the Unwrap method panics.
func unwrap(e error) (next error) {
	defer func() {
		if recover() != nil {
			next = nil
		}
	}()
	return errors.Unwrap(e)
}

// Stacktrace returns the stack err carries, or "" if none in its chain
// offers one (see [Exception] for the conventions recognised). It never
// panics: a stack method that panics gives a [MarkerPanic] text.
func Stacktrace(err error) string {
	e := err
	for range maxChain {
		if e == nil {
			return ""
		}
		if st, ok := stackOf(e); ok {
			return st
		}
		e = unwrap(e)
	}
	return ""
}

// stackOf returns the stack e itself offers, if it offers one.
func stackOf(e error) (st string, ok bool) {
	method := "Stack"
	defer func() {
		if r := recover(); r != nil {
			st, ok = panicText(method, r), true
		}
	}()
	switch s := e.(type) {
	case *stackError:
		return s.stack(), true
	case interface{ Stack() []byte }:
		return string(s.Stack()), true
	case interface{ Stack() string }:
		return s.Stack(), true
	}
	method = "StackTrace"
	if m := reflect.ValueOf(e).MethodByName("StackTrace"); m.IsValid() && m.Type().NumIn() == 0 && m.Type().NumOut() == 1 {
		return strings.TrimLeft(fmt.Sprintf("%+v", m.Call(nil)[0].Interface()), "\n"), true
	}
	return "", false
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
