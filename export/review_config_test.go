package export_test

import (
	"context"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// rvEmit emits n small records through the OTel log API.
func rvEmit(ctx context.Context, p *export.Pipeline, n int) {
	lg := p.LoggerProvider().Logger("review")
	for i := range n {
		var r log.Record
		r.SetSeverity(log.SeverityInfo)
		r.SetBody(attribute.IntValue(i))
		lg.Emit(ctx, r)
	}
}

// TestReviewHugeOptionValues: the largest values an option or variable
// takes are accepted and work: records are delivered, no goroutine panics
// on an overflowed duration.
func TestReviewHugeOptionValues(t *testing.T) {
	tests := []struct {
		name string
		opts []export.Option
		env  map[string]string
	}{
		{"options", []export.Option{
			export.WithQueueSize(math.MaxInt), export.WithBatchSize(math.MaxInt),
			export.WithQueueBytes(math.MaxInt), export.WithBatchBytes(math.MaxInt),
			export.WithExportInterval(math.MaxInt64), export.WithExportTimeout(math.MaxInt64),
		}, nil},
		{"variables", nil, map[string]string{
			"OTEL_BLRP_MAX_QUEUE_SIZE": "9223372036854775807", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE": "9223372036854775807",
			"OPLOG_BLRP_MAX_QUEUE_BYTES": "9223372036854775807", "OPLOG_BLRP_MAX_EXPORT_BATCH_BYTES": "9223372036854775807",
			"OTEL_BLRP_SCHEDULE_DELAY": "9223372036854", "OTEL_BLRP_EXPORT_TIMEOUT": "9223372036854",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			mem := export.NewMemory()
			p, err := export.Setup(t.Context(), append([]export.Option{export.WithoutGlobal(), export.WithExporter(mem)}, tt.opts...)...)
			if err != nil {
				// Refusing is fine, if the error names what it refuses.
				for k := range tt.env {
					if strings.Contains(err.Error(), k) {
						return
					}
				}
				require.NoError(t, err)
			}
			rvEmit(t.Context(), p, 10)
			require.NoError(t, p.ForceFlush(t.Context()))
			require.NoError(t, p.Shutdown(t.Context()))
			assert.Len(t, mem.Records(), 10)
			s := p.Stats()
			rvAddsUp(t, s, true)
			assert.Equal(t, uint64(10), s.Exporters[0].Delivered)
		})
	}
}

// TestReviewMillisecondOverflow: a millisecond variable past what a
// time.Duration holds is an error naming it; it never wraps around into a
// tiny or negative duration (76480200929599801 ms wraps to 64 ns) that
// fails every request or is silently replaced by the default.
func TestReviewMillisecondOverflow(t *testing.T) {
	names := []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
		"OTEL_BLRP_EXPORT_TIMEOUT", "OTEL_BLRP_SCHEDULE_DELAY"}
	for _, name := range names {
		for _, val := range []string{"76480200929599801", "9223372036855", "9223372036854775807"} {
			t.Run(name+"="+val, func(t *testing.T) {
				rv := newRVReceiver(t, nil)
				t.Setenv(name, val)
				p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}),
					export.WithOTLP(export.OTLPEndpointURL(rv.URL)))
				if p != nil {
					_ = p.Shutdown(t.Context())
				}
				require.Error(t, err)
				assert.Contains(t, err.Error(), name)
			})
		}
	}
	t.Run("largest accepted works", func(t *testing.T) {
		rv := newRVReceiver(t, nil)
		t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "9223372036854")
		t.Setenv("OTEL_BLRP_EXPORT_TIMEOUT", "9223372036854")
		p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}),
			export.WithOTLP(export.OTLPEndpointURL(rv.URL)))
		require.NoError(t, err)
		rvEmit(t.Context(), p, 5)
		require.NoError(t, p.Shutdown(t.Context()))
		assert.Equal(t, 5, rv.records())
	})
}

