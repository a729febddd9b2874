package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const operationColumns = `id, type, action, state, start_ns, end_ns, duration_ms,
	account, environment, integration, provider, connection, sync, function, job, end_user,
	trace_id, span_id, error_type, error_message, messages, time_clamped`

func scanOperation(row interface{ Scan(...any) error }) (Operation, error) {
	var o Operation
	var start, end int64
	err := row.Scan(&o.ID, &o.Type, &o.Action, &o.State, &start, &end, &o.DurationMS,
		&o.Account, &o.Environment, &o.Integration, &o.Provider, &o.Connection, &o.Sync, &o.Function, &o.Job, &o.EndUser,
		&o.TraceID, &o.SpanID, &o.ErrorType, &o.ErrorText, &o.Messages, &o.TimeClamped)
	o.Start, o.End = unixNano(start), unixNano(end)
	return o, err
}

// Operations returns a page of the operations f selects, newest first. A
// page stays stable while new operations arrive: they start later, so
// they come before the first page, not inside the next one.
func (s *Store) Operations(ctx context.Context, f OperationFilter) (OperationPage, error) {
	if err := checkText("integration", f.Integration, "connection", f.Connection, "kind", f.Kind,
		"state", f.State, "q", f.Search, "cursor", f.Cursor); err != nil {
		return OperationPage{}, err
	}
	limit, err := pageSize(f.Limit, 50, 500)
	if err != nil {
		return OperationPage{}, err
	}
	where, args := []string{"1"}, []any{}
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.Integration != "" {
		add("integration = ?", f.Integration)
	}
	if f.Connection != "" {
		add("connection = ?", f.Connection)
	}
	if f.Kind != "" {
		typ, action, hasAction := strings.Cut(f.Kind, ":")
		if typ == "" || strings.Contains(action, ":") || (hasAction && action == "") {
			return OperationPage{}, &InputError{"kind", `want "type" or "type:action"`}
		}
		add("type = ?", typ)
		if hasAction {
			add("action = ?", action)
		}
	}
	if f.State != "" {
		if !slices.Contains(States, f.State) {
			return OperationPage{}, &InputError{"state", "want one of " + strings.Join(States, ", ")}
		}
		add("state = ?", f.State)
	}
	if !f.Since.IsZero() {
		add("start_ns >= ?", nanos(f.Since))
	}
	if !f.Until.IsZero() {
		if !f.Since.IsZero() && !f.Until.After(f.Since) {
			return OperationPage{}, &InputError{"until", "must be after since"}
		}
		if !f.Until.After(maxTime) { // past it, every time stored is before Until, clamped ones too
			add("start_ns < ?", nanos(f.Until))
		}
	}
	if f.Search != "" {
		q, err := matchQuery(f.Search)
		if err != nil {
			return OperationPage{}, err
		}
		common, err := s.common(ctx, q)
		if err != nil {
			return OperationPage{}, err
		}
		if common {
			// Walk the operations newest first and stop at a page: each
			// is checked through its own messages.
			// (The matches are listed once; a join with the text table
			// instead runs the whole match again for every operation.)
			add(`EXISTS (SELECT 1 FROM messages m WHERE m.operation_id = operations.id
				AND m.seq IN (SELECT rowid FROM messages_text WHERE messages_text MATCH ?))`, q)
		} else {
			// Few matches: find their operations, then sort those.
			add(`id IN (SELECT operation_id FROM messages WHERE seq IN (SELECT rowid FROM messages_text WHERE messages_text MATCH ?))`, q)
		}
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor, 'o')
		if err != nil {
			return OperationPage{}, err
		}
		add("(start_ns, id) < (?, ?)", c.ns, c.key)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+operationColumns+` FROM operations WHERE `+strings.Join(where, " AND ")+
		` ORDER BY start_ns DESC, id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return OperationPage{}, s.readErr(err)
	}
	defer rows.Close()
	page := OperationPage{Operations: []Operation{}}
	for rows.Next() {
		o, err := scanOperation(rows)
		if err != nil {
			return OperationPage{}, s.readErr(err)
		}
		page.Operations = append(page.Operations, o)
	}
	if err := rows.Err(); err != nil {
		return OperationPage{}, s.readErr(err)
	}
	if len(page.Operations) > limit {
		page.Operations = page.Operations[:limit]
		last := page.Operations[limit-1]
		page.Next = cursor{dir: 'o', ns: nanos(last.Start), key: last.ID}.String()
	}
	return page, nil
}

// commonMatches is where search switches strategy: text that matches more
// messages than this is looked for operation by operation, newest first,
// which stops at a page; rarer text finds its few operations directly.
const commonMatches = 2000

// common reports whether the text query q matches more than commonMatches
// messages; counting stops there.
func (s *Store) common(ctx context.Context, q string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM messages_text WHERE messages_text MATCH ? LIMIT ?)`,
		q, commonMatches+1).Scan(&n)
	if err != nil {
		return false, s.readErr(err)
	}
	return n > commonMatches, nil
}

