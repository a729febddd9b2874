package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHandle(t *testing.T) {
	payload := `{"type":"contact.updated","connection_id":"conn-42"}`
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(payload))
	for sig, want := range map[string]int{hex.EncodeToString(mac.Sum(nil)): http.StatusAccepted, "forged": http.StatusUnauthorized} {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/acme", strings.NewReader(payload))
		req.Header.Set("X-Signature", sig)
		rec := httptest.NewRecorder()
		handle(rec, req)
		assert.Equal(t, want, rec.Code)
	}
}
