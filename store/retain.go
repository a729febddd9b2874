package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Retain enforces MaxAge and MaxBytes now; the store also does it every
// RetentionInterval. Operations go with their messages, oldest first.
func (s *Store) Retain(ctx context.Context) error {
	if s.isClosed() {
		return ErrClosed
	}
	if s.opts.MaxAge > 0 {
		if err := s.dropThrough(ctx, nanos(time.Now().Add(-s.opts.MaxAge))-1); err != nil {
			return err
		}
	}
	if s.opts.MaxBytes > 0 {
		for range 5 {
			size, err := s.Size(ctx)
			if err != nil || size <= s.opts.MaxBytes {
				return err
			}
			// Cut the share of the oldest messages that brings the data to
			// 90 % of the bound; operations go with theirs, so a round or
			// two usually does.
			share := 1 - 0.9*float64(s.opts.MaxBytes)/float64(size)
			// Any time is a time to cut at, the epoch and the clamped
			// bounds too: no row is NULL.
			var cut sql.NullInt64
			err = s.w.QueryRowContext(ctx, `SELECT time_ns FROM messages ORDER BY time_ns
				LIMIT 1 OFFSET (SELECT CAST(count(*) * ? AS INTEGER) FROM messages)`, share).Scan(&cut)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: retention: %w", err)
			}
			if !cut.Valid {
				return nil // nothing but operations without messages: nothing to cut by
			}
			if err := s.dropThrough(ctx, cut.Int64); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropThrough deletes the operations that started at or before ns, their
// messages, and any other message logged at or before ns, then gives the
// freed pages back to the file system. (An exclusive bound could not name
// the last time an int64 holds, where clamped times are.)
func (s *Store) dropThrough(ctx context.Context, ns int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM messages_text WHERE rowid IN (SELECT seq FROM messages WHERE time_ns <= ?1
				OR operation_id IN (SELECT id FROM operations WHERE start_ns <= ?1))`,
			`DELETE FROM messages WHERE time_ns <= ?1 OR operation_id IN (SELECT id FROM operations WHERE start_ns <= ?1)`,
			`DELETE FROM operations WHERE start_ns <= ?1`,
		} {
			if _, err := tx.ExecContext(ctx, q, ns); err != nil {
				return fmt.Errorf("store: retention: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
		return fmt.Errorf("store: retention: %w", err)
	}
	return nil
}

// Size returns the bytes of data in the database: its pages in use,
// indexes included, which is what MaxBytes bounds.
func (s *Store) Size(ctx context.Context) (int64, error) {
	var n int64
	err := s.w.QueryRowContext(ctx, `SELECT (p.page_count - f.freelist_count) * z.page_size
		FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() z`).Scan(&n)
	if err != nil {
		return 0, s.readErr(err)
	}
	return n, nil
}