// Operation returns one operation, or ErrNotFound.
func (s *Store) Operation(ctx context.Context, id string) (Operation, error) {
	if err := checkText("id", id); err != nil {
		return Operation{}, err
	}
	o, err := scanOperation(s.r.QueryRowContext(ctx, `SELECT `+operationColumns+` FROM operations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Operation{}, ErrNotFound
	}
	if err != nil {
		return Operation{}, s.readErr(err)
	}
	return o, nil
}

// Messages returns a page of one operation's messages, in the order they
// were logged.
func (s *Store) Messages(ctx context.Context, f MessageFilter) (MessagePage, error) {
	if f.OperationID == "" {
		return MessagePage{}, &InputError{"operation_id", "required"}
	}
	if err := checkText("operation_id", f.OperationID, "q", f.Search, "cursor", f.Cursor); err != nil {
		return MessagePage{}, err
	}
	limit, err := pageSize(f.Limit, 100, 1000)
	if err != nil {
		return MessagePage{}, err
	}
	if f.MinSeverity < 0 || f.MinSeverity > 24 {
		return MessagePage{}, &InputError{"min_severity", "want 1 to 24"}
	}
	where, args := []string{"operation_id = ?"}, []any{f.OperationID}
	if f.MinSeverity > 0 {
		where, args = append(where, "severity >= ?"), append(args, f.MinSeverity)
	}
	if f.Search != "" {
		q, err := matchQuery(f.Search)
		if err != nil {
			return MessagePage{}, err
		}
		where, args = append(where, "seq IN (SELECT rowid FROM messages_text WHERE messages_text MATCH ?)"), append(args, q)
	}
	back := false
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor, 'n', 'p')
		if err != nil {
			return MessagePage{}, err
		}
		seq, err := strconv.ParseInt(c.key, 10, 64)
		if err != nil {
			return MessagePage{}, &InputError{"cursor", "malformed"}
		}
		back = c.dir == 'p'
		cmp := ">"
		if back {
			cmp = "<"
		}
		where, args = append(where, "(time_ns, seq) "+cmp+" (?, ?)"), append(args, c.ns, seq)
	}
	order := "time_ns, seq"
	if back {
		order = "time_ns DESC, seq DESC"
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, operation_id, time_ns, severity, severity_text, body, event_name,
		type, source, trace_id, span_id, attributes, http, time_original FROM messages WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+order+` LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return MessagePage{}, s.readErr(err)
	}
	defer rows.Close()
	page := MessagePage{Messages: []Message{}}
	for rows.Next() {
		var m Message
		var ns int64
		var body, attrs string
		var h, original sql.NullString
		if err := rows.Scan(&m.Seq, &m.OperationID, &ns, &m.Severity, &m.SeverityText, &body, &m.EventName,
			&m.Type, &m.Source, &m.TraceID, &m.SpanID, &attrs, &h, &original); err != nil {
			return MessagePage{}, s.readErr(err)
		}
		m.Time, m.Body, m.Attributes = unixNano(ns), json.RawMessage(body), json.RawMessage(attrs)
		m.OriginalTime = original.String
		if h.Valid {
			m.HTTP = new(HTTP)
			if err := json.Unmarshal([]byte(h.String), m.HTTP); err != nil {
				return MessagePage{}, fmt.Errorf("store: message %d: %w", m.Seq, err)
			}
		}
		page.Messages = append(page.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return MessagePage{}, s.readErr(err)
	}
	more := len(page.Messages) > limit
	if more {
		page.Messages = page.Messages[:limit]
	}
	if back {
		slices.Reverse(page.Messages)
	}
	if n := len(page.Messages); n > 0 {
		first, last := page.Messages[0], page.Messages[n-1]
		if (back && more) || (!back && f.Cursor != "") {
			page.Prev = cursor{dir: 'p', ns: nanos(first.Time), key: strconv.FormatInt(first.Seq, 10)}.String()
		}
		if (!back && more) || back {
			page.Next = cursor{dir: 'n', ns: nanos(last.Time), key: strconv.FormatInt(last.Seq, 10)}.String()
		}
	}
	return page, nil
}

// Facets returns the distinct integrations, connections, kinds and states
// of the stored operations (at most 1000 of each), sorted.
func (s *Store) Facets(ctx context.Context) (Facets, error) {
	var f Facets
	for _, q := range []struct {
		dst *[]string
		sql string
	}{
		{&f.Integrations, `SELECT DISTINCT integration FROM operations WHERE integration != '' ORDER BY 1 LIMIT 1000`},
		{&f.Connections, `SELECT DISTINCT connection FROM operations WHERE connection != '' ORDER BY 1 LIMIT 1000`},
		{&f.Kinds, `SELECT DISTINCT type || ':' || action FROM operations WHERE type != '' ORDER BY 1 LIMIT 1000`},
		{&f.States, `SELECT DISTINCT state FROM operations WHERE state != '' ORDER BY 1 LIMIT 1000`},
	} {
		rows, err := s.r.QueryContext(ctx, q.sql)
		if err != nil {
			return Facets{}, s.readErr(err)
		}
		*q.dst = []string{}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return Facets{}, s.readErr(err)
			}
			*q.dst = append(*q.dst, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Facets{}, s.readErr(err)
		}
	}
	return f, nil
}

func (s *Store) readErr(err error) error {
	if s.isClosed() {
		return ErrClosed
	}
	return fmt.Errorf("store: %w", err)
}

func pageSize(n, def, max int) (int, error) {
	switch {
	case n == 0:
		return def, nil
	case n < 0 || n > max:
		return 0, &InputError{"limit", fmt.Sprintf("want 1 to %d", max)}
	}
	return n, nil
}

// checkText is where every text a query takes is checked, given as pairs
// of field name and value: text that is not valid UTF-8 is refused, as
// nothing stored is and no answer could quote it back. Any valid text is
// then matched as written (filters are bound parameters; search text goes
// through matchQuery).
func checkText(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !utf8.ValidString(pairs[i+1]) {
			return &InputError{pairs[i], "not valid UTF-8"}
		}
	}
	return nil
}

