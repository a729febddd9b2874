package logrecord_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

// hostileErr is an error each of whose methods panics when its field says so.
type hostileErr struct{ panics string }

func (e *hostileErr) boom(m string) {
	if strings.Contains(e.panics, m) { // a nil e panics here too: a typed nil behind error
		panic(m + " exploded")
	}
}

func (e *hostileErr) Error() string              { e.boom("Error"); return "hostile" }
func (e *hostileErr) Unwrap() error              { e.boom("Unwrap"); return nil }
func (e *hostileErr) Is(error) bool              { e.boom("Is"); return false }
func (e *hostileErr) As(any) bool                { e.boom("As"); return false }
func (e *hostileErr) Format(f fmt.State, _ rune) { e.boom("Format"); _, _ = f.Write([]byte("hostile")) }
func (e *hostileErr) GoString() string           { e.boom("GoString"); return "hostile" }
func (e *hostileErr) String() string             { e.boom("String"); return "hostile" }
func (e *hostileErr) MarshalJSON() ([]byte, error) {
	e.boom("MarshalJSON")
	return []byte(`"hostile"`), nil
}
func (e *hostileErr) MarshalText() ([]byte, error) {
	e.boom("MarshalText")
	return []byte("hostile"), nil
}
func (e *hostileErr) StackTrace() string { e.boom("StackTrace"); return "" }

// multiErr panics in Unwrap() []error.
type multiErr struct{}

func (multiErr) Error() string   { return "multi" }
func (multiErr) Unwrap() []error { panic("Unwrap []error exploded") }

// selfErr unwraps to itself, forever.
type selfErr struct{}

func (e *selfErr) Error() string { return "self" }
func (e *selfErr) Unwrap() error { return e }

// freshErr unwraps to a new error each time, forever.
type freshErr struct{ n int }

func (e freshErr) Error() string { return "fresh" }
func (e freshErr) Unwrap() error { return freshErr{e.n + 1} }

// nilUnwrap unwraps to a typed nil.
type nilUnwrap struct{}

func (nilUnwrap) Error() string { return "outer" }
func (nilUnwrap) Unwrap() error { return (*hostileErr)(nil) }

// Each kind of value with methods, as a typed nil.
type (
	nilStringer struct{ s string }
	nilJSON     struct{ s string }
	nilText     struct{ s string }
)

func (p *nilStringer) String() string           { return p.s }
func (p *nilJSON) MarshalJSON() ([]byte, error) { return []byte(p.s), nil }
func (p *nilText) MarshalText() ([]byte, error) { return []byte(p.s), nil }

// panicValue panics with a value whose own Error panics.
type panicValue struct{}

func (panicValue) Error() string { panic(&hostileErr{panics: "Error"}) }

func TestPanicSafety(t *testing.T) {
	methods := []string{"Error", "Unwrap", "Is", "As", "Format", "GoString", "String", "MarshalJSON", "MarshalText", "StackTrace"}
	values := map[string]any{
		"typed nil error":         error((*hostileErr)(nil)),
		"typed nil Stringer":      fmt.Stringer((*nilStringer)(nil)),
		"typed nil Marshaler":     (*nilJSON)(nil),
		"typed nil TextMarshaler": (*nilText)(nil),
		"Unwrap []error panics":   multiErr{},
		"Unwrap to itself":        &selfErr{},
		"Unwrap without end":      freshErr{},
		"Unwrap to a typed nil":   nilUnwrap{},
		"panic value panics":      panicValue{},
		"joined hostile":          errors.Join(&hostileErr{panics: "Error"}, errors.New("x")),
		"wrapped hostile":         fmt.Errorf("w: %w", &hostileErr{panics: "Error Unwrap"}),
	}
	for _, m := range methods {
		values[m+" panics"] = &hostileErr{panics: m}
	}
	for _, m := range methods {
		values["all but "+m+" panic"] = &hostileErr{panics: strings.Join(methods, " ")}
	}
	r := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{"a-secret"}})
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			nested := map[string]any{"v": v, "s": []any{v}, "st": struct{ V any }{v}}
			var outs []attribute.Value
			assert.NotPanics(t, func() {
				for _, x := range []any{v, nested} {
					outs = append(outs,
						logrecord.Value(x), logrecord.KeyValue("k", x).Value,
						logrecord.Limits{MaxStringLen: 10}.Value(x), logrecord.Limits{}.KeyValue("k", x).Value,
						r.Value(x), r.KeyValue("k", x).Value)
				}
				if err, ok := v.(error); ok {
					for _, kv := range logrecord.Exception(err) {
						outs = append(outs, kv.Value)
					}
					for _, kv := range r.AppendException(nil, err) {
						outs = append(outs, kv.Value)
					}
					outs = append(outs, attribute.StringValue(logrecord.ErrorType(err)),
						attribute.StringValue(logrecord.Stacktrace(err)))
				}
			})
			for _, o := range outs {
				walkStrings(o, func(s string) { assert.True(t, utf8.ValidString(s), s) })
			}
		})
	}
	// A panic reads as the documented marker; a nil receiver as fmt prints it.
	assert.Equal(t, "PANIC=Error method: Error exploded", logrecord.Value(&hostileErr{panics: "Error"}).AsString())
	assert.Equal(t, "PANIC=Error method: Error exploded", logrecord.Exception(&hostileErr{panics: "Error"})[1].Value.AsString())
	assert.Equal(t, "PANIC=StackTrace method: StackTrace exploded", logrecord.Stacktrace(&hostileErr{panics: "StackTrace"}))
	assert.Equal(t, "<nil>", logrecord.Value(error((*hostileErr)(nil))).AsString())
	assert.Equal(t, "*logrecord_test.selfErr", logrecord.ErrorType(&selfErr{}))
	assert.Contains(t, logrecord.Value(panicValue{}).AsString(), logrecord.MarkerPanic+"Error method: ")
	// A panic's text is redacted like an error's.
	assert.NotContains(t, logrecord.Value(panicErr("GET https://h/?token=SECRET1234")).AsString(), "SECRET1234")
}

type panicErr string

func (p panicErr) Error() string { panic(string(p)) }
