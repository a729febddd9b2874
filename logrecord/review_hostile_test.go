package logrecord_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

type rvAll struct{}

func (rvAll) Error() string                { panic("Error boom") }
func (rvAll) String() string               { panic("String boom") }
func (rvAll) GoString() string             { panic("GoString boom") }
func (rvAll) Format(fmt.State, rune)       { panic("Format boom") }
func (rvAll) Is(error) bool                { panic("Is boom") }
func (rvAll) As(any) bool                  { panic("As boom") }
func (rvAll) Unwrap() []error              { panic("Unwrap boom") }
func (rvAll) LogValue() slog.Value         { panic("LogValue boom") }
func (rvAll) MarshalJSON() ([]byte, error) { panic("MarshalJSON boom") }
func (rvAll) MarshalText() ([]byte, error) { panic("MarshalText boom") }

type rvNil struct{ s *string }

func (p *rvNil) Error() string                { return *p.s }
func (p *rvNil) String() string               { return *p.s }
func (p *rvNil) LogValue() slog.Value         { return slog.StringValue(*p.s) }
func (p *rvNil) MarshalJSON() ([]byte, error) { return []byte(*p.s), nil }
func (p *rvNil) MarshalText() ([]byte, error) { return []byte(*p.s), nil }
func (p *rvNil) Unwrap() error                { return errors.New(*p.s) }

type rvOnlyJSON struct{ p *int }

func (j *rvOnlyJSON) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprint(*j.p)), nil }

type rvOnlyText struct{ p *int }

func (j *rvOnlyText) MarshalText() ([]byte, error) { return []byte(fmt.Sprint(*j.p)), nil }

type rvOnlyString struct{ p *int }

func (j *rvOnlyString) String() string { return fmt.Sprint(*j.p) }

type rvCycle struct{ next error }

func (c *rvCycle) Error() string { return "cycle" }
func (c *rvCycle) Unwrap() error { return c.next }

type rvMulti struct{}

func (rvMulti) Error() string   { return "multi" }
func (rvMulti) Unwrap() []error { return []error{rvMulti{}, nil, rvAll{}} }

type rvNode struct {
	Name string
	Next *rvNode
	Any  any
}

type rvJSONErr struct{}

func (rvJSONErr) MarshalJSON() ([]byte, error) { return nil, errors.New("token=" + rvCanary) }

func rvHostileValues() map[string]any {
	cyc := &rvCycle{}
	cyc.next = cyc
	node := &rvNode{Name: "a"}
	node.Next = node
	m := map[string]any{}
	m["self"] = m
	s := []any{nil}
	s[0] = s
	vals := map[string]any{
		"all":          rvAll{},
		"all ptr":      &rvAll{},
		"nil ptr":      (*rvNil)(nil),
		"nil json":     (*rvOnlyJSON)(nil),
		"nil text":     (*rvOnlyText)(nil),
		"nil stringer": (*rvOnlyString)(nil),
		"zero json":    &rvOnlyJSON{},
		"cycle err":    cyc,
		"multi":        rvMulti{},
		"join":         errors.Join(rvAll{}, (*rvNil)(nil), cyc, rvMulti{}),
		"node cycle":   node,
		"map cycle":    m,
		"slice cycle":  s,
		"json err":     rvJSONErr{},
		"nil url":      (*url.URL)(nil),
		"nil req":      (*http.Request)(nil),
		"nil resp":     (*http.Response)(nil),
		"req nil url":  &http.Request{Method: "GET"},
		"resp nil req": &http.Response{StatusCode: 200},
		"nil header":   http.Header(nil),
		"nil cookie":   (*http.Cookie)(nil),
		"nil userinfo": (*url.Userinfo)(nil),
		"bad utf8 key": map[string]string{"\xff": "\xfe"},
		"time":         time.Time{},
		"attr value":   attribute.StringValue("\xff"),
		"huge":         strings.Repeat("\xff", 100000),
		"deep":         rvDeep(1000),
	}
	out := map[string]any{}
	for k, v := range vals {
		out[k] = v
		out[k+" in struct"] = struct{ V any }{v}
		out[k+" in map"] = map[string]any{"v": v}
		out[k+" in slice"] = []any{v}
		out[k+" in ptr map"] = &map[any]any{v == nil: v}
		out[k+" as slog group"] = slog.GroupValue(slog.Any("v", v))
	}
	return out
}

func rvDeep(n int) any {
	var v any = "bottom"
	for range n {
		v = []any{v}
	}
	return v
}

// TestReviewValueHostile: Value, KeyValue, Exception and every Redactor
// entry point survive every hostile value, nested anywhere, return valid
// UTF-8, and never carry the canary.
func TestReviewValueHostile(t *testing.T) {
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{rvCanary}})
	for name, v := range rvHostileValues() {
		t.Run(name, func(t *testing.T) {
			var outs []string
			require.NotPanics(t, func() {
				outs = append(outs,
					logrecord.Value(v).String(),
					red.Value(v).String(),
					logrecord.KeyValue("\xffk", v).Value.String(),
					red.KeyValue("k", v).Value.String(),
					logrecord.Limits{MaxStringLen: 10, MaxItems: 2, MaxDepth: 2}.Value(v).String(),
					logrecord.Limits{MaxStringLen: -1, MaxItems: -1, MaxDepth: -1}.Value(v).String(),
				)
				if err, ok := v.(error); ok {
					for _, kv := range red.Exception(err) {
						outs = append(outs, kv.Value.String())
					}
					outs = append(outs, logrecord.ErrorType(err), logrecord.Stacktrace(err), red.Text(logrecord.ErrorType(err)))
					for _, kv := range logrecord.Exception(logrecord.WithStack(err)) {
						outs = append(outs, kv.Value.String())
					}
				}
			})
			for _, o := range outs {
				assert.True(t, utf8.ValidString(o))
				rvNoCanary(t, o, name)
			}
		})
	}
}

