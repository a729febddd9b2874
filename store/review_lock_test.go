package store_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/store"
)

// TestReviewTwoStoresAndAReader: two stores on one file each write 600
// records, in batches of ten, while a third store reads and a
// retention pass runs on each: every write and read succeeds, every
// record is stored.
func TestReviewTwoStoresAndAReader(t *testing.T) {
	a, path := openFile(t, store.Options{MaxAge: time.Hour, RetentionInterval: time.Millisecond, ErrorHandler: func(err error) {
		t.Errorf("retention: %v", err)
	}})
	b, _ := openFile(t, store.Options{Path: path, MaxAge: time.Hour, RetentionInterval: time.Millisecond, ErrorHandler: func(err error) {
		t.Errorf("retention: %v", err)
	}})
	reader, _ := openFile(t, store.Options{Path: path})
	ctx := t.Context()
	now := time.Now()
	old := now.Add(-2 * time.Hour)
	var writing sync.WaitGroup
	for w, s := range []*store.Store{a, b} {
		writing.Go(func() {
			for batch := range 60 { // an operation of ten messages
				op := fmt.Sprintf("w%d-op%03d", w, batch)
				var recs []sdklog.Record
				for i := range 10 {
					recs = append(recs, rec(op, now.Add(time.Duration(i)), log.SeverityInfo, fmt.Sprint("message ", i)))
				}
				if batch%5 == 0 { // an old one for retention to drop
					recs = append(recs, rec(fmt.Sprintf("w%d-old%d", w, batch), old, log.SeverityInfo, "old"))
				}
				if !assert.NoError(t, s.Export(ctx, recs)) {
					return
				}
			}
		})
	}
	var stop atomic.Bool
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for !stop.Load() {
			_, err := reader.Operations(ctx, store.OperationFilter{Search: "message"})
			if !assert.NoError(t, err) {
				return
			}
			_, err = reader.Facets(ctx)
			if !assert.NoError(t, err) {
				return
			}
		}
	}()
	writing.Wait()
	stop.Store(true)
	<-readDone
	require.NoError(t, a.Retain(ctx))
	for w := range 2 {
		for i := range 60 {
			m, err := reader.Messages(ctx, store.MessageFilter{OperationID: fmt.Sprintf("w%d-op%03d", w, i)})
			require.NoError(t, err)
			assert.Len(t, m.Messages, 10)
		}
		_, err := reader.Operation(ctx, fmt.Sprintf("w%d-old0", w))
		assert.ErrorIs(t, err, store.ErrNotFound, "retention ran")
	}
}
