package reliability_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/e2e/collector"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
)

// full reports whether the suite runs at the scale of RELIABILITY.md.
var full = os.Getenv("OPLOG_RELIABILITY_SCALE") == "full"

// scale picks the CI figure or the full one.
func scale(ci, fullN int) int {
	if full {
		return fullN
	}
	return ci
}

// errs collects what the pipeline reports to its error handler.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (e *errs) handle(err error) { e.mu.Lock(); e.list = append(e.list, err); e.mu.Unlock() }

func (e *errs) all() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// drops sums the reported DropErrors of one reason.
func (e *errs) drops(reason string) (calls int, count uint64) {
	for _, err := range e.all() {
		if d, ok := err.(*export.DropError); ok && d.Reason == reason {
			calls++
			count += d.Count
		}
	}
	return calls, count
}

// setup builds a pipeline that leaves the globals alone and collects its
// reported errors.
func setup(t *testing.T, opts ...export.Option) (*export.Pipeline, *errs) {
	t.Helper()
	e := &errs{}
	p, err := export.Setup(t.Context(), append([]export.Option{export.WithoutGlobal(), export.WithErrorHandler(e.handle)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p, e
}

func otlp(endpoint string, more ...export.OTLPOption) export.Option {
	return export.WithOTLP(append([]export.OTLPOption{export.OTLPEndpoint(endpoint), export.OTLPInsecure()}, more...)...)
}

// rawRecord is a record of the OTel API with the identity the ledger reads.
func rawRecord(id string, seq int, body string) log.Record {
	var r log.Record
	r.SetTimestamp(time.Now())
	r.SetSeverity(log.SeverityInfo)
	r.SetBody(attribute.StringValue(body))
	r.AddAttributes(attribute.String(logrecord.KeyOperationID, id), attribute.Int("seq", seq))
	return r
}

// key is a record's identity: operation id and sequence. Records without
// a "seq" attribute are told by the number in their URL (HTTP messages) or
// by their event name (operation start and end).
func key(lr plog.LogRecord) string {
	id, _ := lr.Attributes().Get(logrecord.KeyOperationID)
	if s, ok := lr.Attributes().Get("seq"); ok {
		return id.AsString() + "/" + strconv.FormatInt(s.Int(), 10)
	}
	if u, ok := lr.Attributes().Get(logrecord.KeyURLFull); ok {
		return id.AsString() + "/" + u.AsString()
	}
	return id.AsString() + "/" + lr.EventName()
}

// received counts the records the receivers hold by key.
func received(rs ...*collector.Receiver) map[string]int {
	got := map[string]int{}
	for _, r := range rs {
		for _, lr := range r.LogRecords() {
			got[key(lr.Record)]++
		}
	}
	return got
}

// checkLedger is the invariant of the suite for the exporter named exp:
// emitted = delivered + dropped by reason, nothing pending; the receivers
// hold exactly Delivered records, none twice, each one that was sent.
func checkLedger(t *testing.T, p *export.Pipeline, exp string, sent map[string]bool, rs ...*collector.Receiver) export.ExporterStats {
	t.Helper()
	s := p.Stats()
	e := exporter(t, s, exp)
	assert.Zero(t, e.Pending, "nothing pending after Shutdown")
	assert.Equal(t, s.Emitted, e.Delivered+e.Dropped.Total(), "emitted = delivered + dropped: %+v", e)
	if rs == nil {
		return e
	}
	got := received(rs...)
	n, dups, unknown := 0, 0, 0
	for k, c := range got {
		n += c
		if c > 1 {
			dups++
			if dups <= 5 {
				t.Errorf("record %s received %d times", k, c)
			}
		}
		if sent != nil && !sent[k] {
			unknown++
			if unknown <= 5 {
				t.Errorf("record %s received but never sent", k)
			}
		}
	}
	assert.Zero(t, dups, "duplicated records")
	assert.Zero(t, unknown, "records received that were not sent")
	assert.Equal(t, int(e.Delivered), n, "delivered = what the receiver holds")
	if sent != nil {
		assert.Equal(t, len(sent), int(s.Emitted), "emitted = records sent by the test")
	}
	return e
}

func exporter(t *testing.T, s export.Stats, name string) export.ExporterStats {
	t.Helper()
	for _, e := range s.Exporters {
		if e.Name == name {
			return e
		}
	}
	require.Failf(t, "no exporter", "%q in %+v", name, s)
	return export.ExporterStats{}
}

// latencies keeps the duration of every log call of one goroutine.
type latencies []time.Duration

func (l *latencies) time(f func()) {
	t0 := time.Now()
	f()
	*l = append(*l, time.Since(t0))
}

// summary merges the per-goroutine latencies into p99 and max.
func summary(ls []latencies) (p99, maxD time.Duration, n int) {
	var all []time.Duration
	for _, l := range ls {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return 0, 0, 0
	}
	slices.Sort(all)
	return all[(len(all)*99)/100], all[len(all)-1], len(all)
}

// figures is one row of RELIABILITY.md.
type figures struct {
	Case     string
	Stats    export.ExporterStats
	Emitted  uint64
	P99, Max time.Duration
	Calls    int
	Heap     string
	Note     string
}

// publish logs a case's figures and appends them to OPLOG_RELIABILITY_REPORT.
func publish(t *testing.T, f figures) {
	t.Helper()
	d := f.Stats.Dropped
	lat := "–"
	if f.Calls > 0 {
		lat = fmt.Sprintf("%s / %s", f.P99.Round(100*time.Nanosecond), f.Max.Round(time.Microsecond))
	}
	heap := f.Heap
	if heap == "" {
		heap = "–"
	}
	row := fmt.Sprintf("| %s | %d | %d | %d / %d / %d / %d / %d | %s | %s | %s |\n",
		f.Case, f.Emitted, f.Stats.Delivered, d.QueueFull, d.ExportFailed, d.Rejected, d.Invalid, d.Shutdown, lat, heap, f.Note)
	t.Log(row)
	path := os.Getenv("OPLOG_RELIABILITY_REPORT")
	if path == "" {
		return
	}
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	defer fh.Close()
	_, err = fh.WriteString(row)
	require.NoError(t, err)
}

// heapAfterGC is the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// waitGoroutines polls until at most n goroutines run, or timeout passes,
// and returns the last count.
func waitGoroutines(n int, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for {
		g := runtime.NumGoroutine()
		if g <= n || time.Now().After(deadline) {
			return g
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pacer holds emitters back while the exporter's queue is over a
// threshold, so a load the receiver can absorb never fills the queue.
type pacer struct {
	p     *export.Pipeline
	limit uint64
}

func (pc pacer) wait() {
	for pc.p.Stats().Exporters[0].Pending > pc.limit {
		time.Sleep(200 * time.Microsecond)
	}
}

// goroutineStacks returns the stack of every goroutine but the caller's.
func goroutineStacks() []string {
	buf := make([]byte, 4<<20)
	all := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
	return all[1:]
}
