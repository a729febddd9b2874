package operation

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/internal/fastpath"
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
	// Attributes are added to the message after its own; one whose key is
	// reserved or is one of the message's own (http.response.status_code…)
	// is renamed with [logrecord.KeyUserPrefix].
	Attributes []attribute.KeyValue
}

// Retry says which try of a request this was.
type Retry struct {
	Attempt int           // 0 for the first try, 1 for the first retry…
	Max     int           // the retries allowed
	Waited  time.Duration // the wait before this try
}

// HTTP logs a typed HTTP message (event oplog.http): method, URL, status,
// duration, request and response headers, retry and error. The URL, the
// headers and the error text are redacted with the tracker's rules, before
// anything is cut to the limits. The status, method and URL come first in
// the record, after the operation id, so an attribute count limit never
// cuts them. The level is [severity.Error] when the status is 400 or more
// or the call failed, else [severity.Info]. Bodies are never read.
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
	defer o.guard("HTTP")
	red := o.t.rules()
	var method, url string
	ctx := o.ctx
	lead := make([]attribute.KeyValue, 0, 3)
	tail := make([]attribute.KeyValue, 0, 16)
	if c.Response != nil {
		lead = append(lead, attribute.Int(logrecord.KeyHTTPResponseStatusCode, status))
	}
	if c.Request != nil {
		method, url = requestText(c.Request, red)
		ctx = c.Request.Context()
		lead = append(lead,
			attribute.String(logrecord.KeyHTTPRequestMethod, method),
			attribute.String(logrecord.KeyURLFull, url))
	}
	tail = append(tail, attribute.Float64(logrecord.KeyHTTPDurationMS, float64(c.Duration.Microseconds())/1000))
	if c.Retry.Attempt > 0 {
		tail = append(tail, attribute.Int(logrecord.KeyHTTPResendCount, c.Retry.Attempt))
	}
	if c.Retry.Max > 0 {
		tail = append(tail, attribute.Int(logrecord.KeyHTTPRetryMax, c.Retry.Max))
	}
	if c.Retry.Waited > 0 {
		tail = append(tail, attribute.Int64(logrecord.KeyHTTPRetryWaitedMS, c.Retry.Waited.Milliseconds()))
	}

	var b strings.Builder
	b.WriteString(method)
	b.WriteByte(' ')
	b.WriteString(url)
	b.WriteString(" → ")
	switch {
	case c.Err != nil:
		n := len(tail)
		tail = fastpath.AppendException(tail, c.Err, red, true)
		b.WriteString(tail[n+2].Value.AsString())
	case status >= 400:
		tail = append(tail, attribute.String(logrecord.KeyErrorType, strconv.Itoa(status)))
		b.WriteString(strconv.Itoa(status))
	default:
		b.WriteString(strconv.Itoa(status))
	}
	b.WriteString(" (")
	b.WriteString(roundDuration(c.Duration).String())
	b.WriteByte(')')
	if c.Request != nil {
		tail = appendHeaders(tail, logrecord.KeyHTTPRequestHeaderPrefix, red.Header(c.Request.Header))
	}
	if c.Response != nil {
		tail = appendHeaders(tail, logrecord.KeyHTTPResponseHeaderPrefix, red.Header(c.Response.Header))
	}
	o.emit(ctx, "HTTP", sev, attribute.StringValue(b.String()), logrecord.EventHTTP, typeHTTP, lead, tail, c.Attributes)
}

// requestText is the method (GET when empty) and the redacted URL of req.
func requestText(req *http.Request, red *logrecord.Redactor) (method, url string) {
	method = req.Method
	if method == "" {
		method = http.MethodGet
	}
	if req.URL != nil {
		url = red.URL(req.URL)
	}
	return method, url
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
// set it before each retry of a request. A nil ctx means
// context.Background().
func WithRetry(ctx context.Context, r Retry) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, retryKey{}, r)
}

// Transport returns an http.RoundTripper that logs every request whose
// context carries an operation as an HTTP message of that operation, with
// its duration and status. While a request is in flight the operation
// knows it: if the operation ends meanwhile (a timeout, say), its end
// record names the call (see [logrecord.KeyOperationHTTPInFlight]). It
// never reads or consumes bodies. A nil base, or a nil pointer behind it,
// means http.DefaultTransport. A nil request is an error, not a panic; a
// panic of base itself reaches the caller, as it would without Transport.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	} else if rv := reflect.ValueOf(base); rv.Kind() == reflect.Pointer && rv.IsNil() {
		base = http.DefaultTransport
	}
	return &transport{base: base}
}

type transport struct{ base http.RoundTripper }

var errNilRequest = errors.New("operation: nil *http.Request")

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req == nil {
		return nil, errNilRequest
	}
	o := FromContext(req.Context())
	if !o.live() {
		return t.base.RoundTrip(req)
	}
	f := o.startFlight(req)
	start := time.Now()
	resp, err := t.roundTrip(o, f, req)
	retry, _ := ctxValue(req.Context(), retryKey{}).(Retry)
	o.HTTP(HTTPCall{Request: req, Response: resp, Err: err, Duration: time.Since(start), Retry: retry})
	return resp, err
}

func (t *transport) roundTrip(o *Operation, f *flight, req *http.Request) (*http.Response, error) {
	defer o.finishFlight(f)
	return t.base.RoundTrip(req)
}

// flight is one HTTP call in flight through [Transport].
type flight struct{ text string }

// startFlight notes req as in flight: "METHOD redacted-URL".
func (o *Operation) startFlight(req *http.Request) *flight {
	method, url := requestText(req, o.t.rules())
	f := &flight{text: method + " " + url}
	o.mu.Lock()
	o.flights = append(o.flights, f)
	o.mu.Unlock()
	return f
}

// finishFlight forgets f, unless the operation's start context is done:
// then the operation is ending because of it (a timeout, a cancellation),
// the call was cut by the same cause, and the end record must still name
// it, whichever of the two the runtime runs first.
func (o *Operation) finishFlight(f *flight) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !State(o.state.Load()).Terminal() && o.done != nil {
		select {
		case <-o.done:
			return
		default:
		}
	}
	if i := slices.Index(o.flights, f); i >= 0 {
		o.flights = slices.Delete(o.flights, i, i+1)
	}
}

// flightTexts returns the calls in flight and forgets them. o.mu is held.
func (o *Operation) flightTexts() []string {
	if len(o.flights) == 0 {
		return nil
	}
	texts := make([]string, len(o.flights))
	for i, f := range o.flights {
		texts[i] = f.text
	}
	o.flights = nil
	return texts
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
