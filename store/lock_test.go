package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
)

// TestTwoStoresOnOneFile writes 600 records concurrently through two
// pipelines into two stores on one file: a write waits for the other
// store's lock instead of failing, and every record is stored.
func TestTwoStoresOnOneFile(t *testing.T) {
	a, path := openFile(t, store.Options{})
	b, _ := openFile(t, store.Options{Path: path})
	ctx := t.Context()
	const opsPerStore = 100 // three records each: start, message, end
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	var ids []string
	for _, s := range []*store.Store{a, b} {
		p, err := export.Setup(ctx, export.WithStore(s), export.WithoutGlobal(), export.WithErrorHandler(func(err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}))
		require.NoError(t, err)
		wg.Go(func() {
			tr := operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
			for i := range opsPerStore {
				_, op := tr.Start(ctx, operation.SyncRun, operation.Refs{Integration: "acme"})
				op.Info(fmt.Sprint("message ", i))
				op.End(nil)
				mu.Lock()
				ids = append(ids, op.ID())
				mu.Unlock()
			}
			assert.NoError(t, p.Shutdown(ctx))
			es := p.Stats().Exporters[0]
			assert.Equal(t, uint64(3*opsPerStore), es.Delivered, "%+v", es)
		})
	}
	wg.Wait()
	assert.Empty(t, errs)
	stored := 0
	for _, id := range ids {
		m, err := a.Messages(ctx, store.MessageFilter{OperationID: id})
		require.NoError(t, err)
		stored += len(m.Messages)
	}
	assert.Equal(t, 2*3*opsPerStore, stored, "records stored")
}
