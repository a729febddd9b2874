package logrecord

// Attribute keys of oplog's own conventions. Every record of an operation
// carries at least [KeyOperationID]; which of the reference keys ride on every
// record is chosen where operations are started.
const (
	KeyOperationID         = "oplog.operation.id"
	KeyOperationType       = "oplog.operation.type"
	KeyOperationAction     = "oplog.operation.action"
	KeyOperationState      = "oplog.operation.state"
	KeyOperationDurationMS = "oplog.operation.duration_ms"
	// KeyOperationHTTPInFlight is on the end record of an operation that
	// ended while HTTP calls made through its transport were in flight: one
	// "METHOD redacted-URL" string per call.
	KeyOperationHTTPInFlight = "oplog.operation.http_in_flight"

	KeyAccountID           = "oplog.account.id"
	KeyEnvironment         = "oplog.environment"
	KeyIntegrationID       = "oplog.integration.id"
	KeyIntegrationProvider = "oplog.integration.provider"
	KeyConnectionID        = "oplog.connection.id"
	KeySyncName            = "oplog.sync.name"
	KeyFunctionName        = "oplog.function.name"
	KeyJobID               = "oplog.job.id"
	KeyEndUserID           = "oplog.end_user.id"

	// KeyMessageSource is "internal" for records of the platform and "user"
	// for records of function code (see [SourceInternal], [SourceUser]).
	KeyMessageSource = "oplog.message.source"
	// KeyMessageType is "log" for plain messages and "http" for typed HTTP
	// messages (see [TypeLog], [TypeHTTP]).
	KeyMessageType = "oplog.message.type"
	// KeyMessageLate marks a record logged after its operation ended.
	KeyMessageLate = "oplog.message.late"

	// HTTP message details the semantic conventions have no key for.
	KeyHTTPDurationMS    = "oplog.http.duration_ms"
	KeyHTTPRetryMax      = "oplog.http.retry.max"
	KeyHTTPRetryWaitedMS = "oplog.http.retry.waited_ms"

	// The sync result message: counts per model and capped key lists.
	KeySyncModel       = "oplog.sync.model"
	KeySyncAdded       = "oplog.sync.added"
	KeySyncUpdated     = "oplog.sync.updated"
	KeySyncUnchanged   = "oplog.sync.unchanged"
	KeySyncDeleted     = "oplog.sync.deleted"
	KeySyncAddedKeys   = "oplog.sync.added_keys"
	KeySyncUpdatedKeys = "oplog.sync.updated_keys"
	KeySyncDeletedKeys = "oplog.sync.deleted_keys"
)

// Reserved keys. Every key that is "oplog" or starts with "oplog.", in any
// ASCII case, is oplog's own: a user attribute with such a key (from a
// message, a start option, an slog attribute or group) is never trusted, it
// is renamed with [KeyUserPrefix] ("oplog.operation.state" arrives as
// "user.oplog.operation.state"). A user attribute that repeats one of a
// typed message's own keys (http.response.status_code on an HTTP message,
// exception.message on an error message) is renamed the same way.
const (
	KeyReservedPrefix = "oplog."
	KeyUserPrefix     = "user."
)

// Values of [KeyMessageSource] and [KeyMessageType].
const (
	SourceInternal = "internal"
	SourceUser     = "user"

	TypeLog        = "log"
	TypeHTTP       = "http"
	TypeSyncResult = "sync_result"
)

// Event names of oplog's typed records.
const (
	EventOperationStart = "oplog.operation.start"
	EventOperationEnd   = "oplog.operation.end"
	EventHTTP           = "oplog.http"
	EventSyncResult     = "oplog.sync.result"
)

// Keys of the OpenTelemetry semantic conventions that oplog writes.
const (
	KeyHTTPRequestMethod      = "http.request.method"
	KeyURLFull                = "url.full"
	KeyHTTPResponseStatusCode = "http.response.status_code"
	KeyHTTPResendCount        = "http.request.resend_count"
	KeyErrorType              = "error.type"

	// KeyHTTPRequestHeaderPrefix and KeyHTTPResponseHeaderPrefix are
	// followed by the lower-case header name: http.request.header.content-type.
	KeyHTTPRequestHeaderPrefix  = "http.request.header."
	KeyHTTPResponseHeaderPrefix = "http.response.header."

	KeyExceptionType       = "exception.type"
	KeyExceptionMessage    = "exception.message"
	KeyExceptionStacktrace = "exception.stacktrace"

	KeyCodeFilePath     = "code.file.path"
	KeyCodeFunctionName = "code.function.name"
	KeyCodeLineNumber   = "code.line.number"
)