// TestReviewSDKDisabled: OTEL_SDK_DISABLED follows the specification:
// "true" in any case (and surrounding blanks) disables; anything else
// enables, a value other than false or empty with a warning.
func TestReviewSDKDisabled(t *testing.T) {
	tests := []struct {
		val      string
		disabled bool
		warn     bool
	}{
		{"true", true, false}, {"TRUE", true, false}, {"True", true, false}, {" true ", true, false},
		{"false", false, false}, {"FALSE", false, false}, {"", false, false},
		{"1", false, true}, {"yes", false, true}, {"on", false, true}, {"truee", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.val, func(t *testing.T) {
			t.Setenv("OTEL_SDK_DISABLED", tt.val)
			mem := export.NewMemory()
			var warned []error
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(mem), export.WithSpanExporter(mem),
				export.WithErrorHandler(func(err error) { warned = append(warned, err) }))
			require.NoError(t, err)
			rvEmit(t.Context(), p, 3)
			_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
			span.End()
			require.NoError(t, p.ForceFlush(t.Context()))
			require.NoError(t, p.Shutdown(t.Context()))
			if tt.disabled {
				assert.Empty(t, mem.Records())
				assert.Empty(t, mem.Spans())
				assert.Zero(t, p.Stats().Emitted)
			} else {
				assert.Len(t, mem.Records(), 3)
				assert.Len(t, mem.Spans(), 1)
			}
			if tt.warn {
				require.NotEmpty(t, warned)
				assert.Contains(t, warned[0].Error(), "OTEL_SDK_DISABLED")
			} else {
				assert.Empty(t, warned)
			}
		})
	}
}

// TestReviewPerSignalVariableErrors: a mistake in a per-signal variable is
// an error naming that variable, never echoing a header value.
func TestReviewPerSignalVariableErrors(t *testing.T) {
	const secret = "s3cr3t-REVIEW"
	tests := []struct {
		name, val string
		hidden    string
	}{
		{"OTEL_EXPORTER_OTLP_LOGS_HEADERS", "api-key=" + secret + "%zz", secret},
		{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=" + secret + "%0Ax", secret},
		{"OTEL_EXPORTER_OTLP_LOGS_HEADERS", "=" + secret, secret},
		{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "bad key=" + secret, secret},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://collector:21/v1/traces", ""},
		{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "garbage", ""},
		{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "collector:4318", ""},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://", ""},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://u:" + secret + "@", secret},
		{"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "-1", ""},
		{"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "zstd", ""},
		{"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc", ""},
		{"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "maybe", ""},
		{"OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE", "/nonexistent/ca.pem", ""},
		{"OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "/nonexistent/key.pem", ""},
		{"OTEL_BLRP_MAX_QUEUE_SIZE", "0", ""},
		{"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "-3", ""},
		{"OPLOG_BLRP_MAX_QUEUE_BYTES", "1e6", ""},
		{"OPLOG_BLRP_MAX_EXPORT_BATCH_BYTES", "0", ""},
		{"OTEL_BLRP_SCHEDULE_DELAY", "0", ""},
		{"OTEL_BLRP_EXPORT_TIMEOUT", "-5", ""},
		{"OTEL_BLRP_MAX_QUEUE_SIZE", "99999999999999999999", ""},
		{"OPLOG_LEVEL", "LOUD", ""},
		{"OTEL_LOGS_EXPORTER", "console,kafka", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.val, func(t *testing.T) {
			t.Setenv(tt.name, tt.val)
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(export.NewMemory()))
			if p != nil {
				_ = p.Shutdown(t.Context())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.name)
			if tt.hidden != "" {
				assert.NotContains(t, err.Error(), tt.hidden)
			}
		})
	}
}

// TestReviewEndpointPaths: /v1/logs and /v1/traces are appended to the
// base URL's path, with or without a trailing slash, never as "//v1/…";
// a per-signal endpoint variable is used as it is.
func TestReviewEndpointPaths(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		opt        func(base string) export.OTLPOption
		logs, spns string
	}{
		{"option, prefix with trailing slash", nil, func(b string) export.OTLPOption { return export.OTLPEndpointURL(b + "/otlp/") }, "/otlp/v1/logs", "/otlp/v1/traces"},
		{"option, prefix", nil, func(b string) export.OTLPOption { return export.OTLPEndpointURL(b + "/otlp") }, "/otlp/v1/logs", "/otlp/v1/traces"},
		{"option, root slash", nil, func(b string) export.OTLPOption { return export.OTLPEndpointURL(b + "/") }, "/v1/logs", "/v1/traces"},
		{"option, bare", nil, func(b string) export.OTLPOption { return export.OTLPEndpointURL(b) }, "/v1/logs", "/v1/traces"},
		{"variable, prefix with trailing slash", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "{}/otlp/"}, nil, "/otlp/v1/logs", "/otlp/v1/traces"},
		{"variable, root slash", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "{}/"}, nil, "/v1/logs", "/v1/traces"},
		{"per-signal variables as they are", map[string]string{
			"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "{}/in/logs/v1/logs", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "{}/in/traces/v1/traces",
		}, nil, "/in/logs/v1/logs", "/in/traces/v1/traces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rv := newRVReceiver(t, nil)
			for k, v := range tt.env {
				t.Setenv(k, strings.ReplaceAll(v, "{}", rv.URL))
			}
			var otlp []export.OTLPOption
			if tt.opt != nil {
				otlp = append(otlp, tt.opt(rv.URL))
			}
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}), export.WithOTLP(otlp...))
			require.NoError(t, err)
			rvEmit(t.Context(), p, 2)
			_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
			span.End()
			require.NoError(t, p.Shutdown(t.Context()))
			paths, _, _, _ := rv.seen()
			assert.ElementsMatch(t, []string{tt.logs, tt.spns}, paths)
			assert.Equal(t, 2, rv.records())
			assert.Equal(t, 1, rv.spans())
		})
	}
}

