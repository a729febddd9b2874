package export_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
	"github.com/oplog-go/oplog/store"
)

// canary is a secret planted in bad values: no error may show it.
const canary = "s3cr3t-CANARY"

// TestConfigOptionErrors: every option mistake is an error from Setup that
// names the option, and shows no secret.
func TestConfigOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opt  export.Option
		want string
	}{
		{"nil console", export.WithConsole(nil), "WithConsole: nil io.Writer"},
		{"typed-nil console", export.WithConsole((*bytes.Buffer)(nil)), "WithConsole: nil io.Writer"},
		{"nil JSON", export.WithJSON(nil), "WithJSON: nil io.Writer"},
		{"typed-nil JSON", export.WithJSON((*os.File)(nil)), "WithJSON: nil io.Writer"},
		{"nil exporter", export.WithExporter(nil), "WithExporter: nil exporter"},
		{"typed-nil exporter", export.WithExporter((*export.Memory)(nil)), "WithExporter: nil exporter"},
		{"nil span exporter", export.WithSpanExporter(nil), "WithSpanExporter: nil exporter"},
		{"typed-nil span exporter", export.WithSpanExporter((*export.Memory)(nil)), "WithSpanExporter: nil exporter"},
		{"nil store", export.WithStore(nil), "WithStore: nil store"},
		{"typed-nil store", export.WithStore((*store.Store)(nil)), "WithStore: nil store"},
		{"queue size 0", export.WithQueueSize(0), "WithQueueSize(0): want a whole number ≥ 1"},
		{"queue size < 0", export.WithQueueSize(-1), "WithQueueSize(-1)"},
		{"batch size 0", export.WithBatchSize(0), "WithBatchSize(0)"},
		{"batch size < 0", export.WithBatchSize(-512), "WithBatchSize(-512)"},
		{"queue bytes 0", export.WithQueueBytes(0), "WithQueueBytes(0)"},
		{"batch bytes < 0", export.WithBatchBytes(-5), "WithBatchBytes(-5)"},
		{"interval 0", export.WithExportInterval(0), "WithExportInterval(0s): want a duration > 0"},
		{"interval < 0", export.WithExportInterval(-time.Second), "WithExportInterval(-1s)"},
		{"timeout 0", export.WithExportTimeout(0), "WithExportTimeout(0s)"},
		{"min severity undefined", export.WithMinSeverity(severity.Undefined), "WithMinSeverity("},
		{"min severity out of range", export.WithMinSeverity(severity.Severity(99)), "WithMinSeverity(SEVERITY(99))"},
		{"OTLP timeout 0", export.WithOTLP(export.OTLPTimeout(0)), "OTLPTimeout(0s): want a duration > 0"},
		{"OTLP timeout < 0", export.WithOTLP(export.OTLPTimeout(-time.Second)), "OTLPTimeout(-1s)"},
		{"OTLP retry < 0", export.WithOTLP(export.OTLPRetry(-time.Second)), "OTLPRetry(-1s)"},
		{"OTLP endpoint empty", export.WithOTLP(export.OTLPEndpoint("")), `OTLPEndpoint("")`},
		{"OTLP endpoint with a scheme", export.WithOTLP(export.OTLPEndpoint("http://collector:4318")), "OTLPEndpoint: want host:port without a scheme"},
		{"OTLP endpoint with a path", export.WithOTLP(export.OTLPEndpoint("collector:4318/v1")), "OTLPEndpoint: want host:port only"},
		{"OTLP endpoint with credentials", export.WithOTLP(export.OTLPEndpoint("u:" + canary + "@collector:4318")), "OTLPEndpoint: want host:port only"},
		{"OTLP URL garbage", export.WithOTLP(export.OTLPEndpointURL("garbage")), `OTLPEndpointURL("garbage"): want an absolute URL`},
		{"OTLP URL host:port", export.WithOTLP(export.OTLPEndpointURL("collector:4318")), `OTLPEndpointURL("collector:4318"): want an absolute URL`},
		{"OTLP URL ftp", export.WithOTLP(export.OTLPEndpointURL("ftp://collector:21")), `OTLPEndpointURL("ftp://collector:21"): want an http or https URL`},
		{"OTLP URL credentials", export.WithOTLP(export.OTLPEndpointURL("https://u:" + canary + "@collector")), `OTLPEndpointURL("https://REDACTED:REDACTED@collector"): credentials in the URL are not sent`},
		{"OTLP URL query", export.WithOTLP(export.OTLPEndpointURL("https://collector/?token=" + canary)), `OTLPEndpointURL("https://collector/?token=REDACTED"): want a URL without query or fragment`},
		{"OTLP header empty name", export.WithOTLP(export.OTLPHeaders(map[string]string{"": canary})), "OTLPHeaders: empty header name"},
		{"OTLP header bad name", export.WithOTLP(export.OTLPHeaders(map[string]string{"Api Key": canary})), "OTLPHeaders: header name is not an HTTP token"},
		{"OTLP header CR LF", export.WithOTLP(export.OTLPHeaders(map[string]string{"Api-Key": canary + "\r\nX-Forged: 1"})), "OTLPHeaders: control character"},
		{"OTLP header NUL", export.WithOTLP(export.OTLPHeaders(map[string]string{"Api-Key": canary + "\x00"})), "OTLPHeaders: control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := export.Setup(t.Context(), export.WithoutGlobal(), tt.opt)
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), "export: "+tt.want)
			assert.NotContains(t, err.Error(), canary)
		})
	}
	t.Run("every mistake is reported", func(t *testing.T) {
		_, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithQueueSize(0), export.WithConsole(nil))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "WithQueueSize(0)")
		assert.Contains(t, err.Error(), "WithConsole")
	})
}

