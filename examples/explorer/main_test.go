package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/store"
)

// TestExplorer runs the explorer on a free port until it has stored a few
// rounds, reads them back through the viewer's API, and stops it.
func TestExplorer(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	db := filepath.Join(t.TempDir(), "explorer.db")
	go func() {
		done <- run(ctx, config{addr: "127.0.0.1:0", db: db, every: 10 * time.Millisecond}, func(u string) { urls <- u })
	}()
	base := <-urls

	get := func(path string, v any) {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
	}
	var page store.OperationPage
	require.Eventually(t, func() bool {
		get("/api/operations?state=failed", &page)
		return len(page.Operations) >= 3
	}, 20*time.Second, 50*time.Millisecond, "three rounds, each with a failed action")
	for _, o := range page.Operations {
		assert.Equal(t, "action", o.Type)
		assert.Contains(t, o.ErrorText, "deal rejected")
	}

	get("/api/operations?kind=sync:run&state=success", &page)
	require.NotEmpty(t, page.Operations)
	var msgs store.MessagePage
	get("/api/operations/"+page.Operations[0].ID+"/messages", &msgs)
	var statuses []int
	for _, m := range msgs.Messages {
		if m.HTTP != nil {
			statuses = append(statuses, m.HTTP.Status)
			assert.NotContains(t, m.HTTP.URL, "demo-secret")
		}
	}
	assert.Equal(t, []int{200, 429, 200, 200}, statuses, "three pages, the second throttled once")

	var facets store.Facets
	get("/api/facets", &facets)
	assert.Subset(t, []string{"acme-crm", "globex-erp"}, facets.Integrations)

	cancel()
	require.NoError(t, <-done)
}
