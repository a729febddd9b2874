// Command webhook handles incoming webhooks in an http.Handler: each request
// starts an operation from the request's context, so a client that hangs up
// ends it as cancelled. It posts two webhooks to itself, one with a bad
// signature, and prints the records on stdout.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
)

var secret = []byte("whsec-demo")

func handle(w http.ResponseWriter, r *http.Request) {
	_, op := operation.Start(r.Context(), operation.WebhookIncoming, operation.Refs{Integration: "acme-crm", Provider: "acme"})
	var err error
	defer func() { op.End(err) }()

	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Signature"))) {
		err = errors.New("webhook signature mismatch")
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var event struct {
		Type         string `json:"type"`
		ConnectionID string `json:"connection_id"`
	}
	if err = json.Unmarshal(body, &event); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	op.Enrich(operation.Refs{Connection: event.ConnectionID}) // known only now
	op.Info("webhook accepted", attribute.String("event.type", event.Type), attribute.Int("bytes", len(body)))
	w.WriteHeader(http.StatusAccepted)
}

func main() {
	ctx := context.Background()
	p, err := export.Setup(ctx, export.WithServiceName("webhooks"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
	srv := httptest.NewServer(http.HandlerFunc(handle))
	fmt.Fprintln(os.Stderr, "webhook: listening at", srv.URL)

	payload := []byte(`{"type":"contact.updated","connection_id":"conn-42"}`)
	mac := hmac.New(sha256.New, secret)
	mac.Write(payload)
	for _, sig := range []string{hex.EncodeToString(mac.Sum(nil)), "forged"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/acme", bytes.NewReader(payload))
		req.Header.Set("X-Signature", sig)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			fmt.Fprintln(os.Stderr, "webhook: answered", resp.Status)
			_ = resp.Body.Close()
		}
	}
	srv.Close()

	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
	}
}
