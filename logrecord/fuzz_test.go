package logrecord_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

// The fuzz canaries are made of 'Z' only, and the generators turn every 'Z'
// of the fuzzed text (and every escape that decodes to one) into something
// else: any run of four 'Z's in an output is a leaked piece of a canary.
const (
	fuzzCanary = "ZZZZZZZZZZZZ" // planted where the rules must find it
	fuzzSecret = "ZZZZZZZZ"     // registered with the fuzzed Redactor
	fuzzLeak   = "ZZZZ"
)

// fuzzClean makes fuzzed text unable to spell a canary, keeping its bytes
// hostile otherwise (invalid UTF-8, control characters, quotes, escapes).
func fuzzClean(s string) string {
	s = strings.ReplaceAll(s, "Z", "z")
	s = strings.ReplaceAll(s, "5A", "5B")
	return strings.ReplaceAll(s, "5a", "5b")
}

// fuzzForms are the ways a credential sits in text, each with the canary in
// its sensitive place.
var fuzzForms = []func(c string) string{
	func(c string) string { return "token=" + c },
	func(c string) string { return "accessToken=" + c },
	func(c string) string { return "client_secret=" + c + "&page=1" },
	func(c string) string { return "Authorization: Bearer " + c },
	func(c string) string { return "Authorization: Basic " + c },
	func(c string) string { return `Authorization: Digest username="u", response="` + c + `"` },
	func(c string) string { return "Authorization: AWS4-HMAC-SHA256 Credential=" + c + "/x, Signature=" + c },
	func(c string) string { return "Authorization: Negotiate " + c },
	func(c string) string { return "Proxy-Authorization: Token " + c },
	func(c string) string { return "Cookie: a=1; session=" + c },
	func(c string) string { return "password: " + c },
	func(c string) string { return "X-Vault-Token: " + c },
	func(c string) string { return `{"password": "` + c + `"}` },
	func(c string) string { return `{"api_key":"` + c + `"}` },
	func(c string) string { return `password="a b\"` + c + ` d"` },
	func(c string) string { return `secret='` + c + ` x'` },
	func(c string) string { return "https://u:" + c + "@h.example/p" },
	func(c string) string { return "https://h.example/p?X-Amz-Signature=" + c + "&x=1" },
	func(c string) string { return "https%3A%2F%2Fh%2Fp%3Ftoken%3D" + c },
	func(c string) string { return "/cb?redirect_uri=https%3A%2F%2Fh%2Fcb%3Fcode%3D" + c },
	func(c string) string { return "Bearer " + c },
	func(c string) string { return "dsn host=db password=" + c + " sslmode=off" },
	func(c string) string { return "map[Authorization:[Bearer " + c + "]]" },
	func(c string) string { return strconv.Quote("jwt=" + c) },
	func(c string) string { return strconv.Quote(`{"refresh_token": "` + c + `"}`) },
	func(c string) string { return "<s:Body><s:Password>" + c + "</s:Password>" },
}

// fuzzText places form f's credential between two fuzzed texts.
func fuzzText(prefix string, f int, suffix string) string {
	return fuzzClean(prefix) + " " + fuzzForms[f%len(fuzzForms)](fuzzCanary) + " " + fuzzClean(suffix)
}

func FuzzRedactorText(f *testing.F) {
	seeds := []string{"", "Get \"https://h.example/p?x=1", "err=", `{"a":`, "\xff\x00\x1b[31m", "\\", `"`, "%", "key:", "\n"}
	for i := range fuzzForms {
		f.Add(seeds[i%len(seeds)], uint8(i), seeds[(i+3)%len(seeds)])
	}
	r := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{fuzzSecret}})
	f.Fuzz(func(t *testing.T, prefix string, form uint8, suffix string) {
		text := fuzzText(prefix, int(form), suffix)
		for _, red := range []*logrecord.Redactor{logrecord.DefaultRedactor(), r} {
			if out := red.Text(text); strings.Contains(out, fuzzLeak) {
				t.Fatalf("canary in Text(%q) = %q", text, out)
			}
			if out := red.HeaderValue("X-Debug", text); strings.Contains(out, fuzzLeak) {
				t.Fatalf("canary in HeaderValue(%q) = %q", text, out)
			}
		}
		if out := r.Text(fuzzClean(prefix) + fuzzSecret + fuzzClean(suffix)); strings.Contains(out, fuzzLeak) {
			t.Fatalf("registered secret in %q", out)
		}
	})
}

// gen builds hostile values from fuzzed bytes.
type gen struct {
	data []byte
	t    *testing.T
}

func (g *gen) byte() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *gen) str() string {
	n := min(int(g.byte()), len(g.data))
	s := string(g.data[:n])
	g.data = g.data[n:]
	return fuzzClean(s)
}

