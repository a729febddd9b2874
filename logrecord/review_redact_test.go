package logrecord_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oplog-go/oplog/logrecord"
)

const rvCanary = "S3cr3tCanaryZq9"

// rvNoCanary fails when got holds the canary or its first half; the message
// shows where, not the whole (long) text.
func rvNoCanary(t *testing.T, got string, what string) {
	t.Helper()
	if i := strings.Index(got, rvCanary[:8]); i >= 0 {
		t.Errorf("%s: secret at %d of %d: …%s…", what, i, len(got), got[max(0, i-40):min(len(got), i+40)])
	}
}

var rvParams = []string{
	"accessToken", "access_token", "refresh-token", "refreshToken", "clientSecret", "client_secret",
	"key", "secret", "jwt", "session_token", "oauth_token", "private_token", "auth_token", "pwd",
	"passwd", "password", "assertion", "client_assertion", "SAMLResponse", "sig", "Signature",
	"X-Amz-Signature", "AWSAccessKeyId", "X-Goog-Signature", "api_key", "apiKey", "token",
	"X-Amz-Security-Token", "X-Amz-Credential", "id_token", "ACCESS_TOKEN", "Access-Token",
}

var rvHeaders = []string{
	"Authorization", "Proxy-Authorization", "X-Amz-Security-Token", "X-Goog-Api-Key", "Api-Key", "Private-Token",
	"X-Shopify-Access-Token", "X-Vault-Token", "X-Access-Token", "X-Forwarded-Authorization",
	"Authentication", "Authentication-Info", "Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token",
	"X-CSRF-Token", "X-Session-Id", "X-Hub-Signature-256", "Stripe-Signature", "X-Client-Secret",
}

// TestReviewRedactQueryKeysEverywhere: each sensitive query key of the
// issue, in every place a URL or a pair can be: URL, text, JSON in text,
// an escaped URL, quoted values, url.Values, nested URLs, requests and
// responses, errors nested in values.
func TestReviewRedactQueryKeysEverywhere(t *testing.T) {
	r := logrecord.DefaultRedactor()
	for _, k := range rvParams {
		t.Run(k, func(t *testing.T) {
			raw := "https://api.example.com/p?page=2&" + url.QueryEscape(k) + "=" + rvCanary + "&x=1"
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			rvNoCanary(t, r.URL(u), "URL")
			rvNoCanary(t, r.URLString(raw), "URLString")
			rvNoCanary(t, r.Text(`Get "`+raw+`": dial tcp: timeout`), "Text")
			rvNoCanary(t, r.Text(k+"="+rvCanary), "Text pair")
			rvNoCanary(t, r.Text(k+": "+rvCanary), "Text colon")
			rvNoCanary(t, r.Text(`{"`+k+`": "`+rvCanary+`"}`), "Text json")
			rvNoCanary(t, r.Text(`{"`+k+`":"`+rvCanary+`"}`), "Text json compact")
			rvNoCanary(t, r.Text(`body: {\"`+k+`\":\"`+rvCanary+`\"}`), "Text escaped json")
			rvNoCanary(t, r.Text(url.QueryEscape(raw)), "Text escaped url")
			rvNoCanary(t, r.Text(k+`="ab cd `+rvCanary+`"`), "quoted with space")
			rvNoCanary(t, r.Text(k+`='ab cd `+rvCanary+`'`), "single quoted with space")
			rvNoCanary(t, r.Text(k+`="a\"b `+rvCanary+`"`), "quoted with escaped quote")
			rvNoCanary(t, r.Value(url.Values{k: {rvCanary}}).String(), "url.Values")
			rvNoCanary(t, r.Value(u).String(), "*url.URL")
			rvNoCanary(t, r.Value(*u).String(), "url.URL")
			rvNoCanary(t, logrecord.Value(struct{ U *url.URL }{u}).String(), "nested URL")
			rvNoCanary(t, logrecord.Value(map[string]any{"e": fmt.Errorf("wrap: %w", errors.New(k+"="+rvCanary))}).String(), "nested error")
			rvNoCanary(t, logrecord.Value([]error{errors.New(raw)}).String(), "slice of errors")
			req, _ := http.NewRequest(http.MethodPost, raw, nil)
			rvNoCanary(t, logrecord.Value(struct{ R *http.Request }{req}).String(), "nested request")
			rvNoCanary(t, logrecord.Value([]any{&http.Response{StatusCode: 500, Request: req}}).String(), "nested response")
		})
	}
}

