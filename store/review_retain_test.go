package store_test

import (
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/store"
)

// TestReviewPanickingErrorHandler: an ErrorHandler that panics does not
// end the program, and keeps receiving the errors that follow.
func TestReviewPanickingErrorHandler(t *testing.T) {
	var calls atomic.Int32
	again := make(chan error, 1)
	path := filepath.Join(t.TempDir(), "oplog.db")
	s, _ := openFile(t, store.Options{Path: path, MaxAge: time.Hour, RetentionInterval: time.Millisecond, ErrorHandler: func(err error) {
		if calls.Add(1) == 1 {
			panic("handler bug")
		}
		select {
		case again <- err:
		default:
		}
	}})
	require.NoError(t, s.Export(t.Context(), []sdklog.Record{rec("op", time.Now(), log.SeverityInfo, "hello")}))
	breakStore(t, path)
	select {
	case err := <-again:
		assert.ErrorContains(t, err, "retention")
	case <-t.Context().Done():
		t.Fatal("no error after the panic")
	}
}