// TestReviewHeadersReachTheirSignal: per-signal header variables reach
// their signal's requests, percent-decoded; an option wins over the
// variables.
func TestReviewHeadersReachTheirSignal(t *testing.T) {
	t.Run("variables", func(t *testing.T) {
		rv := newRVReceiver(t, nil)
		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rv.URL)
		t.Setenv("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "x-sig=logs%2C%20only , x-eq=a=b")
		t.Setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-sig=traces")
		p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}), export.WithOTLP())
		require.NoError(t, err)
		rvEmit(t.Context(), p, 1)
		_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
		span.End()
		require.NoError(t, p.Shutdown(t.Context()))
		paths, headers, _, _ := rv.seen()
		require.Len(t, paths, 2)
		for i, path := range paths {
			if strings.HasSuffix(path, "/v1/logs") {
				assert.Equal(t, "logs, only", headers[i].Get("x-sig"))
				assert.Equal(t, "a=b", headers[i].Get("x-eq"))
			} else {
				assert.Equal(t, "traces", headers[i].Get("x-sig"))
			}
		}
	})
	t.Run("option wins over variable", func(t *testing.T) {
		rv := newRVReceiver(t, nil)
		t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-k=from-env")
		t.Setenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://127.0.0.1:1/v1/logs")
		p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}),
			export.WithOTLP(export.OTLPEndpointURL(rv.URL), export.OTLPHeaders(map[string]string{"x-k": "from-option"})))
		require.NoError(t, err)
		rvEmit(t.Context(), p, 1)
		require.NoError(t, p.Shutdown(t.Context()))
		_, headers, _, _ := rv.seen()
		require.NotEmpty(t, headers)
		assert.Equal(t, "from-option", headers[0].Get("x-k"))
		assert.Equal(t, 1, rv.records())
	})
}

// rvNilStore is a LogSpanExporter whose typed nil crashes every method.
type rvNilStore struct{ n *int }

func (s *rvNilStore) Export(context.Context, []sdklog.Record) error { *s.n++; return nil }
func (s *rvNilStore) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	*s.n++
	return nil
}
func (s *rvNilStore) Shutdown(context.Context) error   { *s.n++; return nil }
func (s *rvNilStore) ForceFlush(context.Context) error { *s.n++; return nil }

type rvWriterFunc func([]byte) (int, error)

func (f rvWriterFunc) Write(b []byte) (int, error) { return f(b) }

