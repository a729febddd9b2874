package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/internal/otlpjson"
	"github.com/oplog-go/oplog/logrecord"
)

// How an operation's row is merged from what each record and span says of
// it. The column described holds who has: describedStart for oplog's start
// or end record, describedEnd for its end record (with a terminal state).
//
// Records: texts fill what is empty or replace it (the first start or end
// record replaces what spans said; after the end record, they only fill),
// the start is the earliest seen; the end record's state, duration and
// error are final.
// The first start or end record names the operation's span (its trace and
// span ids): if a span with another span id described the operation before
// it, that span was not the operation's (code can set any attribute on the
// span in its context, oplog.operation.id included), and what it said is
// replaced wholesale.
//
// Spans: only the operation's span, by span id, describes it (an operation
// whose records carry no span id has none). Its kind and
// references fill what is empty until a start or end record describes the
// operation (they are attributes that code can change on its span), its
// times widen the operation's, and its state and error hold until the end
// record arrives.
const (
	describedStart = 1
	describedEnd   = 2
)

// upsertFromRecord and upsertFromSpan insert or merge one operation row;
// their values are operation.args.
var upsertFromRecord, upsertFromSpan = upserts()

func upserts() (fromRecord, fromSpan string) {
	const insert = `INSERT INTO operations (
		id, type, action, state, start_ns, end_ns, duration_ms,
		account, environment, integration, provider, connection, sync, function, job, end_user,
		trace_id, span_id, error_type, error_message, messages, time_clamped, described)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET `
	texts := []string{"type", "action", "account", "environment", "integration", "provider", "connection",
		"sync", "function", "job", "end_user"}
	// reset: a start or end record, the first, of another span than the
	// one that described the operation until now.
	const reset = `(excluded.span_id != '' AND span_id != '' AND span_id != excluded.span_id AND described = 0)`
	const ended = `(described & 2 != 0)`
	const terminal = `('success', 'failed', 'timeout', 'cancelled')`
	var r, sp []string
	for _, c := range texts {
		// Before a start or end record, only spans set these: the first
		// record, which carries them all, replaces what they said.
		// After the end record, whose references are the latest (Enrich),
		// a start record that arrives late only fills.
		r = append(r, c+` = iif((described = 0 AND excluded.described != 0)
			OR (excluded.`+c+` != '' AND (`+c+` = '' OR NOT `+ended+` OR excluded.described & 2 != 0)), excluded.`+c+`, `+c+`)`)
		sp = append(sp, c+` = iif(described = 0 AND `+c+` = '', excluded.`+c+`, `+c+`)`)
	}
	r = append(r,
		`state = CASE WHEN `+reset+` THEN excluded.state WHEN `+ended+` THEN state
			WHEN excluded.described & 2 != 0 THEN excluded.state
			WHEN state IN `+terminal+` OR excluded.state = '' THEN state ELSE excluded.state END`,
		`start_ns = iif(`+reset+` OR start_ns = `+noTimeSQL+` OR (excluded.start_ns != `+noTimeSQL+` AND excluded.start_ns < start_ns), excluded.start_ns, start_ns)`,
		`end_ns = iif(`+reset+`, excluded.end_ns, max(end_ns, excluded.end_ns))`,
		`duration_ms = CASE WHEN `+reset+` THEN excluded.duration_ms WHEN `+ended+` THEN duration_ms
			WHEN excluded.described & 2 != 0 THEN excluded.duration_ms ELSE max(duration_ms, excluded.duration_ms) END`,
		`trace_id = iif(described = 0 AND excluded.span_id != '', excluded.trace_id, trace_id)`,
		`span_id = iif(described = 0 AND excluded.span_id != '', excluded.span_id, span_id)`,
	)
	for _, c := range []string{"error_type", "error_message"} {
		r = append(r, c+` = CASE WHEN `+reset+` THEN excluded.`+c+` WHEN `+ended+` THEN `+c+`
			WHEN excluded.described & 2 != 0 OR excluded.`+c+` != '' THEN excluded.`+c+` ELSE `+c+` END`)
		sp = append(sp, c+` = iif(`+ended+` OR excluded.`+c+` = '', `+c+`, excluded.`+c+`)`)
	}
	r = append(r, `messages = messages + excluded.messages`,
		`time_clamped = max(time_clamped, excluded.time_clamped)`,
		`described = iif(`+reset+`, excluded.described, described | excluded.described)`)
	sp = append(sp,
		`state = iif(`+ended+` OR state IN `+terminal+` OR excluded.state = '', state, excluded.state)`,
		`start_ns = iif(start_ns = `+noTimeSQL+` OR (excluded.start_ns != `+noTimeSQL+` AND excluded.start_ns < start_ns), excluded.start_ns, start_ns)`,
		`end_ns = max(end_ns, excluded.end_ns)`,
		`duration_ms = iif(`+ended+`, duration_ms, max(duration_ms, excluded.duration_ms))`,
		`trace_id = iif(trace_id = '', excluded.trace_id, trace_id)`,
		`span_id = iif(span_id = '', excluded.span_id, span_id)`,
		`time_clamped = max(time_clamped, excluded.time_clamped)`)
	return insert + strings.Join(r, ",\n\t\t"),
		insert + strings.Join(sp, ",\n\t\t") + `
	WHERE (span_id = '' AND described = 0) OR span_id = excluded.span_id`
}

