package viewer_test

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/viewer"
)

// rawStatus sends one raw HTTP request over a connection to srv and
// returns the status code of the answer.
func rawStatus(t *testing.T, srv *httptest.Server, raw string) int {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte(raw))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// TestReviewHostHeaders sends, over a real connection, the Host headers
// and request targets a rebinding page or a confused client sends: only
// loopback names and addresses are answered.
func TestReviewHostHeaders(t *testing.T) {
	srv := httptest.NewServer(viewer.New(newFake(), nil))
	defer srv.Close()
	cases := []struct {
		host string
		ok   bool
	}{
		{"localhost", true}, {"LOCALHOST:8080", true}, {"127.0.0.1", true}, {"127.1.2.3:80", true},
		{"[::1]:8080", true}, {"localhost.", true}, {"localhost.:80", true},
		{"evil.com", false}, {"localhost.evil.com", false}, {"127.0.0.1.nip.io", false},
		{"evil.com:8080", false}, {"localhost..", false}, {"localhost:80:80", false}, {"2130706433", false},
		{"0.0.0.0", false}, {"[::]", false}, {"192.168.1.10", false}, {"xn--localhost", false},
	}
	for _, tc := range cases {
		for _, path := range []string{"/", "/assets/app.js", "/api/operations", "/api/facets"} {
			status := rawStatus(t, srv, "GET "+path+" HTTP/1.1\r\nHost: "+tc.host+"\r\nConnection: close\r\n\r\n")
			if tc.ok {
				assert.Equal(t, http.StatusOK, status, "%q %s", tc.host, path)
			} else {
				assert.Equal(t, http.StatusMisdirectedRequest, status, "%q %s", tc.host, path)
			}
		}
	}
	// "::1" without brackets is no valid Host header: the server itself
	// refuses it, or the viewer answers it as the loopback address it is.
	status := rawStatus(t, srv, "GET /api/facets HTTP/1.1\r\nHost: ::1\r\nConnection: close\r\n\r\n")
	assert.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, status, "::1")

	for name, raw := range map[string]string{
		"HTTP/1.0 without Host":             "GET /api/facets HTTP/1.0\r\n\r\n",
		"empty Host":                        "GET /api/facets HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n",
		"absolute form naming another host": "GET http://evil.com/api/facets HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
		"HTTP/1.1 without Host":             "GET /api/facets HTTP/1.1\r\nConnection: close\r\n\r\n",
	} {
		status := rawStatus(t, srv, raw)
		assert.Contains(t, []int{http.StatusMisdirectedRequest, http.StatusBadRequest}, status, name)
	}
	// The absolute form is the request's host: a loopback one is answered.
	status = rawStatus(t, srv, "GET http://localhost/api/facets HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	assert.Equal(t, http.StatusOK, status)
}

// TestReviewToken: the token is required of the API in the Authorization
// header only, with the Bearer scheme in any case; never in the query
// string (addresses end up in logs, history and Referer headers). The
// page and its assets load without it.
func TestReviewToken(t *testing.T) {
	const token = "Review-Token-0123456789abcdef"
	srv := httptest.NewServer(viewer.New(newFake(), &viewer.Options{Token: token}))
	defer srv.Close()
	wrong := strings.Repeat("x", len(token))
	cases := []struct {
		name, path, auth string
		status           int
	}{
		{"missing", "/api/facets", "", http.StatusUnauthorized},
		{"Bearer alone", "/api/facets", "Bearer", http.StatusUnauthorized},
		{"Bearer and a space", "/api/facets", "Bearer ", http.StatusUnauthorized},
		{"lowercase scheme", "/api/facets", "bearer " + token, http.StatusOK},
		{"uppercase scheme", "/api/facets", "BEARER " + token, http.StatusOK},
		{"wrong token of equal length", "/api/facets", "Bearer " + wrong, http.StatusUnauthorized},
		{"token in another case", "/api/facets", "Bearer " + strings.ToLower(token), http.StatusUnauthorized},
		{"token alone", "/api/facets", token, http.StatusUnauthorized},
		{"Basic", "/api/facets", "Basic " + token, http.StatusUnauthorized},
		{"token twice", "/api/facets", "Bearer " + token + " " + token, http.StatusUnauthorized},
		{"token in the query", "/api/facets?token=" + token, "", http.StatusUnauthorized},
		{"access_token in the query", "/api/operations?access_token=" + token, "", http.StatusUnauthorized},
		{"right", "/api/facets", "Bearer " + token, http.StatusOK},
		{"right, operations", "/api/operations", "Bearer " + token, http.StatusOK},
		{"unknown API path", "/api/secret", "", http.StatusUnauthorized},
		{"page", "/", "", http.StatusOK},
		{"script", "/assets/app.js", "", http.StatusOK},
		{"style", "/assets/app.css", "", http.StatusOK},
	}
	for _, tc := range cases {
		req, err := http.NewRequestWithContext(t.Context(), "GET", srv.URL+tc.path, nil)
		require.NoError(t, err)
		req.Host = "localhost"
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, tc.name)
		if tc.status == http.StatusUnauthorized {
			assert.True(t, strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer "), tc.name)
		}
	}
}

// TestReviewAllowedHostsAsWritten: entries of AllowedHosts as an operator
// writes them, with spaces from a comma list, a port, a case or a final
// dot, allow their host.
func TestReviewAllowedHostsAsWritten(t *testing.T) {
	h := viewer.New(newFake(), &viewer.Options{AllowedHosts: []string{" devbox.lan", "Logs.Example.com:8443 ", "box.example."}})
	for host, ok := range map[string]bool{"devbox.lan": true, "devbox.lan:8080": true, "logs.example.com": true,
		"box.example": true, "evil.example": false, " devbox.lan": false} {
		r := request(t.Context(), "GET", "/api/facets")
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if ok {
			assert.Equal(t, http.StatusOK, w.Code, host)
		} else {
			assert.Equal(t, http.StatusMisdirectedRequest, w.Code, host)
		}
	}
}
