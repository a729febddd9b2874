package logrecord_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

// valueCanary is planted in the sensitive places of the values below.
const valueCanary = "vAlUe-CaNaRy-5521"

type errHolder struct {
	Err   error
	Errs  []error
	Inner struct{ Cause error }
}

type httpHolder struct {
	URL    *url.URL
	Header http.Header
	Req    *http.Request `json:"req"`
}

// nestedSecrets returns values that carry valueCanary only where the
// default rules find it: in error texts and in HTTP data, at every depth.
func nestedSecrets(t *testing.T) map[string]any {
	t.Helper()
	errURL := errors.New(`Get "https://h.example/p?access_token=` + valueCanary + `": EOF`)
	u, err := url.Parse("https://u:" + valueCanary + "@h.example/p?X-Amz-Signature=" + valueCanary + "&page=1")
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), "GET", u.String(), strings.NewReader(valueCanary))
	require.NoError(t, err)
	req.Header.Set("X-Goog-Api-Key", valueCanary)
	resp := &http.Response{StatusCode: 403, Header: http.Header{"Set-Cookie": {"sid=" + valueCanary}},
		Body: http.NoBody, Request: req}
	return map[string]any{
		"error in a struct field":     errHolder{Err: errURL},
		"[]error":                     []error{errors.New("x"), errURL},
		"map of errors":               map[string]error{"e": errURL},
		"error in []any":              []any{1, errURL},
		"error in map[string]any":     map[string]any{"err": errURL},
		"error in an anonymous field": errHolder{Inner: struct{ Cause error }{errURL}},
		"errors.Join tree":            []error{errors.Join(errors.New("a"), errors.Join(errors.New("b"), errURL))},
		"wrapped error":               map[string]any{"e": fmt.Errorf("sync: %w", errURL)},
		"password pair in error":      []error{errors.New("login password=" + valueCanary)},
		"authorization in error":      []error{errors.New("Authorization: Basic " + valueCanary)},
		"*url.URL":                    u,
		"url.URL":                     *u,
		"*url.URL in a map":           map[string]any{"u": u},
		"url.URL in a slice":          []url.URL{*u},
		"url.Values":                  url.Values{"clientSecret": {valueCanary}, "page": {"1"}},
		"url.Values in a struct":      struct{ Q url.Values }{url.Values{"jwt": {valueCanary}}},
		"http.Header":                 http.Header{"X-Vault-Token": {valueCanary}},
		"http.Header in []any":        []any{http.Header{"Authorization": {"Bearer " + valueCanary}}},
		"*http.Request":               req,
		"*http.Request in a struct":   httpHolder{Req: req},
		"http.Request by value":       []http.Request{*req},
		"*http.Response":              resp,
		"*http.Response in a map":     map[string]*http.Response{"r": resp},
		"*http.Cookie":                []*http.Cookie{{Name: "session", Value: valueCanary}},
		"*url.Userinfo":               url.UserPassword("u", valueCanary),
		"all in a pointer":            &httpHolder{URL: u, Header: req.Header, Req: req},
	}
}

// walkStrings calls f for every string and key inside v.
func walkStrings(v attribute.Value, f func(string)) {
	switch v.Type() {
	case attribute.STRING:
		f(v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			f(s)
		}
	case attribute.BYTESLICE: // bytes need not be UTF-8
		f(strings.ToValidUTF8(string(v.AsByteSlice()), "\uFFFD"))
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			walkStrings(e, f)
		}
	case attribute.MAP:
		for _, kv := range v.AsMap() {
			f(string(kv.Key))
			walkStrings(kv.Value, f)
		}
	}
}

func assertClean(t *testing.T, v attribute.Value, secret, msg string) {
	t.Helper()
	walkStrings(v, func(s string) {
		assert.True(t, utf8.ValidString(s), "%s: invalid UTF-8 %q", msg, s)
		assert.NotContains(t, s, secret, msg)
	})
}

