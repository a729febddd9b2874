package export_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"

	"github.com/oplog-go/oplog/export"
)

// pemFiles are a certificate and its key, written as PEM files.
type pemFiles struct {
	certFile, keyFile string
	cert              *x509.Certificate
	key               *ecdsa.PrivateKey
	pair              tls.Certificate
}

// issue makes a certificate for tmpl signed by parent (self-signed if nil)
// and writes it to dir/name.crt and dir/name.key.
func issue(t *testing.T, dir, name string, tmpl *x509.Certificate, parent *pemFiles) pemFiles {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	f := pemFiles{certFile: filepath.Join(dir, name+".crt"), keyFile: filepath.Join(dir, name+".key"), cert: cert, key: key}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	require.NoError(t, os.WriteFile(f.certFile, certPEM, 0o600))
	require.NoError(t, os.WriteFile(f.keyFile, keyPEM, 0o600))
	f.pair, err = tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return f
}

// testCerts writes a CA and a client certificate it signed; it returns the
// CA and the client's certificate and key files.
func testCerts(t *testing.T, dir string) (ca pemFiles, cert, key string) {
	ca = issue(t, dir, "ca", &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil)
	client := issue(t, dir, "client", &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "client"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, &ca)
	return ca, client.certFile, client.keyFile
}

// TestConfigEnvTLS: the certificate variables reach oplog's OTLP client:
// a receiver whose certificate only the given CA vouches for, and which
// requires a client certificate, gets the records and spans.
func TestConfigEnvTLS(t *testing.T) {
	for _, sig := range []string{"", "LOGS_"} {
		t.Run("OTEL_EXPORTER_OTLP_"+sig, func(t *testing.T) {
			dir := t.TempDir()
			ca, cert, key := testCerts(t, dir)
			server := issue(t, dir, "server", &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "receiver"},
				IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, &ca)
			pool := x509.NewCertPool()
			pool.AddCert(ca.cert)
			var mu sync.Mutex
			paths := map[string]int{}
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				paths[r.URL.Path]++
				mu.Unlock()
			}))
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{server.pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
			srv.StartTLS()
			defer srv.Close()

			for _, s := range []string{sig, "TRACES_"} {
				t.Setenv("OTEL_EXPORTER_OTLP_"+s+"CERTIFICATE", ca.certFile)
				t.Setenv("OTEL_EXPORTER_OTLP_"+s+"CLIENT_CERTIFICATE", cert)
				t.Setenv("OTEL_EXPORTER_OTLP_"+s+"CLIENT_KEY", key)
			}
			p := setup(t, export.WithOTLP(export.OTLPEndpointURL(srv.URL), export.OTLPRetry(0)))
			emitN(p, 5)
			_, span := p.TracerProvider().Tracer("test").Start(t.Context(), "op")
			span.End()
			require.NoError(t, p.Shutdown(t.Context()))
			s := p.Stats()
			assert.Equal(t, uint64(5), s.Exporters[0].Delivered)
			assert.Equal(t, uint64(1), s.Spans.Exported)
			mu.Lock()
			assert.Equal(t, map[string]int{"/v1/logs": 1, "/v1/traces": 1}, paths)
			mu.Unlock()
		})
	}
}

// TestConfigEndpointPaths: a base URL's trailing slash or prefix gives one
// slash before v1/logs, from the option and from the variable.
func TestConfigEndpointPaths(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
	}))
	defer srv.Close()
	tests := []struct {
		name, base, env, want string
	}{
		{"option, trailing slash", srv.URL + "/", "", "/v1/logs"},
		{"option, no slash", srv.URL, "", "/v1/logs"},
		{"option, prefix with slash", srv.URL + "/otlp/", "", "/otlp/v1/logs"},
		{"variable, trailing slash", "", srv.URL + "/", "/v1/logs"},
		{"variable, prefix with slash", "", srv.URL + "/otlp/", "/otlp/v1/logs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			paths = nil
			mu.Unlock()
			var opts []export.Option
			if tt.base != "" {
				opts = append(opts, export.WithOTLP(export.OTLPEndpointURL(tt.base), export.OTLPRetry(0)))
			} else {
				t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", tt.env)
				t.Setenv("OTEL_LOGS_EXPORTER", "otlp")
				t.Setenv("OTEL_TRACES_EXPORTER", "none")
			}
			p := setup(t, opts...)
			emitN(p, 1)
			require.NoError(t, p.Shutdown(t.Context()))
			mu.Lock()
			assert.Equal(t, []string{tt.want}, paths)
			mu.Unlock()
		})
	}
}

