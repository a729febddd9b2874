package viewer_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
	"github.com/oplog-go/oplog/viewer"
)

// storeWithData is a store holding one finished operation, logged
// through a real pipeline, and its id.
func storeWithData(t *testing.T) (*store.Store, string) {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, store.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	p, err := export.Setup(ctx, export.WithStore(st), export.WithoutGlobal())
	require.NoError(t, err)
	tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	_, op := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "acme", Connection: "conn-1"})
	op.Info("hello world")
	op.End(nil)
	require.NoError(t, p.Shutdown(ctx))
	return st, op.ID()
}

// hostileValues are values a hostile user would put in any parameter.
func hostileValues() []string {
	v := []string{"", "\u2028", "\xff\xfe", "a\xc3", strings.Repeat("q", 10<<10), "!!!", `"*`, `hello" OR "1"="1`,
		"NEAR(a b)", "a AND", "*", "^", "-1", "0", "1e3", "0x10", "9223372036854775808", " 5", "5 ",
		"0001-01-01T00:00:00Z", "1600-01-01T00:00:00Z", "1677-09-21T00:12:43Z", "2262-04-11T23:47:17Z",
		"2263-01-01T00:00:00Z", "3000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
		"2025-01-01T00:00:00+23:59", "2025-13-01T00:00:00Z", "2025-01-01", "now", "%", "%00", "%zz",
		"trace", "ERROR", "fatal4", "25", "hello", "sync:run", "sync:", ":run", "a:b:c", "failed", "FAILED",
	}
	for c := range 0x20 {
		v = append(v, string(rune(c)), "hello"+string(rune(c))+"world")
	}
	return append(v, "\x7f", "hello\x7fworld")
}

// TestReviewHostileParameters sends every hostile value in every query
// parameter and as the operation id, to a viewer on a real store: the
// answer is 200 or 400 (404 for an id), never 500, always JSON with
// valid UTF-8.
func TestReviewHostileParameters(t *testing.T) {
	st, id := storeWithData(t)
	h := viewer.New(st, nil)
	check := func(target string, statuses ...int) {
		t.Helper()
		w := serve(h, "GET", target)
		assert.Contains(t, statuses, w.Code, "%s: %s", target, w.Body)
		assert.True(t, utf8.Valid(w.Body.Bytes()), target)
		assert.True(t, json.Valid(w.Body.Bytes()), target)
	}
	params := map[string][]string{
		"/api/operations":                     {"integration", "connection", "kind", "state", "since", "until", "q", "cursor", "limit"},
		"/api/operations/" + id + "/messages": {"min_severity", "q", "cursor", "limit"},
	}
	for path, names := range params {
		for _, name := range names {
			for _, v := range hostileValues() {
				check(path+"?"+name+"="+url.QueryEscape(v), http.StatusOK, http.StatusBadRequest)
				// Unescaped, as a careless client sends it.
				if !strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '&' || r == '#' }) {
					check(path+"?"+name+"="+v, http.StatusOK, http.StatusBadRequest)
				}
			}
		}
	}
	for _, v := range hostileValues() {
		check("/api/operations/"+url.PathEscape(v), http.StatusNotFound, http.StatusBadRequest)
		statuses := []int{http.StatusOK, http.StatusNotFound, http.StatusBadRequest}
		if v == "" {
			continue // "//": net/http's ServeMux redirects to the clean path, before the viewer sees it
		}
		check("/api/operations/"+url.PathEscape(v)+"/messages", statuses...)
	}
}

// TestReviewPeriods: since and until at odd years select what their
// period holds; an until at or before every time stored selects nothing,
// the zero time (0001-01-01T00:00:00Z) included.
func TestReviewPeriods(t *testing.T) {
	st, id := storeWithData(t)
	h := viewer.New(st, nil)
	list := func(query string) []string {
		t.Helper()
		var page store.OperationPage
		decode(t, serve(h, "GET", "/api/operations?"+query), http.StatusOK, &page)
		var ids []string
		for _, o := range page.Operations {
			ids = append(ids, o.ID)
		}
		return ids
	}
	stamp := func(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339Nano)) }
	now := time.Now()
	for _, tc := range []struct {
		query string
		found bool
	}{
		{"since=0001-01-01T00:00:00Z", true},
		{"since=1600-01-01T00:00:00Z", true},
		{"since=0000-01-01T00:00:00Z", true},
		{"until=3000-01-01T00:00:00Z", true},
		{"until=9999-12-31T23:59:59Z", true},
		{"since=1600-01-01T00:00:00Z&until=9999-12-31T23:59:59Z", true},
		{"since=" + stamp(now.Add(-time.Hour)) + "&until=" + stamp(now.Add(time.Hour)), true},
		{"until=0001-01-01T00:00:00Z", false},
		{"until=0000-06-01T00:00:00Z", false},
		{"until=1600-01-01T00:00:00Z", false},
		{"until=1970-01-01T00:00:00Z", false},
		{"since=2263-01-01T00:00:00Z", false},
		{"since=3000-01-01T00:00:00Z", false},
		{"since=9999-12-31T23:59:59Z", false},
		{"since=" + stamp(now.Add(time.Hour)), false},
	} {
		got := list(tc.query)
		if tc.found {
			assert.Equal(t, []string{id}, got, tc.query)
		} else {
			assert.Empty(t, got, tc.query)
		}
	}
	for _, q := range []string{"since=2025-01-01T00:00:00Z&until=2025-01-01T00:00:00Z", "since=3000-01-01T00:00:00Z&until=1600-01-01T00:00:00Z",
		"since=0001-01-01T00:00:00Z&until=0001-01-01T00:00:00Z"} {
		errorOf(t, serve(h, "GET", "/api/operations?"+q), http.StatusBadRequest)
	}
}
