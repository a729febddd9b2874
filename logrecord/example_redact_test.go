package logrecord_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oplog-go/oplog/logrecord"
)

func ExampleRedactor_URL() {
	u, _ := url.Parse("https://deploy:hunter2@api.example.com/v1/items?page=2&access_token=abc123&sort=name#top")

	fmt.Println(logrecord.DefaultRedactor().URL(u))
	fmt.Println(u.Redacted()) // u itself is untouched
	// Output:
	// https://REDACTED:REDACTED@api.example.com/v1/items?page=2&access_token=REDACTED&sort=name#top
	// https://deploy:xxxxx@api.example.com/v1/items?page=2&access_token=abc123&sort=name#top
}

func ExampleRedactor_Header() {
	h := http.Header{}
	h.Set("Authorization", "Bearer abc123")
	h.Set("Content-Type", "application/json")
	h.Add("Set-Cookie", "session=abc; Path=/; HttpOnly")
	h.Add("Set-Cookie", "theme=dark")
	h.Set("Location", "/callback?code=xyz&state=42")

	red := logrecord.DefaultRedactor().Header(h)
	for _, name := range slices.Sorted(maps.Keys(red)) {
		fmt.Printf("%s: %s\n", name, strings.Join(red[name], " | "))
	}
	// Output:
	// Authorization: REDACTED
	// Content-Type: application/json
	// Location: /callback?code=REDACTED&state=42
	// Set-Cookie: REDACTED | REDACTED
}

func ExampleRedactor_Text() {
	// What net/http returns when a request fails: the URL is quoted whole.
	err := &url.Error{
		Op:  "Get",
		URL: "https://bot:hunter2@api.example.com/v1/me?token=abc123&verbose=1",
		Err: errors.New("dial tcp 10.0.0.7:443: connect: connection refused"),
	}

	fmt.Println(logrecord.DefaultRedactor().Text(err.Error()))
	fmt.Println(logrecord.DefaultRedactor().Text("pq: connect host=db user=app password=hunter2 sslmode=require"))
	// Output:
	// Get "https://REDACTED:REDACTED@api.example.com/v1/me?token=REDACTED&verbose=1": dial tcp 10.0.0.7:443: connect: connection refused
	// pq: connect host=db user=app password=REDACTED sslmode=require
}

func ExampleNewRedactor() {
	const apiKey = "sk_live_4eC39HqLyjWD"
	r := logrecord.NewRedactor(logrecord.RedactConfig{
		Headers: []string{"PRIVATE-TOKEN"},
		Params:  []string{"private_token"},
		Secrets: []string{apiKey},
	})

	fmt.Println(r.HeaderValue("Private-Token", "glpat-123"))
	fmt.Println(r.URLString("https://gitlab.example.com/api/v4/projects?private_token=glpat-123&page=1"))
	fmt.Println(r.String("upstream rejected key " + apiKey))
	fmt.Println(r.String("Basic " + base64.StdEncoding.EncodeToString([]byte(apiKey))))
	// Output:
	// REDACTED
	// https://gitlab.example.com/api/v4/projects?private_token=REDACTED&page=1
	// upstream rejected key REDACTED
	// Basic REDACTED
}

func ExampleRedactor_Value() {
	const apiKey = "sk_live_4eC39HqLyjWD"
	r := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{apiKey}})
	u, _ := url.Parse("https://api.example.com/v1/charges?client_secret=cs_123&limit=10")
	v := map[string]any{
		"endpoint": u,
		"header":   http.Header{"X-Shopify-Access-Token": {"shpat_1"}, "Accept": {"*/*"}},
		"errors":   []error{errors.New("charge failed with key " + apiKey)},
	}
	fmt.Println(r.Value(v).String())
	// Output:
	// {"endpoint":"https://api.example.com/v1/charges?client_secret=REDACTED&limit=10","errors":["charge failed with key REDACTED"],"header":{"Accept":["*/*"],"X-Shopify-Access-Token":["REDACTED"]}}
}

func ExampleRedactor_Exception() {
	r := logrecord.NewRedactor(logrecord.RedactConfig{})
	err := errors.New(`token refresh: POST /oauth/token: {"error":"invalid_grant","refresh_token":"rt_9f8e"}`)
	for _, kv := range r.Exception(err) {
		fmt.Println(kv.Key, "=", kv.Value.AsString())
	}
	// Output:
	// exception.type = *errors.errorString
	// exception.message = token refresh: POST /oauth/token: {"error":"invalid_grant","refresh_token":"REDACTED"}
}
