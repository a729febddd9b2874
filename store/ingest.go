package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oplog-go/oplog/internal/otlpjson"
	"github.com/oplog-go/oplog/logrecord"
)

// upsertOperation merges what one record or span knows of an operation:
// texts fill what is empty (or replace it when they are newer), the start
// is the earliest seen, a terminal state is final.
const upsertOperation = `INSERT INTO operations (
		id, type, action, state, start_ns, end_ns, duration_ms,
		account, environment, integration, provider, connection, sync, function, job, end_user,
		trace_id, span_id, error_type, error_message, messages)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		type = iif(excluded.type != '', excluded.type, type),
		action = iif(excluded.action != '', excluded.action, action),
		state = iif(state IN ('success', 'failed', 'timeout', 'cancelled') OR excluded.state = '', state, excluded.state),
		start_ns = iif(start_ns = 0 OR (excluded.start_ns != 0 AND excluded.start_ns < start_ns), excluded.start_ns, start_ns),
		end_ns = max(end_ns, excluded.end_ns),
		duration_ms = max(duration_ms, excluded.duration_ms),
		account = iif(excluded.account != '', excluded.account, account),
		environment = iif(excluded.environment != '', excluded.environment, environment),
		integration = iif(excluded.integration != '', excluded.integration, integration),
		provider = iif(excluded.provider != '', excluded.provider, provider),
		connection = iif(excluded.connection != '', excluded.connection, connection),
		sync = iif(excluded.sync != '', excluded.sync, sync),
		function = iif(excluded.function != '', excluded.function, function),
		job = iif(excluded.job != '', excluded.job, job),
		end_user = iif(excluded.end_user != '', excluded.end_user, end_user),
		trace_id = iif(trace_id = '', excluded.trace_id, trace_id),
		span_id = iif(span_id = '', excluded.span_id, span_id),
		error_type = iif(excluded.error_type != '', excluded.error_type, error_type),
		error_message = iif(excluded.error_message != '', excluded.error_message, error_message),
		messages = messages + excluded.messages`

