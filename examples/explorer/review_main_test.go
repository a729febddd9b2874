package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lanIP is an address of this machine beyond loopback, or nil.
func lanIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	require.NoError(t, err)
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			return n.IP
		}
	}
	return nil
}

// TestReviewExplorerRefusesBeyondLoopbackWithoutToken: every address
// beyond loopback, the unspecified ones and a LAN address, is refused
// without a token, before anything is served.
func TestReviewExplorerRefusesBeyondLoopbackWithoutToken(t *testing.T) {
	addrs := []string{"0.0.0.0:0", "[::]:0", ":0", "[::ffff:0.0.0.0]:0"}
	if ip := lanIP(t); ip != nil {
		addrs = append(addrs, net.JoinHostPort(ip.String(), "0"))
	}
	for _, addr := range addrs {
		db := filepath.Join(t.TempDir(), "explorer.db")
		err := run(t.Context(), config{addr: addr, db: db, every: time.Hour}, func(string) { t.Errorf("served on %s", addr) })
		if assert.Error(t, err, addr) {
			assert.Contains(t, err.Error(), "OPLOG_VIEWER_TOKEN", addr)
		}
		assert.NoFileExists(t, db, "refused before anything is opened")
	}
}

// TestReviewExplorerOnLoopbackNeedsNoToken: loopback addresses, by name
// or number, serve without a token, and only to loopback hosts.
func TestReviewExplorerOnLoopbackNeedsNoToken(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "127.0.0.2:0", "[::ffff:127.0.0.1]:0"} {
		t.Run(addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			urls := make(chan string, 1)
			done := make(chan error, 1)
			go func() { done <- run(ctx, config{addr: addr, every: time.Hour}, func(u string) { urls <- u }) }()
			var base string
			select {
			case base = <-urls:
			case err := <-done:
				t.Skipf("cannot listen on %s here: %v", addr, err)
			}
			for host, status := range map[string]int{"": http.StatusOK, "evil.example": http.StatusMisdirectedRequest} {
				req, err := http.NewRequestWithContext(t.Context(), "GET", base+"/api/facets", nil)
				require.NoError(t, err)
				if host != "" {
					req.Host = host
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, status, resp.StatusCode, "%s host %q", addr, host)
			}
			cancel()
			require.NoError(t, <-done)
		})
	}
}