var (
	fuzzHeaders = []string{"Authorization", "X-Goog-Api-Key", "Cookie", "X-Amz-Security-Token", "Private-Token", "proxy-authorization"}
	fuzzParams  = []string{"access_token", "clientSecret", "SAMLResponse", "X-Amz-Signature", "sig", "key", "refresh-token"}
)

// value returns a hostile value: credentials only in sensitive places.
func (g *gen) value(depth int) any {
	if depth > 40 || len(g.data) == 0 {
		return g.str()
	}
	switch g.byte() % 20 {
	case 0:
		return g.str() // invalid UTF-8, control characters
	case 1:
		return errors.New(fuzzText(g.str(), int(g.byte()), g.str()))
	case 2:
		return fmt.Errorf("%s: %w", g.str(), errors.New(fuzzText(g.str(), int(g.byte()), g.str())))
	case 3:
		return errors.Join(errors.New(g.str()), errors.New(fuzzText(g.str(), int(g.byte()), g.str())))
	case 4:
		return &url.URL{Scheme: "https", User: url.UserPassword(g.str(), fuzzCanary), Host: g.str(), Path: g.str(),
			RawQuery: fuzzParams[int(g.byte())%len(fuzzParams)] + "=" + fuzzCanary + "&" + g.str()}
	case 5:
		return url.Values{fuzzParams[int(g.byte())%len(fuzzParams)]: {fuzzCanary}, g.str(): {g.str()}}
	case 6:
		return http.Header{fuzzHeaders[int(g.byte())%len(fuzzHeaders)]: {fuzzCanary}, g.str(): {g.str()}}
	case 7:
		q := &http.Request{Method: g.str(), URL: &url.URL{Scheme: "http", Host: g.str(), RawQuery: "token=" + fuzzCanary},
			Header: http.Header{"Authorization": {"Bearer " + fuzzCanary}, g.str(): {g.str()}}}
		if g.byte()%2 == 0 {
			return q
		}
		return &http.Response{StatusCode: int(g.byte()), Header: http.Header{"Set-Cookie": {"s=" + fuzzCanary}}, Request: q}
	case 8:
		return &http.Cookie{Name: g.str(), Value: fuzzCanary}
	case 9:
		return &hostileErr{panics: g.str()}
	case 10:
		var nils = []any{error((*hostileErr)(nil)), fmt.Stringer((*nilStringer)(nil)), (*nilJSON)(nil), (*nilText)(nil),
			(*url.URL)(nil), http.Header(nil), (*http.Request)(nil), nilUnwrap{}, &selfErr{}, multiErr{}, panicValue{}}
		return nils[int(g.byte())%len(nils)]
	case 11, 12:
		n := int(g.byte() % 8)
		s := make([]any, n)
		for i := range s {
			s[i] = g.value(depth + 1)
		}
		return s
	case 13, 14:
		n := int(g.byte() % 8)
		m := make(map[string]any, n)
		for range n {
			m[g.str()] = g.value(depth + 1)
		}
		return m
	case 15:
		return struct {
			Err   error
			Inner any
			Name  string
		}{errors.New(fuzzText(g.str(), int(g.byte()), g.str())), g.value(depth + 1), g.str()}
	case 16:
		return []error{errors.New(g.str()), errors.New(fuzzText(g.str(), int(g.byte()), g.str()))}
	case 17:
		return map[string]error{g.str(): errors.New(fuzzText(g.str(), int(g.byte()), g.str()))}
	case 18:
		return []byte(g.str())
	}
	v := g.value(depth + 1)
	return &v
}

func FuzzValue(f *testing.F) {
	f.Add([]byte{1, 10, 'x', 0x1b, '\xff'})
	for op := range 20 {
		f.Add([]byte{byte(op), 3, 'a', '\xff', '\n', 4, 1, 2, 3, 4, 11, 3, 1, 0, 4, 6, 9})
	}
	f.Add([]byte{13, 3, 2, 'k', 'k', 15, 2, 'a', 'b', 7, 0, 2, 'x', 'y', 16, 1, '"', 3})
	f.Add([]byte(strings.Repeat("\x0b\x02", 40)))
	r := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{fuzzSecret}, Headers: []string{"X-Debug"}})
	f.Fuzz(func(t *testing.T, data []byte) {
		v := (&gen{data: data, t: t}).value(0)
		outs := []attribute.Value{
			logrecord.Value(v), logrecord.KeyValue("k", v).Value, r.Value(v),
			logrecord.Limits{MaxStringLen: 16, MaxItems: 3, MaxDepth: 4}.Value(v),
		}
		if err, ok := v.(error); ok {
			for _, kv := range r.Exception(err) {
				outs = append(outs, kv.Value)
			}
		}
		for _, out := range outs {
			walkStrings(out, func(s string) {
				if !utf8.ValidString(s) {
					t.Fatalf("invalid UTF-8 %q", s)
				}
				if strings.Contains(s, fuzzLeak) {
					t.Fatalf("canary in %q", s)
				}
			})
		}
	})
}
