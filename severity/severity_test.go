package severity_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/severity"
)

// all lists every severity with its expected properties; the test tables
// below range over it so that no severity is left out.
var all = []struct {
	sev      severity.Severity
	num      int
	name     string
	category severity.Severity
	slog     slog.Level
}{
	{severity.Trace1, 1, "TRACE", severity.Trace, slog.LevelDebug - 4},
	{severity.Trace2, 2, "TRACE2", severity.Trace, slog.LevelDebug - 3},
	{severity.Trace3, 3, "TRACE3", severity.Trace, slog.LevelDebug - 2},
	{severity.Trace4, 4, "TRACE4", severity.Trace, slog.LevelDebug - 1},
	{severity.Debug1, 5, "DEBUG", severity.Debug, slog.LevelDebug},
	{severity.Debug2, 6, "DEBUG2", severity.Debug, slog.LevelDebug + 1},
	{severity.Debug3, 7, "DEBUG3", severity.Debug, slog.LevelDebug + 2},
	{severity.Debug4, 8, "DEBUG4", severity.Debug, slog.LevelDebug + 3},
	{severity.Info1, 9, "INFO", severity.Info, slog.LevelInfo},
	{severity.Info2, 10, "INFO2", severity.Info, slog.LevelInfo + 1},
	{severity.Info3, 11, "INFO3", severity.Info, slog.LevelInfo + 2},
	{severity.Info4, 12, "INFO4", severity.Info, slog.LevelInfo + 3},
	{severity.Warn1, 13, "WARN", severity.Warn, slog.LevelWarn},
	{severity.Warn2, 14, "WARN2", severity.Warn, slog.LevelWarn + 1},
	{severity.Warn3, 15, "WARN3", severity.Warn, slog.LevelWarn + 2},
	{severity.Warn4, 16, "WARN4", severity.Warn, slog.LevelWarn + 3},
	{severity.Error1, 17, "ERROR", severity.Error, slog.LevelError},
	{severity.Error2, 18, "ERROR2", severity.Error, slog.LevelError + 1},
	{severity.Error3, 19, "ERROR3", severity.Error, slog.LevelError + 2},
	{severity.Error4, 20, "ERROR4", severity.Error, slog.LevelError + 3},
	{severity.Fatal1, 21, "FATAL", severity.Fatal, slog.LevelError + 4},
	{severity.Fatal2, 22, "FATAL2", severity.Fatal, slog.LevelError + 5},
	{severity.Fatal3, 23, "FATAL3", severity.Fatal, slog.LevelError + 6},
	{severity.Fatal4, 24, "FATAL4", severity.Fatal, slog.LevelError + 7},
}

// invalid are values that are not severities, with their String.
var invalid = []struct {
	sev  severity.Severity
	name string
}{
	{severity.Undefined, "UNDEFINED"},
	{-1, "SEVERITY(-1)"},
	{25, "SEVERITY(25)"},
	{42, "SEVERITY(42)"},
	{100, "SEVERITY(100)"},
	{math.MinInt, "SEVERITY(" + strconv.Itoa(math.MinInt) + ")"},
	{math.MaxInt, "SEVERITY(" + strconv.Itoa(math.MaxInt) + ")"},
}

func TestTableIsComplete(t *testing.T) {
	require.Len(t, all, 24)
	for i, tt := range all {
		assert.Equal(t, i+1, tt.num)
		assert.Equal(t, tt.num, int(tt.sev), tt.name)
	}
}

func TestValid(t *testing.T) {
	for _, tt := range all {
		assert.True(t, tt.sev.Valid(), tt.name)
	}
	for _, tt := range invalid {
		assert.False(t, tt.sev.Valid(), tt.name)
	}
}

func TestString(t *testing.T) {
	for _, tt := range all {
		assert.Equal(t, tt.name, tt.sev.String())
		assert.Equal(t, tt.name, fmt.Sprint(tt.sev), "fmt uses String")
	}
	for _, tt := range invalid {
		assert.Equal(t, tt.name, tt.sev.String())
	}
}

func TestStringMatchesOTel(t *testing.T) {
	for _, tt := range all {
		assert.Equal(t, tt.sev.OTel().String(), tt.sev.String())
	}
	assert.Equal(t, log.SeverityUndefined.String(), severity.Undefined.String())
}

func TestStringAllocs(t *testing.T) {
	for _, tt := range all {
		allocs := testing.AllocsPerRun(100, func() { _ = tt.sev.String() })
		assert.Zero(t, allocs, tt.name)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = severity.Undefined.String() }))
}

func TestCategory(t *testing.T) {
	for _, tt := range all {
		assert.Equal(t, tt.category, tt.sev.Category(), tt.name)
		assert.Equal(t, tt.category, tt.category.Category(), "a category is its own category")
	}
	for _, tt := range invalid {
		assert.Equal(t, severity.Undefined, tt.sev.Category(), tt.name)
	}
}

