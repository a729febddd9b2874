package export

import (
	"errors"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// validate returns the mistakes found in the options given to Setup, each
// naming its option, and reports a warning about OTEL_SDK_DISABLED (which
// does not stop Setup) through the error handler.
func (c *config) validate() error {
	if err := errors.Join(c.errs...); err != nil {
		return err
	}
	if _, warn := sdkDisabled(); warn != nil {
		c.handler()(warn)
	}
	return nil
}

// handler is the error handler of [WithErrorHandler], or the default.
func (c *config) handler() func(error) {
	if c.errHandler != nil {
		return c.errHandler
	}
	return defaultHandler
}

// defaultHandler writes err on stderr, one line prefixed "oplog: ", its
// control characters escaped as the console escapes them: an error's text
// may quote an exporter, a receiver or a record, and must not forge a line
// of oplog's nor drive the terminal.
func defaultHandler(err error) { writeStderr(safeText(err)) }

func writeStderr(s string) {
	b := append([]byte("oplog: "), appendEscaped(nil, s)...)
	_, _ = os.Stderr.Write(append(b, '\n'))
}

// disabledPipeline is the pipeline of OTEL_SDK_DISABLED=true: providers
// with no processor and no exporter, so that nothing is produced or sent,
// registered as the globals unless WithoutGlobal; its Stats stay zero and
// its ForceFlush and Shutdown return nil.
func disabledPipeline(c config) *Pipeline {
	logs := sdklog.NewLoggerProvider()
	traces := sdktrace.NewTracerProvider()
	if !c.noGlobal {
		otel.SetLoggerProvider(logs)
		otel.SetTracerProvider(traces)
	}
	return &Pipeline{
		logs: logs, traces: traces,
		proc:  &processor{},
		spans: &spanProcessor{},
		rep:   newReporter(c.handler(), 5*time.Second),
	}
}
