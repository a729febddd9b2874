package severity

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUnknown is wrapped by the error [Parse] returns for input it does not
// accept; test for it with [errors.Is].
var ErrUnknown = errors.New("severity: unknown severity")

// aliases are the RFC 5424 syslog severities, full names and syslog.conf
// keywords, mapped as in the OpenTelemetry log data model's Appendix B.
// Names already accepted (DEBUG, INFO, WARN, ERROR) are not repeated.
var aliases = [...]struct {
	name string
	sev  Severity
}{
	{"INFORMATION", Info},
	{"INFORMATIONAL", Info},
	{"NOTICE", Info2},
	{"WARNING", Warn},
	{"ERR", Error},
	{"CRIT", Error2},
	{"CRITICAL", Error2},
	{"ALERT", Error3},
	{"EMERG", Fatal},
	{"EMERGENCY", Fatal},
}

// accepted is the tail of Parse's error message.
var accepted = func() string {
	var b strings.Builder
	b.WriteString("want TRACE..FATAL4 (or TRACE1, INFO1, ...), 1-24, or an alias (")
	for i, a := range aliases {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strings.ToLower(a.name))
	}
	b.WriteString(")")
	return b.String()
}()

// Parse returns the severity named by s, ignoring case and surrounding
// white space. It accepts:
//
//   - the names [Severity.String] returns, TRACE to FATAL4;
//   - the first severity of a category spelled with a 1: TRACE1, …, FATAL1;
//   - the numbers 1 to 24;
//   - the syslog severities, mapped as in the OpenTelemetry log data model
//     (Appendix B): information and informational (INFO), notice (INFO2),
//     warning (WARN), err (ERROR), crit and critical (ERROR2), alert
//     (ERROR3), emerg and emergency (FATAL).
//
// Parse returns only valid severities: UNDEFINED, 0 and the empty string are
// errors. Names whose meaning differs between logging libraries are
// rejected rather than guessed: panic (syslog's emerg, but zap's ERROR3) and
// verbose (TRACE in .NET, DEBUG in Windows event logs).
//
// The error for rejected input quotes it, lists what is accepted and wraps
// [ErrUnknown].
func Parse(s string) (Severity, error) {
	t := strings.TrimSpace(s)
	for sev := Trace1; sev <= Fatal4; sev++ {
		if strings.EqualFold(t, names[sev]) {
			return sev, nil
		}
	}
	if c, ok := strings.CutSuffix(t, "1"); ok {
		for sev := Trace1; sev <= Fatal4; sev += 4 {
			if strings.EqualFold(c, names[sev]) {
				return sev, nil
			}
		}
	}
	for _, a := range aliases {
		if strings.EqualFold(t, a.name) {
			return a.sev, nil
		}
	}
	if n, err := strconv.Atoi(t); err == nil && Severity(n).Valid() {
		return Severity(n), nil
	}
	return Undefined, fmt.Errorf("%w %q; %s", ErrUnknown, s, accepted)
}
