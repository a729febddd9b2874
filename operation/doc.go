// Package operation gives the authors of integration functions (syncs,
// actions, webhooks, proxied API calls) an operation handle: [Start] begins
// an [Operation], its messages become OpenTelemetry log records, and the
// operation itself is a span that every record is correlated to.
//
// # A guide for function authors
//
// Start an operation for each high-level action, pass its context down, and
// end it with the function's error:
//
//	func syncContacts(ctx context.Context) (err error) {
//		ctx, op := operation.Start(ctx, operation.SyncRun, operation.Refs{Integration: "hubspot", Connection: connID})
//		defer func() { op.End(err) }()
//
//		op.Info("fetching contacts", attribute.Int("page", 1))
//		resp, err := client.Do(req.WithContext(ctx)) // client uses operation.Transport: logged as an HTTP message
//		…
//		op.SyncResult(operation.SyncResult{Model: "Contact", Added: n})
//		return nil
//	}
//
// Code deeper down finds the operation with [FromContext]; a nil operation
// accepts every call, so it never has to check.
//
// # Messages
//
// [Operation.Trace] … [Operation.Fatal] log a message at the first level of
// each category; [Operation.Log] logs any of the 24 severities with any body.
// [Operation.LogError] logs an error with its exception attributes.
// [Operation.HTTP] and [Transport] log typed HTTP messages (method, URL,
// status, duration, headers, retry), redacted by the tracker's
// [logrecord.Redactor]; [Operation.SyncResult] logs what a sync did.
// A message below the operation's level costs one comparison: no record is
// built and nothing allocates.
//
// # Lifecycle
//
// An operation is [Running] (or [Waiting], see [StartWaiting]) until
// [Operation.Succeed], [Operation.Fail], [Operation.Cancel],
// [Operation.Timeout] or [Operation.End]; the first of those wins and later
// ones do nothing. If its context is cancelled or passes its deadline first,
// it ends itself as [Cancelled] or [Timeout], so no operation stays
// "running" forever. Records logged after the end are still emitted,
// correlated, and marked oplog.message.late.
//
// # OpenTelemetry mapping
//
// The span is named "type.action" ([Kind.String]), child of the span in the
// start context if any. Its attributes carry the id, kind, references and
// final state; its status is Ok on success and Error otherwise, with an
// exception event on failure. Start and end are log records too (events
// oplog.operation.start and oplog.operation.end; the end record carries the
// state, the duration and the exception attributes), so log-only backends
// can filter operations. Every record carries oplog.operation.id, the
// references chosen with [WithFields] (default [DefaultFields]),
// oplog.message.source and oplog.message.type, and the trace and span ids of
// the operation's span (or of a child span in the context given to
// [Operation.Log]).
//
// Operation records and slog records of the bridge are assembled by one
// core, so the rules below hold on every path. oplog's own attributes come
// first in a record, in this order: oplog.operation.id,
// oplog.message.source, oplog.message.type, oplog.message.late, the typed
// message's telling attributes (an HTTP message's http.response.status_code,
// http.request.method and url.full; an end record's state, duration, HTTP
// calls in flight and exception type and message; a sync result's model
// and counts), then the kind and references, the message's
// other own attributes, and last the caller's. An attribute count limit
// (export's Limits.MaxAttributes) keeps the first ones, so it cuts the
// caller's attributes before any of oplog's. oplog's own keys count toward
// the limit: below their number (from 4 on a plain message to about 20 on
// the end record of a failed operation with every reference set) the last
// of them go too, references first. The default, 256, and any limit of 32
// or more keep every one.
//
// # Reserved keys
//
// Keys that are "oplog" or start with "oplog." (compared in any ASCII case:
// "OPLOG.operation.state" too) are oplog's. A caller's attribute with such a
// key, from a message, [Operation.Log], [Operation.Emit],
// [HTTPCall].Attributes, [WithAttributes] or the slog bridge (attributes,
// WithAttrs, and a group or WithGroup named "oplog", which would flatten to
// oplog.… keys in some backends), is never trusted: it is renamed with the
// prefix "user." ("user.oplog.operation.state") and kept, so a reader sees
// what was sent. A caller's attribute that repeats one of a typed message's
// own keys (http.response.status_code on an HTTP message, exception.message
// on [Operation.LogError]) is renamed the same way, and so is a reserved
// event name given to [Operation.Emit] ("user.oplog.operation.end"). Keys nested inside map
// values are not touched: only top-level keys can pass for oplog's.
//
// # Redaction and limits
//
// Error texts, URLs and headers are redacted with the tracker's
// [logrecord.Redactor] before anything is cut to the limits, so a secret
// straddling a cut is never half exported. The secrets registered with the
// tracker's Redactor ([logrecord.RedactConfig].Secrets) are erased from
// every string of every record of its operations: a message, a Log or Emit
// body, any attribute (one built with [logrecord.KeyValue]'s default rules,
// a plain string, a reference, a sync result's keys included), and the slog
// bridge's records; and from [WithAttributes] on the span. The kind, the references (at
// [Tracker.Start] and [Operation.Enrich]) and [WithAttributes] are made
// valid UTF-8 and cut to the default [logrecord.Limits] once, before they
// reach the span, as are the span's status text and exception event.
//
// # A log call never breaks the function
//
// No method panics or hangs, whatever it is given: a nil or zero
// [Operation], a nil or zero [Tracker], a nil context or option, an error
// whose Error, Is, As or Unwrap panics or dereferences a nil pointer, an
// error whose Unwrap chain is a cycle, a context whose methods panic, a
// provider, processor or span that panics. A panic inside a log
// call is recovered and logged instead, as an error record of the operation
// whose body reads "PANIC=<method> method: <value>" (redacted, within the
// limits). An error that cannot be classified (its Is panics, or its tree
// of wrapped errors does not end within 4096 errors) ends the operation as
// [Failed]; a typed nil pointer error is an error, not
// success.
//
// # Timeouts and HTTP calls in flight
//
// [Transport] tells the operation which calls are in flight. When the
// operation ends (a timeout, a cancellation, a failure) while some are, its
// end record names them, method and redacted URL, in
// oplog.operation.http_in_flight and in its body, so the cause is on the
// record where the state changes; the failed calls themselves follow,
// marked late.
//
// This package uses the OpenTelemetry APIs only; the application wires the
// SDK once, with the export package. The default tracker behind [Start]
// follows the otel global providers; [NewTracker] builds one with its own.
package operation
