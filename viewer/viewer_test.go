package viewer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/store"
	"github.com/oplog-go/oplog/viewer"
)

// fakeSource is a Source with canned answers that records the filters it
// was given. A non-nil err is returned by every method.
type fakeSource struct {
	mu       sync.Mutex
	ops      store.OperationPage
	op       store.Operation
	msgs     store.MessagePage
	facets   store.Facets
	err      error
	opFilter store.OperationFilter
	opID     string
	msgFilt  store.MessageFilter
}

var _ viewer.Source = (*fakeSource)(nil)

func (f *fakeSource) Operations(_ context.Context, flt store.OperationFilter) (store.OperationPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opFilter = flt
	return f.ops, f.err
}

func (f *fakeSource) Operation(_ context.Context, id string) (store.Operation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opID = id
	if f.err != nil {
		return store.Operation{}, f.err
	}
	if id != f.op.ID {
		return store.Operation{}, store.ErrNotFound
	}
	return f.op, nil
}

func (f *fakeSource) Messages(_ context.Context, flt store.MessageFilter) (store.MessagePage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgFilt = flt
	return f.msgs, f.err
}

func (f *fakeSource) Facets(context.Context) (store.Facets, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.facets, f.err
}

var start = time.Date(2025, 3, 4, 10, 20, 30, 123456789, time.UTC)

func newFake() *fakeSource {
	op := store.Operation{
		ID: "op1", Type: "sync", Action: "run", State: "failed",
		Start: start, End: start.Add(1500 * time.Millisecond), DurationMS: 1500,
		Integration: "hubspot", Connection: "conn-1", TraceID: "0af7651916cd43dd8448eb211c80319c",
		ErrorType: "*url.Error", ErrorText: "connection refused", Messages: 2,
	}
	return &fakeSource{
		ops: store.OperationPage{Operations: []store.Operation{op}, Next: "cursor-2"},
		op:  op,
		msgs: store.MessagePage{
			Messages: []store.Message{
				{
					Seq: 1, OperationID: "op1", Time: start, Severity: 9, SeverityText: "INFO",
					Body:       json.RawMessage(`{"stringValue":"fetching contacts"}`),
					Attributes: json.RawMessage(`{"page":1,"filter":{"owner":["a","b"]}}`),
				},
				{
					Seq: 2, OperationID: "op1", Time: start.Add(time.Second), Severity: 17, Type: "http",
					Body:       json.RawMessage(`{"stringValue":"GET /contacts"}`),
					Attributes: json.RawMessage(`{}`),
					HTTP: &store.HTTP{
						Method: "GET", URL: "https://api.example.com/contacts", Status: 502, DurationMS: 12.5,
						RequestHeaders: map[string][]string{"Authorization": {"REDACTED"}},
					},
				},
			},
			Next: "m-next", Prev: "m-prev",
		},
		facets: store.Facets{
			Integrations: []string{"hubspot", "salesforce"},
			Connections:  []string{"conn-1"},
			Kinds:        []string{"sync:run"},
			States:       []string{"failed", "success"},
		},
	}
}

// request is a request to the viewer on localhost, as a browser on the
// same machine sends it (httptest's default host, example.com, is refused).
func request(ctx context.Context, method, target string) *http.Request {
	r := httptest.NewRequestWithContext(ctx, method, target, nil)
	r.Host = "localhost:8080"
	return r
}

// serve sends one request to h and returns the recorded answer.
func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(context.Background(), method, target))
	return w
}

// decode checks that w is a JSON answer with status and decodes it into v.
func decode(t *testing.T, w *httptest.ResponseRecorder, status int, v any) {
	t.Helper()
	require.Equal(t, status, w.Code, w.Body.String())
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), v), w.Body.String())
}

// errorOf checks that w is a JSON error with status and returns its text.
func errorOf(t *testing.T, w *httptest.ResponseRecorder, status int) string {
	t.Helper()
	var e struct{ Error string }
	decode(t, w, status, &e)
	require.NotEmpty(t, e.Error)
	return e.Error
}

