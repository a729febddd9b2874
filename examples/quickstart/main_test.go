package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstartJSON runs the example with OTLP/JSON on stdout and checks
// the story it tells: two operations, their HTTP messages, the retry, the
// sync result, the failure, and no secret.
func TestQuickstartJSON(t *testing.T) {
	t.Setenv("OPLOG_CONSOLE_FORMAT", "json")
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			b.WriteString(sc.Text())
			b.WriteByte('\n')
		}
		done <- b.String()
	}()
	runErr := run()
	os.Stdout = stdout
	require.NoError(t, w.Close())
	out := <-done
	require.NoError(t, runErr)

	events := map[string]int{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines {
		var req struct {
			ResourceLogs []struct {
				ScopeLogs []struct {
					LogRecords []struct {
						EventName string `json:"eventName"`
					} `json:"logRecords"`
				} `json:"scopeLogs"`
			} `json:"resourceLogs"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &req), "every stdout line is one OTLP/JSON request")
		for _, rl := range req.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, lr := range sl.LogRecords {
					events[lr.EventName]++
				}
			}
		}
	}
	assert.Equal(t, 2, events["oplog.operation.start"])
	assert.Equal(t, 2, events["oplog.operation.end"])
	assert.Equal(t, 5, events["oplog.http"], "3 pages, one 429 retried, one deal")
	assert.Equal(t, 1, events["oplog.sync.result"])
	assert.Contains(t, out, `"stringValue":"failed"`)
	assert.Contains(t, out, "429")
	for _, secret := range []string{"demo-secret", "demo-token"} {
		assert.NotContains(t, out, secret)
	}
}