// TestConfigValidOptions: the options' accepted values still make a working
// pipeline.
func TestConfigValidOptions(t *testing.T) {
	var con, js bytes.Buffer
	mem := export.NewMemory()
	p, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithErrorHandler(func(error) {}),
		export.WithConsole(&con), export.WithJSON(&js), export.WithExporter(mem), export.WithSpanExporter(mem),
		export.WithQueueSize(10), export.WithBatchSize(100), // clamped to the queue size
		export.WithQueueBytes(1<<20), export.WithBatchBytes(1<<16),
		export.WithExportInterval(time.Millisecond), export.WithExportTimeout(time.Second),
		export.WithMinSeverity(severity.Trace1), export.WithLimits(logrecord.Limits{MaxStringLen: -1, MaxAttributes: 1}),
		export.WithOTLP(export.OTLPEndpoint("127.0.0.1:1"), export.OTLPInsecure(), export.OTLPTimeout(time.Second), export.OTLPRetry(0),
			export.OTLPHeaders(map[string]string{"Api-Key": "x y\tz"}), export.OTLPGzip()),
	)
	require.NoError(t, err)
	emitN(p, 3)
	require.NoError(t, p.ForceFlush(t.Context()))
	assert.Len(t, mem.Records(), 3)
	assert.NotEmpty(t, con.String())
	assert.NotEmpty(t, js.String())
	_ = p.Shutdown(t.Context()) // the OTLP receiver is absent: its drops are expected
}

// TestConfigEnvErrors: every bad variable is an error from Setup naming it;
// header values are never shown.
func TestConfigEnvErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate "+canary), 0o600))
	missing := filepath.Join(dir, "missing.pem")
	ca, cert, key := testCerts(t, dir)

	type tcase struct {
		name string
		env  map[string]string
		want string
	}
	var tests []tcase
	for _, sig := range []string{"", "LOGS_", "TRACES_"} {
		h := "OTEL_EXPORTER_OTLP_" + sig + "HEADERS"
		tests = append(tests,
			tcase{h + " bad percent-escape", map[string]string{h: "api-key=" + canary + "%zz"}, h + ": pair 1: bad percent-escape in the value (value not shown)"},
			tcase{h + " empty key", map[string]string{h: "a=b,=" + canary}, h + ": pair 2: empty header name"},
			tcase{h + " invalid name", map[string]string{h: "api key=" + canary}, h + ": pair 1: header name is not an HTTP token"},
			tcase{h + " CR LF in a value", map[string]string{h: "api-key=" + canary + "%0D%0AX-Forged: 1"}, h + ": pair 1: control character"},
			tcase{h + " no =", map[string]string{h: "Bearer " + canary}, h + ": pair 1: want key=value"},
			tcase{h + " trailing comma", map[string]string{h: "api-key=" + canary + ","}, h + ": pair 2: want key=value"},
		)
		ep := "OTEL_EXPORTER_OTLP_" + sig + "ENDPOINT"
		tests = append(tests,
			tcase{ep + " ftp", map[string]string{ep: "ftp://collector:21"}, ep + `="ftp://collector:21": want an http or https URL`},
			tcase{ep + " no scheme", map[string]string{ep: "collector:4318"}, ep},
		)
		c, cc, ck := "OTEL_EXPORTER_OTLP_"+sig+"CERTIFICATE", "OTEL_EXPORTER_OTLP_"+sig+"CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_"+sig+"CLIENT_KEY"
		tests = append(tests,
			tcase{c + " missing", map[string]string{c: missing}, c + `="` + missing + `": open`},
			tcase{c + " unreadable (a directory)", map[string]string{c: dir}, c + `="` + dir + `": read`},
			tcase{c + " not PEM", map[string]string{c: notPEM}, c + `="` + notPEM + `": no PEM certificate in the file`},
			tcase{cc + " missing", map[string]string{cc: missing, ck: key}, cc + `="` + missing + `"`},
			tcase{ck + " not PEM", map[string]string{cc: cert, ck: notPEM}, cc + `="` + cert + `", ` + ck + `="` + notPEM + `": tls: failed to find any PEM data`},
			tcase{cc + " without the key", map[string]string{cc: cert}, cc + " is set without " + ck},
			tcase{ck + " without the certificate", map[string]string{ck: key}, ck + " is set without " + cc},
			tcase{ck + " not matching", map[string]string{cc: cert, ck: ca.keyFile}, cc},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			p, err := export.Setup(t.Context(), export.WithoutGlobal())
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), "export: "+tt.want)
			assert.NotContains(t, err.Error(), canary)
		})
	}
}
