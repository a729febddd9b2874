package bridge_test

import (
	"context"
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
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

const rvSecret = "Br1dgeCanaryWk5"

type rvEnv struct {
	t    *testing.T
	p    *export.Pipeline
	mem  *export.Memory
	trk  *operation.Tracker
	log  *slog.Logger
	opts *bridge.Options
}

func newRVEnv(t *testing.T, eopts []export.Option, opts ...operation.Option) *rvEnv {
	t.Helper()
	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), append([]export.Option{export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem)}, eopts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	trk := operation.NewTracker(append([]operation.Option{
		operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
	}, opts...)...)
	bo := &bridge.Options{LoggerProvider: p.LoggerProvider()}
	return &rvEnv{t: t, p: p, mem: mem, trk: trk, log: slog.New(bridge.NewHandler(bo)), opts: bo}
}

func (e *rvEnv) records() []sdklog.Record {
	e.t.Helper()
	require.NoError(e.t, e.p.ForceFlush(e.t.Context()))
	return e.mem.Records()
}

func rvText(r sdklog.Record) string {
	var b strings.Builder
	b.WriteString(r.Body().String())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		b.WriteString("\n" + string(kv.Key) + "=" + kv.Value.String())
		return true
	})
	return b.String()
}

type rvSecretErr struct{ s string }

func (e rvSecretErr) Error() string { return "call failed: " + e.s }

type rvValuer struct{ err error }

func (v rvValuer) LogValue() slog.Value { return slog.AnyValue(v.err) }

// rvSecretValues are the places a registered secret can hide in slog
// arguments: an error at top level, nested in a struct, a slice of errors,
// a map, a group, a LogValuer, a joined error, HTTP data.
func rvSecretValues(secret string) []any {
	err := rvSecretErr{s: "key=" + secret}
	reg := errors.New("tenant secret " + secret + " rejected")
	u, _ := url.Parse("https://api.example.com/x?access_token=" + secret + "&sig=" + secret)
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("X-Vault-Token", secret)
	return []any{
		"err", reg,
		"wrapped", fmt.Errorf("outer: %w", reg),
		"joined", errors.Join(errors.New("a"), reg),
		"nested", struct {
			Step string
			Err  error
		}{"s", reg},
		"ptr", &struct{ Err error }{err},
		"errs", []error{reg, err},
		"map", map[string]any{"e": reg, "deep": []any{map[string]error{"x": reg}}},
		slog.Group("grp", slog.Any("err", reg), slog.Group("inner", slog.Any("e", err))),
		"valuer", rvValuer{reg},
		"url", u,
		"values", u.Query(),
		"header", req.Header,
		"req", req,
		"resp", &http.Response{StatusCode: 401, Header: http.Header{"Set-Cookie": {"s=" + secret}}, Request: req},
		"inStruct", struct {
			U *url.URL
			H http.Header
			R *http.Request
		}{u, req.Header, req},
	}
}

// TestReviewBridgeRedactsWithTrackersRules: inside an operation whose
// tracker registers a secret, slog calls never export it, wherever the
// error or HTTP value sits (and so for WithAttrs and WithGroup); outside an
// operation the default rules hold for the same values.
func TestReviewBridgeRedactsWithTrackersRules(t *testing.T) {
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{rvSecret}})
	e := newRVEnv(t, nil, operation.WithRedactor(red))
	ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c"})
	args := rvSecretValues(rvSecret)
	e.log.ErrorContext(ctx, "top", args...)
	e.log.With(args...).ErrorContext(ctx, "with")
	e.log.WithGroup("g").With(args...).WithGroup("h").ErrorContext(ctx, "with group", args...)
	e.log.ErrorContext(ctx, "one", "e", errors.New(rvSecret))
	op.LogError(errors.New("direct " + rvSecret))
	op.End(errors.New("end " + rvSecret))
	recs := e.records()
	require.Len(t, recs, 7)
	for _, r := range recs {
		txt := rvText(r)
		assert.NotContains(t, txt, rvSecret, "record %q", r.Body().String())
		assert.True(t, utf8.ValidString(txt))
	}
}