// TestConfigOTLPTimeout: the request timeout reaches oplog's client, from
// the option and from the variable: a receiver that never answers costs
// one timeout, not the export's.
func TestConfigOTLPTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	for _, viaEnv := range []bool{false, true} {
		o := []export.OTLPOption{export.OTLPEndpointURL(srv.URL), export.OTLPRetry(0)}
		if viaEnv {
			t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "50")
		} else {
			o = append(o, export.OTLPTimeout(50*time.Millisecond))
		}
		p := setup(t, export.WithOTLP(o...), export.WithExportTimeout(time.Hour), export.WithErrorHandler(func(error) {}))
		emitN(p, 1)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		require.NoError(t, p.ForceFlush(ctx), "bounded by the request timeout, not the export's hour")
		cancel()
		assert.Equal(t, uint64(1), p.Stats().Exporters[0].Dropped.ExportFailed)
		require.Error(t, p.Shutdown(t.Context()))
	}
}

// TestConfigSDKDisabled follows the specification: OTEL_SDK_DISABLED=true
// (any case) gives providers that produce nothing; false or empty is
// enabled; any other value is enabled, with a warning.
func TestConfigSDKDisabled(t *testing.T) {
	for _, v := range []string{"true", "TRUE", " True "} {
		t.Run(v, func(t *testing.T) {
			var mu sync.Mutex
			var reached int
			srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { mu.Lock(); reached++; mu.Unlock() }))
			defer srv.Close()
			t.Setenv("OTEL_SDK_DISABLED", v)
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
			logs, traces := otel.GetLoggerProvider(), otel.GetTracerProvider()
			defer otel.SetLoggerProvider(logs)
			defer otel.SetTracerProvider(traces)
			var reported []error
			p, err := export.Setup(t.Context(), export.WithErrorHandler(func(err error) { reported = append(reported, err) }))
			require.NoError(t, err)
			assert.Same(t, p.LoggerProvider(), otel.GetLoggerProvider(), "the globals are set")
			assert.Same(t, p.TracerProvider(), otel.GetTracerProvider())
			emitN(p, 10)
			_, span := p.TracerProvider().Tracer("test").Start(t.Context(), "op")
			span.End()
			require.NoError(t, p.ForceFlush(t.Context()))
			require.NoError(t, p.Shutdown(t.Context()))
			assert.Equal(t, export.Stats{}, p.Stats())
			assert.Empty(t, reported)
			mu.Lock()
			assert.Zero(t, reached, "nothing is sent")
			mu.Unlock()
		})
	}
	t.Run("WithoutGlobal", func(t *testing.T) {
		t.Setenv("OTEL_SDK_DISABLED", "true")
		before := otel.GetLoggerProvider()
		p, err := export.Setup(t.Context(), export.WithoutGlobal())
		require.NoError(t, err)
		assert.Same(t, before, otel.GetLoggerProvider())
		require.NoError(t, p.Shutdown(t.Context()))
	})
	t.Run("mistakes still fail", func(t *testing.T) {
		t.Setenv("OTEL_SDK_DISABLED", "true")
		_, err := export.Setup(t.Context(), export.WithoutGlobal(), export.WithQueueSize(0))
		require.Error(t, err)
	})
	for _, tt := range []struct{ val, warning string }{
		{"false", ""}, {"FALSE", ""}, {"", ""},
		{"yes", `OTEL_SDK_DISABLED="yes": want true or false; the SDK stays enabled`},
		{"1", `OTEL_SDK_DISABLED="1"`},
	} {
		t.Run("enabled "+tt.val, func(t *testing.T) {
			t.Setenv("OTEL_SDK_DISABLED", tt.val)
			var reported []error
			mem := export.NewMemory()
			p := setup(t, export.WithExporter(mem), export.WithErrorHandler(func(err error) { reported = append(reported, err) }))
			emitN(p, 2)
			require.NoError(t, p.Shutdown(t.Context()))
			assert.Len(t, mem.Records(), 2)
			if tt.warning == "" {
				assert.Empty(t, reported)
				return
			}
			require.Len(t, reported, 1)
			assert.Contains(t, reported[0].Error(), tt.warning)
		})
	}
}
