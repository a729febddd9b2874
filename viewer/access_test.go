package viewer_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/store"
	"github.com/oplog-go/oplog/viewer"
)

// routes are a request to each route of the viewer.
var routes = []string{"/", "/assets/app.js", "/api/operations", "/api/operations/op-1",
	"/api/operations/op-1/messages", "/api/facets", "/api/nothing", "/nothing"}

func TestHostCheck(t *testing.T) {
	cases := []struct {
		host    string
		allowed []string
		ok      bool
	}{
		{"localhost", nil, true},
		{"localhost:8080", nil, true},
		{"LocalHost:8080", nil, true},
		{"localhost.:8080", nil, true},
		{"127.0.0.1", nil, true},
		{"127.0.0.1:1", nil, true},
		{"127.1.2.3:8080", nil, true},
		{"[::1]", nil, true},
		{"[::1]:8080", nil, true},
		{"[::ffff:127.0.0.1]:8080", nil, true},
		{"logs.example.com", []string{"logs.example.com"}, true},
		{"LOGS.Example.com:443", []string{"logs.example.com"}, true},
		{"logs.example.com", []string{"Logs.Example.Com:8080"}, true},
		{"10.0.0.5:8080", []string{"10.0.0.5"}, true},
		{"[fd00::5]:8080", []string{"[fd00::5]"}, true},
		{"[fd00::5]:8080", []string{"fd00::5"}, true},
		{"anything.example", []string{"*"}, true},

		{"", nil, false},
		{"example.com", nil, false},
		{"attacker.example:8080", nil, false},
		{"localhost.attacker.example", nil, false},
		{"attacker.example", []string{"logs.example.com"}, false},
		{"127.0.0.1.attacker.example", nil, false},
		{"10.0.0.5:8080", nil, false},
		{"0.0.0.0:8080", nil, false},
		{"[::]:8080", nil, false},
		{"[fe80::1%25eth0]:8080", nil, false},
		{"[::1%25lo]:8080", nil, false},
		{"local host", nil, false},
	}
	for _, tc := range cases {
		h := viewer.New(newFake(), &viewer.Options{AllowedHosts: tc.allowed})
		for _, path := range routes {
			r := httptest.NewRequest("GET", path, nil)
			r.Host = tc.host
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if tc.ok {
				assert.NotEqual(t, http.StatusMisdirectedRequest, w.Code, "host %q %v %s", tc.host, tc.allowed, path)
			} else {
				assert.Equal(t, http.StatusMisdirectedRequest, w.Code, "host %q %v %s", tc.host, tc.allowed, path)
				assert.NotContains(t, w.Body.String(), "hubspot", "no data to a host not allowed")
			}
		}
	}
}

func TestToken(t *testing.T) {
	const secret = "s3cret-token-0123456789"
	h := viewer.New(newFake(), &viewer.Options{Token: secret})
	cases := []struct {
		name, auth string
		ok         bool
		challenge  string
	}{
		{"missing", "", false, `Bearer realm="oplog viewer"`},
		{"wrong", "Bearer nope", false, `Bearer realm="oplog viewer", error="invalid_token"`},
		{"prefix", "Bearer " + secret[:10], false, `Bearer realm="oplog viewer", error="invalid_token"`},
		{"longer", "Bearer " + secret + "x", false, `Bearer realm="oplog viewer", error="invalid_token"`},
		{"other scheme", "Basic " + secret, false, `Bearer realm="oplog viewer", error="invalid_token"`},
		{"no scheme", secret, false, `Bearer realm="oplog viewer", error="invalid_token"`},
		{"empty bearer", "Bearer ", false, `Bearer realm="oplog viewer", error="invalid_token"`},
		{"right", "Bearer " + secret, true, ""},
		{"scheme in any case", "bearer " + secret, true, ""},
	}
	for _, tc := range cases {
		for _, path := range routes {
			r := request(t.Context(), "GET", path)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			api := path[:min(len(path), 5)] == "/api/"
			if !api || tc.ok {
				assert.NotEqual(t, http.StatusUnauthorized, w.Code, "%s %s", tc.name, path)
				continue
			}
			assert.Equal(t, http.StatusUnauthorized, w.Code, "%s %s", tc.name, path)
			assert.Equal(t, tc.challenge, w.Header().Get("WWW-Authenticate"), "%s %s", tc.name, path)
			assert.NotContains(t, w.Body.String(), "hubspot", "no data without the token")
		}
	}
	t.Run("no token set", func(t *testing.T) {
		w := serve(viewer.New(newFake(), nil), "GET", "/api/facets")
		assert.Equal(t, http.StatusOK, w.Code)
	})
}

// TestOddParametersAreNeverAnInternalError sends odd bytes in every query
// parameter to a viewer on a real store: each is answered, or refused with
// 400, never 500.
func TestOddParametersAreNeverAnInternalError(t *testing.T) {
	st, err := store.Open(t.Context(), store.Options{})
	require.NoError(t, err)
	defer st.Close()
	h := viewer.New(st, nil)
	odd := []string{"\x00", "a\x00b", "\xff", "a\xffb", "\x01\x1f\x7f", "\u2028", "\ufeff", `"*`, "%", "0001-01-01T00:00:00Z",
		"3000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "-1", "99999999999999999999"}
	params := map[string][]string{
		"/api/operations":            {"integration", "connection", "kind", "state", "since", "until", "q", "cursor", "limit"},
		"/api/operations/x/messages": {"min_severity", "q", "cursor", "limit"},
	}
	for path, names := range params {
		for _, name := range names {
			for _, v := range odd {
				w := serve(h, "GET", path+"?"+name+"="+url.QueryEscape(v))
				assert.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, w.Code, "%s %s=%q: %s", path, name, v, w.Body)
			}
		}
	}
	for _, v := range odd {
		w := serve(h, "GET", "/api/operations/"+url.PathEscape(v))
		assert.Contains(t, []int{http.StatusNotFound, http.StatusBadRequest}, w.Code, "id %q: %s", v, w.Body)
	}
}
