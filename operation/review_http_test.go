package operation_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// TestReviewHTTPRegisteredSecretAnywhere: a secret registered with the
// tracker is erased from every part of an HTTP message: path, query,
// fragment, userinfo, any header (sensitive name or not), the response's
// headers, the error, and a URL far longer than the string limit.
func TestReviewHTTPRegisteredSecretAnywhere(t *testing.T) {
	const secret = "HttpRegCanary42"
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{secret}})
	long := strings.Repeat("p", logrecord.DefaultMaxStringLen)
	urls := map[string]string{
		"path":      "https://h/keys/" + secret + "/x",
		"query":     "https://h/x?q=" + secret,
		"escaped":   "https://h/x?q=" + url.QueryEscape("a "+secret+" b"),
		"fragment":  "https://h/x#" + secret,
		"userinfo":  "https://u:" + secret + "@h/x",
		"long":      "https://h/" + long + "?token=" + secret,
		"long path": "https://h/" + long[:logrecord.DefaultMaxStringLen-30] + secret + "/x",
	}
	for name, raw := range urls {
		t.Run(name, func(t *testing.T) {
			e := newRVEnv(t, nil, operation.WithRedactor(red))
			_, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{})
			u, err := url.Parse(raw)
			require.NoError(t, err)
			req := &http.Request{Method: http.MethodPost, URL: u, Header: http.Header{
				"X-Debug":       {"k=" + secret},
				"Authorization": {"Bearer " + secret},
				"Accept":        {secret},
			}}
			resp := &http.Response{StatusCode: 502, Header: http.Header{"X-Echo": {secret}, "Location": {raw}}, Request: req}
			op.HTTP(operation.HTTPCall{Request: req, Response: resp, Err: &url.Error{Op: "Post", URL: raw, Err: errors.New("eof " + secret)},
				Attributes: []attribute.KeyValue{red.KeyValue("req", req), red.KeyValue("resp", resp)}})
			op.Succeed()
			for _, r := range e.records() {
				txt := rvText(r)
				assert.NotContains(t, txt, secret[:7], "%s", name)
			}
		})
	}
}