const insertMessage = `INSERT INTO messages (
		operation_id, time_ns, severity, severity_text, body, event_name, type, source,
		trace_id, span_id, attributes, http)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const insertText = `INSERT INTO messages_text (rowid, text) VALUES (?, ?)`

// Export stores records in one transaction: every record becomes a message,
// and records of an operation update it.
func (s *Store) Export(ctx context.Context, records []sdklog.Record) error {
	if len(records) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		stmts, err := prepare(ctx, tx, upsertOperation, insertMessage, insertText)
		if err != nil {
			return err
		}
		ops, msgs, texts := stmts[0], stmts[1], stmts[2]
		for i := range records {
			m := readRecord(&records[i])
			if m.op.id != "" {
				if _, err := ops.ExecContext(ctx, m.op.args()...); err != nil {
					return fmt.Errorf("store: operation: %w", err)
				}
			}
			res, err := msgs.ExecContext(ctx, m.op.id, m.timeNS, m.severity, m.severityText, m.body, m.eventName,
				m.typ, m.source, m.traceID, m.spanID, m.attributes, m.http)
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
// times, state, trace and references). Other spans are ignored.
func (s *Store) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		stmts, err := prepare(ctx, tx, upsertOperation)
		if err != nil {
			return err
		}
		ops := stmts[0]
		for _, sp := range spans {
			var op operation
			for _, kv := range sp.Attributes() {
				op.set(kv)
			}
			if op.id == "" {
				continue
			}
			op.startNS = sp.StartTime().UnixNano()
			if end := sp.EndTime(); !end.IsZero() {
				op.endNS = end.UnixNano()
			}
			op.traceID, op.spanID = sp.SpanContext().TraceID().String(), sp.SpanContext().SpanID().String()
			for _, ev := range sp.Events() {
				if ev.Name == "exception" {
					for _, kv := range ev.Attributes {
						op.set(kv)
					}
				}
			}
			if _, err := ops.ExecContext(ctx, op.args()...); err != nil {
				return fmt.Errorf("store: operation: %w", err)
			}
		}
		return nil
	})
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

// operation is what one record or span says about its operation.
type operation struct {
	id, typ, action, state                                                          string
	startNS, endNS, durationMS                                                      int64
	account, environment, integration, provider, connection, sync, fn, job, endUser string
	traceID, spanID, errorType, errorMessage                                        string
	messages                                                                        int
}

func (o *operation) args() []any {
	return []any{o.id, o.typ, o.action, o.state, o.startNS, o.endNS, o.durationMS,
		o.account, o.environment, o.integration, o.provider, o.connection, o.sync, o.fn, o.job, o.endUser,
		o.traceID, o.spanID, o.errorType, o.errorMessage, o.messages}
}

// set takes kv if it is one of the operation's keys.
func (o *operation) set(kv attribute.KeyValue) {
	str := func(dst *string) {
		if kv.Value.Type() == attribute.STRING {
			*dst = kv.Value.AsString()
		}
	}
	switch string(kv.Key) {
	case logrecord.KeyOperationID:
		str(&o.id)
	case logrecord.KeyOperationType:
		str(&o.typ)
	case logrecord.KeyOperationAction:
		str(&o.action)
	case logrecord.KeyOperationState:
		str(&o.state)
	case logrecord.KeyOperationDurationMS:
		if kv.Value.Type() == attribute.INT64 {
			o.durationMS = kv.Value.AsInt64()
		}
	case logrecord.KeyAccountID:
		str(&o.account)
	case logrecord.KeyEnvironment:
		str(&o.environment)
	case logrecord.KeyIntegrationID:
		str(&o.integration)
	case logrecord.KeyIntegrationProvider:
		str(&o.provider)
	case logrecord.KeyConnectionID:
		str(&o.connection)
	case logrecord.KeySyncName:
		str(&o.sync)
	case logrecord.KeyFunctionName:
		str(&o.fn)
	case logrecord.KeyJobID:
		str(&o.job)
	case logrecord.KeyEndUserID:
		str(&o.endUser)
	case logrecord.KeyExceptionType:
		str(&o.errorType)
	case logrecord.KeyExceptionMessage:
		str(&o.errorMessage)
	}
}

// message is one record as stored.
type message struct {
	op                                         operation
	timeNS                                     int64
	severity                                   int
	severityText, body, eventName, typ, source string
	traceID, spanID, attributes, text          string
	http                                       sql.NullString
}

func readRecord(r *sdklog.Record) message {
	m := message{
		severity: int(r.Severity()), severityText: r.SeverityText(), eventName: r.EventName(),
		body: string(otlpjson.AppendAnyValue(nil, r.Body())),
	}
	if r.TraceID().IsValid() {
		m.traceID = r.TraceID().String()
	}
	if r.SpanID().IsValid() {
		m.spanID = r.SpanID().String()
	}
	t := r.Timestamp()
	if t.IsZero() {
		t = r.ObservedTimestamp()
	}
	m.timeNS = t.UnixNano()

	var text strings.Builder
	addText := func(s string) {
		if s != "" {
			text.WriteString(s)
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
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		m.op.set(kv)
		key := string(kv.Key)
		switch key {
		case logrecord.KeyMessageType:
			m.typ = kv.Value.AsString()
		case logrecord.KeyMessageSource:
			m.source = kv.Value.AsString()
		case logrecord.KeyExceptionType, logrecord.KeyExceptionMessage, logrecord.KeyErrorType:
			addText(kv.Value.String())
		case logrecord.KeyHTTPRequestMethod:
			h.Method = kv.Value.AsString()
		case logrecord.KeyURLFull:
			h.URL = kv.Value.AsString()
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
	if m.op.id != "" {
		m.op.messages = 1
		m.op.startNS = m.timeNS // the earliest record stands in for a start that never arrived
		if m.eventName == logrecord.EventOperationStart || m.eventName == logrecord.EventOperationEnd {
			m.op.traceID, m.op.spanID = m.traceID, m.spanID
		}
		if m.eventName == logrecord.EventOperationEnd {
			m.op.endNS = m.timeNS
		}
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
	switch v.Type() {
	case attribute.STRINGSLICE:
		h[name] = v.AsStringSlice()
	default:
		h[name] = []string{v.String()}
	}
	return h
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

// nanos is t in Unix nanoseconds, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// unixNano is the inverse of nanos.
func unixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
