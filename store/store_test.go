package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
)

func openFile(t *testing.T, opts store.Options) (*store.Store, string) {
	t.Helper()
	if opts.Path == "" {
		opts.Path = filepath.Join(t.TempDir(), "oplog.db")
	}
	s, err := store.Open(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s, opts.Path
}

// run is one operation of the scenario.
type run struct {
	integration, connection string
	kind                    operation.Kind
	fail                    error // nil: success
	messages                []string
	http                    int // status of one HTTP call, 0 for none
}

// record runs the operations through a real pipeline into s, one
// millisecond apart in start time, and returns their ids in order.
func record(t *testing.T, s *store.Store, base time.Time, runs []run) []string {
	t.Helper()
	ctx := t.Context()
	p, err := export.Setup(ctx, export.WithStore(s), export.WithoutGlobal())
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "session=secret-cookie")
		var status int
		fmt.Sscan(r.URL.Query().Get("status"), &status)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	client := &http.Client{Transport: operation.Transport(nil)}
	var ids []string
	for i, r := range runs {
		refs := operation.Refs{Integration: r.integration, Connection: r.connection, Environment: "test"}
		octx, op := tr.Start(ctx, r.kind, refs, operation.At(base.Add(time.Duration(i)*time.Millisecond)))
		ids = append(ids, op.ID())
		for _, m := range r.messages {
			op.Info(m, attribute.Int("n", i))
		}
		if r.http != 0 {
			req, _ := http.NewRequestWithContext(octx, "GET", fmt.Sprintf("%s/contacts?status=%d&access_token=tok-123", srv.URL, r.http), nil)
			req.Header.Set("Authorization", "Bearer secret-token")
			resp, err := client.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
		}
		op.End(r.fail)
	}
	require.NoError(t, p.Shutdown(ctx))
	return ids
}

var scenario = []run{
	{"acme-crm", "conn-1", operation.SyncRun, nil, []string{"fetched 3 contacts"}, 200},
	{"acme-crm", "conn-2", operation.SyncRun, errors.New("contact page 2: rate limited"), nil, 429},
	{"acme-crm", "conn-1", operation.ActionRun, nil, []string{"deal created"}, 201},
	{"globex", "conn-3", operation.SyncRun, nil, []string{"fetched 0 invoices"}, 0},
	{"globex", "conn-3", operation.WebhookIncoming, errors.New("signature mismatch"), nil, 0},
	{"globex", "conn-4", operation.ActionRun, nil, []string{"invoice sent", "receipt mailed"}, 200},
}

func ids(page store.OperationPage) []string {
	out := []string{}
	for _, o := range page.Operations {
		out = append(out, o.ID)
	}
	return out
}

// pick returns the ids at the given scenario indexes, newest first.
func pick(all []string, idx ...int) []string {
	out := []string{}
	for i := len(idx) - 1; i >= 0; i-- {
		out = append(out, all[idx[i]])
	}
	return out
}