func TestAliases(t *testing.T) {
	assert.Equal(t, severity.Trace1, severity.Trace)
	assert.Equal(t, severity.Debug1, severity.Debug)
	assert.Equal(t, severity.Info1, severity.Info)
	assert.Equal(t, severity.Warn1, severity.Warn)
	assert.Equal(t, severity.Error1, severity.Error)
	assert.Equal(t, severity.Fatal1, severity.Fatal)
}

func TestParseRoundTrip(t *testing.T) {
	for _, tt := range all {
		for _, in := range []string{
			tt.name,
			strings.ToLower(tt.name),
			strings.ToUpper(tt.name[:1]) + strings.ToLower(tt.name[1:]),
			" \t" + tt.name + "\n",
			strconv.Itoa(tt.num),
			" " + strconv.Itoa(tt.num) + " ",
		} {
			got, err := severity.Parse(in)
			require.NoError(t, err, "%q", in)
			assert.Equal(t, tt.sev, got, "%q", in)
		}
	}
}

func TestParseCategoryWithOne(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want severity.Severity
	}{
		{"TRACE1", severity.Trace1},
		{"debug1", severity.Debug1},
		{"Info1", severity.Info1},
		{"warn1", severity.Warn1},
		{"ERROR1", severity.Error1},
		{" fatal1 ", severity.Fatal1},
	} {
		got, err := severity.Parse(tt.in)
		require.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestParseAliases(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want severity.Severity
	}{
		{"information", severity.Info},
		{"Informational", severity.Info},
		{"notice", severity.Info2},
		{"warning", severity.Warn},
		{"WARNING", severity.Warn},
		{"err", severity.Error},
		{"crit", severity.Error2},
		{"critical", severity.Error2},
		{"alert", severity.Error3},
		{"emerg", severity.Fatal},
		{" Emergency ", severity.Fatal},
	} {
		got, err := severity.Parse(tt.in)
		require.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"UNDEFINED",
		"0",
		"-1",
		"25",
		"100",
		"1.5",
		"0x10",
		"INFO5",
		"INFO0",
		"WARN21",
		"INFO 2",
		"INFO-2",
		"information2",
		"panic",
		"dpanic",
		"verbose",
		"SEVERITY(42)",
		"🔥",
	} {
		got, err := severity.Parse(in)
		require.Error(t, err, "%q", in)
		assert.Equal(t, severity.Undefined, got, "%q", in)
		assert.ErrorIs(t, err, severity.ErrUnknown, "%q", in)
		assert.Contains(t, err.Error(), strconv.Quote(in), "the error quotes the input")
		assert.Contains(t, err.Error(), "TRACE..FATAL4", "the error says what is accepted")
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := severity.Parse("loud")
	assert.EqualError(t, err, `severity: unknown severity "loud"; `+
		`want TRACE..FATAL4 (or TRACE1, INFO1, ...), 1-24, or an alias `+
		`(information, informational, notice, warning, err, crit, critical, alert, emerg, emergency)`)
}

func TestText(t *testing.T) {
	for _, tt := range all {
		text, err := tt.sev.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, tt.name, string(text))

		var got severity.Severity
		require.NoError(t, got.UnmarshalText(text))
		assert.Equal(t, tt.sev, got)
	}
	for _, tt := range invalid {
		text, err := tt.sev.MarshalText()
		require.Error(t, err, tt.name)
		assert.Nil(t, text)
		assert.Contains(t, err.Error(), tt.name)
	}
}

func TestUnmarshalTextKeepsValueOnError(t *testing.T) {
	s := severity.Warn2
	err := s.UnmarshalText([]byte("loud"))
	require.ErrorIs(t, err, severity.ErrUnknown)
	assert.Equal(t, severity.Warn2, s)
}

func TestJSON(t *testing.T) {
	type config struct {
		Level    severity.Severity `json:"level"`
		Optional severity.Severity `json:"optional,omitzero"`
	}

	for _, tt := range all {
		b, err := json.Marshal(config{Level: tt.sev})
		require.NoError(t, err)
		assert.JSONEq(t, `{"level":"`+tt.name+`"}`, string(b))

		var got config
		require.NoError(t, json.Unmarshal(b, &got))
		assert.Equal(t, config{Level: tt.sev}, got)
	}

	var c config
	require.NoError(t, json.Unmarshal([]byte(`{"level":" warning ","optional":"13"}`), &c))
	assert.Equal(t, config{Level: severity.Warn, Optional: severity.Warn}, c)

	_, err := json.Marshal(config{Level: severity.Undefined})
	assert.ErrorContains(t, err, "UNDEFINED", "an unset required level does not marshal")

	err = json.Unmarshal([]byte(`{"level":"loud"}`), &c)
	assert.ErrorIs(t, err, severity.ErrUnknown)
	err = json.Unmarshal([]byte(`{"level":13}`), &c)
	assert.Error(t, err, "JSON numbers are not text")
}

func TestFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want severity.Severity
	}{
		{nil, severity.Info},
		{[]string{"-level=warn2"}, severity.Warn2},
		{[]string{"-level", "ERROR"}, severity.Error},
		{[]string{"-level=17"}, severity.Error},
		{[]string{"-level=notice"}, severity.Info2},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		var level severity.Severity
		fs.TextVar(&level, "level", severity.Info, "minimum severity")
		require.NoError(t, fs.Parse(tt.args), tt.args)
		assert.Equal(t, tt.want, level, tt.args)
	}
}

func TestFlagError(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var level severity.Severity
	fs.TextVar(&level, "level", severity.Info, "minimum severity")

	err := fs.Parse([]string{"-level=loud"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"loud"`)
	assert.Equal(t, severity.Info, level)
}

func TestSlog(t *testing.T) {
	for _, tt := range all {
		assert.Equal(t, tt.slog, tt.sev.Slog(), tt.name)
		assert.Equal(t, tt.sev, severity.FromSlog(tt.slog), tt.name)
		assert.Equal(t, tt.sev, severity.FromSlog(tt.sev.Slog()), "round trip %s", tt.name)
	}
}

func TestFromSlog(t *testing.T) {
	for _, tt := range []struct {
		level slog.Level
		want  severity.Severity
	}{
		{slog.LevelDebug, severity.Debug},
		{slog.LevelInfo, severity.Info},
		{slog.LevelWarn, severity.Warn},
		{slog.LevelError, severity.Error},
		{slog.LevelError + 4, severity.Fatal},

		// Clamped at both ends.
		{slog.LevelDebug - 4, severity.Trace1},
		{slog.LevelDebug - 5, severity.Trace1},
		{slog.LevelDebug - 8, severity.Trace1},
		{-1000, severity.Trace1},
		{math.MinInt, severity.Trace1},
		{slog.LevelError + 7, severity.Fatal4},
		{slog.LevelError + 8, severity.Fatal4},
		{1000, severity.Fatal4},
		{math.MaxInt, severity.Fatal4},
	} {
		assert.Equal(t, tt.want, severity.FromSlog(tt.level), "%d", int(tt.level))
	}
}

func TestSlogInvalid(t *testing.T) {
	for _, tt := range []struct {
		sev  severity.Severity
		want slog.Level
	}{
		{severity.Undefined, slog.LevelInfo},
		{-1, severity.Trace1.Slog()},
		{math.MinInt, severity.Trace1.Slog()},
		{25, severity.Fatal4.Slog()},
		{100, severity.Fatal4.Slog()},
		{math.MaxInt, severity.Fatal4.Slog()},
	} {
		assert.Equal(t, tt.want, tt.sev.Slog(), tt.sev.String())
	}
}

func TestOTel(t *testing.T) {
	otel := []log.Severity{
		log.SeverityTrace1, log.SeverityTrace2, log.SeverityTrace3, log.SeverityTrace4,
		log.SeverityDebug1, log.SeverityDebug2, log.SeverityDebug3, log.SeverityDebug4,
		log.SeverityInfo1, log.SeverityInfo2, log.SeverityInfo3, log.SeverityInfo4,
		log.SeverityWarn1, log.SeverityWarn2, log.SeverityWarn3, log.SeverityWarn4,
		log.SeverityError1, log.SeverityError2, log.SeverityError3, log.SeverityError4,
		log.SeverityFatal1, log.SeverityFatal2, log.SeverityFatal3, log.SeverityFatal4,
	}
	require.Len(t, otel, len(all))
	for i, tt := range all {
		assert.Equal(t, otel[i], tt.sev.OTel(), tt.name)
		assert.Equal(t, tt.sev, severity.FromOTel(otel[i]), tt.name)
	}

	assert.Equal(t, log.SeverityUndefined, severity.Undefined.OTel())
	assert.Equal(t, severity.Undefined, severity.FromOTel(log.SeverityUndefined))
	for _, tt := range invalid {
		assert.Equal(t, tt.sev, severity.FromOTel(tt.sev.OTel()), "%s passes through", tt.name)
		assert.Equal(t, int(tt.sev), int(tt.sev.OTel()), tt.name)
	}
}

func TestErrUnknownIsSentinel(t *testing.T) {
	_, err := severity.Parse("x")
	assert.True(t, errors.Is(err, severity.ErrUnknown))
	assert.NotEqual(t, severity.ErrUnknown, err, "the returned error carries the input")
}
