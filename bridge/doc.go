// Package bridge plugs log/slog into oplog: [NewHandler] returns an
// slog.Handler whose records become OpenTelemetry log records.
//
// Code that already logs with slog runs inside an operation unchanged but
// for its handler: a call with a context that carries an operation
// (slog.InfoContext(ctx, …)) becomes a message of that operation, with its
// id, references, oplog.message.source=user and its span's trace and span
// ids (or a child span's, when the context holds one). A call without an
// operation becomes a standalone record, still correlated to any span in
// the context.
//
// # Levels
//
// slog levels map to severities with [severity.FromSlog]: level+9, clamped
// to 1…24, so slog.LevelDebug, LevelInfo, LevelWarn and LevelError are
// DEBUG, INFO, WARN and ERROR, and anything below LevelDebug-4 is TRACE.
// The record's SeverityText is the severity's name.
//
// # Values
//
// Values convert with [Value]: kinds as they are, durations and times as
// [logrecord.Value] writes them, groups as maps (empty groups vanish, a
// group with an empty key is inlined; groups nested deeper than
// logrecord.DefaultMaxDepth, as a LogValuer whose group holds itself makes
// them, read logrecord.MarkerDepth), slog.LogValuer resolved once by slog
// (bounded, panics caught), and Any values through [logrecord.Value] rather
// than fmt: structs and maps become maps, slices arrays. An error value
// keeps its key and text and also gives the record exception.* attributes.
// WithAttrs and WithGroup convert their attributes once, when called.
//
// # Trust
//
// Records are assembled by the operation package's core, as the
// operation's own messages are: inside an operation, its id, references,
// source, type and late mark come first and always win; an attribute named
// "oplog" or "oplog.…" (any case), a group or WithGroup named "oplog"
// included, is renamed "user.oplog…" (see the operation package's
// documentation). Inside an operation, error texts and values are redacted
// by the operation tracker's [logrecord.Redactor] (WithAttrs attributes
// too), before they are cut to the limits; outside, by
// [logrecord.DefaultRedactor]. The tracker's registered secrets are
// erased from the message and from every string of the record (a plain
// slog.String too). slog.Any values go through
// [logrecord.Redactor.Value], so errors and HTTP data nested in them are
// redacted as well. No method panics: a nil *Handler handles nothing, a
// zero Handler behaves as NewHandler(nil), a panicking ReplaceAttr gives
// its attribute a "PANIC=ReplaceAttr method: …" value, a panicking Leveler
// enables every level, and any other panic inside Handle (a hostile
// context, a provider) becomes a "PANIC=Handle method: …" record.
//
// # Cost
//
// [Handler.Enabled] is one comparison against Options.Level: it never calls
// into the SDK, so a disabled call takes no lock.
package bridge
