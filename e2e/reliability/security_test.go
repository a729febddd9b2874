package reliability_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/bridge"
	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/e2e/faultproxy"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// canary is the secret planted everywhere; registered is also known to the
// Redactor as a secret value.
const (
	canary     = "cAnArY+s3cr3t/v4lue="
	registered = "Reg1stered-CANARY-K3y"
)

// leaks counts the copies of secret in b: raw, URL-encoded (both escapes,
// both hex cases) and base64 (standard and URL alphabets, padded or not),
// also as the password of a Basic credential.
func leaks(b []byte, secret string) map[string]int {
	forms := map[string]string{
		"raw":            secret,
		"query-escape":   url.QueryEscape(secret),
		"path-escape":    url.PathEscape(secret),
		"lower-hex":      strings.ToLower(url.QueryEscape(secret)),
		"base64":         base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64-raw":     base64.RawStdEncoding.EncodeToString([]byte(secret)),
		"base64-url":     base64.URLEncoding.EncodeToString([]byte(secret)),
		"base64-raw-url": base64.RawURLEncoding.EncodeToString([]byte(secret)),
		"basic":          base64.StdEncoding.EncodeToString([]byte("user:" + secret)),
	}
	out := map[string]int{}
	for name, f := range forms {
		if n := bytes.Count(b, []byte(f)); n > 0 {
			out[name] = n
		}
	}
	return out
}

func TestLeakScannerFindsEveryForm(t *testing.T) {
	for _, f := range []string{canary, url.QueryEscape(canary), base64.RawURLEncoding.EncodeToString([]byte(canary)),
		"Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+canary))} {
		assert.NotEmpty(t, leaks([]byte("x "+f+" y"), canary), f)
	}
}

// TestCanaryNeverExported plants the canary in every redaction case, sends
// it through Operation.HTTP, Transport, LogError and the slog bridge to
// OTLP, JSON and console, and searches the bytes each one wrote (for OTLP,
// the request bodies as the proxy saw them, logs and spans).
func TestCanaryNeverExported(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	px := faultproxy.Start(t, rcv.Endpoint(), nil)
	var jsonOut, consoleOut syncBuffer
	p, _ := setup(t, otlp(px.Endpoint()), export.WithJSON(&jsonOut), export.WithConsole(&consoleOut))
	trk := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()),
		operation.WithRedactor(logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{registered}, Headers: []string{"X-Vault-Token"}})))
	slogger := slog.New(bridge.NewHandler(&bridge.Options{LoggerProvider: p.LoggerProvider()}))

	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: url.QueryEscape(canary)})
		w.Header().Set("X-Auth-Token", canary)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer api.Close()
	client := &http.Client{Transport: operation.Transport(nil)}
	closed := collector.FreeAddr(t)

	ctx, op := trk.Start(t.Context(), operation.ProxyCall, operation.Refs{Integration: "acme"})
	q := url.QueryEscape(canary)
	urls := []string{
		"https://api.example.com/v1?token=" + q,
		"https://api.example.com/v1?Access_Token=" + q + "&access_token=" + q,
		"https://api.example.com/v1?%74oken=" + q,
		"https://api.example.com/v1?client_secret=" + q + "&code=" + q + "&X-Amz-Signature=" + q,
		"https://user:" + q + "@api.example.com/v1",
		"https://" + q + "@api.example.com/v1",
		"https://api.example.com/v1/" + registered + "/items#" + registered,
		"https://api.example.com/v1?redirect_uri=" + url.QueryEscape("https://cb.example.com/?code="+canary),
	}
	headers := http.Header{
		"Authorization":       {"Bearer " + canary},
		"Proxy-Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+canary))},
		"Cookie":              {"session=" + q},
		"X-Api-Key":           {canary},
		"x-AUTH-token":        {canary},
		"X-Vault-Token":       {canary},
		"X-Custom":            {"key " + registered},
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		req := (&http.Request{Method: http.MethodPost, URL: u, Header: headers.Clone()}).WithContext(ctx)
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Set-Cookie": {"session=" + q + "; HttpOnly"}}}
		op.HTTP(operation.HTTPCall{Request: req, Response: resp, Duration: time.Millisecond})
	}
	// Transport: a real request to a server answering with secrets, and one
	// to a closed port, whose net/http error quotes the URL.
	for _, target := range []string{api.URL, "http://" + closed} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+"/v1?token="+q+"&api_key="+q, nil)
		require.NoError(t, err)
		req.Header = headers.Clone()
		req.SetBasicAuth("user", canary)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
	}
	// A real *url.Error, a form body and a registered secret in error text.
	_, urlErr := http.Get("http://" + closed + "/v1?access_token=" + q)
	require.Error(t, urlErr)
	op.LogError(urlErr)
	op.LogError(errors.New("token endpoint refused client_secret=" + q + "&password=" + q + "&grant_type=refresh_token"))
	op.LogError(fmt.Errorf("vault said no to %s", registered))
	op.HTTP(operation.HTTPCall{Request: (&http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Host: closed, RawQuery: "token=" + q}}).WithContext(ctx), Err: urlErr})
	// The bridge: slog records inside the operation carrying the same errors.
	slogger.ErrorContext(ctx, "call failed", "err", urlErr)
	slogger.ErrorContext(ctx, "refresh failed", slog.Any("error", errors.New("client_secret="+q)))
	op.Fail(urlErr)
	require.NoError(t, p.Shutdown(t.Context()))

	e := checkLedger(t, p, "otlp", nil)
	require.Positive(t, e.Delivered)
	assert.Len(t, rcv.LogRecords(), int(e.Delivered), "delivered = what the receiver holds")
	assert.Len(t, rcv.Spans(), 1)
	var otlpBytes []byte
	for _, b := range px.Bodies() {
		otlpBytes = append(otlpBytes, b...)
	}
	outputs := map[string][]byte{"otlp requests": otlpBytes, "json": jsonOut.Bytes(), "console": consoleOut.Bytes()}
	for name, b := range outputs {
		require.NotEmpty(t, b, name)
		if !assert.Empty(t, leaks(b, canary), "%s: copies of the canary", name) {
			for _, f := range []string{canary, url.QueryEscape(canary)} {
				for i := bytes.Index(b, []byte(f)); i >= 0 && name == "console"; {
					t.Logf("%s: …%s…", name, b[max(0, i-120):min(len(b), i+40)])
					j := bytes.Index(b[i+1:], []byte(f))
					if j < 0 {
						break
					}
					i += 1 + j
				}
			}
		}
		assert.Empty(t, leaks(b, registered), "%s: copies of the registered secret", name)
		assert.Contains(t, string(b), logrecord.Redacted, "%s: the redaction is visible", name)
	}
	publish(t, figures{Case: "canary in every redaction case via HTTP, Transport, LogError and the slog bridge", Stats: e, Emitted: p.Stats().Emitted,
		Note: fmt.Sprintf("0 copies in %d OTLP request bytes, %d JSON bytes, %d console bytes", len(otlpBytes), len(outputs["json"]), len(outputs["console"]))})
}
