package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
	"github.com/oplog-go/oplog/store"
)

// storeBatch is the pipeline's default batch: what one Store.Export gets.
const storeBatch = 512

// opRecords is what one ordinary operation of storeGen emits: a start
// record, eight messages (one of them HTTP) and an end record.
const opRecords = 10

var (
	storeIntegrations = []string{"hubspot", "salesforce", "github", "slack", "stripe", "zendesk"}
	// storeKinds repeat by weight: sync:run 60 %, action:run 20 %,
	// webhook:incoming 15 %, proxy:call 5 %.
	storeKinds = []operation.Kind{
		operation.SyncRun, operation.SyncRun, operation.SyncRun, operation.SyncRun, operation.SyncRun, operation.SyncRun,
		operation.SyncRun, operation.SyncRun, operation.SyncRun, operation.SyncRun, operation.SyncRun, operation.SyncRun,
		operation.ActionRun, operation.ActionRun, operation.ActionRun, operation.ActionRun,
		operation.WebhookIncoming, operation.WebhookIncoming, operation.WebhookIncoming,
		operation.ProxyCall,
	}
)

// storeRare is in one operation in a thousand: a rare word to search for.
// storeCommon ("contact" as a prefix) is in five messages of every
// operation.
const (
	storeRare   = "quarantine"
	storeCommon = "contact"
)

// storeGen builds the records of synthetic operations through an sdk/log
// LoggerProvider, so that they are the records a pipeline hands its
// exporters, with the attributes oplog's operation package writes.
// Operation i starts at base + i*step; its state, kind, integration and
// connection follow from i.
type storeGen struct {
	logger log.Logger
	col    *collector
	base   time.Time
	step   time.Duration
}

// collector keeps what a SimpleProcessor hands it, in recs.
type collector struct{ recs []sdklog.Record }

func (c *collector) Export(_ context.Context, rs []sdklog.Record) error {
	for _, r := range rs {
		c.recs = append(c.recs, r.Clone())
	}
	return nil
}
func (c *collector) Shutdown(context.Context) error   { return nil }
func (c *collector) ForceFlush(context.Context) error { return nil }

func newStoreGen(base time.Time, step time.Duration) *storeGen {
	col := &collector{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(col)))
	return &storeGen{logger: lp.Logger("github.com/oplog-go/oplog"), col: col, base: base, step: step}
}

func storeOpID(i int) string { return fmt.Sprintf("01JD%022d", i) }

// state is 85 % success, 10 % failed, 3 % timeout, 2 % cancelled.
func storeState(i int) string {
	switch h := (i * 7919) % 100; {
	case h < 85:
		return "success"
	case h < 95:
		return "failed"
	case h < 98:
		return "timeout"
	}
	return "cancelled"
}

func storeRefs(i int) (kind operation.Kind, integration, connection string) {
	kind = storeKinds[(i*31)%len(storeKinds)]
	integration = storeIntegrations[i%len(storeIntegrations)]
	connection = fmt.Sprintf("%s-conn-%d", integration, (i/len(storeIntegrations))%8)
	return kind, integration, connection
}

