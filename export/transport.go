package export

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	collogpb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
)

// The OTLP exporters get oplog's own HTTP client. Its transport observes
// each answer (status, and for a 2xx the decoded partial_success), and the
// wrappers otlpLogs and otlpSpans turn what it observed into an *otlpError.
// The pipeline counts delivery from those fields only, never from the text
// of an error: a receiver's error body can say anything.

// maxRequestBytes bounds a request on the wire, as otlploghttp's own
// (disabled) check did: a larger one is refused as too large, unsent. A
// variable for tests.
var maxRequestBytes int64 = 64 << 20

const (
	// maxAnswerBytes bounds the answer read, as otlploghttp does.
	maxAnswerBytes = 4 << 20
	// tooLargeMessage is the message of the Collector's 400 answer to a body
	// over its max_request_body_size (net/http's MaxBytesError, wrapped in a
	// google.rpc.Status by the OTLP receiver). Pinned against the real
	// receiver by e2e/reliability's TestTrustConfigTooLargeAnswer.
	tooLargeMessage = "http: request body too large"
)

// otlpError is the outcome of an OTLP export that was not a plain success,
// as the HTTP client observed it.
type otlpError struct {
	signal   string // "logs" or "traces"
	status   int    // HTTP status of the last answer; 0: none (refused unsent)
	rejected uint64 // a 2xx answer's partial_success count
	tooLarge bool   // 413, the Collector's 400 for a body over its limit, or over maxRequestBytes
	msg      string // the receiver's message, as it sent it
	note     string // why, when the answer alone does not say
	cause    error  // a context error, if the export was cut short
}

// Is makes a refusal by size match [ErrTooLarge].
func (e *otlpError) Is(target error) bool { return target == ErrTooLarge && e.tooLarge }

func (e *otlpError) Error() string {
	what := "log record(s)"
	if e.signal == "traces" {
		what = "span(s)"
	}
	var b strings.Builder
	b.WriteString("otlp " + e.signal + ": ")
	switch {
	case e.rejected > 0:
		fmt.Fprintf(&b, "receiver answered %s and rejected %d %s", statusText(e.status), e.rejected, what)
	case e.status == 0:
		b.WriteString("request not sent")
	case e.status >= 300 && e.status <= 399:
		fmt.Fprintf(&b, "receiver answered %s: redirects are not followed (the request would take its headers elsewhere)", statusText(e.status))
	default:
		fmt.Fprintf(&b, "receiver answered %s", statusText(e.status))
	}
	if e.note != "" {
		b.WriteString(": " + e.note)
	}
	if e.msg != "" {
		b.WriteString(": message " + quote(e.msg))
	}
	if e.cause != nil {
		b.WriteString(": " + e.cause.Error())
	}
	return b.String()
}

func (e *otlpError) Unwrap() error { return e.cause }

func statusText(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}

// observation is what the transport saw of one export's last attempt.
type observation struct {
	mu       sync.Mutex
	status   int    // 0: no answer (yet)
	msg      string // partial_success's error_message, or an error answer's message
	rejected int64
	readErr  error // a 2xx answer whose body could not be read or decoded
	refused  bool  // not sent: over maxRequestBytes
	size     int64
}

type observationKey struct{}

// observer is the RoundTripper of the OTLP clients.
type observer struct {
	base *http.Transport
	// partial decodes a 2xx answer's partial_success.
	partial func(body []byte, json bool) (rejected int64, msg string, err error)
}

func (t *observer) RoundTrip(req *http.Request) (*http.Response, error) {
	o, _ := req.Context().Value(observationKey{}).(*observation)
	if o == nil {
		return t.base.RoundTrip(req)
	}
	o.mu.Lock()
	// Each attempt replaces the last one's.
	o.status, o.msg, o.rejected, o.readErr, o.refused, o.size = 0, "", 0, nil, false, 0
	o.mu.Unlock()
	if n := requestSize(req); n > maxRequestBytes {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		o.mu.Lock()
		o.refused, o.size = true, n
		o.mu.Unlock()
		return nil, fmt.Errorf("request of %d bytes over the %d-byte limit", n, maxRequestBytes)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	_ = resp.Body.Close()
	if readErr == nil && len(body) > maxAnswerBytes {
		readErr = fmt.Errorf("answer over %d bytes", maxAnswerBytes)
	}
	// The exporter reads the answer again.
	resp.Body = io.NopCloser(bytes.NewReader(body))

	o.mu.Lock()
	defer o.mu.Unlock()
	o.status = resp.StatusCode
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isProto, isJSON := mediaType == "application/x-protobuf", mediaType == "application/json"
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		switch {
		case readErr != nil:
			o.readErr = readErr
		case len(body) > 0 && (isProto || isJSON):
			o.rejected, o.msg, o.readErr = t.partial(body, isJSON)
		}
	case readErr == nil:
		o.msg = answerMessage(body, isProto, isJSON)
	}
	return resp, nil
}