// TestReviewRedactHeadersEverywhere: each token-bearing header of the
// issue, in an http.Header at top level and nested, and in error text in
// every form Go and HTTP write it (%v, %+v and %#v of a header included).
func TestReviewRedactHeadersEverywhere(t *testing.T) {
	r := logrecord.DefaultRedactor()
	for _, h := range rvHeaders {
		t.Run(h, func(t *testing.T) {
			hd := http.Header{}
			hd.Set(h, rvCanary)
			assert.True(t, r.IsSensitiveHeader(h))
			rvNoCanary(t, fmt.Sprint(r.Header(hd)), "Header")
			rvNoCanary(t, r.HeaderValue(h, rvCanary), "HeaderValue")
			rvNoCanary(t, logrecord.Value(struct{ H http.Header }{hd}).String(), "nested header")
			rvNoCanary(t, logrecord.Value(map[string]http.Header{"h": hd}).String(), "header in map")
			req, _ := http.NewRequest(http.MethodGet, "https://h/", nil)
			req.Header = hd
			rvNoCanary(t, logrecord.Value([]*http.Request{req}).String(), "request in slice")
			rvNoCanary(t, logrecord.Value(http.Response{StatusCode: 200, Header: hd}).String(), "response value")
			rvNoCanary(t, r.Text(h+": "+rvCanary), "text colon")
			rvNoCanary(t, r.Text("request failed; "+h+"="+rvCanary+" more"), "text eq")
			rvNoCanary(t, r.Text(`{"headers":{"`+h+`":"`+rvCanary+`"}}`), "text json")
			rvNoCanary(t, r.Text(fmt.Sprintf("%v", hd)), "%v of header")
			rvNoCanary(t, r.Text(fmt.Sprintf("%+v", struct{ Header http.Header }{hd})), "%+v of struct")
			rvNoCanary(t, r.Text(fmt.Sprintf("%#v", hd)), "%#v of header")
			rvNoCanary(t, r.Text(fmt.Sprintf("%#v", struct{ Header http.Header }{hd})), "%#v of struct")
			rvNoCanary(t, logrecord.Value(fmt.Errorf("bad request %#v", req.Header)).String(), "%#v in error")
		})
	}
}

// TestReviewRedactAuthorizationSchemes: every Authorization form of the
// issue, in each way error text carries a header.
func TestReviewRedactAuthorizationSchemes(t *testing.T) {
	r := logrecord.DefaultRedactor()
	creds := map[string]string{
		"Basic":     "Basic " + rvCanary + "==",
		"Bearer":    "Bearer " + rvCanary,
		"bearer":    "bearer " + rvCanary,
		"Digest":    `Digest username="bob", realm="r", nonce="n", uri="/", response="` + rvCanary + `"`,
		"AWS4":      "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + rvCanary,
		"Token":     "Token token=" + rvCanary,
		"TokenBare": "Token " + rvCanary,
		"ApiKey":    "ApiKey " + rvCanary,
		"Negotiate": "Negotiate " + rvCanary,
		"NTLM":      "NTLM " + rvCanary,
		"OAuth":     `OAuth oauth_consumer_key="ck", oauth_signature="` + rvCanary + `"`,
		"Unknown":   "Custom " + rvCanary,
		"Raw":       rvCanary,
		"HOBA":      "HOBA result=" + rvCanary,
		"SharedKey": "SharedKey account:" + rvCanary,
	}
	for name, c := range creds {
		t.Run(name, func(t *testing.T) {
			esc := strings.ReplaceAll(c, `"`, `\"`)
			for _, form := range []string{
				"Authorization: " + c,
				"authorization: " + c,
				"Authorization=" + c,
				`"Authorization": "` + esc + `"`,
				`{"authorization":"` + esc + `"}`,
				"Proxy-Authorization: " + c,
				"headers: map[Authorization:[" + c + "]]",
				"error: Authorization: " + c + "\nnext line",
				fmt.Sprintf("%#v", http.Header{"Authorization": {c}}),
			} {
				rvNoCanary(t, r.Text(form), form)
			}
			hd := http.Header{"Authorization": {c}}
			rvNoCanary(t, logrecord.Value(struct{ H http.Header }{hd}).String(), "nested header")
		})
	}
}

