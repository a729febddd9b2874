package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
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

	// An operation's span can be stored before its records (they take
	// separate queues): wait for the newest one's messages to arrive.
	var msgs store.MessagePage
	var statuses []int
	require.Eventually(t, func() bool {
		get("/api/operations?kind=sync:run&state=success", &page)
		if len(page.Operations) == 0 {
			return false
		}
		get("/api/operations/"+page.Operations[0].ID+"/messages", &msgs)
		statuses = nil
		for _, m := range msgs.Messages {
			if m.HTTP != nil {
				statuses = append(statuses, m.HTTP.Status)
				assert.NotContains(t, m.HTTP.URL, "demo-secret")
			}
		}
		return len(statuses) == 4 && msgs.Messages[len(msgs.Messages)-1].EventName != ""
	}, 20*time.Second, 50*time.Millisecond, "the records of a finished sync")
	assert.Equal(t, []int{200, 429, 200, 200}, statuses, "three pages, the second throttled once")

	var facets store.Facets
	get("/api/facets", &facets)
	assert.Subset(t, []string{"acme-crm", "globex-erp"}, facets.Integrations)

	cancel()
	require.NoError(t, <-done)
}

// TestExplorerBeyondLoopback: without a token the explorer refuses to
// listen beyond the loopback interface; with one, the API requires it and
// the viewer answers only its own hosts.
func TestExplorerBeyondLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		err := run(t.Context(), config{addr: addr, every: time.Hour}, func(string) { t.Error("listened on " + addr) })
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "OPLOG_VIEWER_TOKEN", addr)
	}
	err := run(t.Context(), config{addr: "127.0.0.1:0", token: "has space"}, func(string) { t.Error("listened") })
	require.ErrorContains(t, err, "token")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const token = "explorer-token-0123456789"
	ports := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{addr: "0.0.0.0:0", token: token, hosts: []string{"devbox.lan"}, every: time.Hour},
			func(u string) { ports <- u[strings.LastIndex(u, ":")+1:] })
	}()
	port := <-ports
	for _, tc := range []struct {
		host, auth string
		status     int
	}{
		{"127.0.0.1:" + port, "", http.StatusUnauthorized},
		{"127.0.0.1:" + port, "Bearer wrong", http.StatusUnauthorized},
		{"127.0.0.1:" + port, "Bearer " + token, http.StatusOK},
		{"localhost:" + port, "Bearer " + token, http.StatusOK},
		{"devbox.lan:" + port, "Bearer " + token, http.StatusOK},
		{"attacker.example:" + port, "Bearer " + token, http.StatusMisdirectedRequest},
	} {
		req, err := http.NewRequestWithContext(t.Context(), "GET", "http://127.0.0.1:"+port+"/api/facets", nil)
		require.NoError(t, err)
		req.Host = tc.host
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, "%s %q", tc.host, tc.auth)
	}
	cancel()
	require.NoError(t, <-done)
}
