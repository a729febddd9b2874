package operation

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// HTTPCall is one HTTP request made for an operation, as [Operation.HTTP]
// logs it. Fields may be added in later versions, never renamed.
type HTTPCall struct {
	Request  *http.Request
	Response *http.Response // nil when the request failed
	Err      error
	Duration time.Duration
	Retry    Retry
}

// Retry says which try of a request this was.
type Retry struct {
	Attempt int           // 0 for the first try, 1 for the first retry…
	Max     int           // the retries allowed
	Waited  time.Duration // the wait before this try
}

// HTTP logs a typed HTTP message (event oplog.http): method, URL, status,
// duration, request and response headers, retry and error. The URL, the
// headers and the error text are redacted with the tracker's rules. The
// level is [severity.Error] when the status is 400 or more or the call
// failed, else [severity.Info]. Bodies are never read.
func (o *Operation) HTTP(c HTTPCall) {
	sev := severity.Info
	status := 0
	if c.Response != nil {
		status = c.Response.StatusCode
	}
	if status >= 400 || c.Err != nil {
		sev = severity.Error
	}
	if !o.enabled(sev) {
		return
	}
	red := o.t.redactor
	method, url := "", ""
	ctx := o.ctx
	attrs := make([]attribute.KeyValue, 0, 16)
	if c.Request != nil {
		method = c.Request.Method
		if method == "" {
			method = http.MethodGet
		}
		if c.Request.URL != nil {
			url = red.URL(c.Request.URL)
		}
		ctx = c.Request.Context()
		attrs = append(attrs,
			attribute.String(logrecord.KeyHTTPRequestMethod, method),
			attribute.String(logrecord.KeyURLFull, url))
		attrs = appendHeaders(attrs, logrecord.KeyHTTPRequestHeaderPrefix, red.Header(c.Request.Header))
	}
	if c.Response != nil {
		attrs = append(attrs, attribute.Int(logrecord.KeyHTTPResponseStatusCode, status))
		attrs = appendHeaders(attrs, logrecord.KeyHTTPResponseHeaderPrefix, red.Header(c.Response.Header))
	}
	attrs = append(attrs, attribute.Float64(logrecord.KeyHTTPDurationMS, float64(c.Duration.Microseconds())/1000))
	if c.Retry.Attempt > 0 {
		attrs = append(attrs, attribute.Int(logrecord.KeyHTTPResendCount, c.Retry.Attempt))
	}
	if c.Retry.Max > 0 {
		attrs = append(attrs, attribute.Int(logrecord.KeyHTTPRetryMax, c.Retry.Max))
	}
	if c.Retry.Waited > 0 {
		attrs = append(attrs, attribute.Int64(logrecord.KeyHTTPRetryWaitedMS, c.Retry.Waited.Milliseconds()))
	}

	var b strings.Builder
	b.WriteString(method)
	b.WriteByte(' ')
	b.WriteString(url)
	b.WriteString(" → ")
	switch {
	case c.Err != nil:
		exc := o.exception(c.Err)
		attrs = append(attrs, attribute.String(logrecord.KeyErrorType, exc[0].Value.AsString()))
		attrs = append(attrs, exc...)
		b.WriteString(exc[1].Value.AsString())
	case status >= 400:
		attrs = append(attrs, attribute.String(logrecord.KeyErrorType, strconv.Itoa(status)))
		b.WriteString(strconv.Itoa(status))
	default:
		b.WriteString(strconv.Itoa(status))
	}
	b.WriteString(" (")
	b.WriteString(roundDuration(c.Duration).String())
	b.WriteByte(')')
	o.emit(ctx, sev, attribute.StringValue(b.String()), logrecord.EventHTTP, typeHTTP, attrs)
}

// appendHeaders adds one attribute per header, named as the semantic
// conventions say: the prefix and the lower-case header name.
func appendHeaders(attrs []attribute.KeyValue, prefix string, h http.Header) []attribute.KeyValue {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		attrs = append(attrs, attribute.StringSlice(prefix+strings.ToLower(name), h[name]))
	}
	return attrs
}

type retryKey struct{}

// WithRetry returns a context whose requests [Transport] logs as try r:
// set it before each retry of a request.
func WithRetry(ctx context.Context, r Retry) context.Context {
	return context.WithValue(ctx, retryKey{}, r)
}

// Transport returns an http.RoundTripper that logs every request whose
// context carries an operation as an HTTP message of that operation, with
// its duration and status. It never reads or consumes bodies. A nil base
// means http.DefaultTransport.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base}
}

type transport struct{ base http.RoundTripper }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := FromContext(req.Context())
	if o == nil {
		return t.base.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	retry, _ := req.Context().Value(retryKey{}).(Retry)
	o.HTTP(HTTPCall{Request: req, Response: resp, Err: err, Duration: time.Since(start), Retry: retry})
	return resp, err
}

// roundDuration keeps three significant digits or so: 1.234s, 12ms, 582µs.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
