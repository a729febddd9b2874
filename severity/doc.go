// Package severity defines [Severity], the 24 log severities of
// OpenTelemetry, and converts them to and from text, [log/slog] levels and
// [go.opentelemetry.io/otel/log.Severity].
//
// A Severity is an OpenTelemetry SeverityNumber: an int from 1 to 24, where a
// larger number is more severe. The zero value, [Undefined], means that no
// severity was set; it and any number outside 1–24 are not [Severity.Valid].
//
// # Categories
//
// The numbers fall into six categories of four. The first severity of each
// category has a short alias ([Info] is [Info1]) and is what the category
// name means; [Severity.Category] maps any severity to it. [Severity.String]
// prints the short names of the log data model's "Displaying Severity":
//
//	Numbers  Constants          Names                          slog.Level
//	 1– 4    Trace1 … Trace4    TRACE  TRACE2  TRACE3  TRACE4  DEBUG-4 … DEBUG-1
//	 5– 8    Debug1 … Debug4    DEBUG  DEBUG2  DEBUG3  DEBUG4  DEBUG   … DEBUG+3
//	 9–12    Info1  … Info4     INFO   INFO2   INFO3   INFO4   INFO    … INFO+3
//	13–16    Warn1  … Warn4     WARN   WARN2   WARN3   WARN4   WARN    … WARN+3
//	17–20    Error1 … Error4    ERROR  ERROR2  ERROR3  ERROR4  ERROR   … ERROR+3
//	21–24    Fatal1 … Fatal4    FATAL  FATAL2  FATAL3  FATAL4  ERROR+4 … ERROR+7
//
// # Text
//
// [Parse] reads a severity from a flag, an environment variable or a config
// file. It ignores case and surrounding spaces and accepts the names above,
// the spellings TRACE1 … FATAL1, the numbers 1–24, and the syslog severity
// names mapped as in the OpenTelemetry log data model: information and
// informational (INFO), notice (INFO2), warning (WARN), err (ERROR), crit and
// critical (ERROR2), alert (ERROR3), emerg and emergency (FATAL).
//
// [Severity.MarshalText] and [Severity.UnmarshalText] make a Severity usable
// with [flag.TextVar] and as a JSON string. Marshaling an invalid
// severity fails rather than writing something Parse would reject.
//
// # slog and OpenTelemetry
//
// [FromSlog] and [Severity.Slog] convert with the offset the OpenTelemetry
// slog bridge uses: a severity is its slog level plus 9, so slog's four
// levels are [Debug], [Info], [Warn] and [Error], and the slog levels in
// between land on the severities in between. Slog levels beyond the ends
// clamp to [Trace1] and [Fatal4]. [Severity.Slog] maps [Undefined] to
// slog.LevelInfo.
//
// [FromOTel] and [Severity.OTel] convert to and from the OpenTelemetry Logs
// API; the numbers are the same and pass through unchanged, invalid ones
// included.
package severity