// appendOp appends the records of operation i to dst: start, messages, end.
// extra > 0 makes it a long operation of extra messages instead of the
// usual eight.
func (g *storeGen) appendOp(dst []sdklog.Record, i, extra int) []sdklog.Record {
	g.col.recs = dst
	kind, integration, connection := storeRefs(i)
	id := storeOpID(i)
	start := g.base.Add(time.Duration(i) * g.step)
	state := storeState(i)
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x4b, 0xf9, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		SpanID:  trace.SpanID{0, 0xf0, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 1, 2}, TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	base := []attribute.KeyValue{
		attribute.String(logrecord.KeyOperationID, id),
		attribute.String(logrecord.KeyOperationType, kind.Type),
		attribute.String(logrecord.KeyOperationAction, kind.Action),
		attribute.String(logrecord.KeyIntegrationID, integration),
		attribute.String(logrecord.KeyConnectionID, connection),
	}
	all := append(slices.Clone(base),
		attribute.String(logrecord.KeyAccountID, "acct-"+fmt.Sprint(i%40)),
		attribute.String(logrecord.KeyEnvironment, "production"),
		attribute.String(logrecord.KeyIntegrationProvider, integration))
	internal := []attribute.KeyValue{
		attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal),
		attribute.String(logrecord.KeyMessageType, logrecord.TypeLog),
	}
	emit := func(at time.Time, sev severity.Severity, event, body string, msgType string, attrs ...attribute.KeyValue) {
		var r log.Record
		r.SetTimestamp(at)
		r.SetObservedTimestamp(at)
		r.SetSeverity(sev.OTel())
		r.SetSeverityText(sev.String())
		r.SetBody(attribute.StringValue(body))
		r.SetEventName(event)
		r.AddAttributes(attrs...)
		if msgType != "" {
			r.AddAttributes(base...)
			r.AddAttributes(attribute.String(logrecord.KeyMessageSource, logrecord.SourceUser),
				attribute.String(logrecord.KeyMessageType, msgType))
		}
		g.logger.Emit(ctx, r)
	}

	startAttrs := append(append(slices.Clone(all), attribute.String(logrecord.KeyOperationState, "running")), internal...)
	emit(start, severity.Info, logrecord.EventOperationStart, kind.String()+" started", "", startAttrs...)

	at := func(n int) time.Time { return start.Add(time.Duration(n) * 150 * time.Millisecond) }
	page := i % 37
	n := 0
	msgs := 8
	if extra > 0 {
		msgs = extra
	}
	for n < msgs {
		switch k := n % 8; k {
		case 0:
			emit(at(n), severity.Info, "", fmt.Sprintf("fetching contacts page %d", page), logrecord.TypeLog,
				attribute.Int("page", page), attribute.String("cursor", "eyJpZCI6MTAyNDB9"))
		case 1:
			status := 200
			if state == "failed" {
				status = 429
			}
			u := fmt.Sprintf("https://api.%s.example.com/v3/contacts?page=%d&limit=100", integration, page)
			sev := severity.Info
			if status >= 400 {
				sev = severity.Error
			}
			emit(at(n), sev, logrecord.EventHTTP, fmt.Sprintf("GET %s → %d (182ms)", u, status), logrecord.TypeHTTP,
				attribute.String(logrecord.KeyHTTPRequestMethod, http.MethodGet),
				attribute.String(logrecord.KeyURLFull, u),
				attribute.StringSlice(logrecord.KeyHTTPRequestHeaderPrefix+"accept", []string{"application/json"}),
				attribute.StringSlice(logrecord.KeyHTTPRequestHeaderPrefix+"authorization", []string{"REDACTED"}),
				attribute.StringSlice(logrecord.KeyHTTPRequestHeaderPrefix+"user-agent", []string{"oplog-sync/1.8"}),
				attribute.Int(logrecord.KeyHTTPResponseStatusCode, status),
				attribute.StringSlice(logrecord.KeyHTTPResponseHeaderPrefix+"content-type", []string{"application/json; charset=utf-8"}),
				attribute.StringSlice(logrecord.KeyHTTPResponseHeaderPrefix+"x-ratelimit-remaining", []string{fmt.Sprint(100 - page)}),
				attribute.Float64(logrecord.KeyHTTPDurationMS, 182.4))
		case 2:
			emit(at(n), severity.Info, "", fmt.Sprintf("fetched %d contacts", 100-page), logrecord.TypeLog,
				attribute.Int("count", 100-page), attribute.Bool("has_more", page < 36))
		case 3:
			emit(at(n), severity.Debug, "", fmt.Sprintf("contact c-%d synced", i*8+n), logrecord.TypeLog,
				attribute.String("contact.id", fmt.Sprintf("c-%d", i*8+n)), attribute.String("contact.email", "ada.lovelace@example.com"),
				attribute.StringSlice("tags", []string{"crm", "contacts"}))
		case 4:
			emit(at(n), severity.Warn, "", fmt.Sprintf("contact c-%d skipped: missing email", i*8+n), logrecord.TypeLog,
				attribute.String("contact.id", fmt.Sprintf("c-%d", i*8+n)))
		case 5:
			emit(at(n), severity.Info, "", "upsert batch committed", logrecord.TypeLog,
				attribute.Int("rows", 100-page), attribute.Float64("duration_ms", 12.5+float64(page)))
		case 6:
			emit(at(n), severity.Warn, "", "rate limited, backing off", logrecord.TypeLog,
				attribute.Int("wait_ms", 250*(1+page%4)), attribute.Int("attempt", 1+page%3))
		case 7:
			body := "cursor saved for the next run"
			if i%1000 == 7 && n == 7 {
				body = "payload moved to " + storeRare + " after checksum mismatch"
			}
			emit(at(n), severity.Info, "", body, logrecord.TypeLog,
				attribute.String("cursor", "eyJpZCI6MTAyNDB9"), attribute.Int("page", page))
		}
		n++
	}

	end := at(n)
	endAttrs := append(slices.Clone(all),
		attribute.String(logrecord.KeyOperationState, state),
		attribute.Int64(logrecord.KeyOperationDurationMS, end.Sub(start).Milliseconds()))
	sev, body := severity.Info, kind.String()+" "+state
	switch state {
	case "failed":
		sev, body = severity.Error, body+": contacts page: 429 Too Many Requests"
		endAttrs = append(endAttrs, attribute.String(logrecord.KeyExceptionType, "*api.StatusError"),
			attribute.String(logrecord.KeyExceptionMessage, "contacts page: 429 Too Many Requests"))
	case "timeout", "cancelled":
		sev = severity.Warn
	}
	emit(end, sev, logrecord.EventOperationEnd, body, "", append(endAttrs, internal...)...)
	return g.col.recs
}

