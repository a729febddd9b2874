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
// This package uses the OpenTelemetry APIs only; the application wires the
// SDK once, with the export package. The default tracker behind [Start]
// follows the otel global providers; [NewTracker] builds one with its own.
package operation
