package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Options configure [Open].
type Options struct {
	// Path is the database file, created if missing. Empty means in
	// memory: gone when the store is closed.
	Path string
	// MaxAge drops operations that started, and messages logged, longer
	// ago than this. Zero keeps them.
	MaxAge time.Duration
	// MaxBytes bounds the data in the database (pages in use, indexes
	// included): past it, the oldest operations and messages go first,
	// about a tenth at a time. Zero means no bound.
	MaxBytes int64
	// RetentionInterval is how often MaxAge and MaxBytes are enforced.
	// Default: one minute. It only schedules the passes: a pass runs to
	// its end (or until Close) however long it takes, and the next one
	// starts an interval after it ends.
	RetentionInterval time.Duration
	// ErrorHandler receives the errors of background retention as they
	// happen, from the retention goroutine. Default: each is written to
	// standard error at once. A handler that panics is recovered: that
	// error and the panic are written to standard error.
	ErrorHandler func(error)
}

// Store keeps operations and messages; see the package documentation. It
// is safe for concurrent use: exports write through one connection while
// queries read through others.
type Store struct {
	opts Options
	w    *sql.DB // one connection: SQLite has one writer at a time
	r    *sql.DB // readers; the same as w in memory

	stop chan struct{}
	done chan struct{}

	mu     sync.Mutex
	closed bool
}

var (
	_ sdklog.Exporter       = (*Store)(nil)
	_ sdktrace.SpanExporter = (*Store)(nil)
)

// ErrClosed is returned by the methods of a closed store.
var ErrClosed = errors.New("store: closed")

// Open opens or creates the store described by opts. The caller closes it
// with [Store.Close], after the pipeline that exports to it has shut down.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.MaxAge < 0 || opts.MaxBytes < 0 || opts.RetentionInterval < 0 {
		return nil, errors.New("store: MaxAge, MaxBytes and RetentionInterval must not be negative")
	}
	if opts.RetentionInterval == 0 {
		opts.RetentionInterval = time.Minute
	}
	s := &Store{opts: opts, stop: make(chan struct{}), done: make(chan struct{})}
	var err error
	if opts.Path == "" {
		// Each connection to ":memory:" is its own database: one connection.
		s.w, err = sql.Open("sqlite", "file::memory:?_pragma=foreign_keys(0)")
		if err == nil {
			s.w.SetMaxOpenConns(1)
			s.r = s.w
		}
	} else {
		// auto_vacuum comes before journal_mode: turning WAL on writes the
		// header of a new file, after which auto_vacuum can no longer change.
		dsn := "file:" + (&url.URL{Path: opts.Path}).EscapedPath() +
			"?_pragma=busy_timeout(10000)&_pragma=auto_vacuum(INCREMENTAL)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
		// A write begins IMMEDIATE: it takes the file's write lock first,
		// waiting for another connection's (another Store, another
		// process) up to the busy timeout. A deferred transaction reads
		// first, and in WAL mode a read that another writer commits past
		// cannot become a write: SQLITE_BUSY at once, whatever the timeout.
		s.w, err = sql.Open("sqlite", dsn+"&_txlock=immediate")
		if err == nil {
			s.w.SetMaxOpenConns(1)
			s.r, err = sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
		}
		if err == nil {
			s.r.SetMaxOpenConns(4)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	go s.retain()
	return s, nil
}

// schema is created on first open. Times are Unix nanoseconds, clamped to
// the range of an int64 (see clampNanos; noTime is no time): a message clamped keeps its time
// as sent in time_original, an operation with a clamped time is marked. The text
// index is contentless: it holds the words of each message, under the
// message's seq, not the text.
var schema = []string{
	`PRAGMA auto_vacuum = INCREMENTAL`, // before any table: lets retention give pages back (a file gets it on connect, see Open)
	`CREATE TABLE IF NOT EXISTS operations (
		id TEXT PRIMARY KEY,
		type TEXT NOT NULL DEFAULT '', action TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
		start_ns INTEGER NOT NULL DEFAULT 0, end_ns INTEGER NOT NULL DEFAULT 0, duration_ms INTEGER NOT NULL DEFAULT 0,
		account TEXT NOT NULL DEFAULT '', environment TEXT NOT NULL DEFAULT '', integration TEXT NOT NULL DEFAULT '',
		provider TEXT NOT NULL DEFAULT '', connection TEXT NOT NULL DEFAULT '', sync TEXT NOT NULL DEFAULT '',
		function TEXT NOT NULL DEFAULT '', job TEXT NOT NULL DEFAULT '', end_user TEXT NOT NULL DEFAULT '',
		trace_id TEXT NOT NULL DEFAULT '', span_id TEXT NOT NULL DEFAULT '',
		error_type TEXT NOT NULL DEFAULT '', error_message TEXT NOT NULL DEFAULT '',
		messages INTEGER NOT NULL DEFAULT 0, time_clamped INTEGER NOT NULL DEFAULT 0,
		described INTEGER NOT NULL DEFAULT 0
	)`,
	`CREATE INDEX IF NOT EXISTS operations_start ON operations (start_ns, id)`,
	`CREATE INDEX IF NOT EXISTS operations_integration ON operations (integration, start_ns)`,
	`CREATE INDEX IF NOT EXISTS operations_connection ON operations (connection, start_ns)`,
	`CREATE INDEX IF NOT EXISTS operations_state ON operations (state, start_ns)`,
	`CREATE INDEX IF NOT EXISTS operations_kind ON operations (type, action, start_ns)`,
	// A kind of only a type ("sync") cannot use operations_kind in start
	// order: without this index it sorted every operation of the type.
	`CREATE INDEX IF NOT EXISTS operations_type ON operations (type, start_ns)`,
	`CREATE TABLE IF NOT EXISTS messages (
		seq INTEGER PRIMARY KEY,
		operation_id TEXT NOT NULL,
		time_ns INTEGER NOT NULL,
		severity INTEGER NOT NULL, severity_text TEXT NOT NULL,
		body TEXT NOT NULL, event_name TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL,
		trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
		attributes TEXT NOT NULL, http TEXT, time_original TEXT
	)`,
	`CREATE INDEX IF NOT EXISTS messages_operation ON messages (operation_id, time_ns, seq)`,
	`CREATE INDEX IF NOT EXISTS messages_time ON messages (time_ns)`,
	`CREATE VIRTUAL TABLE IF NOT EXISTS messages_text USING fts5 (text, content='', contentless_delete=1)`,
}

// added are the columns added to the schema since its first version, which
// files made before them get on open.
var added = []struct{ table, column, def string }{
	{"operations", "time_clamped", "INTEGER NOT NULL DEFAULT 0"},
	{"messages", "time_original", "TEXT"},
	{"operations", "described", "INTEGER NOT NULL DEFAULT 0"},
}

// migrate creates the schema and adds the columns a file lacks, in one
// write transaction: stores that open one file at the same time take
// turns, and each finds what the one before it did (checked, then added,
// outside a transaction, two stores both added a column: the second
// failed to open).
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, schema[0]); err != nil { // a pragma: outside the transaction
		return fmt.Errorf("store: create schema: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range schema[1:] {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("store: create schema: %w", err)
			}
		}
		// Version 1: no time is stored as noTime, not 0 (see noTime).
		var version int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
			return fmt.Errorf("store: update schema: %w", err)
		}
		if version < 1 {
			for _, q := range []string{
				`UPDATE operations SET start_ns = ` + noTimeSQL + ` WHERE start_ns = 0`,
				`UPDATE operations SET end_ns = ` + noTimeSQL + ` WHERE end_ns = 0`,
				`PRAGMA user_version = 1`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("store: update schema: %w", err)
				}
			}
		}
		for _, c := range added {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, c.table, c.column).Scan(&n)
			if err == nil && n == 0 {
				_, err = tx.ExecContext(ctx, `ALTER TABLE `+c.table+` ADD COLUMN `+c.column+` `+c.def)
			}
			if err != nil {
				return fmt.Errorf("store: update schema: %w", err)
			}
		}
		return nil
	})
}