// TestReviewRedactStraddlingCut: a secret at every offset around the
// string limit, and around the point past which a long string is not
// looked at, is never half exported, also when redaction before it
// shortens the text and brings that point into view.
func TestReviewRedactStraddlingCut(t *testing.T) {
	red := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{rvCanary}})
	n := logrecord.DefaultMaxStringLen
	for off := -len(rvCanary) - 12; off <= 4; off++ {
		pos := n + off
		s := strings.Repeat("a", pos-len(" token=")) + " token=" + rvCanary + " tail"
		for _, v := range []any{errors.New(s), struct{ E error }{errors.New(s)}, []error{errors.New(s)}} {
			rvNoCanary(t, logrecord.Value(v).String(), fmt.Sprintf("pair at %d (%T)", off, v))
		}
		s2 := strings.Repeat("a", pos) + rvCanary + " tail"
		for _, v := range []any{errors.New(s2), struct{ E error }{errors.New(s2)}, map[string]error{"e": errors.New(s2)}} {
			rvNoCanary(t, red.Value(v).String(), fmt.Sprintf("secret at %d (%T)", off, v))
		}
	}
	long := "Authorization: Bearer " + strings.Repeat("x", 20000) + "\n"
	for k := 0; k < 8192; k += 7 {
		s := long + strings.Repeat("a", n+k-len(long)) + rvCanary + " tail"
		rvNoCanary(t, red.Value(errors.New(s)).AsString(), fmt.Sprintf("shrunk, secret at %d", n+k))
		rvNoCanary(t, red.Value(struct{ E error }{errors.New(s)}).String(), fmt.Sprintf("shrunk nested, secret at %d", n+k))
		rvNoCanary(t, logrecord.Value(errors.New(strings.ReplaceAll(s, rvCanary, " token="+rvCanary))).AsString(), fmt.Sprintf("shrunk pair at %d", n+k))
	}
}

// TestReviewRedactOddURLs: URLs a hostile caller writes: opaque, relative,
// ';' separators, fragments, escaped and twice-escaped names and nested
// URLs, brackets, other schemes.
func TestReviewRedactOddURLs(t *testing.T) {
	r := logrecord.DefaultRedactor()
	c := rvCanary
	raws := []string{"mailto:x?token=" + c, "https:opaque?token=" + c, "https://h/p?a=1;token=" + c, "https://h/p#access_token=" + c + "&x=1",
		"https://u:p@ss" + c + "@h/", "https://[::1]:80/?token=" + c, "https://h/?%61ccess_token=" + c, "https://h/?access%5Ftoken=" + c,
		"https://h/?access_token%3D" + c, "https://h/?access_token[]=" + c, "https://h/?user[password]=" + c,
		"https://h/?Access-Token=" + c, "https://h/?x=1&&token=" + c, "https://h/?token=" + url.QueryEscape(c+"&more"),
		"HTTPS://H/?TOKEN=" + c, "https://h/?redirect=" + url.QueryEscape("https://x/?token="+c),
		"https://h/?redirect=" + url.QueryEscape(url.QueryEscape("https://x/?token="+c)),
		"//h/?token=" + c, "/relative?token=" + c, "?token=" + c, "https://h/?api-key=" + c, "https://h/?X-Amz-Credential=" + c,
		"https://h/?sessionid=" + c, "https://h/?client_id=abc&code=" + c, "wss://h/socket?auth=" + c, "ftp://user:" + c + "@h/",
		"postgres://u:" + c + "@db/x?sslpassword=" + c,
	}
	for _, raw := range raws {
		rvNoCanary(t, r.URLString(raw), "URLString "+raw)
		if u, err := url.Parse(raw); err == nil {
			rvNoCanary(t, r.URL(u), "URL "+raw)
			rvNoCanary(t, logrecord.Value(struct{ U *url.URL }{u}).String(), "nested URL "+raw)
		}
		rvNoCanary(t, r.Text("error: "+raw+" failed"), "Text "+raw)
		rvNoCanary(t, r.Text(`Get "`+raw+`": EOF`), "Text quoted "+raw)
	}
}