func TestOperationsFromAPipeline(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	all := record(t, s, base, scenario)
	ctx := t.Context()

	o, err := s.Operation(ctx, all[1])
	require.NoError(t, err)
	assert.Equal(t, "sync", o.Type)
	assert.Equal(t, "run", o.Action)
	assert.Equal(t, "failed", o.State)
	assert.Equal(t, "acme-crm", o.Integration)
	assert.Equal(t, "conn-2", o.Connection)
	assert.Equal(t, "test", o.Environment)
	assert.Equal(t, base.Add(time.Millisecond), o.Start.Local())
	assert.False(t, o.End.IsZero())
	assert.Contains(t, o.ErrorText, "rate limited")
	assert.NotEmpty(t, o.ErrorType)
	assert.Len(t, o.TraceID, 32)
	assert.Len(t, o.SpanID, 16)
	assert.Equal(t, 3, o.Messages, "start, HTTP, end")

	_, err = s.Operation(ctx, "no-such-id")
	assert.ErrorIs(t, err, store.ErrNotFound)

	cases := []struct {
		name string
		f    store.OperationFilter
		want []int
	}{
		{"all", store.OperationFilter{}, []int{0, 1, 2, 3, 4, 5}},
		{"integration", store.OperationFilter{Integration: "globex"}, []int{3, 4, 5}},
		{"connection", store.OperationFilter{Connection: "conn-1"}, []int{0, 2}},
		{"type", store.OperationFilter{Kind: "sync"}, []int{0, 1, 3}},
		{"type and action", store.OperationFilter{Kind: "webhook:incoming"}, []int{4}},
		{"state", store.OperationFilter{State: "failed"}, []int{1, 4}},
		{"since", store.OperationFilter{Since: base.Add(4 * time.Millisecond)}, []int{4, 5}},
		{"until", store.OperationFilter{Until: base.Add(2 * time.Millisecond)}, []int{0, 1}},
		{"period", store.OperationFilter{Since: base.Add(time.Millisecond), Until: base.Add(3 * time.Millisecond)}, []int{1, 2}},
		{"integration and state", store.OperationFilter{Integration: "acme-crm", State: "success"}, []int{0, 2}},
		{"integration, kind and connection", store.OperationFilter{Integration: "globex", Kind: "action:run", Connection: "conn-4"}, []int{5}},
		{"kind and state", store.OperationFilter{Kind: "sync:run", State: "failed"}, []int{1}},
		{"search a body", store.OperationFilter{Search: "receipt"}, []int{5}},
		{"search a body by prefix", store.OperationFilter{Search: "invoice"}, []int{3, 5}},
		{"search a prefix", store.OperationFilter{Search: "fetch"}, []int{0, 3}},
		{"search two words", store.OperationFilter{Search: "fetched contacts"}, []int{0}},
		{"search an error", store.OperationFilter{Search: "signature"}, []int{4}},
		{"search a status", store.OperationFilter{Search: "429"}, []int{1}},
		{"search a URL", store.OperationFilter{Search: "contacts?status=201"}, []int{2}},
		{"search and filter", store.OperationFilter{Search: "fetched", Integration: "globex"}, []int{3}},
		{"search, state and period", store.OperationFilter{Search: "rate", State: "failed", Until: base.Add(time.Second)}, []int{1}},
		{"nothing", store.OperationFilter{Integration: "initech"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, err := s.Operations(ctx, c.f)
			require.NoError(t, err)
			assert.Equal(t, pick(all, c.want...), ids(page))
			assert.Empty(t, page.Next)
		})
	}

	f, err := s.Facets(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"acme-crm", "globex"}, f.Integrations)
	assert.Equal(t, []string{"conn-1", "conn-2", "conn-3", "conn-4"}, f.Connections)
	assert.Equal(t, []string{"action:run", "sync:run", "webhook:incoming"}, f.Kinds)
	assert.Equal(t, []string{"failed", "success"}, f.States)
}

func TestHTTPMessagesAndSecrets(t *testing.T) {
	s, path := openFile(t, store.Options{})
	all := record(t, s, time.Now(), scenario[:1])
	page, err := s.Messages(t.Context(), store.MessageFilter{OperationID: all[0]})
	require.NoError(t, err)
	require.Len(t, page.Messages, 4, "start, info, HTTP, end")
	var h *store.HTTP
	for _, m := range page.Messages {
		if m.Type == logrecord.TypeHTTP {
			h = m.HTTP
		}
		assert.NotContains(t, string(m.Attributes)+string(m.Body), "secret")
		assert.NotContains(t, string(m.Attributes)+string(m.Body), "tok-123")
	}
	require.NotNil(t, h)
	assert.Equal(t, "GET", h.Method)
	assert.Equal(t, 200, h.Status)
	assert.Contains(t, h.URL, "/contacts?")
	assert.NotContains(t, h.URL, "tok-123")
	assert.Greater(t, h.DurationMS, 0.0)
	assert.NotEmpty(t, h.RequestHeaders["authorization"])
	assert.NotContains(t, h.RequestHeaders["authorization"][0], "secret")
	assert.Equal(t, `{"stringValue":"fetched 3 contacts"}`, string(page.Messages[1].Body))
	assert.JSONEq(t, fmt.Sprintf(`{"n":0,"oplog.operation.id":%q,"oplog.operation.type":"sync","oplog.operation.action":"run",
		"oplog.integration.id":"acme-crm","oplog.connection.id":"conn-1","oplog.message.source":"user","oplog.message.type":"log"}`, all[0]),
		string(page.Messages[1].Attributes))

	require.NoError(t, s.Close())
	raw := readFile(t, path)
	assert.NotContains(t, raw, "secret-token", "no secret in the database file")
	assert.NotContains(t, raw, "secret-cookie")
	assert.NotContains(t, raw, "tok-123")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if wal, err := os.ReadFile(path + "-wal"); err == nil {
		b = append(b, wal...)
	}
	return string(b)
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oplog.db")
	s, err := store.Open(t.Context(), store.Options{Path: path})
	require.NoError(t, err)
	all := record(t, s, time.Now(), scenario)
	require.NoError(t, s.Close())
	assert.ErrorIs(t, s.Export(t.Context(), []sdklog.Record{{}}), store.ErrClosed)

	s2, _ := openFile(t, store.Options{Path: path})
	page, err := s2.Operations(t.Context(), store.OperationFilter{Search: "receipt"})
	require.NoError(t, err)
	assert.Equal(t, []string{all[5]}, ids(page))
	page, err = s2.Operations(t.Context(), store.OperationFilter{})
	require.NoError(t, err)
	assert.Len(t, page.Operations, len(scenario))
}

