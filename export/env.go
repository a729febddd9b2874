package export

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
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
	logs, traces []string // OTEL_LOGS_EXPORTER, OTEL_TRACES_EXPORTER; nil when unset
	// An OTLP endpoint variable is set for logs, for traces: the base
	// one, or the signal's own.
	logsEndpoint, tracesEndpoint bool
	consoleFormat                string // "pretty" or "json"
	level                        severity.Severity
	batch                        batchConfig
	// spanBatch holds the OTEL_BSP_* variables that are set: they win over
	// the OTEL_BLRP_* ones for the span queues.
	spanBatch batchConfig
	disabled  bool // OTEL_SDK_DISABLED=true
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
			e.logsEndpoint = e.logsEndpoint || !strings.Contains(name, "_TRACES_")
			e.tracesEndpoint = e.tracesEndpoint || !strings.Contains(name, "_LOGS_")
			// The URL may carry credentials: quote it redacted.
			shown := logrecord.DefaultRedactor().URLString(raw)
			u, err := url.Parse(raw)
			switch {
			case err != nil || u.Scheme == "" || u.Host == "":
				fail(name, shown, "an absolute URL such as http://localhost:4318")
			case u.Scheme != "http" && u.Scheme != "https":
				// The OTLP exporters would send anything else as http.
				fail(name, shown, "an http or https URL")
			case checkURLPort(u) != nil:
				fail(name, shown, "a port from 1 to 65535")
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
			if _, ok := parseMillis(raw, 0); !ok {
				fail(name, raw, fmt.Sprintf("a whole number of milliseconds from 0 to %d", maxMillis))
			}
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"} {
		if raw := os.Getenv(name); raw != "" {
			if err := checkEnvHeaders(raw); err != nil {
				// The value is a secret: the error does not quote it.
				errs = append(errs, fmt.Errorf("export: %s: %w (value not shown)", name, err))
			}
		}
	}
	errs = append(errs, checkEnvTLS()...)
	disabled, _ := sdkDisabled()
	e.disabled = disabled
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
			d, ok := parseMillis(raw, 1)
			if !ok {
				fail(name, raw, fmt.Sprintf("a whole number of milliseconds from 1 to %d", maxMillis))
				return
			}
			*dst = d
		}
	}
	intVar("OTEL_BLRP_MAX_QUEUE_SIZE", &e.batch.queueSize)
	intVar("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", &e.batch.batchSize)
	intVar("OPLOG_BLRP_MAX_QUEUE_BYTES", &e.batch.queueBytes)
	intVar("OPLOG_BLRP_MAX_EXPORT_BATCH_BYTES", &e.batch.batchBytes)
	msVar("OTEL_BLRP_SCHEDULE_DELAY", &e.batch.interval)
	msVar("OTEL_BLRP_EXPORT_TIMEOUT", &e.batch.timeout)
	intVar("OTEL_BSP_MAX_QUEUE_SIZE", &e.spanBatch.queueSize)
	intVar("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", &e.spanBatch.batchSize)
	msVar("OTEL_BSP_SCHEDULE_DELAY", &e.spanBatch.interval)
	msVar("OTEL_BSP_EXPORT_TIMEOUT", &e.spanBatch.timeout)

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
		return e, errors.Join(errs...)
	}
	return e, nil
}

// checkPort checks a port of an endpoint: a number from 1 to 65535.
func checkPort(port string) error {
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return errors.New("want a port from 1 to 65535")
	}
	return nil
}

// checkURLPort checks u's port, if it has one ("http://h:" has an empty one).
func checkURLPort(u *url.URL) error {
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		return checkPort(p)
	}
	return nil
}

// maxMillis is the largest number of milliseconds a time.Duration holds.
const maxMillis = int64(math.MaxInt64 / time.Millisecond)

// parseMillis reads a millisecond variable of at least least: a larger
// value than a time.Duration holds is refused, not wrapped around into a
// tiny or negative duration.
func parseMillis(raw string, least int64) (time.Duration, bool) {
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < least || n > maxMillis {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// checkEnvHeaders checks an OTEL_EXPORTER_OTLP_*HEADERS value as the OTLP
// exporters parse it (comma-separated key=value pairs, values
// percent-decoded then trimmed): one bad pair would make them drop every
// header. The error shows no value.
func checkEnvHeaders(raw string) error {
	for i, kv := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("pair %d: want key=value, comma-separated", i+1)
		}
		val, err := url.PathUnescape(v)
		if err != nil {
			return fmt.Errorf("pair %d: bad percent-escape in the value", i+1)
		}
		if err := checkHeader(strings.TrimSpace(k), strings.TrimSpace(val)); err != nil {
			return fmt.Errorf("pair %d: %w", i+1, err)
		}
	}
	return nil
}