func TestOperations(t *testing.T) {
	src := newFake()
	h := viewer.New(src, nil)

	w := serve(h, "GET", "/api/operations?integration=hubspot&connection=conn-1&kind=sync:run&state=failed"+
		"&since=2025-03-04T10:00:00Z&until=2025-03-04T11:00:00.5%2B01:00&q=refused+contacts&cursor=c1&limit=20")
	var page store.OperationPage
	decode(t, w, http.StatusOK, &page)
	assert.Equal(t, src.ops.Next, page.Next)
	require.Len(t, page.Operations, 1)
	assert.Equal(t, src.op.ID, page.Operations[0].ID)
	assert.True(t, src.op.Start.Equal(page.Operations[0].Start))

	assert.Equal(t, store.OperationFilter{
		Integration: "hubspot", Connection: "conn-1", Kind: "sync:run", State: "failed",
		Since:  time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC),
		Until:  time.Date(2025, 3, 4, 11, 0, 0, 5e8, time.FixedZone("", 3600)),
		Search: "refused contacts", Cursor: "c1", Limit: 20,
	}, src.opFilter)
}

func TestOperationsEmptyParametersDoNotFilter(t *testing.T) {
	src := newFake()
	src.ops = store.OperationPage{} // nil slice from the source
	w := serve(viewer.New(src, nil), "GET", "/api/operations?integration=&state=&since=&limit=&q=")
	require.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"operations":[]}`, w.Body.String())
	assert.Equal(t, store.OperationFilter{}, src.opFilter)
}

func TestOperation(t *testing.T) {
	src := newFake()
	h := viewer.New(src, nil)

	var op store.Operation
	decode(t, serve(h, "GET", "/api/operations/op1"), http.StatusOK, &op)
	assert.Equal(t, "op1", op.ID)
	assert.Equal(t, "connection refused", op.ErrorText)

	msg := errorOf(t, serve(h, "GET", "/api/operations/nope"), http.StatusNotFound)
	assert.Equal(t, "operation not found", msg)
	assert.Equal(t, "nope", src.opID)

	// An id is taken whole, escaped slashes included.
	serve(h, "GET", "/api/operations/a%2Fb")
	assert.Equal(t, "a/b", src.opID)
}

func TestMessages(t *testing.T) {
	src := newFake()
	h := viewer.New(src, nil)

	var page store.MessagePage
	decode(t, serve(h, "GET", "/api/operations/op1/messages?min_severity=warn&q=GET&cursor=m1&limit=5"), http.StatusOK, &page)
	assert.Equal(t, store.MessageFilter{OperationID: "op1", MinSeverity: 13, Search: "GET", Cursor: "m1", Limit: 5}, src.msgFilt)
	assert.Equal(t, "m-next", page.Next)
	assert.Equal(t, "m-prev", page.Prev)
	require.Len(t, page.Messages, 2)
	assert.JSONEq(t, `{"stringValue":"fetching contacts"}`, string(page.Messages[0].Body))
	assert.JSONEq(t, `{"page":1,"filter":{"owner":["a","b"]}}`, string(page.Messages[0].Attributes))
	require.NotNil(t, page.Messages[1].HTTP)
	assert.Equal(t, *src.msgs.Messages[1].HTTP, *page.Messages[1].HTTP)
}

func TestMessagesMinSeverity(t *testing.T) {
	for in, want := range map[string]int{
		"": 0, "1": 1, "24": 24, "trace": 1, "debug": 5, "info": 9, "INFO": 9,
		"Warn": 13, "error": 17, "fatal": 21,
	} {
		src := newFake()
		w := serve(viewer.New(src, nil), "GET", "/api/operations/op1/messages?min_severity="+in)
		require.Equal(t, http.StatusOK, w.Code, "min_severity=%q: %s", in, w.Body)
		assert.Equal(t, want, src.msgFilt.MinSeverity, "min_severity=%q", in)
	}
}

func TestMessagesNotFound(t *testing.T) {
	src := newFake()
	src.err = store.ErrNotFound
	msg := errorOf(t, serve(viewer.New(src, nil), "GET", "/api/operations/nope/messages"), http.StatusNotFound)
	assert.Equal(t, "operation not found", msg)
}

func TestFacets(t *testing.T) {
	src := newFake()
	var fc store.Facets
	decode(t, serve(viewer.New(src, nil), "GET", "/api/facets"), http.StatusOK, &fc)
	assert.Equal(t, src.facets, fc)

	src.facets = store.Facets{}
	w := serve(viewer.New(src, nil), "GET", "/api/facets")
	assert.JSONEq(t, `{"integrations":[],"connections":[],"kinds":[],"states":[]}`, w.Body.String())
}

func TestBadInput(t *testing.T) {
	long := strings.Repeat("é", store.MaxSearchLen/2+1) // within the limit in runes, not in bytes
	for _, tc := range []struct {
		name, target string
		want         []string // in the error text
	}{
		{"unknown state", "/api/operations?state=done", []string{"state", `"done"`, "failed"}},
		{"oversized q", "/api/operations?q=" + long, []string{"q", "256 bytes"}},
		{"oversized message q", "/api/operations/op1/messages?q=" + long, []string{"q", "256 bytes"}},
		{"since not a time", "/api/operations?since=yesterday", []string{"since", "RFC 3339", `"yesterday"`}},
		{"until without zone", "/api/operations?until=2025-03-04T10:00:00", []string{"until", "RFC 3339"}},
		{"until before since", "/api/operations?since=2025-03-04T10:00:00Z&until=2025-03-04T09:00:00Z", []string{"until", "after since"}},
		{"limit zero", "/api/operations?limit=0", []string{"limit", "positive integer"}},
		{"limit negative", "/api/operations/op1/messages?limit=-3", []string{"limit", "positive integer"}},
		{"limit not a number", "/api/operations?limit=ten", []string{"limit", `"ten"`}},
		{"limit overflows", "/api/operations?limit=99999999999999999999999", []string{"limit"}},
		{"min_severity name", "/api/operations/op1/messages?min_severity=loud", []string{"min_severity", `"loud"`, "1-24"}},
		{"min_severity zero", "/api/operations/op1/messages?min_severity=0", []string{"min_severity"}},
		{"min_severity too high", "/api/operations/op1/messages?min_severity=25", []string{"min_severity"}},
		{"unknown parameter", "/api/operations?status=failed", []string{`unknown parameter "status"`, "state"}},
		{"parameter of the other endpoint", "/api/operations/op1/messages?state=failed", []string{`"state"`, "min_severity"}},
		{"parameter where none is taken", "/api/facets?x=1", []string{`"x"`, "none"}},
		{"parameter on an operation", "/api/operations/op1?q=x", []string{`"q"`, "none"}},
		{"repeated parameter", "/api/operations?state=failed&state=success", []string{"state", "2 times"}},
		{"malformed query", "/api/operations?q=%zz", []string{"malformed query"}},
		{"long value is cut", "/api/operations?limit=" + strings.Repeat("9x", 100), []string{"limit", "…"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := newFake()
			msg := errorOf(t, serve(viewer.New(src, nil), "GET", tc.target), http.StatusBadRequest)
			for _, want := range tc.want {
				assert.Contains(t, msg, want)
			}
			assert.Less(t, len(msg), 200, "the error echoes too much input")
			assert.Empty(t, src.opFilter, "the source was asked")
			assert.Empty(t, src.msgFilt, "the source was asked")
		})
	}
}

func TestSourceInputError(t *testing.T) {
	for _, target := range []string{
		"/api/operations?cursor=garbage",
		"/api/operations/op1/messages?cursor=garbage",
	} {
		src := newFake()
		src.err = &store.InputError{Field: "cursor", Reason: "malformed"}
		msg := errorOf(t, serve(viewer.New(src, nil), "GET", target), http.StatusBadRequest)
		assert.Equal(t, "bad cursor: malformed", msg, target)
	}

	// Wrapped, as a store may.
	src := newFake()
	src.err = errors.Join(errors.New("query"), &store.InputError{Field: "q", Reason: "too many words"})
	msg := errorOf(t, serve(viewer.New(src, nil), "GET", "/api/operations?q=a"), http.StatusBadRequest)
	assert.Equal(t, "bad q: too many words", msg)
}

func TestSourceErrorIsHidden(t *testing.T) {
	secret := errors.New("sqlite: disk I/O error in /var/lib/oplog/ops.db")
	for _, target := range []string{
		"/api/operations", "/api/operations/op1", "/api/operations/op1/messages", "/api/facets",
	} {
		var logged bytes.Buffer
		src := newFake()
		src.err = secret
		h := viewer.New(src, &viewer.Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})

		w := serve(h, "GET", target)
		assert.Equal(t, "internal error", errorOf(t, w, http.StatusInternalServerError), target)
		assert.NotContains(t, w.Body.String(), "sqlite")
		assert.Contains(t, logged.String(), "disk I/O error", "the operator must see the cause")
		assert.Contains(t, logged.String(), target)
	}
}

func TestSourceInvalidJSONIsHidden(t *testing.T) {
	var logged bytes.Buffer
	src := newFake()
	src.msgs.Messages[0].Body = json.RawMessage(`{broken`)
	h := viewer.New(src, &viewer.Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	assert.Equal(t, "internal error", errorOf(t, serve(h, "GET", "/api/operations/op1/messages"), http.StatusInternalServerError))
	assert.Contains(t, logged.String(), "MarshalJSON")
}

func TestCanceledRequestIsNotLogged(t *testing.T) {
	var logged bytes.Buffer
	src := newFake()
	src.err = context.Canceled
	h := viewer.New(src, &viewer.Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(ctx, "GET", "/api/facets"))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Empty(t, logged.String())
}

func TestMethodNotAllowed(t *testing.T) {
	h := viewer.New(newFake(), nil)
	for _, tc := range []struct{ method, target string }{
		{"POST", "/api/operations"},
		{"DELETE", "/api/operations/op1"},
		{"PUT", "/api/facets"},
		{"POST", "/"},
		{"PATCH", "/assets/app.js"},
		{"OPTIONS", "/api/facets"},
	} {
		w := serve(h, tc.method, tc.target)
		msg := errorOf(t, w, http.StatusMethodNotAllowed)
		assert.Contains(t, msg, tc.method)
		assert.Equal(t, "GET, HEAD", w.Header().Get("Allow"))
	}
}

func TestNotFound(t *testing.T) {
	h := viewer.New(newFake(), nil)
	msg := errorOf(t, serve(h, "GET", "/api/operation"), http.StatusNotFound)
	assert.Contains(t, msg, "/api/operation")
	errorOf(t, serve(h, "GET", "/api/operations/"), http.StatusNotFound)
	errorOf(t, serve(h, "GET", "/api/operations/op1/spans"), http.StatusNotFound)

	for _, target := range []string{"/index.html", "/assets/missing.js", "/assets/", "/web/index.html"} {
		assert.Equal(t, http.StatusNotFound, serve(h, "GET", target).Code, target)
	}
}

func TestPage(t *testing.T) {
	w := serve(viewer.New(newFake(), nil), "GET", "/")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))

	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		assert.Contains(t, csp, want)
	}
	assert.NotContains(t, csp, "unsafe")
	assert.NotContains(t, csp, "*")

	page := w.Body.String()
	assert.Contains(t, page, `<script src="assets/app.js" defer></script>`)
	assert.Equal(t, 1, strings.Count(page, "<script"), "inline scripts are forbidden by the CSP")
	assert.NotContains(t, page, "style=", "inline styles are forbidden by the CSP")
	assert.NotRegexp(t, `\son[a-z]+=`, page, "inline event handlers are forbidden by the CSP")
	assert.Contains(t, page, `<meta name="oplog-trace-url" content="">`)
}

func TestPageTraceURL(t *testing.T) {
	h := viewer.New(newFake(), &viewer.Options{TraceURL: `http://localhost:16686/trace/{trace_id}?a=1&b="x"`})
	page := serve(h, "GET", "/").Body.String()
	assert.Contains(t, page, `<meta name="oplog-trace-url" content="http://localhost:16686/trace/{trace_id}?a=1&amp;b=&#34;x&#34;">`)
}

