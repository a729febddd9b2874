// Package browser tests the log explorer's page in a real browser: Debian's
// headless Chromium, driven with chromedp, against the viewer serving a
// store filled through a real pipeline.
package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
	"github.com/oplog-go/oplog/viewer"
)

// chromium finds the browser. Without one the test skips, unless
// OPLOG_BROWSER=required (as .ci/run sets, after installing it).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("OPLOG_BROWSER") == "required" {
		t.Fatal("no chromium on PATH, and OPLOG_BROWSER=required")
	}
	t.Skip("no chromium on PATH (install Debian's chromium package, or run .ci/run)")
	return ""
}

// fill runs a few operations through a real pipeline into st: two
// integrations, successes and failures, HTTP calls with secrets.
func fill(t *testing.T, st *store.Store) {
	ctx := t.Context()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/invoices":
			w.WriteHeader(http.StatusBadGateway)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer api.Close()
	p, err := export.Setup(ctx, export.WithStore(st), export.WithoutGlobal())
	require.NoError(t, err)
	tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	client := &http.Client{Transport: operation.Transport(nil)}
	call := func(ctx context.Context, path string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.URL+path+"?access_token=browser-secret", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer browser-secret")
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	for i := range 3 {
		octx, op := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "acme-crm", Connection: fmt.Sprintf("conn-%d", i)})
		op.Info("fetched contacts", attribute.Int("contacts", 10+i), attribute.StringSlice("ids", []string{"c-1", "c-2"}))
		call(octx, "/contacts")
		op.End(nil)
	}
	octx, op := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "globex-erp", Connection: "conn-9"})
	op.Warn("invoice totals mismatch", attribute.String("invoice.id", "inv-77"))
	call(octx, "/invoices")
	op.End(errors.New("invoices: bad gateway"))
	_, op = tr.Start(ctx, operation.ActionRun, operation.Refs{Integration: "globex-erp", Connection: "conn-9"})
	op.Info("invoice sent")
	op.End(nil)
	require.NoError(t, p.Shutdown(ctx))
}

func TestExplorerPage(t *testing.T) {
	exe := chromium(t)
	st, err := store.Open(t.Context(), store.Options{Path: filepath.Join(t.TempDir(), "oplog.db")})
	require.NoError(t, err)
	defer st.Close()
	fill(t, st)
	srv := httptest.NewServer(viewer.New(st, &viewer.Options{TraceURL: "http://traces.invalid/trace/{trace_id}"}))
	defer srv.Close()

	alloc, cancel := chromedp.NewExecAllocator(t.Context(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	// The browser lives as long as bctx; the steps get a deadline of their own.
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	rows := func(n int) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('#operations tr.operation').length === %d && !document.body.hasAttribute('data-busy')`, n),
			chromedp.WithPollingTimeout(10*time.Second))
	}
	change := func(sel, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.SetValue(chromedp.CSS(sel), value),
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event('change', {bubbles: true}))`, sel)),
		)
	}
	text := func(dst *string, sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			*dst, err = chromedp.Text(chromedp.CSS(sel))(ctx, tg)
			return err
		})
	}
	shot := func(dst *[]byte) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			*dst, err = chromedp.FullScreenshot(100)(ctx, tg) // quality 100: a PNG
			return err
		})
	}
	var list, detail []byte
	var method, url, status, detailText string
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(srv.URL)), "start the browser and open the page")
	require.NoError(t, chromedp.Do(ctx,
		rows(5),
		// The pickers are filled from the facets.
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#filter-integration option')].some(o => o.value === 'globex-erp')`,
			chromedp.WithPollingTimeout(10*time.Second)),
		change("#filter-integration", "globex-erp"),
		rows(2),
		change("#filter-state", "failed"),
		rows(1),
		shot(&list),
		// Search a message's text, with the integration filter still on.
		change("#filter-state", ""),
		rows(2),
		chromedp.SendKeys(chromedp.CSS("#search"), "totals"),
		chromedp.Click(chromedp.CSS("#search-button")),
		rows(1),
		chromedp.Click(chromedp.CSS("#operations tr.operation")),
		chromedp.WaitVisible(chromedp.CSS(".message.http")),
		text(&method, ".message.http .http-method"),
		text(&url, ".message.http .http-url"),
		text(&status, ".message.http .http-status"),
		text(&detailText, "#detail"),
		shot(&detail),
	))
	assert.Equal(t, "GET", method)
	assert.Contains(t, url, "/invoices")
	assert.NotContains(t, url, "browser-secret")
	assert.Contains(t, status, "502")
	assert.Contains(t, detailText, "invoice totals mismatch")
	assert.Contains(t, detailText, "invoices: bad gateway")
	assert.NotContains(t, detailText, "browser-secret")

	dir := t.ArtifactDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "list.png"), list, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "detail.png"), detail, 0o644))
	t.Logf("screenshots in %s", dir)
}

// TestExplorerPageWithToken opens a viewer that requires an access token:
// the page asks for it, says when one is refused, keeps the right one for
// the tab (a reload does not ask again) and sends it with every request.
func TestExplorerPageWithToken(t *testing.T) {
	exe := chromium(t)
	st, err := store.Open(t.Context(), store.Options{Path: filepath.Join(t.TempDir(), "oplog.db")})
	require.NoError(t, err)
	defer st.Close()
	fill(t, st)
	const token = "browser-token-0123456789"
	srv := httptest.NewServer(viewer.New(st, &viewer.Options{Token: token}))
	defer srv.Close()

	alloc, cancel := chromedp.NewExecAllocator(t.Context(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))
	}
	rows := poll(`document.querySelectorAll('#operations tr.operation').length === 5 && !document.body.hasAttribute('data-busy')`)
	enter := func(value string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.WaitVisible(chromedp.CSS("#token-form")),
			chromedp.SendKeys(chromedp.CSS("#token-input"), value),
			chromedp.Click(chromedp.CSS("#token-submit")),
		)
	}
	var stored string
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(srv.URL)), "start the browser and open the page")
	require.NoError(t, chromedp.Do(ctx,
		enter("wrong-token"),
		chromedp.WaitVisible(chromedp.CSS("#token-refused")),
		enter(token),
		rows,
		poll(`document.getElementById('token-form').hidden`),
		chromedp.Reload(),
		rows,
		poll(`document.getElementById('token-form').hidden`),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) (err error) {
			stored, err = chromedp.Evaluate[string](`sessionStorage.getItem('oplog-viewer-token')`)(ctx, tg)
			return err
		}),
	))
	assert.Equal(t, token, stored)
}
