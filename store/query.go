package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// OperationFilter selects operations. Zero fields do not filter. Results are
// newest first (by start time).
type OperationFilter struct {
	Integration string // oplog.integration.id
	Connection  string // oplog.connection.id
	// Kind is an operation type ("sync") or a type and action ("sync:run").
	Kind string
	// State is one of the operation states: waiting, running, success,
	// failed, timeout, cancelled.
	State string
	// Since and Until bound the start time: Since <= start < Until.
	Since, Until time.Time
	// Search is text to find in the operation's messages (bodies, error
	// types and messages, HTTP URLs and status codes) and in its error.
	// Every word must match; a word matches as a prefix. Operators and
	// quotes are not interpreted: the text is searched as written, and
	// characters that are not graphic (NUL and other controls, line and
	// format separators) separate words. Text that is not valid UTF-8 is
	// an InputError, in this and every other field of a filter.
	Search string
	// Cursor continues a listing: the Next of a previous page.
	Cursor string
	// Limit is the page size: default 50, at most 500.
	Limit int
}

// Operation is one operation as stored: from its start and end records and
// its span, whichever arrived.
type Operation struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	Action      string    `json:"action"`
	State       string    `json:"state"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end,omitzero"`
	DurationMS  int64     `json:"duration_ms"`
	Account     string    `json:"account,omitempty"`
	Environment string    `json:"environment,omitempty"`
	Integration string    `json:"integration,omitempty"`
	Provider    string    `json:"provider,omitempty"`
	Connection  string    `json:"connection,omitempty"`
	Sync        string    `json:"sync,omitempty"`
	Function    string    `json:"function,omitempty"`
	Job         string    `json:"job,omitempty"`
	EndUser     string    `json:"end_user,omitempty"`
	TraceID     string    `json:"trace_id,omitempty"`
	SpanID      string    `json:"span_id,omitempty"`
	ErrorType   string    `json:"error_type,omitempty"`
	ErrorText   string    `json:"error_message,omitempty"`
	Messages    int       `json:"messages"`
	// TimeClamped marks an operation whose span or one of whose records
	// had a time outside what the store holds, 1677-09-21 to 2262-04-11
	// (Unix nanoseconds in an int64): Start or End may be clamped to that
	// range, and the message shows its time as sent (Message.OriginalTime).
	TimeClamped bool `json:"time_clamped,omitempty"`
}

// OperationPage is one page of operations. Next is empty on the last page.
type OperationPage struct {
	Operations []Operation `json:"operations"`
	Next       string      `json:"next,omitempty"`
}

// MessageFilter selects the messages of one operation, in the order they
// were logged.
type MessageFilter struct {
	OperationID string // required
	// MinSeverity keeps messages at or above this severity number (1–24);
	// 0 keeps all.
	MinSeverity int
	// Search is as in OperationFilter, over the messages' texts.
	Search string
	// Cursor is the Next or Prev of a previous page: Next continues
	// forward, Prev goes back.
	Cursor string
	// Limit is the page size: default 100, at most 1000.
	Limit int
}

// Message is one stored log record.
type Message struct {
	Seq          int64           `json:"seq"` // storage order, unique
	OperationID  string          `json:"operation_id,omitempty"`
	Time         time.Time       `json:"time"`
	Severity     int             `json:"severity"`
	SeverityText string          `json:"severity_text"`
	Body         json.RawMessage `json:"body"` // the body in OTLP/JSON AnyValue form: {"stringValue": "…"}
	EventName    string          `json:"event_name,omitempty"`
	Type         string          `json:"type,omitempty"`   // oplog.message.type: log, http, sync_result
	Source       string          `json:"source,omitempty"` // oplog.message.source: internal, user
	TraceID      string          `json:"trace_id,omitempty"`
	SpanID       string          `json:"span_id,omitempty"`
	// Attributes is the record's attributes as a JSON object of plain
	// values: maps as objects, slices as arrays, bytes as base64.
	Attributes json.RawMessage `json:"attributes"`
	HTTP       *HTTP           `json:"http,omitempty"`
	// OriginalTime is set when the record's time was outside the times the
	// store holds, 1677-09-21 to 2262-04-11 (Unix nanoseconds in an int64):
	// Time is then clamped to that range, which is where the message sorts,
	// and OriginalTime is the time as the record gave it, in RFC 3339.
	OriginalTime string `json:"original_time,omitempty"`
}

// HTTP is the summary of an HTTP message (Type "http"). Headers are as
// logged: redacted by the operation package before they were exported.
type HTTP struct {
	Method          string              `json:"method"`
	URL             string              `json:"url"`
	Status          int                 `json:"status,omitempty"`
	DurationMS      float64             `json:"duration_ms"`
	RequestHeaders  map[string][]string `json:"request_headers,omitempty"`
	ResponseHeaders map[string][]string `json:"response_headers,omitempty"`
}

// MessagePage is one page of messages. Next is empty when there is nothing
// after the page, Prev when there is nothing before it.
type MessagePage struct {
	Messages []Message `json:"messages"`
	Next     string    `json:"next,omitempty"`
	Prev     string    `json:"prev,omitempty"`
}

// Facets are the distinct values filters can take, for filter pickers.
type Facets struct {
	Integrations []string `json:"integrations"`
	Connections  []string `json:"connections"`
	Kinds        []string `json:"kinds"` // "type:action"
	States       []string `json:"states"`
}

// InputError reports a filter the store refuses: a malformed cursor, an
// unknown state, search text too long. The viewer answers it with 400.
type InputError struct {
	Field  string // the filter field, as in its JSON query parameter
	Reason string
}

func (e *InputError) Error() string { return fmt.Sprintf("store: bad %s: %s", e.Field, e.Reason) }

// ErrNotFound is returned by Store.Operation for an unknown id.
var ErrNotFound = fmt.Errorf("store: operation not found")

// MaxSearchLen is the longest search text accepted, in bytes.
const MaxSearchLen = 256

// States lists the operation states a filter accepts.
var States = []string{"waiting", "running", "success", "failed", "timeout", "cancelled"}
