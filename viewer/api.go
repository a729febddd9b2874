package viewer

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oplog-go/oplog/severity"
	"github.com/oplog-go/oplog/store"
)

// The query parameters each endpoint accepts; any other is a 400.
var (
	operationsParams = []string{"integration", "connection", "kind", "state", "since", "until", "q", "cursor", "limit"}
	messagesParams   = []string{"min_severity", "q", "cursor", "limit"}
)

func (h *handler) operations(w http.ResponseWriter, r *http.Request) {
	p, ok := parseParams(w, r, operationsParams)
	if !ok {
		return
	}
	f := store.OperationFilter{
		Integration: p.get("integration"),
		Connection:  p.get("connection"),
		Kind:        p.get("kind"),
		State:       p.state(),
		Since:       p.time("since"),
		Until:       p.time("until"),
		Search:      p.search(),
		Cursor:      p.get("cursor"),
		Limit:       p.limit(),
	}
	since, until := p.get("since") != "", p.get("until") != ""
	if since && until && !f.Since.Before(f.Until) {
		p.fail("until", "must be after since")
	}
	if until && f.Until.IsZero() {
		// A zero Until does not filter, but until=0001-01-01T00:00:00Z
		// was given, and nothing starts before it: a nanosecond later
		// selects the same (no time stored is before 1677).
		f.Until = f.Until.Add(time.Nanosecond)
	}
	if p.err != nil {
		writeError(w, http.StatusBadRequest, p.err.Error())
		return
	}
	page, err := h.src.Operations(r.Context(), f)
	if err != nil {
		h.sourceError(w, r, err)
		return
	}
	if page.Operations == nil {
		page.Operations = []store.Operation{}
	}
	h.reply(w, r, page)
}

func (h *handler) operation(w http.ResponseWriter, r *http.Request) {
	if _, ok := parseParams(w, r, nil); !ok {
		return
	}
	op, err := h.src.Operation(r.Context(), r.PathValue("id"))
	if err != nil {
		h.sourceError(w, r, err)
		return
	}
	h.reply(w, r, op)
}

func (h *handler) messages(w http.ResponseWriter, r *http.Request) {
	p, ok := parseParams(w, r, messagesParams)
	if !ok {
		return
	}
	f := store.MessageFilter{
		OperationID: r.PathValue("id"),
		MinSeverity: p.severity("min_severity"),
		Search:      p.search(),
		Cursor:      p.get("cursor"),
		Limit:       p.limit(),
	}
	if p.err != nil {
		writeError(w, http.StatusBadRequest, p.err.Error())
		return
	}
	page, err := h.src.Messages(r.Context(), f)
	if err != nil {
		h.sourceError(w, r, err)
		return
	}
	if page.Messages == nil {
		page.Messages = []store.Message{}
	}
	h.reply(w, r, page)
}

func (h *handler) facets(w http.ResponseWriter, r *http.Request) {
	if _, ok := parseParams(w, r, nil); !ok {
		return
	}
	fc, err := h.src.Facets(r.Context())
	if err != nil {
		h.sourceError(w, r, err)
		return
	}
	for _, l := range []*[]string{&fc.Integrations, &fc.Connections, &fc.Kinds, &fc.States} {
		if *l == nil {
			*l = []string{}
		}
	}
	h.reply(w, r, fc)
}

// params reads the query parameters of one request. The first bad value
// sets err and the later reads return zero values, so a handler reads all
// it needs and checks err once.
type params struct {
	vals url.Values
	err  error
}

// parseParams parses the query string and refuses, with a 400, a malformed
// one, a parameter not in allowed and a parameter given twice.
func parseParams(w http.ResponseWriter, r *http.Request, allowed []string) (*params, bool) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "malformed query string")
		return nil, false
	}
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		if !slices.Contains(allowed, name) {
			takes := "none"
			if len(allowed) > 0 {
				takes = strings.Join(allowed, ", ")
			}
			writeError(w, http.StatusBadRequest, "unknown parameter "+quote(name)+"; this endpoint takes "+takes)
			return nil, false
		}
		if n := len(vals[name]); n > 1 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("parameter %s given %d times", name, n))
			return nil, false
		}
	}
	return &params{vals: vals}, true
}

// paramError is a bad parameter value, answered with a 400.
type paramError struct{ name, reason string }

func (e *paramError) Error() string { return "bad " + e.name + ": " + e.reason }

func (p *params) fail(name, reason string) {
	if p.err == nil {
		p.err = &paramError{name, reason}
	}
}

// get returns the value of a parameter; an empty value is the same as none.
func (p *params) get(name string) string {
	if p.err != nil {
		return ""
	}
	return p.vals.Get(name)
}

func (p *params) time(name string) time.Time {
	s := p.get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.fail(name, "want an RFC 3339 time such as 2006-01-02T15:04:05Z, got "+quote(s))
	}
	return t
}

func (p *params) limit() int {
	s := p.get("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		p.fail("limit", "want a positive integer, got "+quote(s))
		return 0
	}
	return n
}

func (p *params) search() string {
	s := p.get("q")
	if len(s) > store.MaxSearchLen {
		p.fail("q", fmt.Sprintf("longer than %d bytes", store.MaxSearchLen))
		return ""
	}
	return s
}

func (p *params) state() string {
	s := p.get("state")
	if s != "" && !slices.Contains(store.States, s) {
		p.fail("state", "want one of "+strings.Join(store.States, ", ")+", got "+quote(s))
		return ""
	}
	return s
}

// severity reads a severity number or name. It accepts what severity.Parse
// does, which includes the category names the page offers.
func (p *params) severity(name string) int {
	s := p.get(name)
	if s == "" {
		return 0
	}
	sev, err := severity.Parse(s)
	if err != nil {
		p.fail(name, "want 1-24 or a name (trace, debug, info, warn, error, fatal), got "+quote(s))
		return 0
	}
	return int(sev)
}

// quote quotes user input for an error message, cut to a readable length.
func quote(s string) string {
	const maxRunes = 40
	if r := []rune(s); len(r) > maxRunes {
		s = string(r[:maxRunes]) + "…"
	}
	return strconv.Quote(s)
}

// sourceError answers an error of the Source: its input errors and unknown
// operations are the client's; anything else is logged and hidden.
func (h *handler) sourceError(w http.ResponseWriter, r *http.Request, err error) {
	var ie *store.InputError
	switch {
	case errors.As(err, &ie):
		writeError(w, http.StatusBadRequest, (&paramError{ie.Field, ie.Reason}).Error())
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "operation not found")
	default:
		h.internalError(w, r, err)
	}
}

// internalError logs err and answers 500 without its text, which may name
// files, tables or queries. A request whose client has gone is not logged.
func (h *handler) internalError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() == nil {
		logger := h.logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.ErrorContext(r.Context(), "viewer: request failed", "path", r.URL.Path, "error", err)
	}
	writeError(w, http.StatusInternalServerError, "internal error")
}

// reply writes v as JSON with status 200.
func (h *handler) reply(w http.ResponseWriter, r *http.Request, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// A body or attributes the Source gave as invalid JSON.
		h.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg}) // a struct of one string always marshals
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