// capture collects what an SDK logger emits: a zero sdklog.Record has an
// attribute limit of 0 and drops every attribute set on it.
type capture struct{ recs []sdklog.Record }

func (c *capture) Export(_ context.Context, rs []sdklog.Record) error {
	for _, r := range rs {
		c.recs = append(c.recs, r.Clone())
	}
	return nil
}
func (c *capture) Shutdown(context.Context) error   { return nil }
func (c *capture) ForceFlush(context.Context) error { return nil }

// sdkRecord turns an API record into the SDK record exporters see.
func sdkRecord(r log.Record) sdklog.Record {
	c := &capture{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(c)))
	lp.Logger("store_test").Emit(context.Background(), r)
	return c.recs[0]
}

// rec is a record of operation op (none if empty), at t.
func rec(op string, t time.Time, sev log.Severity, body string, attrs ...attribute.KeyValue) sdklog.Record {
	return sdkRecord(apiRecord(op, t, sev, body, attrs...))
}

func apiRecord(op string, t time.Time, sev log.Severity, body string, attrs ...attribute.KeyValue) log.Record {
	var r log.Record
	r.SetTimestamp(t)
	r.SetSeverity(sev)
	r.SetBody(attribute.StringValue(body))
	if op != "" {
		attrs = append(attrs, attribute.String(logrecord.KeyOperationID, op))
	}
	r.AddAttributes(attrs...)
	return r
}

func start(op string, t time.Time, integration string) sdklog.Record {
	r := apiRecord(op, t, log.SeverityInfo, "sync.run started",
		attribute.String(logrecord.KeyOperationType, "sync"), attribute.String(logrecord.KeyOperationAction, "run"),
		attribute.String(logrecord.KeyOperationState, "running"), attribute.String(logrecord.KeyIntegrationID, integration),
		attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal))
	r.SetEventName(logrecord.EventOperationStart)
	return sdkRecord(r)
}

func TestOperationPagesStayStableWhileRecordsArrive(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	base := time.Now().Add(-time.Hour)
	var recs []sdklog.Record
	for i := range 25 {
		// Pairs share a start time: the id breaks the tie.
		recs = append(recs, start(fmt.Sprintf("op-%02d", i), base.Add(time.Duration(i/2)*time.Second), "acme"))
	}
	require.NoError(t, s.Export(ctx, recs))

	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		p, err := s.Operations(ctx, store.OperationFilter{Limit: 4, Cursor: cursor})
		require.NoError(t, err)
		seen = append(seen, ids(p)...)
		// New operations arrive, and old ones get more messages.
		require.NoError(t, s.Export(ctx, []sdklog.Record{
			start(fmt.Sprintf("new-%02d", page), time.Now(), "acme"),
			rec("op-03", time.Now(), log.SeverityInfo, "late message"),
		}))
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	var want []string
	for i := 24; i >= 0; i-- {
		want = append(want, fmt.Sprintf("op-%02d", i))
	}
	assert.Equal(t, want, seen, "every operation once, newest first, none of the new ones")
}

