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
