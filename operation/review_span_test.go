package operation_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
)

// TestReviewSpanCarriesNoSecret: the span of an operation that fails with
// a secret in its error (a registered one, a default-rule one, one past the
// string limit) carries it nowhere: status text, exception event, attributes.
func TestReviewSpanCarriesNoSecret(t *testing.T) {
	const registered = "RegSpanCanary77"
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{registered}})
	errs := map[string]error{
		"registered": errors.New("tenant key " + registered),
		"bearer":     fmt.Errorf("get: Authorization: Bearer %s", rvCanary),
		"url":        &url.Error{Op: "Get", URL: "https://h/p?access_token=" + rvCanary, Err: errors.New("timeout")},
		"straddling": errors.New(strings.Repeat("x", logrecord.DefaultMaxStringLen-8) + " token=" + rvCanary),
		"invalid":    errors.New("bad \xff " + registered),
		"hostile":    errors.Join(rvAll{}, errors.New(registered)),
	}
	// A secret around the point past which a long text is not looked at,
	// brought into view by the redaction of a long credential before it.
	for k := 0; k <= 40; k += 4 {
		long := "Authorization: Bearer " + strings.Repeat("y", 30000) + "\n"
		errs[fmt.Sprint("shrunk ", k)] = errors.New(long + strings.Repeat("x", logrecord.DefaultMaxStringLen+4096+k-len(long)) + registered)
	}
	for name, err := range errs {
		t.Run(name, func(t *testing.T) {
			e := newRVEnv(t, nil, operation.WithRedactor(red))
			_, op := e.trk.Start(t.Context(), operation.SyncRun, operation.Refs{Connection: "c"},
				operation.WithAttributes(attribute.String("k", "v")))
			req, _ := http.NewRequest(http.MethodGet, "https://h/p?sig="+rvCanary, nil)
			op.HTTP(operation.HTTPCall{Request: req, Err: err})
			op.Fail(err)
			for _, r := range e.records() {
				txt := rvText(r)
				assert.NotContains(t, txt, registered[:7], "not even half")
				assert.NotContains(t, txt, rvCanary[:6])
				assert.True(t, utf8.ValidString(txt))
			}
			spans := e.mem.Spans()
			require.Len(t, spans, 1)
			s := spans[0]
			texts := []string{s.Status().Description, s.Name()}
			for _, kv := range s.Attributes() {
				texts = append(texts, string(kv.Key)+"="+kv.Value.String())
			}
			for _, ev := range s.Events() {
				texts = append(texts, ev.Name)
				for _, kv := range ev.Attributes {
					texts = append(texts, string(kv.Key)+"="+kv.Value.String())
				}
			}
			all := strings.Join(texts, "\n")
			assert.NotContains(t, all, registered[:7], "not even half")
			assert.NotContains(t, all, rvCanary[:6])
			assert.True(t, utf8.ValidString(all))
			assert.LessOrEqual(t, len(s.Status().Description), logrecord.DefaultMaxStringLen+64)
		})
	}
}
