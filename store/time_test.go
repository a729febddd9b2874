package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/store"
)

// The range of Unix nanoseconds in an int64, where the store clamps.
var (
	minNanos = time.Date(1677, 9, 21, 0, 12, 43, 145224193, time.UTC)
	maxNanos = time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC)
)

// TestTimesOutsideNanosecondsAreClampedVisibly pins what the store does
// with times an int64 of nanoseconds cannot hold: they sort and show at
// the bound, marked, with the message's time as sent kept.
func TestTimesOutsideNanosecondsAreClampedVisibly(t *testing.T) {
	cases := []struct {
		name    string
		at      time.Time
		want    time.Time // the stored time
		clamped bool
	}{
		{"year 1", time.Date(1, 6, 1, 12, 0, 0, 0, time.UTC), minNanos, true},
		{"year 1600", time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), minNanos, true},
		{"year 1678", time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"year 2262", time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"year 3000", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), maxNanos, true},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), maxNanos, true},
		{"zone", time.Date(3000, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)), maxNanos, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openFile(t, store.Options{})
			ctx := t.Context()
			require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", tc.at, "acme"), rec("op", tc.at, log.SeverityInfo, "hello")}))
			m, err := s.Messages(ctx, store.MessageFilter{OperationID: "op"})
			require.NoError(t, err)
			require.Len(t, m.Messages, 2)
			for _, msg := range m.Messages {
				assert.True(t, tc.want.Equal(msg.Time), "stored %s, want %s", msg.Time, tc.want)
				if tc.clamped {
					assert.Equal(t, tc.at.UTC().Format(time.RFC3339Nano), msg.OriginalTime)
				} else {
					assert.Empty(t, msg.OriginalTime)
				}
			}
			o, err := s.Operation(ctx, "op")
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(o.Start), "start %s", o.Start)
			assert.Equal(t, tc.clamped, o.TimeClamped)

			// Periods select by the stored time: one that holds it finds
			// the operation, one after it does not.
			p, err := s.Operations(ctx, store.OperationFilter{Since: tc.want.Add(-time.Hour), Until: tc.want.Add(time.Hour)})
			require.NoError(t, err)
			assert.Equal(t, []string{"op"}, ids(p), "a period around the time")
			if !tc.want.Equal(maxNanos) {
				p, err = s.Operations(ctx, store.OperationFilter{Since: tc.want.Add(time.Nanosecond)})
				require.NoError(t, err)
				assert.Empty(t, ids(p), "a period after the time")
			}
		})
	}

	t.Run("spans", func(t *testing.T) {
		s, _ := openFile(t, store.Options{})
		ctx := t.Context()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(s))
		start, end := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
		_, sp := tp.Tracer("t").Start(ctx, "sync.run", trace.WithTimestamp(start),
			trace.WithAttributes(attribute.String(logrecord.KeyOperationID, "op")))
		sp.End(trace.WithTimestamp(end))
		require.NoError(t, tp.Shutdown(ctx))
		o, err := s.Operation(ctx, "op")
		require.NoError(t, err)
		assert.True(t, minNanos.Equal(o.Start), "start %s", o.Start)
		assert.True(t, maxNanos.Equal(o.End), "end %s", o.End)
		assert.True(t, o.TimeClamped)
	})

	t.Run("zero time", func(t *testing.T) {
		s, _ := openFile(t, store.Options{})
		ctx := t.Context()
		before := time.Now()
		require.NoError(t, s.Export(ctx, []sdklog.Record{rec("op", time.Time{}, log.SeverityInfo, "no time")}))
		m, err := s.Messages(ctx, store.MessageFilter{OperationID: "op"})
		require.NoError(t, err)
		require.Len(t, m.Messages, 1)
		assert.False(t, m.Messages[0].Time.Before(before), "the observed time stands in: %s", m.Messages[0].Time)
		assert.Empty(t, m.Messages[0].OriginalTime)
		p, err := s.Operations(ctx, store.OperationFilter{Since: time.Time{}, Until: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)})
		require.NoError(t, err)
		assert.Equal(t, []string{"op"}, ids(p), "an until past what nanoseconds hold")
	})
}

// TestOpenAddsNewColumns opens a file made before the columns that mark
// clamped times: they are added, and the file keeps working.
func TestOpenAddsNewColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ctx := t.Context()
	s, err := store.Open(ctx, store.Options{Path: path})
	require.NoError(t, err)
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("old", time.Now(), "acme")}))
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	for _, q := range []string{`ALTER TABLE operations DROP COLUMN time_clamped`, `ALTER TABLE messages DROP COLUMN time_original`} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s, _ = openFile(t, store.Options{Path: path})
	year3000 := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("new", year3000, "acme")}))
	p, err := s.Operations(ctx, store.OperationFilter{})
	require.NoError(t, err)
	assert.Equal(t, []string{"new", "old"}, ids(p))
	assert.True(t, p.Operations[0].TimeClamped)
}