// TestReviewSlogValueNested: an slog.Value or slog.Attr inside a value is
// converted by kind, not by its String method (fmt, which would neither
// redact what it holds nor stop at a cycle).
func TestReviewSlogValueNested(t *testing.T) {
	secretErr := errors.New("Authorization: Bearer " + rvCanary)
	hd := http.Header{"X-Api-Key": {rvCanary}}
	cyc := []any{nil}
	cyc[0] = cyc
	vals := map[string]any{
		"any err":     slog.AnyValue(secretErr),
		"group":       slog.GroupValue(slog.Any("e", secretErr), slog.Any("h", hd)),
		"attr":        slog.Any("h", hd),
		"in struct":   struct{ V slog.Value }{slog.AnyValue(secretErr)},
		"attr struct": struct{ A slog.Attr }{slog.Any("e", secretErr)},
		"in slice":    []slog.Value{slog.AnyValue(hd)},
		"valuer":      slog.AnyValue(rvValuer{secretErr}),
		"cycle":       slog.AnyValue(cyc),
		"group cycle": slog.GroupValue(slog.Any("c", cyc)),
	}
	for name, v := range vals {
		for _, l := range []logrecord.Limits{{}, {MaxItems: -1, MaxDepth: -1, MaxStringLen: -1}} {
			var got string
			require.NotPanics(t, func() { got = l.Value(v).String() }, name)
			rvNoCanary(t, got, name)
			assert.True(t, utf8.ValidString(got))
		}
	}
	assert.Equal(t, `{"a":1,"g":{"s":"x"}}`, logrecord.Value(slog.GroupValue(slog.Int("a", 1), slog.Group("g", "s", "x"))).String())
}

type rvValuer struct{ err error }

func (v rvValuer) LogValue() slog.Value { return slog.AnyValue(v.err) }

// TestReviewEveryFunctionTakesZeroValues: every exported function and
// method of the package, on a nil Redactor and with nil, zero and extreme
// arguments and limits, returns valid UTF-8 without panicking.
func TestReviewEveryFunctionTakesZeroValues(t *testing.T) {
	var nilRed *logrecord.Redactor
	reds := []*logrecord.Redactor{nilRed, logrecord.DefaultRedactor(), logrecord.NewRedactor(logrecord.RedactConfig{}),
		logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{"", "a", "REDACTED", "EDAC", "\xff\xfe\xfd\xfc", strings.Repeat("s", 100000)}, Headers: []string{"", "\xff"}, Params: []string{"", "="}})}
	limits := []logrecord.Limits{{}, {MaxStringLen: 1, MaxKeyLen: 1, MaxItems: 1, MaxDepth: 1, MaxAttributes: 1},
		{MaxStringLen: -1, MaxKeyLen: -1, MaxItems: -1, MaxDepth: -1, MaxAttributes: -1}}
	values := []any{nil, "", "\xff", strings.Repeat("é", 40000), map[string]any{"\xff": []any{nil, "\xfe"}}, (*url.URL)(nil),
		url.Values{"": nil, "token": {"", "x"}}, http.Header{"": nil, "Authorization": nil}, &http.Request{}, &http.Response{},
		attribute.MapValue(attribute.String("\xff", "\xfe")), []attribute.KeyValue{{}}, rvAll{}}
	var out []string
	require.NotPanics(t, func() {
		for _, red := range reds {
			out = append(out, red.Text(""), red.Text("\xff"), red.String("\xffabcd"), red.URL(nil), red.URL(&url.URL{}),
				red.URLString("::"), red.URLString("https://%zz"), red.Query("%"), red.Query("=&=&token"), red.HeaderValue("", ""),
				red.HeaderValue("Authorization", "\xff"))
			_ = red.IsSensitiveHeader("")
			_ = red.IsSensitiveParam("\xff")
			out = append(out, fmt.Sprint(red.Header(nil)), fmt.Sprint(red.Form(nil)), fmt.Sprint(red.Header(http.Header{"": {""}})))
			for _, v := range values {
				out = append(out, red.Value(v).String(), red.KeyValue("", v).Value.String())
			}
			for _, kv := range red.Exception(nil) {
				out = append(out, kv.Value.String())
			}
			_ = red.AppendException(nil, (*rvNil)(nil))
		}
		for _, l := range limits {
			out = append(out, l.String("\xff"+strings.Repeat("x", 70000)), l.Key("\xff"+strings.Repeat("k", 300)))
			for _, v := range values {
				out = append(out, l.Value(v).String(), l.KeyValue("\xff", v).Value.String())
				av := logrecord.Value(v)
				s, _ := l.Sanitize(av)
				out = append(out, s.String())
				kv, _ := l.SanitizeKeyValue(attribute.KeyValue{Key: "\xff", Value: av})
				out = append(out, kv.Value.String())
			}
			_, _ = l.SanitizeAttributes(nil)
			_, _ = l.SanitizeAttributes([]attribute.KeyValue{{}, {Key: "k"}, {Key: "k"}})
			_ = l.Covers(logrecord.Limits{MaxStringLen: -5})
		}
		_ = logrecord.Elements(attribute.Value{})
		_ = logrecord.WithStack(nil)
		_ = logrecord.Exception(nil)
		_ = logrecord.AppendException(nil, nil)
		out = append(out, logrecord.ErrorType(nil), logrecord.Stacktrace(nil), logrecord.ErrorType((*rvNil)(nil)), logrecord.Stacktrace(rvAll{}))
	})
	for _, s := range out {
		assert.True(t, utf8.ValidString(s), "%q", s[:min(len(s), 80)])
	}
}