// CloseIdleConnections closes the connections of the transport, for
// [http.Client.CloseIdleConnections]; later ones close when idle.
func (t *observer) CloseIdleConnections() { t.base.CloseIdleConnections() }

// requestSize is req's body size on the wire.
func requestSize(req *http.Request) int64 {
	if req.ContentLength >= 0 || req.GetBody == nil {
		return req.ContentLength
	}
	// Compressed: the exporter holds the body in memory.
	rc, err := req.GetBody()
	if err != nil {
		return -1
	}
	defer func() { _ = rc.Close() }()
	n, _ := io.Copy(io.Discard, rc)
	return n
}

func partialLogs(body []byte, json bool) (int64, string, error) {
	var r collogpb.ExportLogsServiceResponse
	if err := unmarshal(body, json, &r); err != nil {
		return 0, "", err
	}
	return r.GetPartialSuccess().GetRejectedLogRecords(), r.GetPartialSuccess().GetErrorMessage(), nil
}

func partialSpans(body []byte, json bool) (int64, string, error) {
	var r coltracepb.ExportTraceServiceResponse
	if err := unmarshal(body, json, &r); err != nil {
		return 0, "", err
	}
	return r.GetPartialSuccess().GetRejectedSpans(), r.GetPartialSuccess().GetErrorMessage(), nil
}

func unmarshal(body []byte, json bool, m proto.Message) error {
	if json {
		return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(body, m)
	}
	return proto.Unmarshal(body, m)
}

// answerMessage is the message of an error answer: an OTLP receiver sends a
// google.rpc.Status, others plain text.
func answerMessage(body []byte, isProto, isJSON bool) string {
	if isProto || isJSON {
		var st spb.Status
		if unmarshal(body, isJSON, &st) == nil && st.GetMessage() != "" {
			return st.GetMessage()
		}
	}
	if isProto {
		return ""
	}
	return string(body)
}

// quote makes a receiver's message safe to print on one line: quoted,
// control characters escaped, at most 256 bytes of it.
func quote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 256 {
		cut := 256
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.QuoteToGraphic(s)
}

// outcome turns what the transport observed of an export into its error;
// err is what the exporter returned.
func (o *observation) outcome(signal string, err error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case o.refused:
		return &otlpError{signal: signal, tooLarge: true,
			note: fmt.Sprintf("request of %d bytes over the %d MiB limit", o.size, maxRequestBytes>>20)}
	case o.status == 0:
		return err // no answer: a network or context error, or nothing sent
	case o.status >= 200 && o.status <= 299:
		switch {
		case o.readErr != nil:
			// Not wrapped: the request arrived, and must not be sent again.
			return &otlpError{signal: signal, status: o.status,
				note: "the answer could not be read (" + o.readErr.Error() + "): delivery unknown"}
		case o.rejected > 0:
			return &otlpError{signal: signal, status: o.status,
				rejected: uint64(o.rejected), msg: o.msg}
		}
		// A partial success that rejects nothing is a warning: delivered.
		return nil
	}
	e := &otlpError{signal: signal, status: o.status, msg: o.msg,
		tooLarge: o.status == http.StatusRequestEntityTooLarge ||
			o.status == http.StatusBadRequest && strings.TrimSpace(o.msg) == tooLargeMessage}
	// Cut short while retrying: say so, as a context error.
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
	}
	return e
}

// errRedirect refuses every redirect: the request would carry the
// configured headers (API keys) to wherever the receiver points.
var errRedirect = errors.New("redirect not followed")

func newOTLPClient(tlsCfg *tls.Config, timeout time.Duration, partial func([]byte, bool) (int64, string, error)) *http.Client {
	// As otlploghttp's own transport (net/http's DefaultTransport), but one
	// per pipeline, so that Shutdown can close its connections.
	base := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
		TLSClientConfig:       tlsCfg,
	}
	return &http.Client{
		Transport:     &observer{base: base, partial: partial},
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return errRedirect },
	}
}