func TestMessagesPageBothWays(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	base := time.Now()
	recs := []sdklog.Record{start("op", base, "acme")}
	for i := 1; i < 25; i++ {
		sev := log.SeverityInfo
		if i%5 == 0 {
			sev = log.SeverityError
		}
		recs = append(recs, rec("op", base.Add(time.Duration(i/3)*time.Millisecond), sev, fmt.Sprintf("message %02d", i)))
	}
	recs = append(recs, rec("other", base, log.SeverityInfo, "message of another operation"))
	require.NoError(t, s.Export(ctx, recs))

	bodies := func(p store.MessagePage) []string {
		var out []string
		for _, m := range p.Messages {
			out = append(out, string(m.Body))
		}
		return out
	}
	want := []string{`{"stringValue":"sync.run started"}`}
	for i := 1; i < 25; i++ {
		want = append(want, fmt.Sprintf(`{"stringValue":"message %02d"}`, i))
	}

	var pages []store.MessagePage
	f := store.MessageFilter{OperationID: "op", Limit: 10}
	for {
		p, err := s.Messages(ctx, f)
		require.NoError(t, err)
		pages = append(pages, p)
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	require.Len(t, pages, 3)
	assert.Empty(t, pages[0].Prev)
	var forward []string
	for _, p := range pages {
		forward = append(forward, bodies(p)...)
	}
	assert.Equal(t, want, forward)

	// Back from the last page.
	p, err := s.Messages(ctx, store.MessageFilter{OperationID: "op", Limit: 10, Cursor: pages[2].Prev})
	require.NoError(t, err)
	assert.Equal(t, bodies(pages[1]), bodies(p))
	p, err = s.Messages(ctx, store.MessageFilter{OperationID: "op", Limit: 10, Cursor: p.Prev})
	require.NoError(t, err)
	assert.Equal(t, bodies(pages[0]), bodies(p))
	assert.Empty(t, p.Prev)
	assert.NotEmpty(t, p.Next)

	p, err = s.Messages(ctx, store.MessageFilter{OperationID: "op", MinSeverity: int(log.SeverityError)})
	require.NoError(t, err)
	assert.Equal(t, []string{`{"stringValue":"message 05"}`, `{"stringValue":"message 10"}`, `{"stringValue":"message 15"}`, `{"stringValue":"message 20"}`}, bodies(p))

	p, err = s.Messages(ctx, store.MessageFilter{OperationID: "op", Search: "message 1"})
	require.NoError(t, err)
	assert.Len(t, p.Messages, 10, `both words, "1" as a prefix: messages 10 to 19`)
}

func TestBadInputIsAnInputError(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	require.NoError(t, s.Export(t.Context(), []sdklog.Record{start("op", time.Now(), "acme")}))
	long := make([]byte, store.MaxSearchLen+1)
	for i := range long {
		long[i] = 'a'
	}
	ops := map[string]store.OperationFilter{
		"cursor":          {Cursor: "not a cursor"},
		"cursor base64":   {Cursor: "bzEyMw"}, // "o123": no key
		"messages cursor": {Cursor: "bjE6Mg"}, // "n1:2": a message cursor
		"state":           {State: "done"},
		"kind":            {Kind: "sync:run:x"},
		"empty action":    {Kind: "sync:"},
		"search too long": {Search: string(long)},
		"search nothing":  {Search: `"" * ( )`},
		"limit":           {Limit: 501},
		"negative limit":  {Limit: -1},
		"period":          {Since: time.Now(), Until: time.Now().Add(-time.Hour)},
	}
	for name, f := range ops {
		_, err := s.Operations(t.Context(), f)
		var ie *store.InputError
		assert.ErrorAs(t, err, &ie, name)
	}
	msgs := map[string]store.MessageFilter{
		"no operation":     {},
		"cursor":           {OperationID: "op", Cursor: "%%%"},
		"operation cursor": {OperationID: "op", Cursor: "bzE6b3A"}, // "o1:op"
		"seq":              {OperationID: "op", Cursor: "bjE6eA"},  // "n1:x"
		"severity":         {OperationID: "op", MinSeverity: 25},
	}
	for name, f := range msgs {
		_, err := s.Messages(t.Context(), f)
		var ie *store.InputError
		assert.ErrorAs(t, err, &ie, name)
	}
}

// TestSearchSyntaxIsText pins that search text is never FTS5 or SQL syntax:
// each of these finds exactly the message that contains it, or nothing.
func TestSearchSyntaxIsText(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	base := time.Now()
	require.NoError(t, s.Export(ctx, []sdklog.Record{
		start("a", base, "acme"), rec("a", base, log.SeverityInfo, `status NEAR done`),
		start("b", base.Add(time.Second), "acme"), rec("b", base.Add(time.Second), log.SeverityInfo, `quote " and star * and OR`),
	}))
	for q, want := range map[string][]string{
		`NEAR`:                          {"a"},
		`NEAR(status done)`:             {},
		`status OR quote`:               {},
		`star OR`:                       {"b"},
		`"quote`:                        {"b"},
		`') OR 1=1 --`:                  {},
		`*`:                             nil, // an input error: nothing to search
		`a'; DROP TABLE operations; --`: {},
		`column:text`:                   {},
		`{status}`:                      {"a"},
		`^status`:                       {"a"},
	} {
		p, err := s.Operations(ctx, store.OperationFilter{Search: q})
		if want == nil {
			var ie *store.InputError
			assert.ErrorAs(t, err, &ie, q)
			continue
		}
		require.NoError(t, err, q)
		assert.Equal(t, want, ids(p), q)
	}
	p, err := s.Operations(ctx, store.OperationFilter{})
	require.NoError(t, err)
	assert.Len(t, p.Operations, 2, "both operations are still there")
}

// TestRetentionByAge drives a pass of retention itself: what it drops does
// not depend on when the background runs.
func TestRetentionByAge(t *testing.T) {
	s, _ := openFile(t, store.Options{MaxAge: time.Hour, RetentionInterval: time.Hour})
	ctx := t.Context()
	old, now := time.Now().Add(-2*time.Hour), time.Now()
	require.NoError(t, s.Export(ctx, []sdklog.Record{
		start("old", old, "acme"), rec("old", old, log.SeverityInfo, "ancient history"),
		rec("old", now, log.SeverityInfo, "late message of an old operation"),
		rec("", old, log.SeverityInfo, "old standalone"),
		start("new", now, "acme"), rec("new", now, log.SeverityInfo, "fresh news"),
	}))
	require.NoError(t, s.Retain(ctx))
	_, err := s.Operation(ctx, "old")
	require.ErrorIs(t, err, store.ErrNotFound, "the pass drops the old operation")
	p, err := s.Operations(ctx, store.OperationFilter{})
	require.NoError(t, err)
	assert.Equal(t, []string{"new"}, ids(p))
	p, err = s.Operations(ctx, store.OperationFilter{Search: "history"})
	require.NoError(t, err)
	assert.Empty(t, p.Operations, "the text index forgot the old messages")
	m, err := s.Messages(ctx, store.MessageFilter{OperationID: "old"})
	require.NoError(t, err)
	assert.Empty(t, m.Messages, "an operation's messages go with it, late ones too")
	m, err = s.Messages(ctx, store.MessageFilter{OperationID: "new"})
	require.NoError(t, err)
	assert.Len(t, m.Messages, 2)
}

func TestRetentionBySize(t *testing.T) {
	s, path := openFile(t, store.Options{MaxBytes: 1 << 20, RetentionInterval: time.Hour})
	ctx := t.Context()
	base := time.Now().Add(-time.Hour)
	body := strings.Repeat("x", 1000)
	for batch := range 40 { // about 4 MB of messages
		var recs []sdklog.Record
		for i := range 100 {
			n := batch*100 + i
			op := fmt.Sprintf("op-%04d", n/10)
			at := base.Add(time.Duration(n) * time.Millisecond)
			if n%10 == 0 {
				recs = append(recs, start(op, at, "acme"))
			}
			recs = append(recs, rec(op, at, log.SeverityInfo, fmt.Sprintf("message %d %s", n, body)))
		}
		require.NoError(t, s.Export(ctx, recs))
	}
	before, err := s.Size(ctx)
	require.NoError(t, err)
	require.Greater(t, before, int64(3<<20))

	require.NoError(t, s.Retain(ctx))
	after, err := s.Size(ctx)
	require.NoError(t, err)
	assert.LessOrEqual(t, after, int64(1<<20))
	t.Logf("size %d -> %d bytes", before, after)

	newest, err := s.Operation(ctx, "op-0399")
	require.NoError(t, err, "the newest operation stays")
	assert.Equal(t, 11, newest.Messages)
	_, err = s.Operation(ctx, "op-0000")
	assert.ErrorIs(t, err, store.ErrNotFound, "the oldest goes")
	m, err := s.Messages(ctx, store.MessageFilter{OperationID: "op-0399"})
	require.NoError(t, err)
	assert.Len(t, m.Messages, 11)

	require.NoError(t, s.Close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.LessOrEqual(t, fi.Size(), after, "the freed pages went back to the file system")
}

// TestConcurrentWritesAndReads runs exports and queries together (under
// -race in make test) and checks that every record was stored.
func TestConcurrentWritesAndReads(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	const writers, batches, perBatch = 3, 20, 10
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				var recs []sdklog.Record
				op := fmt.Sprintf("w%d-b%02d", w, b)
				recs = append(recs, start(op, time.Now(), fmt.Sprintf("int-%d", w)))
				for i := range perBatch {
					recs = append(recs, rec(op, time.Now(), log.SeverityInfo, fmt.Sprintf("writer %d batch %d message %d", w, b, i)))
				}
				assert.NoError(t, s.Export(ctx, recs))
			}
		})
	}
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				p, err := s.Operations(ctx, store.OperationFilter{Search: "writer", Limit: 5})
				assert.NoError(t, err)
				for _, o := range p.Operations {
					_, err := s.Messages(ctx, store.MessageFilter{OperationID: o.ID})
					assert.NoError(t, err)
				}
				_, err = s.Facets(ctx)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	total := 0
	cursor := ""
	for {
		p, err := s.Operations(ctx, store.OperationFilter{Limit: 500, Cursor: cursor})
		require.NoError(t, err)
		for _, o := range p.Operations {
			total += o.Messages
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	assert.Equal(t, writers*batches*(perBatch+1), total)
}

func TestInMemory(t *testing.T) {
	s, err := store.Open(t.Context(), store.Options{})
	require.NoError(t, err)
	defer s.Close()
	all := record(t, s, time.Now(), scenario[:2])
	p, err := s.Operations(t.Context(), store.OperationFilter{State: "failed"})
	require.NoError(t, err)
	assert.Equal(t, []string{all[1]}, ids(p))
}

// TestSearchOfACommonWord pins that text matching many messages (past the
// point where the store walks operations newest first instead) finds the
// same operations, in the same order, through every page.
func TestSearchOfACommonWord(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	base := time.Now().Add(-time.Hour)
	var recs []sdklog.Record
	var want, wantGlobex []string
	for i := range 300 {
		op, integration := fmt.Sprintf("op-%03d", i), "acme"
		if i%3 == 0 {
			integration = "globex"
		}
		at := base.Add(time.Duration(i) * time.Second)
		recs = append(recs, start(op, at, integration))
		if i%4 == 0 {
			continue // no common word in these
		}
		for j := range 10 {
			recs = append(recs, rec(op, at.Add(time.Duration(j)*time.Millisecond), log.SeverityInfo, fmt.Sprintf("contact %d synced", j)))
		}
		want = append([]string{op}, want...)
		if integration == "globex" {
			wantGlobex = append([]string{op}, wantGlobex...)
		}
	}
	require.NoError(t, s.Export(ctx, recs))
	require.Greater(t, len(want)*10, 2000, "enough matches for the common-word path")

	all := func(f store.OperationFilter) []string {
		var got []string
		for {
			p, err := s.Operations(ctx, f)
			require.NoError(t, err)
			got = append(got, ids(p)...)
			if p.Next == "" {
				return got
			}
			f.Cursor = p.Next
		}
	}
	assert.Equal(t, want, all(store.OperationFilter{Search: "contact", Limit: 40}))
	assert.Equal(t, wantGlobex, all(store.OperationFilter{Search: "contact synced", Integration: "globex", Limit: 7}))
	assert.Equal(t, []string{"op-001"}, all(store.OperationFilter{Search: "contact", Until: base.Add(2 * time.Second)}))
}