// storeScale is the size of TestStoreAtScale: OPLOG_STORE_SCALE=full
// stores a million messages; by default 20,000, or 3,000 under the race
// detector, which keeps go test -race ./... within seconds.
func storeScale() (messages int, full bool) {
	switch {
	case os.Getenv("OPLOG_STORE_SCALE") == "full":
		return 1_000_000, true
	case raceEnabled:
		return 3_000, false
	}
	return 20_000, false
}

func openBenchStore(tb testing.TB, opts store.Options) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), opts)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// BenchmarkStoreIngest measures Store.Export of batches of 512 records of
// operations (start, eight messages one of which is HTTP, end) into a file.
// Records are built outside the timer, with fresh operation ids each batch.
func BenchmarkStoreIngest(b *testing.B) {
	ctx := context.Background()
	s := openBenchStore(b, store.Options{Path: filepath.Join(b.TempDir(), "oplog.db")})
	g := newStoreGen(time.Now().Add(-24*time.Hour), 200*time.Millisecond)
	var pending, batch []sdklog.Record
	next := 0
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		b.StopTimer()
		for len(pending) < storeBatch {
			pending = g.appendOp(pending, next, 0)
			next++
		}
		batch = append(batch[:0], pending[:storeBatch]...)
		pending = append(pending[:0], pending[storeBatch:]...)
		b.StartTimer()
		if err := s.Export(ctx, batch); err != nil {
			b.Fatal(err)
		}
		records += len(batch)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkStoreIngestPipeline runs operations through the real pipeline
// into a store: export.Setup with WithStore, the operation package's
// tracker, start, seven messages, one HTTP call, end. An op is one
// operation (ten records and a span); a flush every 256 operations (and at
// the end) keeps the queues from dropping, and is timed.
func BenchmarkStoreIngestPipeline(b *testing.B) {
	ctx := context.Background()
	s := openBenchStore(b, store.Options{Path: filepath.Join(b.TempDir(), "oplog.db")})
	p, err := export.Setup(ctx, export.WithStore(s), export.WithoutGlobal(),
		export.WithQueueSize(1<<18), export.WithErrorHandler(func(error) {}))
	require.NoError(b, err)
	defer p.Shutdown(ctx)
	tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	req, _ := http.NewRequest(http.MethodGet, "https://api.hubspot.example.com/v3/contacts?page=3&limit=100", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer secret-token")
	req.Header.Set("User-Agent", "oplog-sync/1.8")
	resp := &http.Response{StatusCode: 200, Header: http.Header{
		"Content-Type": {"application/json; charset=utf-8"}, "X-Ratelimit-Remaining": {"97"}}}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		kind, integration, connection := storeRefs(i)
		_, op := tr.Start(ctx, kind, operation.Refs{Integration: integration, Connection: connection, Environment: "production"})
		op.Info("fetching contacts page 3", attribute.Int("page", 3), attribute.String("cursor", "eyJpZCI6MTAyNDB9"))
		op.HTTP(operation.HTTPCall{Request: req, Response: resp, Duration: 182 * time.Millisecond})
		op.Info("fetched 97 contacts", attribute.Int("count", 97), attribute.Bool("has_more", true))
		op.Debug("contact c-1 synced", attribute.String("contact.id", "c-1"), attribute.String("contact.email", "ada.lovelace@example.com"))
		op.Warn("contact c-2 skipped: missing email", attribute.String("contact.id", "c-2"))
		op.Info("upsert batch committed", attribute.Int("rows", 97), attribute.Float64("duration_ms", 15.5))
		op.Warn("rate limited, backing off", attribute.Int("wait_ms", 500), attribute.Int("attempt", 2))
		op.Info("cursor saved for the next run", attribute.String("cursor", "eyJpZCI6MTAyNDB9"), attribute.Int("page", 3))
		op.End(nil)
		i++
		if i%256 == 0 {
			// The store is slower than emitting: without a flush now and
			// then the queues fill and drop (spans first, 2048 of them).
			require.NoError(b, p.ForceFlush(ctx))
		}
	}
	require.NoError(b, p.ForceFlush(ctx))
	st := p.Stats()
	if st.Undelivered() != 0 {
		b.Fatalf("the pipeline lost records: %+v", st)
	}
	b.ReportMetric(float64(i*opRecords)/b.Elapsed().Seconds(), "records/s")
}

// latency is the timings of one query.
type latency struct {
	name     string
	n        int
	p50, p99 time.Duration
	rows     int // results of the last run
}

// timeQuery runs q until budget is spent (at least minRuns, at most
// maxRuns times) and returns its p50 and p99.
func timeQuery(tb testing.TB, name string, budget time.Duration, q func() (int, error)) latency {
	tb.Helper()
	const minRuns, maxRuns = 5, 2000
	var ds []time.Duration
	rows := 0
	begin := time.Now()
	for len(ds) < minRuns || (len(ds) < maxRuns && time.Since(begin) < budget) {
		t0 := time.Now()
		n, err := q()
		ds = append(ds, time.Since(t0))
		require.NoError(tb, err, name)
		rows = n
	}
	slices.Sort(ds)
	pct := func(p float64) time.Duration { return ds[min(len(ds)-1, int(float64(len(ds))*p))] }
	return latency{name: name, n: len(ds), p50: pct(0.50), p99: pct(0.99), rows: rows}
}

func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		} else if !errors.Is(err, os.ErrNotExist) {
			tb.Fatal(err)
		}
	}
	return total
}