func TestReviewBridgeDefaultRulesOutsideOperation(t *testing.T) {
	e := newRVEnv(t, nil)
	secret := "Bearer " + rvSecret
	args := rvSecretValues(rvSecret)
	args = append(args, "auth", errors.New("Authorization: "+secret), "nestedAuth", struct{ E error }{errors.New("Authorization: " + secret)})
	e.log.ErrorContext(t.Context(), "outside", args...)
	e.log.With(args...).WithGroup("g").Error("outside with")
	for _, r := range e.records() {
		txt := rvText(r)
		for _, leak := range []string{"access_token=" + rvSecret, "sig=" + rvSecret, "X-Vault-Token=" + rvSecret, secret, "key=" + rvSecret} {
			assert.NotContains(t, txt, leak)
		}
	}
}

// Hostile values: every method panics, or is a typed nil.
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

type rvCycle struct{ next error }

func (c *rvCycle) Error() string { return "cycle" }
func (c *rvCycle) Unwrap() error { return c.next }

type rvValuerLoop struct{}

func (rvValuerLoop) LogValue() slog.Value { return slog.AnyValue(rvValuerLoop{}) }

type rvJSONBad struct{}

func (rvJSONBad) MarshalJSON() ([]byte, error) { return []byte("{\"a\":\xff"), nil }

// TestReviewBridgeHostileValues: no slog call panics or hangs, whatever
// value it carries, where it sits, with or without an operation, with a
// ReplaceAttr that returns those values, and the records are valid.
func TestReviewBridgeHostileValues(t *testing.T) {
	cyc := &rvCycle{}
	cyc.next = cyc
	hostile := map[string]any{
		"all":         rvAll{},
		"nil ptr":     (*rvNil)(nil),
		"cycle":       cyc,
		"join":        errors.Join(rvAll{}, (*rvNil)(nil), cyc),
		"valuer loop": rvValuerLoop{},
		"bad json":    rvJSONBad{},
		"bad utf8":    "\xff\xfe",
		"nil any":     nil,
		"nil err":     error(nil),
		"nil map":     map[string]any(nil),
		"chan":        make(chan int),
		"func":        func() {},
	}
	for name, v := range hostile {
		t.Run(name, func(t *testing.T) {
			e := newRVEnv(t, nil, operation.WithRedactor(logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{rvSecret}})))
			ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
			args := []any{
				"v", v,
				slog.Any("a", v),
				slog.Group("g", slog.Any("m", v), "n", []any{v, struct{ V any }{v}}),
				"s", struct{ V any }{v},
				"m", map[string]any{"k": v},
				"sl", []any{v, v},
			}
			h := bridge.NewHandler(&bridge.Options{LoggerProvider: e.p.LoggerProvider(), AddSource: true,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == "replace" {
						return slog.Any("oplog.operation.id", v)
					}
					return a
				}})
			for _, c := range []context.Context{ctx, t.Context(), nil} {
				assert.NotPanics(t, func() {
					l := slog.New(h)
					l.Log(c, slog.LevelError, "m", args...)
					l.With(args...).WithGroup("oplog").With(args...).Log(c, slog.LevelWarn, "w", "replace", 1)
					_ = h.Handle(c, slog.NewRecord(time.Time{}, slog.LevelInfo, "", 0))
				})
			}
			op.Succeed()
			for _, r := range e.records() {
				txt := rvText(r)
				assert.True(t, utf8.ValidString(txt), "%q", txt)
				if id, ok := export.Attribute(&r, logrecord.KeyOperationID); ok {
					assert.Equal(t, op.ID(), id.AsString(), "oplog.operation.id is never forged")
				}
			}
		})
	}
}

