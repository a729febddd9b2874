package severity_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/severity"
)

func ExampleParse() {
	for _, s := range []string{"warn2", " Info ", "DEBUG1", "17", "warning", "crit", "loud"} {
		sev, err := severity.Parse(s)
		if errors.Is(err, severity.ErrUnknown) {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q -> %s (%d)\n", s, sev, sev)
	}
	// Output:
	// "warn2" -> WARN2 (14)
	// " Info " -> INFO (9)
	// "DEBUG1" -> DEBUG (5)
	// "17" -> ERROR (17)
	// "warning" -> WARN (13)
	// "crit" -> ERROR2 (18)
	// severity: unknown severity "loud"; want TRACE..FATAL4 (or TRACE1, INFO1, ...), 1-24, or an alias (information, informational, notice, warning, err, crit, critical, alert, emerg, emergency)
}

func ExampleSeverity_String() {
	fmt.Println(severity.Info, severity.Info2, severity.Fatal4)
	fmt.Println(severity.Undefined, severity.Severity(42))
	// Output:
	// INFO INFO2 FATAL4
	// UNDEFINED SEVERITY(42)
}

func ExampleSeverity_Valid() {
	fmt.Println(severity.Trace1.Valid(), severity.Fatal4.Valid())
	fmt.Println(severity.Undefined.Valid(), severity.Severity(25).Valid())
	// Output:
	// true true
	// false false
}

func ExampleSeverity_Category() {
	fmt.Println(severity.Info3.Category())
	fmt.Println(severity.Error4.Category() == severity.Error)
	fmt.Println(severity.Severity(42).Category())
	// Output:
	// INFO
	// true
	// UNDEFINED
}

func ExampleFromSlog() {
	for _, l := range []slog.Level{
		slog.LevelDebug - 8, // below TRACE: clamped
		slog.LevelDebug,
		slog.LevelInfo + 2,
		slog.LevelWarn,
		slog.LevelError,
		slog.LevelError + 4,
		slog.LevelError + 8, // above FATAL4: clamped
	} {
		fmt.Printf("%-8v -> %v\n", l, severity.FromSlog(l))
	}
	// Output:
	// DEBUG-8  -> TRACE
	// DEBUG    -> DEBUG
	// INFO+2   -> INFO3
	// WARN     -> WARN
	// ERROR    -> ERROR
	// ERROR+4  -> FATAL
	// ERROR+8  -> FATAL4
}

func ExampleSeverity_Slog() {
	fmt.Println(severity.Trace1.Slog(), severity.Warn2.Slog(), severity.Fatal.Slog())
	fmt.Println(severity.Undefined.Slog())
	// Output:
	// DEBUG-4 WARN+1 ERROR+4
	// INFO
}

func ExampleFromOTel() {
	fmt.Println(severity.FromOTel(log.SeverityWarn3))
	fmt.Println(severity.FromOTel(log.Severity(30)))
	// Output:
	// WARN3
	// SEVERITY(30)
}

func ExampleSeverity_OTel() {
	fmt.Println(severity.Error2.OTel() == log.SeverityError2)
	// Output:
	// true
}

// A Severity is a flag with [flag.TextVar].
func Example_flag() {
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	var level severity.Severity
	fs.TextVar(&level, "level", severity.Info, "minimum `severity` to log")

	if err := fs.Parse([]string{"-level=warn2"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(level)
	// Output:
	// WARN2
}

// A Severity is a string in a JSON config.
func ExampleSeverity_MarshalText() {
	var config struct {
		Level severity.Severity `json:"level"`
	}
	if err := json.Unmarshal([]byte(`{"level": "warning"}`), &config); err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(config)
	fmt.Println(string(out))

	config.Level = severity.Undefined
	_, err := json.Marshal(config)
	fmt.Println(err)
	// Output:
	// {"level":"WARN"}
	// json: error calling MarshalText for type severity.Severity: severity: cannot marshal UNDEFINED: want a severity in 1-24
}
