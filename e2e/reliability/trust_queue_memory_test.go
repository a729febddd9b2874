package reliability_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/logrecord"
)

// stalledReceiver accepts connections and never reads from them: a
// Collector that has stopped consuming. It holds nothing in this
// process's heap (the bytes wait in socket buffers).
func stalledReceiver(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

// TestTrustQueueMemoryBounded: with the receiver stalled, 64 messages of
// 4 MiB grow the heap by about the queue's byte budget at most, not by
// what was logged: records are cut before they are queued, and the queue
// counts bytes as well as records.
func TestTrustQueueMemoryBounded(t *testing.T) {
	const msgs, size = 64, 4 << 20
	cases := []struct {
		name   string
		opts   []export.Option
		budget uint64 // bytes the pipeline may hold
	}{
		{"default limits: cut to 64 KiB before queueing", nil, msgs * (logrecord.DefaultMaxStringLen + 1<<10)},
		{"limits above the message, 16 MiB budget", []export.Option{export.WithLimits(logrecord.Limits{MaxStringLen: 8 << 20}),
			export.WithQueueBytes(16 << 20), export.WithBatchBytes(8 << 20)}, 16<<20 + 8<<20}, // the queue, and the request being written
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := stalledReceiver(t)
			p, _ := setup(t, append([]export.Option{otlp(addr, export.OTLPTimeout(time.Minute)), export.WithExportInterval(time.Millisecond)}, c.opts...)...)
			lg := p.LoggerProvider().Logger("reliability")
			before := heapAfterGC()
			for i := range msgs {
				r := rawRecord("memory", i, "")
				r.SetBody(attribute.StringValue(strings.Repeat(string(rune('a'+i%26)), size)))
				lg.Emit(t.Context(), r)
			}
			after := heapAfterGC()
			grown := uint64(max(int64(after)-int64(before), 0))
			const margin = 8 << 20
			assert.LessOrEqual(t, grown, c.budget+margin, "heap grew by %d MiB for %d MiB logged", grown>>20, msgs*size>>20)

			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			defer cancel()
			require.ErrorIs(t, p.Shutdown(ctx), context.DeadlineExceeded)
			e := checkLedger(t, p, "otlp", nil)
			assert.Zero(t, e.Delivered)
			publish(t, figures{Case: "64 messages of 4 MiB, receiver stalled: " + c.name, Stats: e, Emitted: msgs,
				Heap: fmt.Sprintf("+%d MiB", grown>>20), Note: fmt.Sprintf("bound %d MiB", (c.budget+margin)>>20)})
		})
	}
}