// TestReviewBridgeReservedKeysAndLimit: reserved keys in any case, from
// attributes, With, groups and WithGroup, never pass for oplog's own; with
// MaxAttributes 10, a call with 300 attributes keeps oplog's first ones and
// counts the dropped.
func TestReviewBridgeReservedKeysAndLimit(t *testing.T) {
	for _, limit := range []int{10, -1, 0} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			e := newRVEnv(t, []export.Option{export.WithLimits(logrecord.Limits{MaxAttributes: limit})})
			ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c"})
			forged := []any{
				"OPLOG.operation.id", "forged", "oplog.operation.id", "forged", "Oplog.Message.Type", "forged",
				"oplog", "forged", "oplog.", "forged", "oplog.message.late", true, "oplog.connection.id", "forged",
			}
			many := make([]any, 0, 600)
			for i := range 300 {
				many = append(many, fmt.Sprintf("k%03d", i), i)
			}
			l := e.log.With(forged...)
			l.InfoContext(ctx, "attrs", append(forged, many...)...)
			l.WithGroup("OPLOG").InfoContext(ctx, "group", "operation.state", "failed")
			l.InfoContext(ctx, "slog group", slog.Group("Oplog", slog.String("connection.id", "forged")))
			op.Succeed()
			for _, r := range e.records() {
				id, ok := export.Attribute(&r, logrecord.KeyOperationID)
				require.True(t, ok, r.Body().String())
				assert.Equal(t, op.ID(), id.AsString())
				r.WalkAttributes(func(kv attribute.KeyValue) bool {
					low := strings.ToLower(string(kv.Key))
					if low == "oplog" || strings.HasPrefix(low, "oplog.") {
						assert.NotEqual(t, "forged", kv.Value.String(), "%s on %s", kv.Key, r.Body().String())
						assert.NotEqual(t, attribute.MAP, kv.Value.Type(), "%s on %s", kv.Key, r.Body().String())
						if kv.Value.Type() == attribute.BOOL {
							assert.False(t, kv.Value.AsBool() && r.Body().AsString() != "", "late forged on %s", r.Body().String())
						}
					}
					return true
				})
				if r.Body().AsString() == "attrs" {
					if limit == 10 {
						assert.LessOrEqual(t, r.AttributesLen(), 10)
					}
					assert.GreaterOrEqual(t, r.AttributesLen()+r.DroppedAttributes(), 300+7)
				}
			}
		})
	}
}

// TestReviewZeroHandler: nil and zero handlers take every call.
func TestReviewZeroHandler(t *testing.T) {
	var nilH *bridge.Handler
	var zero bridge.Handler
	for _, h := range []slog.Handler{nilH, &zero} {
		assert.NotPanics(t, func() {
			_ = h.Enabled(t.Context(), slog.LevelInfo)
			_ = h.Handle(t.Context(), slog.NewRecord(time.Now(), slog.LevelError, "m", 0))
			h2 := h.WithAttrs([]slog.Attr{slog.Any("e", rvAll{})}).WithGroup("oplog").WithGroup("")
			var nilCtx context.Context // what a hostile caller passes
			_ = h2.Handle(nilCtx, slog.NewRecord(time.Now(), slog.LevelError, "m", 0))
		})
	}
}

// rvSelfGroup resolves to a group that holds itself: slog resolves one
// level at a time, so nothing but a depth bound ends the conversion.
type rvSelfGroup struct{ inline bool }

func (g rvSelfGroup) LogValue() slog.Value {
	key := "again"
	if g.inline {
		key = ""
	}
	return slog.GroupValue(slog.Int("n", 1), slog.Any(key, g))
}

// TestReviewSelfResolvingGroup: a LogValuer whose group holds itself, named
// or inlined, at top level, in a group, in With, through Value, ends at the
// depth limit instead of overflowing the stack (which no recover catches).
func TestReviewSelfResolvingGroup(t *testing.T) {
	for _, inline := range []bool{false, true} {
		v := rvSelfGroup{inline: inline}
		got := bridge.Value(slog.AnyValue(v)).String()
		if !inline { // Value drops an inlined member that is not a group yet
			assert.Contains(t, got, logrecord.MarkerDepth)
		}
		e := newRVEnv(t, nil)
		ctx, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
		rvWithinB(t, func() {
			e.log.InfoContext(ctx, "top", "x", v)
			e.log.InfoContext(ctx, "group", slog.Group("g", "x", v))
			e.log.With("x", v).WithGroup("w").InfoContext(ctx, "with", "y", v)
			e.log.Info("outside", "x", v)
		})
		op.Succeed()
		recs := e.records()
		require.Len(t, recs, 6)
		for _, r := range recs[1:5] {
			assert.Contains(t, rvText(r), logrecord.MarkerDepth, r.Body().String())
		}
	}
}

func rvWithinB(t *testing.T, f func()) {
	t.Helper()
	assert.NotPanics(t, f)
}