// checkHeader checks one request header; the error names neither the key
// (it may be a misplaced secret) nor the value.
func checkHeader(k, v string) error {
	if k == "" {
		return errors.New("empty header name")
	}
	for i := 0; i < len(k); i++ {
		if !isTokenByte(k[i]) {
			return errors.New("header name is not an HTTP token (letters, digits, !#$%&'*+-.^_`|~)")
		}
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
			return errors.New("control character (CR, LF…) in a header value")
		}
	}
	return nil
}

func isTokenByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// sdkDisabled reads OTEL_SDK_DISABLED as the specification says: "true",
// in any case, disables the SDK; anything else leaves it enabled, with a
// warning for a value other than "false".
func sdkDisabled() (bool, error) {
	raw := strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED"))
	switch {
	case strings.EqualFold(raw, "true"):
		return true, nil
	case raw == "" || strings.EqualFold(raw, "false"):
		return false, nil
	}
	return false, fmt.Errorf("export: OTEL_SDK_DISABLED=%q: want true or false; the SDK stays enabled", raw)
}

// tlsVars are the certificate variables of one signal ("" for both).
func tlsVars(signal string) (ca, cert, key string) {
	p := "OTEL_EXPORTER_OTLP_"
	if signal != "" {
		p += signal + "_"
	}
	return p + "CERTIFICATE", p + "CLIENT_CERTIFICATE", p + "CLIENT_KEY"
}

// checkEnvTLS loads every certificate variable that is set: the OTLP
// exporters would report a bad file to the otel error handler and go on
// without TLS settings.
func checkEnvTLS() []error {
	var errs []error
	for _, signal := range []string{"", "LOGS", "TRACES"} {
		ca, cert, key := tlsVars(signal)
		if path := os.Getenv(ca); path != "" {
			if _, err := loadCA(path); err != nil {
				errs = append(errs, fmt.Errorf("export: %s=%q: %w", ca, path, err))
			}
		}
		c, k := os.Getenv(cert), os.Getenv(key)
		switch {
		case c != "" && k == "":
			errs = append(errs, fmt.Errorf("export: %s is set without %s", cert, key))
		case c == "" && k != "":
			errs = append(errs, fmt.Errorf("export: %s is set without %s", key, cert))
		case c != "":
			if _, err := loadKeyPair(cert, c, key, k); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// envTLS is the TLS configuration of one signal's client ("LOGS" or
// "TRACES") from the certificate variables, the signal's own first, as the
// OTLP exporters resolve them; nil when none is set.
func envTLS(signal string) (*tls.Config, error) {
	var cfg tls.Config
	set := false
	for _, s := range []string{signal, ""} {
		ca, _, _ := tlsVars(s)
		if path := os.Getenv(ca); path != "" {
			pool, err := loadCA(path)
			if err != nil {
				return nil, fmt.Errorf("export: %s=%q: %w", ca, path, err)
			}
			cfg.RootCAs, set = pool, true
			break
		}
	}
	for _, s := range []string{signal, ""} {
		_, cert, key := tlsVars(s)
		if c, k := os.Getenv(cert), os.Getenv(key); c != "" && k != "" {
			pair, err := loadKeyPair(cert, c, key, k)
			if err != nil {
				return nil, err
			}
			cfg.Certificates, set = []tls.Certificate{pair}, true
			break
		}
	}
	if !set {
		return nil, nil
	}
	return &cfg, nil
}

func loadCA(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New("no PEM certificate in the file")
	}
	return pool, nil
}

// loadKeyPair loads a client certificate and its key; the error names the
// variables.
func loadKeyPair(certVar, certPath, keyVar, keyPath string) (tls.Certificate, error) {
	c, err := os.ReadFile(certPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("export: %s=%q: %w", certVar, certPath, err)
	}
	k, err := os.ReadFile(keyPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("export: %s=%q: %w", keyVar, keyPath, err)
	}
	pair, err := tls.X509KeyPair(c, k)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("export: %s=%q, %s=%q: %w", certVar, certPath, keyVar, keyPath, err)
	}
	return pair, nil
}

// requestTimeout is one signal's HTTP request timeout: the option's, else
// the signal's variable, else OTEL_EXPORTER_OTLP_TIMEOUT, else 10s, as in
// OTLP. A variable of 0 means no timeout but the export's.
func requestTimeout(opt time.Duration, signal string) time.Duration {
	if opt > 0 {
		return opt
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_" + signal + "_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"} {
		if d, ok := parseMillis(os.Getenv(name), 0); ok {
			return d
		}
	}
	return 10 * time.Second
}