// TestStoreAtScale fills a file store with messages of operations spread
// over seven days and times the queries of a logs screen. Default scale is
// small (see storeScale), so that go test ./... stays quick and checks the
// figures are of working queries; OPLOG_STORE_SCALE=full stores a million.
// The table goes to the test log and, if OPLOG_STORE_REPORT names a file,
// to that file. OPLOG_STORE_DIR keeps the database in that directory.
func TestStoreAtScale(t *testing.T) {
	total, full := storeScale()
	budget := 100 * time.Millisecond
	if full {
		budget = 3 * time.Second
	}
	ctx := t.Context()
	dir := t.TempDir()
	if keep := os.Getenv("OPLOG_STORE_DIR"); keep != "" {
		dir = keep // the database stays there, for EXPLAIN QUERY PLAN
		for _, f := range []string{"oplog.db", "oplog.db-wal", "oplog.db-shm"} {
			require.NoError(t, os.RemoveAll(filepath.Join(dir, f)))
		}
	}
	path := filepath.Join(dir, "oplog.db")
	s, err := store.Open(ctx, store.Options{Path: path})
	require.NoError(t, err)

	// One long operation holds a hundredth of the messages: the one whose
	// messages are paged.
	long := max(total/100, 300)
	ops := (total-long)/opRecords + 1
	longAt := ops / 2
	span := 7 * 24 * time.Hour
	end := time.Now().Truncate(time.Second)
	step := span / time.Duration(ops)
	g := newStoreGen(end.Add(-span), step)

	var (
		pending []sdklog.Record
		stored  int
		fillDur time.Duration
	)
	flush := func(all bool) {
		for len(pending) >= storeBatch || (all && len(pending) > 0) {
			n := min(storeBatch, len(pending))
			t0 := time.Now()
			require.NoError(t, s.Export(ctx, pending[:n]))
			fillDur += time.Since(t0)
			stored += n
			pending = append(pending[:0], pending[n:]...)
		}
	}
	wall := time.Now()
	for i := range ops {
		extra := 0
		if i == longAt {
			extra = long - 2
		}
		pending = g.appendOp(pending, i, extra)
		flush(false)
	}
	flush(true)
	wallDur := time.Since(wall)
	require.NoError(t, s.Close())
	size := fileSize(t, path)

	s, err = store.Open(ctx, store.Options{Path: path})
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()

	var lat []latency
	opsQuery := func(name string, f store.OperationFilter, wantSome bool) store.OperationPage {
		var last store.OperationPage
		l := timeQuery(t, name, budget, func() (int, error) {
			var err error
			last, err = s.Operations(ctx, f)
			return len(last.Operations), err
		})
		if wantSome {
			assert.NotEmpty(t, last.Operations, name)
		}
		lat = append(lat, l)
		return last
	}
	first := opsQuery("operations, first page", store.OperationFilter{}, true)
	assert.Len(t, first.Operations, 50)
	opsQuery("integration + state (hubspot, failed)", store.OperationFilter{Integration: "hubspot", State: "failed"}, true)
	opsQuery("kind (action:run)", store.OperationFilter{Kind: "action:run"}, true)
	opsQuery("kind, type only (sync)", store.OperationFilter{Kind: "sync"}, true)
	opsQuery("kind and period (webhook, last day)", store.OperationFilter{Kind: "webhook", Since: end.Add(-24 * time.Hour)}, true)
	opsQuery("period: last hour", store.OperationFilter{Since: end.Add(-time.Hour)}, true)
	opsQuery("search, rare word ("+storeRare+")", store.OperationFilter{Search: storeRare}, true)
	opsQuery("search, common word ("+storeCommon+")", store.OperationFilter{Search: storeCommon}, true)
	opsQuery("search common word + integration", store.OperationFilter{Search: storeCommon, Integration: "stripe"}, true)

	// Page 50 (or the last page, at the default scale).
	cur, pageNo := "", 1
	for pageNo < 50 {
		p, err := s.Operations(ctx, store.OperationFilter{Cursor: cur})
		require.NoError(t, err)
		if p.Next == "" {
			break
		}
		cur, pageNo = p.Next, pageNo+1
	}
	opsQuery(fmt.Sprintf("operations, page %d via cursor", pageNo), store.OperationFilter{Cursor: cur}, true)

	msgQuery := func(name string, f store.MessageFilter) {
		var last store.MessagePage
		l := timeQuery(t, name, budget, func() (int, error) {
			var err error
			last, err = s.Messages(ctx, f)
			return len(last.Messages), err
		})
		assert.NotEmpty(t, last.Messages, name)
		lat = append(lat, l)
	}
	longID := storeOpID(longAt)
	msgQuery(fmt.Sprintf("messages of a %d-message operation, first page", long), store.MessageFilter{OperationID: longID})
	f := store.MessageFilter{OperationID: longID}
	var lastPage store.MessagePage
	for {
		p, err := s.Messages(ctx, f)
		require.NoError(t, err)
		lastPage = p
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	require.NotEmpty(t, lastPage.Prev)
	msgQuery("same, Prev from the last page", store.MessageFilter{OperationID: longID, Cursor: lastPage.Prev})
	msgQuery("messages of a 10-message operation", store.MessageFilter{OperationID: storeOpID(longAt + 1)})
	msgQuery("messages search in the long operation", store.MessageFilter{OperationID: longID, Search: "skipped"})

	var facets store.Facets
	lat = append(lat, timeQuery(t, "facets", budget, func() (int, error) {
		var err error
		facets, err = s.Facets(ctx)
		return len(facets.Connections), err
	}))
	assert.Equal(t, len(storeIntegrations), len(facets.Integrations))
	assert.Len(t, facets.Connections, len(storeIntegrations)*8)
	require.NoError(t, s.Close())

	// Retention cutting about a tenth: a bound just under the data.
	s, err = store.Open(ctx, store.Options{Path: path})
	require.NoError(t, err)
	before, err := s.Size(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s, err = store.Open(ctx, store.Options{Path: path, MaxBytes: before - 1, RetentionInterval: time.Hour})
	require.NoError(t, err)
	t0 := time.Now()
	require.NoError(t, s.Retain(ctx))
	retainDur := time.Since(t0)
	after, err := s.Size(ctx)
	require.NoError(t, err)
	assert.Less(t, after, before)
	newest, err := s.Operations(ctx, store.OperationFilter{Limit: 1})
	require.NoError(t, err)
	require.Len(t, newest.Operations, 1, "the newest operations stay")
	require.NoError(t, s.Close())
	sizeAfter := fileSize(t, path)

	var rep strings.Builder
	fmt.Fprintf(&rep, "%d messages in %d operations over 7 days, batches of %d, file %s\n\n",
		stored, ops, storeBatch, filepath.Base(path))
	fmt.Fprintf(&rep, "- fill: %.0f records/s in Store.Export (%s), %s wall with building the records\n",
		float64(stored)/fillDur.Seconds(), fillDur.Round(time.Millisecond), wallDur.Round(time.Millisecond))
	fmt.Fprintf(&rep, "- file: %s (%d bytes/message)\n", megabytes(size), size/int64(stored))
	fmt.Fprintf(&rep, "- Retain, MaxBytes just under the data: %s, %s → %s of data, file %s → %s\n\n",
		retainDur.Round(time.Millisecond), megabytes(before), megabytes(after), megabytes(size), megabytes(sizeAfter))
	rep.WriteString("| query | p50 | p99 | runs | rows |\n|---|---|---|---|---|\n")
	for _, l := range lat {
		fmt.Fprintf(&rep, "| %s | %s | %s | %d | %d |\n", l.name, fmtDur(l.p50), fmtDur(l.p99), l.n, l.rows)
	}
	t.Log("\n" + rep.String())
	if out := os.Getenv("OPLOG_STORE_REPORT"); out != "" {
		require.NoError(t, os.WriteFile(out, []byte(rep.String()), 0o644))
	}
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}