const insertMessage = `INSERT INTO messages (
		operation_id, time_ns, severity, severity_text, body, event_name, type, source,
		trace_id, span_id, attributes, http, time_original)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const insertText = `INSERT INTO messages_text (rowid, text) VALUES (?, ?)`

// Export stores records in one transaction: every record becomes a message,
// and records of an operation update it.
func (s *Store) Export(ctx context.Context, records []sdklog.Record) error {
	if len(records) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		stmts, err := prepare(ctx, tx, upsertFromRecord, insertMessage, insertText)
		if err != nil {
			return err
		}
		ops, msgs, texts := stmts[0], stmts[1], stmts[2]
		for i := range records {
			m := readRecord(&records[i])
			if m.op.id() != "" {
				if _, err := ops.ExecContext(ctx, m.op.args()...); err != nil {
					return fmt.Errorf("store: operation: %w", err)
				}
			}
			res, err := msgs.ExecContext(ctx, m.op.id(), m.timeNS, m.severity, m.severityText, m.body, m.eventName,
				m.typ, m.source, m.traceID, m.spanID, m.attributes, m.http, m.timeOriginal)
			if err != nil {
				return fmt.Errorf("store: message: %w", err)
			}
			seq, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("store: message: %w", err)
			}
			if _, err := texts.ExecContext(ctx, seq, m.text); err != nil {
				return fmt.Errorf("store: message text: %w", err)
			}
		}
		return nil
	})
}

// ExportSpans stores what the spans of operations say about them (their
// times, state, references, trace and error). Other spans are ignored. The
// error is the last exception event of a failed operation's span (state
// failed, status Error): the one the operation's end adds, after any the
// code recorded on the span itself. A span that names an operation whose
// records name another span is ignored, and what the records say wins
// over what a span says (see "What describes an operation" in the package
// documentation).
func (s *Store) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		stmts, err := prepare(ctx, tx, upsertFromSpan)
		if err != nil {
			return err
		}
		ops := stmts[0]
		for _, sp := range spans {
			if op := readSpan(sp); op.id() != "" {
				if _, err := ops.ExecContext(ctx, op.args()...); err != nil {
					return fmt.Errorf("store: operation: %w", err)
				}
			}
		}
		return nil
	})
}

func readSpan(sp sdktrace.ReadOnlySpan) operation {
	var op operation
	for _, kv := range sp.Attributes() {
		op.set(kv)
	}
	// The exception attributes come from the event alone: an attribute of
	// the span by those names is no error of the operation.
	op.seen &^= errorFields
	op.conflict &^= errorFields
	op.fields[fieldErrorType], op.fields[fieldErrorMessage] = "", ""
	if sp.Status().Code == codes.Error && op.fields[fieldState] == "failed" {
		events := sp.Events()
		for i := len(events) - 1; i >= 0; i-- {
			if events[i].Name == "exception" {
				for _, kv := range events[i].Attributes {
					if kv.Key == logrecord.KeyExceptionType || kv.Key == logrecord.KeyExceptionMessage {
						op.set(kv)
					}
				}
				break
			}
		}
	}
	op.settle(allFields)
	if !terminal(op.fields[fieldState]) {
		op.fields[fieldState] = "" // a span ends with its operation: the start record says running
	}
	var clamped bool
	op.endNS = noTime
	op.startNS, clamped = clampNanos(sp.StartTime())
	op.clamped = op.clamped || clamped
	if end := sp.EndTime(); !end.IsZero() {
		op.endNS, clamped = clampNanos(end)
		op.clamped = op.clamped || clamped
	}
	op.traceID, op.spanID = sp.SpanContext().TraceID().String(), sp.SpanContext().SpanID().String()
	return op
}

func (s *Store) write(ctx context.Context, f func(*sql.Tx) error) error {
	if s.isClosed() {
		return ErrClosed
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// prepare prepares the statements of a write. Statements of a transaction
// are closed with it.
func prepare(ctx context.Context, tx *sql.Tx, queries ...string) ([]*sql.Stmt, error) {
	stmts := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		var err error
		if stmts[i], err = tx.PrepareContext(ctx, q); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	return stmts, nil
}

// The fields of an operation that records and spans carry as attributes,
// by index in operation.fields.
const (
	fieldID = iota
	fieldType
	fieldAction
	fieldState
	fieldAccount
	fieldEnvironment
	fieldIntegration
	fieldProvider
	fieldConnection
	fieldSync
	fieldFunction
	fieldJob
	fieldEndUser
	fieldErrorType
	fieldErrorMessage
	numFields
)

// fieldKeys are the attribute keys of the fields.
var fieldKeys = [numFields]string{
	fieldID:           logrecord.KeyOperationID,
	fieldType:         logrecord.KeyOperationType,
	fieldAction:       logrecord.KeyOperationAction,
	fieldState:        logrecord.KeyOperationState,
	fieldAccount:      logrecord.KeyAccountID,
	fieldEnvironment:  logrecord.KeyEnvironment,
	fieldIntegration:  logrecord.KeyIntegrationID,
	fieldProvider:     logrecord.KeyIntegrationProvider,
	fieldConnection:   logrecord.KeyConnectionID,
	fieldSync:         logrecord.KeySyncName,
	fieldFunction:     logrecord.KeyFunctionName,
	fieldJob:          logrecord.KeyJobID,
	fieldEndUser:      logrecord.KeyEndUserID,
	fieldErrorType:    logrecord.KeyExceptionType,
	fieldErrorMessage: logrecord.KeyExceptionMessage,
}

// fieldOf maps an attribute key to its field.
var fieldOf = func() map[string]int {
	m := make(map[string]int, numFields)
	for i, k := range fieldKeys {
		m[k] = i
	}
	return m
}()

// operation is what one record or span says about its operation.
type operation struct {
	fields                     [numFields]string
	startNS, endNS, durationMS int64
	traceID, spanID            string
	messages                   int
	clamped                    bool // a time was outside what int64 nanoseconds hold
	described                  int  // describedStart, describedEnd: see upserts

	seen, conflict uint32 // bits by field: taken once, taken twice with different values
}

func (o *operation) id() string { return o.fields[fieldID] }

func (o *operation) args() []any {
	f := &o.fields
	return []any{f[fieldID], f[fieldType], f[fieldAction], f[fieldState], o.startNS, o.endNS, o.durationMS,
		f[fieldAccount], f[fieldEnvironment], f[fieldIntegration], f[fieldProvider], f[fieldConnection],
		f[fieldSync], f[fieldFunction], f[fieldJob], f[fieldEndUser],
		o.traceID, o.spanID, f[fieldErrorType], f[fieldErrorMessage], o.messages, o.clamped, o.described}
}

// set takes kv if it is one of the operation's keys. A key given twice
// with different values in one record or span is a conflict: see settle.
func (o *operation) set(kv attribute.KeyValue) {
	key := string(kv.Key)
	if key == logrecord.KeyOperationDurationMS {
		if kv.Value.Type() == attribute.INT64 {
			o.durationMS = kv.Value.AsInt64()
		}
		return
	}
	i, ok := fieldOf[key]
	if !ok || kv.Value.Type() != attribute.STRING {
		return
	}
	v, bit := validText(kv.Value.AsString()), uint32(1)<<i
	if o.seen&bit != 0 && o.fields[i] != v {
		o.conflict |= bit
	}
	o.seen |= bit
	o.fields[i] = v
}

// settle keeps of the fields only those the record or span is entitled to
// set (keep, a mask of field bits), and none that it gave twice with
// different values: oplog writes each of its keys once, so a second value
// is someone else's, and which one is oplog's cannot be told.
func (o *operation) settle(keep uint32) {
	for i := range o.fields {
		if bit := uint32(1) << i; keep&bit == 0 || o.conflict&bit != 0 {
			o.fields[i] = ""
		}
	}
}

// What records and spans may set on their operation. Only oplog's start
// and end records (event name and oplog.message.source=internal) and the
// operation's span describe it; any other record only links a message to
// its operation, whatever oplog.* attributes it carries.
const (
	allFields   = uint32(1)<<numFields - 1
	errorFields = uint32(1)<<fieldErrorType | uint32(1)<<fieldErrorMessage
	// A start record says everything but the error and an end state.
	startFields = allFields &^ errorFields
	endFields   = allFields
	linkFields  = uint32(1) << fieldID
)

// message is one record as stored.
type message struct {
	op                                         operation
	timeNS                                     int64
	severity                                   int
	severityText, body, eventName, typ, source string
	traceID, spanID, attributes, text          string
	http, timeOriginal                         sql.NullString
}

// once is a value a record should give at most once: given twice,
// differently, it is no value.
type once struct {
	v               string
	given, conflict bool
}

func (o *once) set(v string) {
	o.conflict = o.conflict || (o.given && o.v != v)
	o.v, o.given = v, true
}

func (o *once) get() string {
	if o.conflict {
		return ""
	}
	return o.v
}

// terminal reports whether state is one an operation ends in.
func terminal(state string) bool {
	switch state {
	case "success", "failed", "timeout", "cancelled":
		return true
	}
	return false
}

func readRecord(r *sdklog.Record) message {
	m := message{
		severity: int(r.Severity()), severityText: validText(r.SeverityText()), eventName: validText(r.EventName()),
		body: string(otlpjson.AppendAnyValue(nil, r.Body())),
	}
	if r.TraceID().IsValid() {
		m.traceID = r.TraceID().String()
	}
	if r.SpanID().IsValid() {
		m.spanID = r.SpanID().String()
	}
	m.op.startNS, m.op.endNS = noTime, noTime
	t := r.Timestamp()
	if t.IsZero() {
		t = r.ObservedTimestamp()
	}
	if t.IsZero() { // a record not from an SDK logger, which sets the observed time
		t = time.Now()
	}
	var clamped bool
	if m.timeNS, clamped = clampNanos(t); clamped {
		m.timeOriginal = sql.NullString{String: t.UTC().Format(time.RFC3339Nano), Valid: true}
	}

	var text strings.Builder
	addText := func(s string) {
		if s != "" {
			text.WriteString(validText(s))
			text.WriteByte('\n')
		}
	}
	if r.Body().Type() == attribute.STRING {
		addText(r.Body().AsString())
	} else {
		addText(m.body)
	}
	var h HTTP
	attrs := make([]byte, 0, 256)
	attrs = append(attrs, '{')
	var typ, source once
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		m.op.set(kv)
		key := string(kv.Key)
		switch key {
		case logrecord.KeyMessageType:
			typ.set(validText(kv.Value.AsString()))
		case logrecord.KeyMessageSource:
			source.set(validText(kv.Value.AsString()))
		case logrecord.KeyExceptionType, logrecord.KeyExceptionMessage, logrecord.KeyErrorType:
			addText(kv.Value.String())
		case logrecord.KeyHTTPRequestMethod:
			h.Method = validText(kv.Value.AsString())
		case logrecord.KeyURLFull:
			h.URL = validText(kv.Value.AsString())
			addText(h.URL)
		case logrecord.KeyHTTPResponseStatusCode:
			h.Status = int(kv.Value.AsInt64())
			addText(strconv.Itoa(h.Status))
		case logrecord.KeyHTTPDurationMS:
			h.DurationMS = kv.Value.AsFloat64()
		default:
			if name, ok := strings.CutPrefix(key, logrecord.KeyHTTPRequestHeaderPrefix); ok {
				h.RequestHeaders = addHeader(h.RequestHeaders, name, kv.Value)
			} else if name, ok := strings.CutPrefix(key, logrecord.KeyHTTPResponseHeaderPrefix); ok {
				h.ResponseHeaders = addHeader(h.ResponseHeaders, name, kv.Value)
			}
		}
		if len(attrs) > 1 {
			attrs = append(attrs, ',')
		}
		attrs = otlpjson.AppendString(attrs, key)
		attrs = append(attrs, ':')
		attrs = appendPlain(attrs, kv.Value)
		return true
	})
	m.attributes = string(append(attrs, '}'))
	m.text = text.String()
	m.typ, m.source = typ.get(), source.get()

	internal := m.source == logrecord.SourceInternal
	op := &m.op
	switch {
	case internal && m.eventName == logrecord.EventOperationStart:
		op.settle(startFields)
		if st := op.fields[fieldState]; st != "waiting" && st != "running" {
			op.fields[fieldState] = ""
		}
		op.durationMS = 0
		op.traceID, op.spanID = m.traceID, m.spanID
		op.described = describedStart
	case internal && m.eventName == logrecord.EventOperationEnd:
		op.settle(endFields)
		op.described = describedStart
		if terminal(op.fields[fieldState]) {
			op.described |= describedEnd
		} else {
			op.fields[fieldState] = ""
		}
		op.endNS = m.timeNS
		op.traceID, op.spanID = m.traceID, m.spanID
	default:
		// A message: whatever oplog.* keys it carries, it only belongs to
		// its operation.
		op.settle(linkFields)
		op.durationMS = 0
	}
	if op.id() != "" {
		op.messages = 1
		op.startNS = m.timeNS // the earliest record stands in for a start that never arrived
		op.clamped = clamped
	}
	if m.typ == logrecord.TypeHTTP {
		b, _ := json.Marshal(h) // strings, numbers and maps of strings: cannot fail
		m.http = sql.NullString{String: string(b), Valid: true}
	}
	return m
}

func addHeader(h map[string][]string, name string, v attribute.Value) map[string][]string {
	if h == nil {
		h = map[string][]string{}
	}
	var vals []string
	switch v.Type() {
	case attribute.STRINGSLICE:
		vals = v.AsStringSlice()
	default:
		vals = []string{v.String()}
	}
	for i := range vals {
		vals[i] = validText(vals[i])
	}
	h[validText(name)] = vals
	return h
}

// validText is s with each invalid UTF-8 sequence replaced by U+FFFD. The
// store is an exporter any SDK provider may use, without oplog's
// sanitizing; what it stores is valid UTF-8 all the same, so that what a
// listing shows can be asked for again (queries refuse invalid text).
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// appendPlain writes v as plain JSON: maps as objects, slices as arrays,
// bytes as base64, NaN and infinities as strings.
func appendPlain(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.EMPTY:
		return append(b, "null"...)
	case attribute.BOOL:
		return strconv.AppendBool(b, v.AsBool())
	case attribute.INT64:
		return strconv.AppendInt(b, v.AsInt64(), 10)
	case attribute.FLOAT64:
		return otlpjson.AppendDouble(b, v.AsFloat64())
	case attribute.STRING:
		return otlpjson.AppendString(b, v.AsString())
	case attribute.BYTESLICE:
		return otlpjson.AppendString(b, base64.StdEncoding.EncodeToString(v.AsByteSlice()))
	case attribute.MAP:
		b = append(b, '{')
		for i, kv := range v.AsMap() {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(otlpjson.AppendString(b, string(kv.Key)), ':')
			b = appendPlain(b, kv.Value)
		}
		return append(b, '}')
	}
	b = append(b, '[')
	for i, e := range logrecord.Elements(v) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPlain(b, e)
	}
	return append(b, ']')
}

// noTime is the stored time of no time (an operation not ended, the zero
// time): the least int64, which no time is stored as. (It was 0, which is
// also the Unix epoch: a record at the epoch showed the year 1, and an
// operation that ended before 1970 showed no end.) noTimeSQL is noTime in
// SQL, where the literal -9223372036854775808 would be a float.
const (
	noTime    = math.MinInt64
	noTimeSQL = `(-9223372036854775807 - 1)`
)

// The times stored: the Unix nanoseconds an int64 holds, but noTime:
// 1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z.
var (
	minTime = time.Unix(0, noTime+1).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// clampNanos is t in Unix nanoseconds, clamped to the range stored
// (time.UnixNano is undefined outside it: year 3000 came back as 1830);
// clamped reports that t was outside. The zero time is noTime.
func clampNanos(t time.Time) (ns int64, clamped bool) {
	switch {
	case t.IsZero():
		return noTime, false
	case t.Before(minTime):
		return noTime + 1, true
	case t.After(maxTime):
		return math.MaxInt64, true
	}
	return t.UnixNano(), false
}

// nanos is t in Unix nanoseconds, clamped; noTime for the zero time.
func nanos(t time.Time) int64 {
	ns, _ := clampNanos(t)
	return ns
}

// unixNano is the inverse of nanos.
func unixNano(ns int64) time.Time {
	if ns == noTime {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
