package severity

import (
	"encoding"
	"fmt"
	"log/slog"
	"strconv"

	"go.opentelemetry.io/otel/log"
)

// A Severity is the importance of a log record, as an OpenTelemetry
// SeverityNumber: 1 (TRACE) to 24 (FATAL4), larger is more severe.
// The zero value, [Undefined], means the severity was not set.
type Severity int

// The OpenTelemetry severities, four per category.
const (
	// Undefined is an unset severity; it is not [Severity.Valid].
	Undefined Severity = 0

	// TRACE: fine-grained debugging, usually disabled.
	Trace1 Severity = 1
	Trace2 Severity = 2
	Trace3 Severity = 3
	Trace4 Severity = 4

	// DEBUG: debugging.
	Debug1 Severity = 5
	Debug2 Severity = 6
	Debug3 Severity = 7
	Debug4 Severity = 8

	// INFO: an event happened.
	Info1 Severity = 9
	Info2 Severity = 10
	Info3 Severity = 11
	Info4 Severity = 12

	// WARN: not an error, but likely more important than INFO.
	Warn1 Severity = 13
	Warn2 Severity = 14
	Warn3 Severity = 15
	Warn4 Severity = 16

	// ERROR: something went wrong.
	Error1 Severity = 17
	Error2 Severity = 18
	Error3 Severity = 19
	Error4 Severity = 20

	// FATAL: an application or system crashed.
	Fatal1 Severity = 21
	Fatal2 Severity = 22
	Fatal3 Severity = 23
	Fatal4 Severity = 24
)

// The first severity of each category, the one a category name means.
const (
	Trace = Trace1
	Debug = Debug1
	Info  = Info1
	Warn  = Warn1
	Error = Error1
	Fatal = Fatal1
)

var (
	_ encoding.TextMarshaler   = Severity(0)
	_ encoding.TextUnmarshaler = (*Severity)(nil)
)

// names are the OpenTelemetry short names ("Displaying Severity" in the log
// data model); a static table so that String never allocates.
var names = [...]string{
	Undefined: "UNDEFINED",

	Trace1: "TRACE", Trace2: "TRACE2", Trace3: "TRACE3", Trace4: "TRACE4",
	Debug1: "DEBUG", Debug2: "DEBUG2", Debug3: "DEBUG3", Debug4: "DEBUG4",
	Info1: "INFO", Info2: "INFO2", Info3: "INFO3", Info4: "INFO4",
	Warn1: "WARN", Warn2: "WARN2", Warn3: "WARN3", Warn4: "WARN4",
	Error1: "ERROR", Error2: "ERROR2", Error3: "ERROR3", Error4: "ERROR4",
	Fatal1: "FATAL", Fatal2: "FATAL2", Fatal3: "FATAL3", Fatal4: "FATAL4",
}

// String returns the OpenTelemetry short name: TRACE, TRACE2, …, FATAL4, or
// UNDEFINED. Out-of-range values print as SEVERITY(n) so they stay visible.
func (s Severity) String() string {
	if s >= Undefined && s <= Fatal4 {
		return names[s]
	}
	return "SEVERITY(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the 24 severities, [Trace1] to [Fatal4].
func (s Severity) Valid() bool {
	return s >= Trace1 && s <= Fatal4
}

// Category returns the first severity of the category s belongs to, so
// Info3.Category() is [Info]. It returns [Undefined] if s is not valid.
func (s Severity) Category() Severity {
	if !s.Valid() {
		return Undefined
	}
	return (s-1)/4*4 + 1
}

// MarshalText implements [encoding.TextMarshaler] with [Severity.String].
// It fails for a severity that is not valid, so that a config file never
// holds a value [Parse] would reject; tag an optional field `json:",omitzero"`
// to leave out an [Undefined] one.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("severity: cannot marshal %s: want a severity in 1-24", s)
	}
	return []byte(names[s]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [Parse], so a
// Severity works with [flag.TextVar] and as a JSON string. On error s is
// left unchanged.
func (s *Severity) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// slogOffset places slog's levels on the severity scale, as the OpenTelemetry
// slog bridge does: slog.LevelInfo is Info, and four slog levels apart is one
// category apart.
const slogOffset = int(Info) - int(slog.LevelInfo)

// FromSlog returns the severity of a slog level: l+9, clamped to [Trace1]
// for levels at or below slog.LevelDebug-4 and to [Fatal4] for levels at or
// above slog.LevelError+7. So slog.LevelDebug, LevelInfo, LevelWarn and
// LevelError are [Debug], [Info], [Warn] and [Error].
func FromSlog(l slog.Level) Severity {
	// Clamp before adding so that extreme levels cannot overflow.
	switch {
	case int(l) <= int(Trace1)-slogOffset:
		return Trace1
	case int(l) >= int(Fatal4)-slogOffset:
		return Fatal4
	}
	return Severity(int(l) + slogOffset)
}

// Slog returns the slog level of s, s-9, so that FromSlog(s.Slog()) == s for
// every valid s. [Undefined] has no slog counterpart and returns
// slog.LevelInfo, slog's zero Level, which keeps such records visible at
// default handler levels. Other invalid values clamp like [FromSlog]: below
// zero to Trace1's level, above 24 to Fatal4's.
func (s Severity) Slog() slog.Level {
	switch {
	case s == Undefined:
		return slog.LevelInfo
	case s < Trace1:
		s = Trace1
	case s > Fatal4:
		s = Fatal4
	}
	return slog.Level(int(s) - slogOffset)
}

// FromOTel returns the severity with the same number as s. Out-of-range
// values pass through unchanged and stay visibly invalid.
func FromOTel(s log.Severity) Severity {
	return Severity(s)
}

// OTel returns the OpenTelemetry severity with the same number as s.
// Out-of-range values pass through unchanged.
func (s Severity) OTel() log.Severity {
	return log.Severity(s)
}
