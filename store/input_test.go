package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/store"
)

// odd are texts with bytes a query does not expect: NUL and other
// controls, invalid UTF-8, separators and invisible characters.
var odd = []string{
	"\x00", "hello\x00", "a\x00b", "\x00hello", "hel\x00lo world",
	"\xff", "a\xffb", "\xc3", "hello\xed\xa0\x80", // a lone byte, a cut rune, an encoded surrogate
	"\x01\x02\x1f", "a\x7fb", "hello\tworld\r\n", "\u2028hello\u2029", "x\u200b", "\ufeffhello",
	"\u202ehello", "\U0010ffff", "\ue000", `"\x00"*`, "hello\x00\"* OR world",
}

// TestOddTextIsTextOrAnInputError passes odd text to every text input of
// the queries: each answers or refuses with an InputError, never anything
// else; search text with words in it is searched.
func TestOddTextIsTextOrAnInputError(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	now := time.Now()
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", now, "acme"), rec("op", now, log.SeverityInfo, "hello world")}))
	for _, text := range odd {
		checks := map[string]func() error{
			"search": func() error {
				p, err := s.Operations(ctx, store.OperationFilter{Search: text})
				if finds[text] {
					require.NoError(t, err, "%q", text)
					assert.Equal(t, []string{"op"}, ids(p), "%q finds hello", text)
				}
				return err
			},
			"message search": func() error {
				_, err := s.Messages(ctx, store.MessageFilter{OperationID: "op", Search: text})
				return err
			},
			"filters": func() error {
				_, err := s.Operations(ctx, store.OperationFilter{Integration: text, Connection: text, Kind: text, State: text})
				return err
			},
			"cursor": func() error { _, err := s.Operations(ctx, store.OperationFilter{Cursor: text}); return err },
			"messages cursor": func() error {
				_, err := s.Messages(ctx, store.MessageFilter{OperationID: "op", Cursor: text})
				return err
			},
			"operation":   func() error { _, err := s.Operation(ctx, text); return err },
			"messages of": func() error { _, err := s.Messages(ctx, store.MessageFilter{OperationID: text}); return err },
		}
		for name, check := range checks {
			assertInputError(t, check(), "%s %q", name, text)
		}
	}
}

// finds are the odd texts that find "hello world": their odd characters
// separate words.
var finds = map[string]bool{
	"hello\x00": true, "\x00hello": true, "hello\tworld\r\n": true, "\u2028hello\u2029": true,
	"\ufeffhello": true, "\u202ehello": true,
}

// assertInputError passes for nil, an InputError and ErrNotFound.
func assertInputError(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	var ie *store.InputError
	if err != nil && !errors.As(err, &ie) && !errors.Is(err, store.ErrNotFound) {
		assert.Fail(t, "not an input error: "+err.Error(), msgAndArgs...)
	}
}

// FuzzQueryInputs passes any values to the store's queries: the only
// errors are InputError and ErrNotFound. Longer: go test -fuzz
// FuzzQueryInputs -fuzztime 1m ./store/
func FuzzQueryInputs(f *testing.F) {
	for _, text := range odd {
		f.Add(text, text, text, "", 0, 0, int64(0), int64(0))
	}
	f.Add("hello", "acme", "sync:run", "running", 10, 9, int64(-1<<63), int64(1<<63-1))
	f.Add(`") OR 1=1 --`, "", "sync", "failed", 500, 24, int64(32503680000), int64(0))
	s, err := store.Open(f.Context(), store.Options{})
	require.NoError(f, err)
	f.Cleanup(func() { s.Close() })
	now := time.Now()
	require.NoError(f, s.Export(f.Context(), []sdklog.Record{start("op", now, "acme"), rec("op", now, log.SeverityInfo, "hello world")}))
	f.Fuzz(func(t *testing.T, search, filter, cursor, state string, limit, sev int, since, until int64) {
		ctx := t.Context()
		of := store.OperationFilter{Integration: filter, Connection: filter, Kind: filter, State: state,
			Search: search, Cursor: cursor, Limit: limit, Since: time.Unix(since, 0), Until: time.Unix(until, 0)}
		_, err := s.Operations(ctx, of)
		assertInputError(t, err, "operations %+v", of)
		mf := store.MessageFilter{OperationID: filter, MinSeverity: sev, Search: search, Cursor: cursor, Limit: limit}
		_, err = s.Messages(ctx, mf)
		assertInputError(t, err, "messages %+v", mf)
		_, err = s.Operation(ctx, filter)
		assertInputError(t, err, "operation %q", filter)
	})
}