// otlpLogs is otlploghttp's exporter with the outcome of each export read
// from its client, and its connections closed at Shutdown.
type otlpLogs struct {
	exp    *otlploghttp.Exporter
	client *http.Client
	closed atomic.Bool
}

var _ sdklog.Exporter = (*otlpLogs)(nil)

func (e *otlpLogs) Export(ctx context.Context, records []sdklog.Record) error {
	if e.closed.Load() {
		return errors.New("otlp logs: exporter shut down")
	}
	if len(records) == 0 {
		return nil
	}
	o := &observation{}
	err := e.exp.Export(context.WithValue(ctx, observationKey{}, o), clampRecordTimes(records))
	return o.outcome("logs", err)
}

// The times OTLP's fixed64 Unix nanoseconds can carry through
// time.UnixNano, which is undefined outside them (year 3000 would arrive as
// 1970, year 1000 as 2169).
var (
	minOTLPTime = time.Unix(0, 0)
	maxOTLPTime = time.Unix(0, math.MaxInt64)
)

// otlpTime is t clamped to what OTLP can carry; the zero time stays zero
// (unset).
func otlpTime(t time.Time) (time.Time, bool) {
	switch {
	case t.IsZero():
		return t, false
	case t.Before(minOTLPTime):
		return minOTLPTime, true
	case t.After(maxOTLPTime):
		return maxOTLPTime, true
	}
	return t, false
}

// clampRecordTimes returns records with their times clamped to what OTLP
// can carry: a copy when one changes (the other exporters of the pipeline,
// the store say, share the records and keep the time as it was).
func clampRecordTimes(records []sdklog.Record) []sdklog.Record {
	var out []sdklog.Record
	for i := range records {
		ts, c1 := otlpTime(records[i].Timestamp())
		obs, c2 := otlpTime(records[i].ObservedTimestamp())
		if !c1 && !c2 {
			continue
		}
		if out == nil {
			out = slices.Clone(records)
		}
		out[i].SetTimestamp(ts)
		out[i].SetObservedTimestamp(obs)
	}
	if out == nil {
		return records
	}
	return out
}

// clampSpanTimes is clampRecordTimes for spans: start, end and event times.
func clampSpanTimes(spans []sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for i, s := range spans {
		_, c1 := otlpTime(s.StartTime())
		_, c2 := otlpTime(s.EndTime())
		changed := c1 || c2
		for _, e := range s.Events() {
			_, c := otlpTime(e.Time)
			changed = changed || c
		}
		if !changed {
			continue
		}
		st := tracetest.SpanStubFromReadOnlySpan(s)
		st.StartTime, _ = otlpTime(st.StartTime)
		st.EndTime, _ = otlpTime(st.EndTime)
		st.Events = slices.Clone(st.Events)
		for j := range st.Events {
			st.Events[j].Time, _ = otlpTime(st.Events[j].Time)
		}
		if out == nil {
			out = slices.Clone(spans)
		}
		out[i] = st.Snapshot()
	}
	if out == nil {
		return spans
	}
	return out
}

func (e *otlpLogs) ForceFlush(ctx context.Context) error { return e.exp.ForceFlush(ctx) }

func (e *otlpLogs) Shutdown(ctx context.Context) error {
	e.closed.Store(true)
	err := e.exp.Shutdown(ctx)
	e.client.CloseIdleConnections()
	return err
}

// otlpSpans is otlptracehttp's exporter as otlpLogs is otlploghttp's.
type otlpSpans struct {
	exp    *otlptrace.Exporter
	client *http.Client
	closed atomic.Bool
}

var _ sdktrace.SpanExporter = (*otlpSpans)(nil)

func (e *otlpSpans) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.closed.Load() {
		return errors.New("otlp traces: exporter shut down")
	}
	if len(spans) == 0 {
		return nil
	}
	o := &observation{}
	err := e.exp.ExportSpans(context.WithValue(ctx, observationKey{}, o), clampSpanTimes(spans))
	return o.outcome("traces", err)
}

func (e *otlpSpans) Shutdown(ctx context.Context) error {
	e.closed.Store(true)
	err := e.exp.Shutdown(ctx)
	e.client.CloseIdleConnections()
	return err
}