// matchQuery turns search text into an FTS5 query in which nothing is an
// operator: each word is a quoted phrase matched as a prefix, and all must
// match. Characters that are not graphic (controls, NUL, format and line
// separators) separate words, as they do in the index: FTS5 ends a quoted
// string at a NUL.
func matchQuery(text string) (string, error) {
	if len(text) > MaxSearchLen {
		return "", &InputError{"q", fmt.Sprintf("longer than %d bytes", MaxSearchLen)}
	}
	if err := checkText("q", text); err != nil {
		return "", err
	}
	var terms []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsGraphic(r) }) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue // only punctuation: the index holds no such word
		}
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	if len(terms) == 0 {
		return "", &InputError{"q", "has no letters or digits to search for"}
	}
	return strings.Join(terms, " AND "), nil
}

// cursor is a position in a listing: a time in Unix nanoseconds and a key
// that breaks ties (an operation id, a message seq). dir is 'o' for
// operations, 'n' and 'p' for the next and previous pages of messages.
type cursor struct {
	dir byte
	ns  int64
	key string
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(c.dir) + strconv.FormatInt(c.ns, 10) + ":" + c.key))
}

func decodeCursor(s string, dirs ...byte) (cursor, error) {
	bad := &InputError{"cursor", "malformed: pass the next or prev value of a previous page"}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 3 || !slices.Contains(dirs, b[0]) {
		return cursor{}, bad
	}
	ns, key, ok := strings.Cut(string(b[1:]), ":")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || key == "" {
		return cursor{}, bad
	}
	return cursor{dir: b[0], ns: n, key: key}, nil
}
