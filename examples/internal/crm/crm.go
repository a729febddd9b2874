// Package crm is the scenario the examples run: a sync and an action of an
// integration with a fake CRM API served in-process. The sync pages through
// contacts (one page answers 429 and is retried), warns about an invalid
// contact and reports its result; the action fails with a wrapped error.
package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/operation"
)

type contact struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

type page struct {
	Contacts []contact `json:"contacts"`
	Next     string    `json:"next,omitempty"`
}

// SyncContacts is a sync function: it pages through the contacts of the
// CRM at base.
func SyncContacts(ctx context.Context, client *http.Client, base string, refs operation.Refs) {
	ctx, op := operation.Start(ctx, operation.SyncRun, refs)
	var err error
	defer func() { op.End(err) }()

	var added, invalid []string
	cursor := ""
	for pageNo := 1; ; pageNo++ {
		var p page
		p, err = fetchPage(ctx, client, base+"/contacts?limit=2&api_key=demo-secret&cursor="+cursor)
		if err != nil {
			return
		}
		op.Info("fetched contacts page", attribute.Int("page", pageNo), attribute.Int("contacts", len(p.Contacts)))
		for _, c := range p.Contacts {
			if c.Email == "" {
				invalid = append(invalid, c.ID)
				op.Warn("contact has no email; skipped", attribute.String("contact.id", c.ID))
				continue
			}
			added = append(added, c.ID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	op.SyncResult(operation.SyncResult{Model: "Contact", Added: len(added), Unchanged: len(invalid), AddedKeys: added})
}

// fetchPage gets one page, retrying a 429 once after the wait it asks for.
func fetchPage(ctx context.Context, client *http.Client, url string) (page, error) {
	const maxRetries = 2
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(operation.WithRetry(ctx, operation.Retry{Attempt: attempt, Max: maxRetries, Waited: waited}), http.MethodGet, url, nil)
		if err != nil {
			return page{}, err
		}
		req.Header.Set("Authorization", "Bearer demo-token")
		resp, err := client.Do(req)
		if err != nil {
			return page{}, err
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < maxRetries {
			_ = resp.Body.Close()
			secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			waited = time.Duration(secs)*time.Second/10 + 50*time.Millisecond // the demo waits a tenth
			time.Sleep(waited)
			continue
		}
		defer func() { _ = resp.Body.Close() }()
		if resp.StatusCode != http.StatusOK {
			return page{}, fmt.Errorf("contacts: status %d", resp.StatusCode)
		}
		var p page
		return p, json.NewDecoder(resp.Body).Decode(&p)
	}
}

var errDealRejected = errors.New("deal rejected: amount over the account's limit")

// CreateDeal is an action function; the fake CRM refuses every deal.
func CreateDeal(ctx context.Context, client *http.Client, base string, refs operation.Refs) {
	ctx, op := operation.Start(ctx, operation.ActionRun, operation.Refs{Account: refs.Account, Integration: refs.Integration, Connection: refs.Connection, Function: "create-deal"})
	var err error
	defer func() { op.End(err) }()

	op.Info("creating deal", attribute.Int("amount", 250000), attribute.String("currency", "EUR"))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/deals", nil)
	resp, err := client.Do(req)
	if err != nil {
		return
	}
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusUnprocessableEntity {
		err = fmt.Errorf("create deal for %s: %w", refs.Connection, errDealRejected)
	}
}

// Fake serves three pages of contacts (the second answers 429 once) and
// refuses deals.
func Fake() *httptest.Server {
	pages := map[string]page{
		"":   {Contacts: []contact{{"c-1", "ada@example.com"}, {"c-2", "grace@example.com"}}, Next: "p2"},
		"p2": {Contacts: []contact{{"c-3", ""}, {"c-4", "alan@example.com"}}, Next: "p3"},
		"p3": {Contacts: []contact{{"c-5", "barbara@example.com"}}},
	}
	throttled := false
	mux := http.NewServeMux()
	mux.HandleFunc("GET /contacts", func(w http.ResponseWriter, r *http.Request) {
		cursor := r.URL.Query().Get("cursor")
		if cursor == "p2" && !throttled {
			throttled = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(pages[cursor])
	})
	mux.HandleFunc("POST /deals", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"limit exceeded"}`, http.StatusUnprocessableEntity)
	})
	return httptest.NewServer(mux)
}