func TestValueRedactsInside(t *testing.T) {
	r := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{"extra-secret-31"}})
	for name, v := range nestedSecrets(t) {
		t.Run(name, func(t *testing.T) {
			out := logrecord.Value(v)
			require.NotEqual(t, attribute.EMPTY, out.Type())
			assertClean(t, out, valueCanary, "Value")
			assertClean(t, logrecord.KeyValue("k", v).Value, valueCanary, "KeyValue")
			assertClean(t, logrecord.Limits{MaxStringLen: 40}.Value(v), valueCanary, "Limits.Value")
			assertClean(t, logrecord.Limits{}.KeyValue("k", v).Value, valueCanary, "Limits.KeyValue")
			assertClean(t, r.Value(v), valueCanary, "Redactor.Value")
			assertClean(t, r.KeyValue("k", v).Value, valueCanary, "Redactor.KeyValue")
		})
	}
}

// TestRedactorValueRules pins that Redactor.Value applies r's own rules
// inside values: its secrets and its extra names.
func TestRedactorValueRules(t *testing.T) {
	const secret = "tenant-secret-8841"
	r := logrecord.NewRedactor(logrecord.RedactConfig{
		Secrets: []string{secret}, Headers: []string{"X-Tenant"}, Params: []string{"tenant"},
	})
	v := map[string]any{
		"err":    []error{fmt.Errorf("calling with %s failed", secret)},
		"header": http.Header{"X-Tenant": {"t-" + valueCanary}},
		"query":  url.Values{"tenant": {valueCanary}},
		"url":    &url.URL{Scheme: "https", Host: "h", Path: "/p", RawQuery: "tenant=" + valueCanary},
	}
	out := r.Value(v)
	assertClean(t, out, secret, "secret")
	assertClean(t, out, valueCanary, "extra names")
	assert.Contains(t, logrecord.Value(v).String(), secret, "the default rules do not know r's secret")
	assertClean(t, r.KeyValue("k", v).Value, secret, "KeyValue")
	var zero *logrecord.Redactor
	assert.Equal(t, logrecord.Value(v), zero.Value(v), "a nil Redactor is the default")
}

// TestRedactBeforeCut pins that a secret straddling the cut point is
// redacted whole: the cut comes after redaction, on every path.
func TestRedactBeforeCut(t *testing.T) {
	const secret = "straddling-secret-4471"
	r := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})
	half := secret[:len(secret)/2]
	for _, size := range []int{64 << 10, 10 << 20} { // at the limit, and far beyond it
		pad := strings.Repeat("x", logrecord.DefaultMaxStringLen-len(half)-len(" token="))
		tail := " " + strings.Repeat("y", size-len(pad))
		byRule := errors.New(pad + " token=" + valueCanary + tail)
		padS := strings.Repeat("x", logrecord.DefaultMaxStringLen-len(half))
		bySecret := errors.New(padS + secret + tail)
		for name, got := range map[string]attribute.Value{
			"Value/rule":               logrecord.Value(byRule),
			"Value in a map/rule":      logrecord.Value(map[string]any{"e": byRule}),
			"Redactor.Value":           r.Value([]error{bySecret}),
			"Exception/rule":           logrecord.Exception(byRule)[1].Value,
			"Redactor.Exception":       r.Exception(bySecret)[1].Value,
			"Redactor.AppendException": r.AppendException(nil, bySecret)[1].Value,
		} {
			s := got.String()
			assert.False(t, strings.Contains(s, valueCanary[:4]), "%s/%d: part of the canary", name, size)
			assert.False(t, strings.Contains(s, half), "%s/%d: half the secret", name, size)
			assert.True(t, strings.Contains(s, "truncated from"), "%s/%d: not cut", name, size)
			assert.LessOrEqual(t, len(s), logrecord.DefaultMaxStringLen+200, "%s/%d", name, size)
		}
	}
	small := logrecord.Limits{MaxStringLen: 12}
	out := small.Value([]error{errors.New("password=" + valueCanary)}).AsSlice()[0].AsString()
	assert.Equal(t, "password=RED…[truncated from 17 bytes]", out)
	// Text takes a long string whole: the caller cuts after.
	long := strings.Repeat("a", 1<<20) + " token=" + valueCanary
	assert.NotContains(t, logrecord.DefaultRedactor().Text(long), valueCanary)
}
