package store_test

import (
	"fmt"
	"strings"
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

func year(y int) time.Time { return time.Date(y, 6, 1, 12, 0, 0, 0, time.UTC) }

// TestReviewObservedTimeOutsideNanoseconds: a record without a timestamp
// whose observed time is outside what the store holds is clamped and
// marked like a timestamp.
func TestReviewObservedTimeOutsideNanoseconds(t *testing.T) {
	for _, at := range []time.Time{year(1), year(1600), year(1677).AddDate(0, -9, 0), year(2263), year(3000), year(9999)} {
		t.Run(at.Format("2006"), func(t *testing.T) {
			s, _ := openFile(t, store.Options{})
			ctx := t.Context()
			var r log.Record
			r.SetObservedTimestamp(at)
			r.SetBody(attribute.StringValue("observed only"))
			r.AddAttributes(attribute.String(logrecord.KeyOperationID, "op"))
			require.NoError(t, s.Export(ctx, []sdklog.Record{sdkRecord(r)}))
			m, err := s.Messages(ctx, store.MessageFilter{OperationID: "op"})
			require.NoError(t, err)
			require.Len(t, m.Messages, 1)
			assert.Equal(t, at.Format(time.RFC3339Nano), m.Messages[0].OriginalTime)
			o, err := s.Operation(ctx, "op")
			require.NoError(t, err)
			assert.True(t, o.TimeClamped)
		})
	}
}

// TestReviewPeriodsAroundClampedTimes: operations at times outside what
// the store holds are found by periods around their stored (clamped)
// time, with since and until at every odd year, never an error.
func TestReviewPeriodsAroundClampedTimes(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	years := []int{1, 1600, 1677, 1678, 1970, 2262, 2263, 3000, 9999}
	var recs []sdklog.Record
	for _, y := range years {
		recs = append(recs, start(fmt.Sprint("op-", y), year(y), "acme"))
	}
	require.NoError(t, s.Export(ctx, recs))
	bounds := append([]time.Time{{}}, minNanos, maxNanos)
	for _, y := range years {
		bounds = append(bounds, year(y), time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	all, err := s.Operations(ctx, store.OperationFilter{})
	require.NoError(t, err)
	require.Len(t, all.Operations, len(years))
	for _, since := range bounds {
		for _, until := range bounds {
			f := store.OperationFilter{Since: since, Until: until}
			p, err := s.Operations(ctx, f)
			if !since.IsZero() && !until.IsZero() && !until.After(since) {
				assertInputError(t, err)
				continue
			}
			require.NoError(t, err, "%s %s", since, until)
			// What a period selects is what it holds of the stored times.
			var want []string
			for _, o := range all.Operations {
				if (since.IsZero() || !o.Start.Before(clampTime(since))) && (until.IsZero() || until.After(maxNanos) || o.Start.Before(clampTime(until))) {
					want = append(want, o.ID)
				}
			}
			assert.Equal(t, want, append([]string(nil), ids(p)...), "since %s until %s", since, until)
		}
	}
}

func clampTime(t time.Time) time.Time {
	switch {
	case t.Before(minNanos):
		return minNanos
	case t.After(maxNanos):
		return maxNanos
	}
	return t
}

// TestReviewSpanTimesOutsideNanoseconds: a span starting in year 1 and
// ending in 9999 is stored clamped and marked, and its records' times too.
func TestReviewSpanTimesOutsideNanoseconds(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(s))
	_, sp := tp.Tracer("t").Start(ctx, "sync.run", trace.WithTimestamp(year(1)),
		trace.WithAttributes(attribute.String(logrecord.KeyOperationID, "op")))
	sp.End(trace.WithTimestamp(year(9999)))
	require.NoError(t, tp.Shutdown(ctx))
	o, err := s.Operation(ctx, "op")
	require.NoError(t, err)
	assert.True(t, minNanos.Equal(o.Start))
	assert.True(t, maxNanos.Equal(o.End))
	assert.True(t, o.TimeClamped)
}

// TestReviewRetentionBySizeAtTheEdgesOfTime: size retention cuts messages
// whatever their time, at the epoch and at the clamped bounds.
func TestReviewRetentionBySizeAtTheEdgesOfTime(t *testing.T) {
	for _, at := range []time.Time{time.Unix(0, 0), year(1), year(3000)} {
		t.Run(at.Format("2006"), func(t *testing.T) {
			s, _ := openFile(t, store.Options{MaxBytes: 256 << 10, RetentionInterval: time.Hour})
			ctx := t.Context()
			body := strings.Repeat("x", 1000)
			for batch := range 8 {
				var recs []sdklog.Record
				for i := range 100 {
					recs = append(recs, rec(fmt.Sprintf("op-%d", batch), at, log.SeverityInfo, fmt.Sprint(i, body)))
				}
				require.NoError(t, s.Export(ctx, recs))
			}
			require.NoError(t, s.Retain(ctx))
			size, err := s.Size(ctx)
			require.NoError(t, err)
			assert.LessOrEqual(t, size, int64(256<<10))
		})
	}
}
