// Package logrecord holds oplog's conventions for OpenTelemetry log records
// and the helpers that build their parts safely: attribute keys and event
// names, the conversion of any Go value with [Value], exception attributes
// with [Exception], sanitizing with [Limits], and redaction of HTTP data with
// [Redactor].
//
// Everything here works on the OpenTelemetry value model
// (go.opentelemetry.io/otel/attribute): a record's body and attribute values
// are [attribute.Value]s, its attributes [attribute.KeyValue]s.
//
// # Keys and event names
//
// oplog's own attribute keys live under "oplog." ([KeyOperationID],
// [KeyConnectionID], …); HTTP data and errors use the OpenTelemetry semantic
// conventions ([KeyHTTPRequestMethod], [KeyURLFull], [KeyExceptionType], …).
// Typed records carry an event name: [EventOperationStart],
// [EventOperationEnd], [EventHTTP], [EventSyncResult].
//
// # Converting Go values
//
// [Value] maps a Go value to an [attribute.Value]. Common types take a type
// switch with no reflection, and scalars do not allocate; everything else goes
// through reflection. The mapping:
//
//	Go value                                    attribute.Value
//	nil, nil pointer, nil map or slice          EMPTY
//	bool                                        BOOL
//	int, int8…int64, uint8…uint32               INT64
//	uint, uint64, uintptr ≤ MaxInt64            INT64
//	uint, uint64, uintptr > MaxInt64            STRING, exact decimal ("18446744073709551615")
//	float64                                     FLOAT64; NaN and ±Inf kept as they are
//	float32                                     FLOAT64 of its shortest decimal (0.1, not 0.10000000149…)
//	complex64, complex128                       STRING ("(1+2i)")
//	string                                      STRING
//	[]byte                                      BYTESLICE
//	time.Time                                   STRING, RFC 3339 with nanoseconds
//	time.Duration                               STRING, as Duration.String ("1.5s")
//	attribute.Value                             itself, sanitized
//	[]attribute.KeyValue, map[string]any        MAP
//	[]string                                    STRINGSLICE
//	[]int, []int64, []float64, []bool           INT64SLICE, FLOAT64SLICE, BOOLSLICE
//	error                                       STRING of Error(), redacted (see Redaction)
//	*url.URL, url.URL                           STRING, the URL redacted
//	url.Values, http.Header                     MAP of each name to its values (STRINGSLICE), redacted
//	*http.Request, http.Request                 MAP: method, url (redacted), header (redacted); no body
//	*http.Response, http.Response               MAP: status_code, header (redacted), request (method, url)
//	*http.Cookie, http.Cookie, *url.Userinfo    STRING, the value or password redacted
//	slog.Value, slog.Attr                       by kind, LogValuers resolved: a group (or an Attr) MAP, an Any value
//	                                            converted by this table (never through String, which uses fmt)
//	json.Marshaler                              its JSON decoded: objects MAP, arrays SLICE, numbers INT64 or FLOAT64
//	encoding.TextMarshaler                      STRING of MarshalText()
//	fmt.Stringer                                STRING of String()
//	other slices and arrays                     SLICE
//	other maps                                  MAP; keys as encoding/json writes them (strings, TextMarshaler, decimal)
//	structs                                     MAP of the exported fields, named and skipped by their json tags
//	                                            (name, "-", omitempty); untagged embedded structs promoted
//	pointers, interfaces                        what they point to
//	channels, functions, unsafe pointers        STRING naming the type ("chan int")
//
// The first matching row wins, in the order of the table; methods are looked
// for on nested values too. Map entries come out sorted by key. A method that
// panics gives a [MarkerPanic] value ("PANIC=String method: boom"), except
// on a nil pointer receiver, which reads "<nil>" as in fmt; a method that
// returns an error gives "!ERROR: " and the error's text. No value makes
// [Value], [KeyValue], [Exception], [ErrorType], [Stacktrace] or a
// [Redactor] method panic or hang: panicking Error, String, MarshalJSON,
// MarshalText, Unwrap and stack methods, typed nils behind every interface,
// and Unwrap chains that never end all give a value.
//
// # Limits and sanitizing
//
// Every string that leaves this package is valid UTF-8: each run of invalid
// bytes becomes U+FFFD. One invalid string would otherwise make the OTLP
// protobuf encoder fail the whole batch it is in. [Limits] bounds strings,
// keys, collection sizes, nesting and attribute counts; a cut value ends with
// a visible marker ("…[truncated from 10485760 bytes]", [MarkerDepth],
// [MarkerCycle], [MarkerTruncated]). [Value] applies the default limits;
// [Limits.Value] and [Limits.Sanitize] apply others, and the export pipeline
// sanitizes every record again before any exporter sees it.
//
//	limit           default   applies to
//	MaxStringLen    65536     bytes of one string or []byte value
//	MaxKeyLen       256       bytes of one attribute or map key
//	MaxItems        1024      elements of one slice, entries of one map
//	MaxDepth        32        nesting of slices, maps and structs
//	MaxAttributes   256       attributes of one record
//
// # Exceptions
//
// [Exception] turns an error into exception.type, exception.message and,
// when the error carries a stack, exception.stacktrace. [WithStack] attaches
// the caller's stack to an error.
//
// # Redaction
//
// [Redactor] removes secrets from HTTP data and error texts before they
// become a record: sensitive headers, URL userinfo, sensitive query and form
// parameters, credentials in free text (Authorization lines of any scheme,
// name=value, name: value and JSON pairs, percent-encoded URLs), and
// registered secret values wherever they appear. [DefaultRedactor] holds the
// built-in rules; [NewRedactor] adds to them.
//
// Whether a header or parameter is sensitive is decided by a rule on the
// parts of its name (split on '-', '_', '.' and camelCase, lowered): a part
// such as key, auth or sig, or a word such as token, secret, password,
// session, cookie, signature or credential, makes it sensitive, so
// X-Shopify-Access-Token, clientSecret and X-Goog-Api-Key need no list;
// an allowlist keeps Content-Type, Cache-Control, Accept and the like. See
// [DefaultRedactor] for the exact rule.
//
// Redaction happens inside values too, by type, wherever the value is
// nested: [Value], [KeyValue] and [Limits.Value] redact every error's text
// with the default rules as a top-level error's is, and turn *url.URL,
// url.Values, http.Header, *http.Request, *http.Response and http.Cookie
// into their redacted forms (bodies are never read). [Redactor.Value] and
// [Redactor.KeyValue] do the same with a Redactor's own rules and secrets;
// [Redactor.Exception] is [Exception] with them.
//
// Redaction always comes before truncation: a string is redacted whole and
// only then cut to [Limits.MaxStringLen], so a secret that straddles the cut
// point is never half exported. (A string longer than the limit by more
// than 4 KiB is first shortened to the limit plus 4 KiB: what lies beyond is
// cut anyway.)
package logrecord