// TestReviewNilValues: a nil behind every interface an option takes is an
// error naming the option; a nil hidden deeper (a struct wrapping a nil
// writer) cannot crash the program: its exports fail and are counted.
func TestReviewNilValues(t *testing.T) {
	tests := []struct {
		name string
		opt  export.Option
		want string
	}{
		{"typed-nil store of another type", export.WithStore((*rvNilStore)(nil)), "WithStore"},
		{"nil func writer", export.WithConsole(rvWriterFunc(nil)), "WithConsole"},
		{"nil func writer, JSON", export.WithJSON(rvWriterFunc(nil)), "WithJSON"},
		{"typed-nil exporter of another type", export.WithExporter((*rvNilStore)(nil)), "WithExporter"},
		{"typed-nil span exporter of another type", export.WithSpanExporter((*rvNilStore)(nil)), "WithSpanExporter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), tt.opt)
			if p != nil {
				_ = p.Shutdown(t.Context())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("nil inside a value", func(t *testing.T) {
		p := rvSetup(t, export.WithConsole(struct{ io.Writer }{}), export.WithSpanExporter(export.NewConsole(struct{ io.Writer }{})))
		rvEmit(t.Context(), p, 3)
		_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
		span.End()
		require.NoError(t, p.ForceFlush(t.Context()))
		err := p.Shutdown(t.Context())
		var ue *export.UndeliveredError
		require.True(t, errors.As(err, &ue), "%v", err)
		s := p.Stats()
		rvAddsUp(t, s, true)
		assert.Equal(t, uint64(3), s.Exporters[0].Dropped.ExportFailed)
		assert.Equal(t, uint64(1), s.Spans.Dropped.ExportFailed)
	})
}

// TestReviewBadResourceAndService: a service name or resource attribute
// with invalid UTF-8 or control characters cannot fail the requests.
func TestReviewBadResourceAndService(t *testing.T) {
	rv := newRVReceiver(t, nil)
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team=a%FFb,x=%0Ay")
	p := rvSetup(t, export.WithServiceName("svc\xff\n"), export.WithOTLP(export.OTLPEndpointURL(rv.URL)))
	rvEmit(t.Context(), p, 4)
	_, span := p.TracerProvider().Tracer("review\xfe").Start(t.Context(), "op")
	span.End()
	require.NoError(t, p.Shutdown(t.Context()))
	_, _, _, ko := rv.seen()
	assert.Zero(t, ko)
	assert.Equal(t, 4, rv.records())
	assert.Equal(t, 1, rv.spans())
}

// TestReviewLimitsMaxAttributes: WithLimits' MaxAttributes decides how
// many attributes arrive, whatever its value, and the rest are counted in
// the record.
func TestReviewLimitsMaxAttributes(t *testing.T) {
	tests := []struct {
		max, want int
	}{{1, 1}, {10, 10}, {0, 256}, {-1, 300}, {-100, 300}, {math.MaxInt, 300}, {299, 299}, {300, 300}}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.max), func(t *testing.T) {
			mem := export.NewMemory()
			p := rvSetup(t, export.WithExporter(mem), export.WithLimits(logrecord.Limits{MaxAttributes: tt.max}))
			var r log.Record
			r.SetSeverity(log.SeverityInfo)
			r.SetBody(attribute.StringValue("many"))
			for i := range 300 {
				r.AddAttributes(attribute.Int("k"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+strconv.Itoa(i), i))
			}
			p.LoggerProvider().Logger("review").Emit(t.Context(), r)
			require.NoError(t, p.ForceFlush(t.Context()))
			recs := mem.Records()
			require.Len(t, recs, 1)
			assert.Equal(t, tt.want, recs[0].AttributesLen())
			assert.Equal(t, 300-tt.want, recs[0].DroppedAttributes())
		})
	}
}

// TestReviewMinSeverityVariants: WithMinSeverity and OPLOG_LEVEL accept
// every one of the 24 and nothing else.
func TestReviewMinSeverityVariants(t *testing.T) {
	for s := severity.Severity(-3); s <= 30; s++ {
		p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(export.NewMemory()), export.WithMinSeverity(s))
		if s.Valid() {
			require.NoError(t, err, "%d", s)
			require.NoError(t, p.Shutdown(t.Context()))
		} else {
			require.Error(t, err, "%d", s)
			assert.Contains(t, err.Error(), "WithMinSeverity")
		}
	}
}

