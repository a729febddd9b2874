package store_test

import (
	"bufio"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/store"
)

// TestRetentionRunsInTheBackground waits, within a bound, for the
// background to drop an old operation, with passes due more often than a
// loaded machine may run them: no pass fails for it.
func TestRetentionRunsInTheBackground(t *testing.T) {
	errs := make(chan error, 100)
	s, _ := openFile(t, store.Options{MaxAge: time.Hour, RetentionInterval: time.Millisecond, ErrorHandler: func(err error) {
		select {
		case errs <- err:
		default:
		}
	}})
	ctx := t.Context()
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("old", old, "acme"), start("new", time.Now(), "acme")}))
	require.Eventually(t, func() bool {
		_, err := s.Operation(ctx, "old")
		return errors.Is(err, store.ErrNotFound)
	}, time.Minute, 5*time.Millisecond, "the background retention drops the old operation")
	_, err := s.Operation(ctx, "new")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	close(errs)
	for err := range errs {
		assert.NoError(t, err, "a background pass failed")
	}
}

// breakStore drops a table of the store's file behind its back: every
// retention pass fails from then on.
func breakStore(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)") // the store writes every millisecond
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(t.Context(), `DROP TABLE messages_text`)
	require.NoError(t, err)
}

// TestRetentionErrorsArriveAtOnce: a failing pass reaches the
// ErrorHandler while the store runs, not at Close.
func TestRetentionErrorsArriveAtOnce(t *testing.T) {
	errs := make(chan error, 1)
	path := filepath.Join(t.TempDir(), "oplog.db")
	s, _ := openFile(t, store.Options{Path: path, MaxAge: time.Hour, RetentionInterval: time.Millisecond, ErrorHandler: func(err error) {
		select {
		case errs <- err:
		default:
		}
	}})
	require.NoError(t, s.Export(t.Context(), []sdklog.Record{rec("op", time.Now(), log.SeverityInfo, "hello")}))
	breakStore(t, path)
	select {
	case err := <-errs:
		assert.ErrorContains(t, err, "retention")
	case <-t.Context().Done():
		t.Fatal("no error reported")
	}
}

// TestRetentionErrorsGoToStandardErrorByDefault: without an ErrorHandler,
// a failing pass is written to standard error while the store runs.
func TestRetentionErrorsGoToStandardErrorByDefault(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stderr := os.Stderr
	os.Stderr = w // before Open: the retention goroutine reads it after
	path := filepath.Join(t.TempDir(), "oplog.db")
	s, err := store.Open(t.Context(), store.Options{Path: path, MaxAge: time.Hour, RetentionInterval: time.Millisecond})
	require.NoError(t, err)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	breakStore(t, path)
	var line string
	select {
	case line = <-lines:
	case <-t.Context().Done():
	}
	require.NoError(t, s.Close())
	os.Stderr = stderr // after Close: the retention goroutine has ended
	w.Close()
	assert.Contains(t, line, "store: retention")
}
