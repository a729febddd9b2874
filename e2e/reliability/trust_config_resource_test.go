package reliability_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
)

// TestTrustConfigResourceLargerThanARequest: a resource whose attributes
// are each within the limits (400 of 60 KiB, 24 MiB in all) but together
// larger than the real receiver's 20 MiB limit would make every request
// of the process too large: it is cut to a quarter of one request,
// service.name kept, the error handler told, and every record and span
// delivered.
func TestTrustConfigResourceLargerThanARequest(t *testing.T) {
	rcv := collector.Start(t, collector.Options{})
	attrs := []attribute.KeyValue{attribute.String("service.name", "resource-test")}
	for i := range 400 {
		attrs = append(attrs, attribute.String(fmt.Sprintf("big.%03d", i), strings.Repeat("r", 60<<10)))
	}
	p, errs := setup(t, otlp(rcv.Endpoint(), export.OTLPRetry(0)), export.WithResource(resource.NewSchemaless(attrs...)))
	lg := p.LoggerProvider().Logger("reliability")
	for i := range 50 {
		lg.Emit(t.Context(), rawRecord("resource", i, "hello"))
	}
	_, span := p.TracerProvider().Tracer("reliability").Start(t.Context(), "op")
	span.End()
	require.NoError(t, p.Shutdown(t.Context()))
	rcv.WaitForLogRecords(t, 50, 10*time.Second)
	rcv.WaitForSpans(t, 1, 10*time.Second)
	s := p.Stats()
	assert.Equal(t, uint64(50), exporter(t, s, "otlp").Delivered)
	assert.Equal(t, uint64(1), s.Spans.Exported)
	for _, ld := range rcv.Logs() {
		for i := range ld.ResourceLogs().Len() {
			v, ok := ld.ResourceLogs().At(i).Resource().Attributes().Get("service.name")
			require.True(t, ok)
			assert.Equal(t, "resource-test", v.Str())
		}
	}
	var told bool
	for _, err := range errs.all() {
		told = told || strings.Contains(err.Error(), "resource")
	}
	assert.True(t, told, "the error handler is told the resource was cut")
}