// TestReviewEndpointPorts: a port that is not a number from 1 to 65535 is
// an error naming the option or variable, not a failure at every export.
func TestReviewEndpointPorts(t *testing.T) {
	opts := map[string]export.OTLPOption{
		"OTLPEndpointURL":  export.OTLPEndpointURL("http://collector:99999"),
		"OTLPEndpointURL ": export.OTLPEndpointURL("http://collector:0"),
		"OTLPEndpoint":     export.OTLPEndpoint("collector:65536"),
		"OTLPEndpoint ":    export.OTLPEndpoint("collector:"),
		"OTLPEndpoint  ":   export.OTLPEndpoint("collector:http"),
	}
	for name, o := range opts {
		t.Run(name, func(t *testing.T) {
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithOTLP(o))
			if p != nil {
				_ = p.Shutdown(t.Context())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), strings.TrimSpace(name))
		})
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, "http://collector:70000")
			p, err := export.Setup(t.Context(), export.WithoutGlobal())
			if p != nil {
				_ = p.Shutdown(t.Context())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
	t.Run("valid ports", func(t *testing.T) {
		for _, o := range []export.OTLPOption{export.OTLPEndpointURL("http://collector:1"), export.OTLPEndpointURL("https://collector"),
			export.OTLPEndpoint("collector:65535"), export.OTLPEndpoint("collector"), export.OTLPEndpoint("[::1]:4318")} {
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithOTLP(o))
			require.NoError(t, err)
			require.NoError(t, p.Shutdown(t.Context()))
		}
	})
}

// TestReviewPerSignalEndpointChoosesItsSignal: with no exporter option or
// variable, a per-signal endpoint variable turns OTLP on for its signal
// only: the other signal is not sent to a default endpoint nobody set.
func TestReviewPerSignalEndpointChoosesItsSignal(t *testing.T) {
	tests := []struct {
		name              string
		logs, traces      bool
		wantLogs, wantSps int
	}{
		{"logs only", true, false, 3, 0},
		{"traces only", false, true, 0, 1},
		{"both", true, true, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rv := newRVReceiver(t, nil)
			if tt.logs {
				t.Setenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", rv.URL+"/v1/logs")
			}
			if tt.traces {
				t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", rv.URL+"/v1/traces")
			}
			t.Setenv("OTEL_LOGS_EXPORTER", "") // the default choice
			t.Setenv("OPLOG_LEVEL", "FATAL4")  // keep the default console quiet
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}))
			require.NoError(t, err)
			lg := p.LoggerProvider().Logger("review")
			for range 3 {
				var r log.Record
				r.SetSeverity(log.SeverityFatal4)
				r.SetBody(attribute.StringValue("x"))
				lg.Emit(t.Context(), r)
			}
			_, span := p.TracerProvider().Tracer("review").Start(t.Context(), "op")
			span.End()
			_ = p.Shutdown(t.Context())
			s := p.Stats()
			rvAddsUp(t, s, true)
			assert.Zero(t, s.Undelivered(), "nothing sent where no endpoint was set: %+v", s)
			assert.Equal(t, tt.wantLogs, rv.records())
			assert.Equal(t, tt.wantSps, rv.spans())
		})
	}
}

// TestReviewSpanQueueVariables: the OTEL_BSP_* variables, which the
// specification defines for spans, reach the span queues (a mistake in
// one is an error naming it); options win over them.
func TestReviewSpanQueueVariables(t *testing.T) {
	for _, name := range []string{"OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT"} {
		t.Run(name+" mistake", func(t *testing.T) {
			t.Setenv(name, "-1")
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithExporter(export.NewMemory()))
			if p != nil {
				_ = p.Shutdown(t.Context())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), name)
		})
	}
	run := func(t *testing.T, opts ...export.Option) export.Stats {
		exp := newRVBlocked()
		p := rvSetup(t, append([]export.Option{export.WithExporter(exp), export.WithSpanExporter(exp)}, opts...)...)
		tr := p.TracerProvider().Tracer("review")
		lg := p.LoggerProvider().Logger("review")
		for i := range 10 {
			_, s := tr.Start(t.Context(), "op")
			s.End()
			var r log.Record
			r.SetBody(attribute.IntValue(i))
			lg.Emit(t.Context(), r)
		}
		s := p.Stats()
		close(exp.release)
		return s
	}
	t.Run("queue size", func(t *testing.T) {
		t.Setenv("OTEL_BSP_MAX_QUEUE_SIZE", "2")
		s := run(t)
		// A batch of 2 in the stalled export, 2 queued.
		assert.GreaterOrEqual(t, s.Spans.Dropped.QueueFull, uint64(10-4), "spans: %+v", s.Spans)
		assert.Zero(t, s.Exporters[0].Dropped.QueueFull, "records keep their queue")
	})
	t.Run("option wins", func(t *testing.T) {
		t.Setenv("OTEL_BSP_MAX_QUEUE_SIZE", "2")
		s := run(t, export.WithQueueSize(100))
		assert.Zero(t, s.Spans.Dropped.QueueFull, "spans: %+v", s.Spans)
	})
}
