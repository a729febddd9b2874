package store_test

import (
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/store"
)

// TestReviewConcurrentOpens: stores opened at the same time on one new
// file all open, and each writes.
func TestReviewConcurrentOpens(t *testing.T) {
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "oplog.db")
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				s, err := store.Open(t.Context(), store.Options{Path: path})
				if !assert.NoError(t, err, "round %d store %d", round, i) {
					return
				}
				defer s.Close()
				assert.NoError(t, s.Export(t.Context(), []sdklog.Record{rec("op", time.Now(), log.SeverityInfo, "hello")}))
			})
		}
		wg.Wait()
		s, _ := openFile(t, store.Options{Path: path})
		m, err := s.Messages(t.Context(), store.MessageFilter{OperationID: "op"})
		require.NoError(t, err)
		assert.Len(t, m.Messages, 4)
	}
}

// TestReviewConcurrentUpgrades: stores opened at the same time on a file
// made before the newer columns all open: one adds the columns, the
// others find them.
func TestReviewConcurrentUpgrades(t *testing.T) {
	ctx := t.Context()
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "old.db")
		s, err := store.Open(ctx, store.Options{Path: path})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		for _, q := range []string{`ALTER TABLE operations DROP COLUMN time_clamped`, `ALTER TABLE messages DROP COLUMN time_original`,
			`ALTER TABLE operations DROP COLUMN described`} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		require.NoError(t, db.Close())
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				s, err := store.Open(ctx, store.Options{Path: path})
				if assert.NoError(t, err, "round %d store %d", round, i) {
					assert.NoError(t, s.Export(ctx, []sdklog.Record{start("op", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), "acme")}))
					s.Close()
				}
			})
		}
		wg.Wait()
	}
}

// TestReviewOldFilesNoTime: a file from before version 1, where 0 meant
// no end, opens with its running operations still not ended, and their
// end arrives.
func TestReviewOldFilesNoTime(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := store.Open(ctx, store.Options{Path: path})
	require.NoError(t, err)
	at := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", at, "acme")}))
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	for _, q := range []string{`UPDATE operations SET end_ns = 0`, `PRAGMA user_version = 0`} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s, _ = openFile(t, store.Options{Path: path})
	o, err := s.Operation(ctx, "op")
	require.NoError(t, err)
	assert.True(t, o.End.IsZero(), "end %s", o.End)
	r := apiRecord("op", at.Add(time.Second), log.SeverityInfo, "end", attribute.String(logrecord.KeyOperationState, "success"),
		attribute.String(logrecord.KeyMessageSource, logrecord.SourceInternal))
	r.SetEventName(logrecord.EventOperationEnd)
	require.NoError(t, s.Export(ctx, []sdklog.Record{sdkRecord(r)}))
	o, err = s.Operation(ctx, "op")
	require.NoError(t, err)
	assert.True(t, at.Add(time.Second).Equal(o.End), "end %s", o.End)
}
