package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/store"
)

// hostileSearches are search texts a hostile user would try, each with
// whether it must find the message "hello world": every control
// character around a word, separators, invalid UTF-8, FTS5 syntax,
// letters SQLite's tokenizer may not know, and text that is too long.
// Every word must match, operators included ("NOT" is a word).
func hostileSearches() map[string]bool {
	m := map[string]bool{
		strings.Repeat("a", 10<<10): false, "!!!": false, "...,;:": false, `"`: false, `""`: false, "*": false,
		"-": false, "^": false, "(": false, ")": false, "NEAR(hello world)": false, "hello OR nope": false,
		"hello NOT world": false, "hel*": true, "^hello": true, "hello:": true, "text:hello": false, "{text}: hello": false,
		"\u2028": false, "hello\u2028world": true, "\xff\xfe": false, "hello \xff": false,
		"\U0001E900": false, "\U0001E900 hello": false, "\u0301": false, "e\u0301": false, "\U0001F600": false,
		"ʰ": false, "ⅷ": false, "²": false, "٣": false, "\u3000hello": true, "hello\u00a0world": true,
		"0": false, "-1": false, "hello" + strings.Repeat(" world", 40): true,
	}
	for c := range 0x20 {
		m[string(rune(c))] = false
		m["hello"+string(rune(c))+"world"] = true
	}
	m["\x7f"] = false
	m["hello\x7fworld"] = true
	return m
}

// TestReviewHostileSearch: every search text answers, or is refused with
// an InputError; never another error. Texts around "hello" find it.
func TestReviewHostileSearch(t *testing.T) {
	s, _ := openFile(t, store.Options{})
	ctx := t.Context()
	now := time.Now()
	require.NoError(t, s.Export(ctx, []sdklog.Record{start("op", now, "acme"), rec("op", now, log.SeverityInfo, "hello world")}))
	for text, find := range hostileSearches() {
		p, err := s.Operations(ctx, store.OperationFilter{Search: text})
		assertInputError(t, err, "operations %q", text)
		m, merr := s.Messages(ctx, store.MessageFilter{OperationID: "op", Search: text})
		assertInputError(t, merr, "messages %q", text)
		if find {
			if assert.NoError(t, err, "%q", text) {
				assert.Equal(t, []string{"op"}, ids(p), "%q", text)
			}
			if assert.NoError(t, merr, "%q", text) {
				assert.Len(t, m.Messages, 1, "%q", text)
			}
		}
	}
}
