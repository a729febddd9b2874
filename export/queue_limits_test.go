package export_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// TestQueueByteBudget: a queue holds at most its byte budget of records
// (the export under way included); past it, records are counted as queue
// full.
func TestQueueByteBudget(t *testing.T) {
	const budget, size = 1 << 20, 100 << 10
	stub := &stubExporter{block: make(chan struct{}), entered: make(chan struct{}, 64)}
	p := setup(t, export.WithExporter(stub), export.WithQueueBytes(budget), export.WithBatchBytes(4<<20),
		export.WithLimits(logrecord.Limits{MaxStringLen: 4 << 20}), export.WithExportInterval(time.Millisecond),
		export.WithErrorHandler(func(error) {}))
	emitBodies(p, size)
	<-stub.entered // one record in an export that does not end
	emitBodies(p, make([]int, 50)...)
	for i := range 50 {
		emitBodies(p, size+i)
	}
	s := p.Stats()
	e := s.Exporters[0]
	assert.Equal(t, uint64(101), s.Emitted)
	assert.LessOrEqual(t, (e.Pending-50)*size, uint64(budget), "bytes held within the budget: %+v", e)
	assert.GreaterOrEqual(t, e.Dropped.QueueFull, uint64(40), "%+v", e)
	assertAddsUp(t, s)
	close(stub.block)
	var ue *export.UndeliveredError
	require.ErrorAs(t, p.Shutdown(t.Context()), &ue)
	assert.Equal(t, e.Dropped.QueueFull, ue.Stats.Exporters[0].Dropped.Total(), "only the queue-full records are lost")
	assertAddsUp(t, p.Stats())
}

// TestQueueDroppedAttributesReachExporters: the count of attributes the
// SDK dropped past Limits.MaxAttributes survives sanitizing and cutting,
// and reaches the JSON exporter (droppedAttributesCount) and the console.
func TestQueueDroppedAttributesReachExporters(t *testing.T) {
	many := func(mod func(i int, kv attribute.KeyValue) attribute.KeyValue) []attribute.KeyValue {
		attrs := make([]attribute.KeyValue, 300)
		for i := range attrs {
			attrs[i] = mod(i, attribute.String("k"+strconv.Itoa(i), "v"))
		}
		return attrs
	}
	same := func(_ int, kv attribute.KeyValue) attribute.KeyValue { return kv }
	cases := []struct {
		name  string
		attrs []attribute.KeyValue
		body  string
		kept  int
	}{
		{"clean attributes", many(same), "b", 10},
		{"invalid UTF-8 in a kept value", many(func(i int, kv attribute.KeyValue) attribute.KeyValue {
			if i == 3 {
				return attribute.String(string(kv.Key), "bad\xff")
			}
			return kv
		}), "b", 10},
		{"a value over the string limit", many(func(i int, kv attribute.KeyValue) attribute.KeyValue {
			if i == 5 {
				return attribute.String(string(kv.Key), strings.Repeat("x", 100<<10))
			}
			return kv
		}), "b", 10},
		{"duplicate keys among the kept", many(func(i int, kv attribute.KeyValue) attribute.KeyValue {
			if i == 2 {
				return attribute.String("k1", "again")
			}
			return kv
		}), "b", 10},
		{"a record cut to fit one request", many(func(i int, kv attribute.KeyValue) attribute.KeyValue {
			if i == 0 {
				return attribute.String(string(kv.Key), strings.Repeat("x", 50<<10))
			}
			return kv
		}), strings.Repeat("y", 60<<10), 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var js, con bytes.Buffer
			p := setup(t, export.WithJSON(&js), export.WithConsole(&con), export.WithLimits(logrecord.Limits{MaxAttributes: 10, MaxStringLen: 64 << 10}),
				export.WithBatchBytes(64<<10))
			p.LoggerProvider().Logger("test").Emit(t.Context(), record(severity.Info, attribute.StringValue(c.body), c.attrs...))
			require.NoError(t, p.Shutdown(t.Context()))

			var req struct {
				ResourceLogs []struct {
					ScopeLogs []struct {
						LogRecords []struct {
							Attributes             []json.RawMessage `json:"attributes"`
							DroppedAttributesCount int               `json:"droppedAttributesCount"`
						} `json:"logRecords"`
					} `json:"scopeLogs"`
				} `json:"resourceLogs"`
			}
			require.NoError(t, json.Unmarshal(js.Bytes(), &req), js.String())
			lr := req.ResourceLogs[0].ScopeLogs[0].LogRecords[0]
			assert.Len(t, lr.Attributes, c.kept)
			assert.Equal(t, 290, lr.DroppedAttributesCount)
			assert.Contains(t, con.String(), "…[+290 attributes dropped]")
		})
	}
}