func TestAssets(t *testing.T) {
	h := viewer.New(newFake(), nil)
	for path, ctype := range map[string]string{
		"/assets/app.js":      "text/javascript; charset=utf-8",
		"/assets/app.css":     "text/css; charset=utf-8",
		"/assets/favicon.svg": "image/svg+xml",
	} {
		w := serve(h, "GET", path)
		require.Equal(t, http.StatusOK, w.Code, path)
		assert.Equal(t, ctype, w.Header().Get("Content-Type"), path)
		assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"), path)
		assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"), path)
		assert.NotEmpty(t, w.Body.Bytes(), path)

		etag := w.Header().Get("ETag")
		require.NotEmpty(t, etag, path)
		r := request(t.Context(), "GET", path)
		r.Header.Set("If-None-Match", etag)
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusNotModified, w.Code, path)
	}
}

func TestHead(t *testing.T) {
	srv := httptest.NewServer(viewer.New(newFake(), nil))
	defer srv.Close()
	for _, path := range []string{"/", "/assets/app.js", "/api/facets"} {
		req, err := http.NewRequestWithContext(t.Context(), "HEAD", srv.URL+path, nil)
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/oplog/", http.StripPrefix("/oplog", viewer.New(newFake(), nil)))

	w := serve(mux, "GET", "/oplog/")
	require.Equal(t, http.StatusOK, w.Code)
	// Relative addresses, so they resolve under the prefix.
	assert.Contains(t, w.Body.String(), `src="assets/app.js"`)
	assert.Equal(t, http.StatusOK, serve(mux, "GET", "/oplog/assets/app.js").Code)
	var fc store.Facets
	decode(t, serve(mux, "GET", "/oplog/api/facets"), http.StatusOK, &fc)
}

// assetFiles returns the embedded files as they are on disk.
func assetFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(os.DirFS("web"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(os.DirFS("web"), path)
		files[path] = string(b)
		return err
	})
	require.NoError(t, err)
	require.Contains(t, files, "assets/app.js")
	return files
}

