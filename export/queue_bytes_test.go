package export_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// sizedExporter keeps the records it accepts and the payload bytes (body
// and attribute values) of each batch; it refuses, as a Collector does, a
// batch whose payload is over refuse bytes.
type sizedExporter struct {
	refuse int // 0: accept everything

	mu      sync.Mutex
	batches []int
	records []sdklog.Record
	refused int
}

func payload(r *sdklog.Record) int {
	n := len(r.Body().String())
	r.WalkAttributes(func(kv attribute.KeyValue) bool { n += len(kv.Key) + len(kv.Value.String()); return true })
	return n
}

func (e *sizedExporter) Export(_ context.Context, recs []sdklog.Record) error {
	n := 0
	for i := range recs {
		n += payload(&recs[i])
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.refuse > 0 && n > e.refuse {
		e.refused++
		// The pipeline's contract for a receiver's refusal by size.
		return fmt.Errorf("receiver: 400 request body too large: %w", export.ErrTooLarge)
	}
	e.batches = append(e.batches, n)
	for i := range recs {
		e.records = append(e.records, recs[i].Clone())
	}
	return nil
}
func (e *sizedExporter) Shutdown(context.Context) error   { return nil }
func (e *sizedExporter) ForceFlush(context.Context) error { return nil }

func emitBodies(p *export.Pipeline, sizes ...int) {
	lg := p.LoggerProvider().Logger("test")
	for i, n := range sizes {
		lg.Emit(context.Background(), record(severity.Info, attribute.StringValue(strings.Repeat(string(rune('a'+i%26)), n))))
	}
}

// TestQueueRequestsBoundedInBytes: batches are split by estimated size; a
// record larger than one request is cut to fit, visibly; a batch the
// receiver refuses as too large is split and sent again, down to one
// record, which is cut. Nothing is sent whole over the bound, nothing is
// lost.
func TestQueueRequestsBoundedInBytes(t *testing.T) {
	const bound = 64 << 10
	many := func(n, size int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = size
		}
		return s
	}
	cases := []struct {
		name   string
		sizes  []int
		refuse int // the receiver's own limit on a batch's payload
		cut    int // records that arrive cut
	}{
		{"records of 10 KiB", many(50, 10<<10), 0, 0},
		{"3 large among 97 small", append(append(many(40, 100), many(3, 500<<10)...), many(57, 100)...), 0, 3},
		{"a record of 1 MiB", []int{1 << 20}, 0, 1},
		{"receiver refuses batches over 20 KiB", many(20, 8<<10), 20 << 10, 0},
		{"receiver refuses a single record over 4 KiB", []int{100, 30 << 10, 100}, 4 << 10, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exp := &sizedExporter{refuse: c.refuse}
			p := setup(t, export.WithExporter(exp), export.WithBatchBytes(bound), export.WithLimits(logrecord.Limits{MaxStringLen: 4 << 20}),
				export.WithExportInterval(time.Hour), export.WithErrorHandler(func(error) {}))
			emitBodies(p, c.sizes...)
			require.NoError(t, p.Shutdown(t.Context()))

			s := p.Stats().Exporters[0]
			assert.Equal(t, uint64(len(c.sizes)), s.Delivered, "%+v", s)
			exp.mu.Lock()
			defer exp.mu.Unlock()
			for _, n := range exp.batches {
				assert.LessOrEqual(t, n, bound, "a request's payload stays under the bound")
			}
			cut := 0
			for i := range exp.records {
				if strings.Contains(exp.records[i].Body().AsString(), "…[truncated from ") {
					cut++
				}
			}
			assert.Equal(t, c.cut, cut, "records cut to fit, and marked")
			if c.refuse > 0 {
				assert.Positive(t, exp.refused, "the receiver refused at least once")
			}
		})
	}
}

// TestQueueRecordThatCannotFitIsInvalid: a record the receiver refuses
// however far it is cut is counted as invalid, not lost silently.
func TestQueueRecordThatCannotFitIsInvalid(t *testing.T) {
	exp := &sizedExporter{refuse: 1}
	p := setup(t, export.WithExporter(exp), export.WithErrorHandler(func(error) {}))
	emitBodies(p, 10<<10)
	err := p.Shutdown(t.Context())
	require.Error(t, err)
	s := p.Stats().Exporters[0]
	assert.Equal(t, uint64(1), s.Dropped.Invalid, "%+v", s)
}