func (s *Store) closeDBs() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Close stops retention, waiting for a pass under way to stop, and closes
// the database. Errors of background retention are not returned here: they
// went to Options.ErrorHandler when they happened. Calls after the first
// return nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	return s.closeDBs()
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Shutdown is part of the exporter interfaces. The store writes every batch
// before Export returns, so there is nothing to flush; it stays open for
// queries until [Store.Close].
func (s *Store) Shutdown(context.Context) error { return nil }

// ForceFlush is part of sdk/log's Exporter: writes are never buffered.
func (s *Store) ForceFlush(context.Context) error { return nil }

// retain enforces MaxAge and MaxBytes, a pass every RetentionInterval. A
// pass has no deadline of its own: a deadline tied to the interval failed
// every pass of a short interval on a busy machine. Close cancels it.
func (s *Store) retain() {
	defer close(s.done)
	if s.opts.MaxAge == 0 && s.opts.MaxBytes == 0 {
		<-s.stop
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	t := time.NewTimer(s.opts.RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		// A pass that Close interrupts failed for that alone: Close sets
		// closed before it cancels, so no such error is reported.
		if err := s.Retain(ctx); err != nil && !s.isClosed() {
			s.report(err)
		}
		t.Reset(s.opts.RetentionInterval)
	}
}

// report hands a background error to the ErrorHandler, by default standard
// error. A handler that panics does not end the program: the panic and
// the error go to standard error, and later errors to the handler again.
func (s *Store) report(err error) {
	if h := s.opts.ErrorHandler; h != nil {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(os.Stderr, "oplog: store ErrorHandler panicked (%v) on: %v\n", r, err)
			}
		}()
		h(err)
		return
	}
	fmt.Fprintln(os.Stderr, "oplog:", err)
}
