package export

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// env is what Setup reads from the environment, validated.
type env struct {
	logs, traces  []string // OTEL_LOGS_EXPORTER, OTEL_TRACES_EXPORTER; nil when unset
	otlpEndpoint  bool     // an OTLP endpoint variable is set
	consoleFormat string   // "pretty" or "json"
	level         severity.Severity
	batch         batchConfig
	disabled      bool // OTEL_SDK_DISABLED=true
}

func readEnv() (env, error) {
	var e env
	var errs []error
	fail := func(name, val, want string) {
		errs = append(errs, fmt.Errorf("export: %s=%q: want %s", name, val, want))
	}
	for _, v := range []struct {
		name string
		dst  *[]string
	}{{"OTEL_LOGS_EXPORTER", &e.logs}, {"OTEL_TRACES_EXPORTER", &e.traces}} {
		raw := strings.TrimSpace(os.Getenv(v.name))
		if raw == "" {
			continue
		}
		for _, p := range strings.Split(raw, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if !slices.Contains([]string{"console", "otlp", "none"}, p) {
				fail(v.name, raw, "a comma-separated list of console, otlp, none")
				break
			}
			*v.dst = append(*v.dst, p)
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		if raw := os.Getenv(name); raw != "" {
			e.otlpEndpoint = true
			if u, err := url.Parse(raw); err != nil || u.Scheme == "" || u.Host == "" {
				// The URL may carry credentials: quote it redacted.
				fail(name, logrecord.DefaultRedactor().URLString(raw), "an absolute URL such as http://localhost:4318")
			}
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		if raw := os.Getenv(name); raw != "" && raw != "http/protobuf" {
			fail(name, raw, "http/protobuf (the only OTLP protocol oplog exports)")
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"} {
		if raw := os.Getenv(name); raw != "" && raw != "gzip" && raw != "none" {
			fail(name, raw, "gzip or none")
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_INSECURE", "OTEL_EXPORTER_OTLP_LOGS_INSECURE", "OTEL_EXPORTER_OTLP_TRACES_INSECURE"} {
		if raw := os.Getenv(name); raw != "" {
			if _, err := strconv.ParseBool(raw); err != nil {
				fail(name, raw, "true or false")
			}
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"} {
		if raw := os.Getenv(name); raw != "" {
			if n, err := strconv.Atoi(raw); err != nil || n < 0 {
				fail(name, raw, "a whole number of milliseconds")
			}
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"} {
		if raw := os.Getenv(name); raw != "" {
			for _, kv := range strings.Split(raw, ",") {
				k, _, ok := strings.Cut(kv, "=")
				if !ok || strings.TrimSpace(k) == "" {
					// The value is a secret: do not echo the variable.
					errs = append(errs, fmt.Errorf("export: %s: want comma-separated key=value pairs (value not shown)", name))
					break
				}
			}
		}
	}
	intVar := func(name string, dst *int) {
		if raw := os.Getenv(name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 {
				fail(name, raw, "a whole number ≥ 1")
				return
			}
			*dst = n
		}
	}
	msVar := func(name string, dst *time.Duration) {
		if raw := os.Getenv(name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 {
				fail(name, raw, "a whole number of milliseconds ≥ 1")
				return
			}
			*dst = time.Duration(n) * time.Millisecond
		}
	}
	intVar("OTEL_BLRP_MAX_QUEUE_SIZE", &e.batch.queueSize)
	intVar("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", &e.batch.batchSize)
	intVar("OPLOG_BLRP_MAX_QUEUE_BYTES", &e.batch.queueBytes)
	intVar("OPLOG_BLRP_MAX_EXPORT_BATCH_BYTES", &e.batch.batchBytes)
	msVar("OTEL_BLRP_SCHEDULE_DELAY", &e.batch.interval)
	msVar("OTEL_BLRP_EXPORT_TIMEOUT", &e.batch.timeout)

	switch raw := strings.ToLower(strings.TrimSpace(os.Getenv("OPLOG_CONSOLE_FORMAT"))); raw {
	case "", "pretty":
		e.consoleFormat = "pretty"
	case "json":
		e.consoleFormat = "json"
	default:
		fail("OPLOG_CONSOLE_FORMAT", raw, "pretty or json")
	}
	if raw := os.Getenv("OPLOG_LEVEL"); raw != "" {
		s, err := severity.Parse(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("export: OPLOG_LEVEL: %w", err))
		}
		e.level = s
	}
	if len(errs) > 0 {
		return e, joinErrs(errs)
	}
	return e, nil
}