func TestAssetsLoadNothingFromOutside(t *testing.T) {
	for path, text := range assetFiles(t) {
		// An SVG's namespace is a name, not an address that is fetched.
		text = strings.ReplaceAll(text, `xmlns="http://www.w3.org/2000/svg"`, "")
		assert.NotContains(t, text, "https://", path)
		assert.NotContains(t, text, "http://", path)
		assert.NotContains(t, text, "@import", path)
		assert.NotContains(t, text, "url(", path)
	}
}

func TestScriptRendersNoHTML(t *testing.T) {
	js := assetFiles(t)["assets/app.js"]
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		assert.NotContains(t, js, sink)
	}
}

// The ids the script's header comment promises to tests exist in the page
// or are set by the script.
func TestDocumentedIDsExist(t *testing.T) {
	files := assetFiles(t)
	js := files["assets/app.js"]
	header, _, ok := strings.Cut(js, "*/")
	require.True(t, ok)
	ids := regexp.MustCompile(`#([a-z][a-z0-9-]*)`).FindAllStringSubmatch(header, -1)
	require.NotEmpty(t, ids)
	for _, m := range ids {
		id := m[1]
		inPage := strings.Contains(files["index.html"], `id="`+id+`"`)
		inScript := strings.Contains(js, `id: '`+id+`'`)
		assert.True(t, inPage || inScript, "#%s is documented but never created", id)
	}
}
