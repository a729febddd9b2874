package logrecord_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oplog-go/oplog/logrecord"
)

const (
	// redactCanary is the secret planted everywhere; no output may hold it.
	redactCanary = "s3cr3t-CANARY-9f8e"
	// redactSpecial is a secret whose escaped forms differ from it.
	redactSpecial = "p@ss w/rd+CANARY&=?"
)

var (
	redactBuiltinHeaders = []string{
		"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token",
	}
	redactBuiltinParams = []string{
		"api_key", "apikey", "token", "access_token", "refresh_token", "id_token",
		"client_secret", "password", "code", "sig", "signature",
		"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "X-Goog-Signature", "AWSAccessKeyId",
	}
)

// redactWithSecrets registers both test secrets.
func redactWithSecrets() *logrecord.Redactor {
	return logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{redactCanary, redactSpecial}})
}

// redactAssertNoSecret fails if out holds secret raw, URL-escaped or base64-encoded.
func redactAssertNoSecret(t *testing.T, out, secret string) {
	t.Helper()
	b := []byte(secret)
	for _, form := range []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
	} {
		assert.NotContains(t, out, form, "a form of the secret survived")
	}
}

// redactMixedCase alternates upper and lower case: "aPi_KeY".
func redactMixedCase(s string) string {
	b := []byte(strings.ToLower(s))
	for i := 1; i < len(b); i += 2 {
		if 'a' <= b[i] && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// redactEscapeFirst percent-encodes the first byte of s: "%61pi_key".
func redactEscapeFirst(s string) string { return fmt.Sprintf("%%%02X", s[0]) + s[1:] }

// redactEscapeAll percent-encodes every byte of s.
func redactEscapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestRedactorSensitiveHeaders(t *testing.T) {
	r := logrecord.DefaultRedactor()
	for _, name := range redactBuiltinHeaders {
		for _, variant := range []string{name, strings.ToLower(name), strings.ToUpper(name), redactMixedCase(name)} {
			t.Run(variant, func(t *testing.T) {
				assert.True(t, r.IsSensitiveHeader(variant))
				assert.Equal(t, logrecord.Redacted, r.HeaderValue(variant, "Bearer "+redactCanary))

				h := http.Header{variant: {redactCanary, "Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+redactCanary)), redactCanary}}
				out := r.Header(h)
				assert.Equal(t, []string{logrecord.Redacted, logrecord.Redacted, logrecord.Redacted}, out[variant], "name and number of values kept")
				redactAssertNoSecret(t, fmt.Sprint(out), redactCanary)
			})
		}
	}
}

func TestRedactorHeaderNames(t *testing.T) {
	r := logrecord.NewRedactor(logrecord.RedactConfig{Headers: []string{"X-Tenant-Id", " x-user-email "}})
	tests := []struct {
		name string
		want bool
	}{
		{"authorization", true},
		{" Authorization ", true},
		{"x-tenant-id", true},
		{"X-USER-EMAIL", true},
		{"Authorization-Info", true},
		{"X-Api-Keys", true},
		{"Content-Type", false},
		{"X-Tenant", false},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.IsSensitiveHeader(tt.name), tt.name)
	}
	assert.False(t, logrecord.DefaultRedactor().IsSensitiveHeader("X-Tenant-Id"), "config must not leak into the default")
	assert.Equal(t, "", r.HeaderValue("Authorization", ""), "an empty value hides nothing")
}

func TestRedactorHeader(t *testing.T) {
	r := redactWithSecrets()
	h := http.Header{
		"Authorization":    {"Bearer " + redactCanary},
		"Cookie":           {"a=1", "sid=" + redactCanary},
		"Content-Type":     {"application/x-www-form-urlencoded; charset=utf-8"},
		"Accept":           {"text/html", "application/json;q=0.9"},
		"Location":         {"/callback?state=7&code=" + redactCanary},
		"Referer":          {"https://app.example.com/p?access_token=" + redactCanary},
		"Link":             {`<https://api.example.com/items?page=2&access_token=` + redactCanary + `>; rel="next"`},
		"X-Upstream":       {"key " + redactCanary, "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+redactCanary))},
		"X-Debug":          {"password=" + redactCanary + " user=bob"},
		"Www-Authenticate": {`Bearer realm="api", error="invalid_token"`},
		"X-Empty":          {},
		"X-Nil":            nil,
	}
	orig := h.Clone()

	out := r.Header(h)

	assert.Equal(t, orig, h, "input must not be modified")
	redactAssertNoSecret(t, fmt.Sprint(out), redactCanary)
	assert.Equal(t, http.Header{
		"Authorization":    {logrecord.Redacted},
		"Cookie":           {logrecord.Redacted, logrecord.Redacted},
		"Content-Type":     {"application/x-www-form-urlencoded; charset=utf-8"},
		"Accept":           {"text/html", "application/json;q=0.9"},
		"Location":         {"/callback?state=7&code=REDACTED"},
		"Referer":          {"https://app.example.com/p?access_token=REDACTED"},
		"Link":             {`<https://api.example.com/items?page=2&access_token=REDACTED>; rel="next"`},
		"X-Upstream":       {"key REDACTED", out["X-Upstream"][1]},
		"X-Debug":          {"password=REDACTED user=bob"},
		"Www-Authenticate": {`Bearer realm="api", error="invalid_token"`},
		"X-Empty":          {},
		"X-Nil":            nil,
	}, out)
	assert.Contains(t, out["X-Upstream"][1], logrecord.Redacted)

	// The copy must not share storage with h.
	out["Content-Type"][0] = "changed"
	assert.Equal(t, orig, h)

	assert.Nil(t, r.Header(nil))
}

func TestRedactorURLUserinfo(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"user and password", "https://deploy:" + redactCanary + "@h.example/p?q=1", "https://REDACTED:REDACTED@h.example/p?q=1"},
		{"token as username", "https://" + redactCanary + "@github.com/o/r.git", "https://REDACTED@github.com/o/r.git"},
		{"token with dummy password", "https://" + redactCanary + ":x-oauth-basic@github.com/", "https://REDACTED:REDACTED@github.com/"},
		{"password only", "redis://:" + redactCanary + "@cache:6379/0", "redis://:REDACTED@cache:6379/0"},
		{"empty password", "ftp://" + redactCanary + ":@h/", "ftp://REDACTED:@h/"},
		{"escaped at sign", "https://u:p%40" + redactCanary + "@h/", "https://REDACTED:REDACTED@h/"},
		{"no scheme", "//u:" + redactCanary + "@h/x", "//REDACTED:REDACTED@h/x"},
		{"unescaped slash in password", "https://u:pa/ss" + redactCanary + "@h.example/x?y=1", "https://REDACTED:REDACTED@h.example/x?y=1"},
		{"at sign in path", "https://h.example/users/@me?x=1", "https://h.example/users/@me?x=1"},
		{"at sign after port", "https://h.example:8443/@me", "https://h.example:8443/@me"},
		{"at sign after IPv6", "http://[::1]:80/@scope/pkg", "http://[::1]:80/@scope/pkg"},
		{"email in mailto", "mailto:ada@example.com", "mailto:ada@example.com"},
		{"already redacted", "https://REDACTED:REDACTED@h/", "https://REDACTED:REDACTED@h/"},
	}
	r := logrecord.DefaultRedactor()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, r.URLString(tt.in))
			redactAssertNoSecret(t, r.URLString(tt.in), redactCanary)
			if u, err := url.Parse(tt.in); err == nil {
				assert.Equal(t, tt.want, r.URL(u))
			}
		})
	}

	u := &url.URL{Scheme: "https", User: url.UserPassword("u", "p@ss/"+redactCanary), Host: "h.example", Path: "/x"}
	assert.Equal(t, "https://REDACTED:REDACTED@h.example/x", r.URL(u))
	assert.Empty(t, r.URL(nil))
}

func TestRedactorSensitiveParams(t *testing.T) {
	r := logrecord.DefaultRedactor()
	for _, name := range redactBuiltinParams {
		variants := []struct{ what, key, value string }{
			{"raw", name, redactCanary},
			{"lower", strings.ToLower(name), redactCanary},
			{"upper", strings.ToUpper(name), redactCanary},
			{"mixed", redactMixedCase(name), redactCanary},
			{"escaped name", redactEscapeFirst(name), redactCanary},
			{"fully escaped name", redactEscapeAll(name), redactCanary},
			{"escaped value", name, url.QueryEscape(redactSpecial + redactCanary)},
			{"fully escaped value", name, redactEscapeAll(redactCanary)},
			{"php array", name + "[]", redactCanary},
			{"nested", "auth[" + name + "]", redactCanary},
		}
		if strings.Contains(name, "_") {
			variants = append(variants, struct{ what, key, value string }{"escaped underscore", strings.ReplaceAll(name, "_", "%5F"), redactCanary})
		}
		for _, v := range variants {
			t.Run(name+"/"+v.what, func(t *testing.T) {
				pair := v.key + "=" + v.value
				query := "a=1&" + pair + "&" + pair + ";b=2"
				want := "a=1&" + v.key + "=REDACTED&" + v.key + "=REDACTED;b=2"

				assert.True(t, r.IsSensitiveParam(v.key))
				assert.Equal(t, want, r.Query(query))
				assert.Equal(t, "?"+want, r.Query("?"+query), "leading '?'")
				assert.Equal(t, "https://h.example/p?"+want+"#top", r.URLString("https://h.example/p?"+query+"#top"))
				assert.Equal(t, "https://h.example/cb#"+want, r.URLString("https://h.example/cb#"+query), "fragment")
				assert.Equal(t, `Post "https://h.example/p?`+want+`": EOF`, r.Text(`Post "https://h.example/p?`+query+`": EOF`))
				assert.Equal(t, "login with "+v.key+"=REDACTED failed", r.Text("login with "+pair+" failed"))
				redactAssertNoSecret(t, r.Query(query), redactCanary)
			})
		}
	}
}

func TestRedactorParamNames(t *testing.T) {
	r := logrecord.NewRedactor(logrecord.RedactConfig{Params: []string{"Tenant_Ref"}})
	tests := []struct {
		name string
		want bool
	}{
		{"tenant_ref", true},
		{"TENANT%5FREF", true},
		{"tenant_ref[0]", true},
		{"token%20", true},
		{"token[0]", true},
		{"tokens", true},
		{"my_token", true},
		{"token_type", false},
		{"tenant", false},
		{"%zz", false},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.IsSensitiveParam(tt.name), tt.name)
	}
	assert.False(t, logrecord.DefaultRedactor().IsSensitiveParam("tenant_ref"))
}

func TestRedactorUntouched(t *testing.T) {
	r := redactWithSecrets()
	urls := []string{
		"",
		"https://api.example.com/v1/items?sort=name&page=2&page=3&limit=10#results",
		"https://api.example.com/search?q=hello+world&q=%E2%9C%93&z=1&a=2",
		"https://h.example/p?odd=%zz&bare&=empty&x=%2&semi=a;b",
		"https://h.example/p?token=&code",
		"https://h.example/p?blob=YWJjZA==&next=%2Fhome%3Fa%3D1",
		"https://[::1]:8443/a%2Fb/c?x#frag?y=1",
		"http://h/#section-2",
		"mailto:ada@example.com?subject=hi",
		"/relative/path?x=1",
		"not a url at all",
		"%zz%",
	}
	for _, in := range urls {
		assert.Equal(t, in, r.URLString(in), "URLString")
		assert.Equal(t, in, r.Text(in), "Text")
		assert.Equal(t, in, r.String(in), "String")
		if u, err := url.Parse(in); err == nil {
			assert.Equal(t, u.String(), r.URL(u), "URL")
		}
	}
	for _, q := range []string{"", "a=1&b=2&a=3", "z=1;y=2&x", "q=%7B%22a%22%3A1%7D", "token_type=bearer&expires_in=3600"} {
		assert.Equal(t, q, r.Query(q), "Query")
	}
	for _, s := range []string{
		"connection reset by peer",
		`parse "http://h/%zz": invalid URL escape "%zz"`,
		"retrying in 2s (attempt 3/5)",
		`WWW-Authenticate: Bearer realm="example"`,
		"size=42 elapsed=3ms",
	} {
		assert.Equal(t, s, r.Text(s), "Text")
	}
}

func TestRedactorForm(t *testing.T) {
	r := redactWithSecrets()
	v := url.Values{
		"Password":      {redactCanary, ""},
		"client_secret": {redactCanary},
		"username":      {"ada"},
		"redirect_uri":  {"https://app.example/cb?code=" + redactCanary},
		"note":          {"my key is " + redactCanary},
	}
	orig := url.Values{}
	for k, vv := range v {
		orig[k] = append([]string(nil), vv...)
	}

	out := r.Form(v)

	assert.Equal(t, orig, v, "input must not be modified")
	assert.Equal(t, url.Values{
		"Password":      {logrecord.Redacted, ""},
		"client_secret": {logrecord.Redacted},
		"username":      {"ada"},
		"redirect_uri":  {"https://app.example/cb?code=REDACTED"},
		"note":          {"my key is REDACTED"},
	}, out)
	redactAssertNoSecret(t, out.Encode(), redactCanary)
	assert.Nil(t, r.Form(nil))

	body := "grant_type=authorization_code&code=" + redactCanary + "&client_id=app&client_secret=" + url.QueryEscape(redactSpecial)
	assert.Equal(t, "grant_type=authorization_code&code=REDACTED&client_id=app&client_secret=REDACTED", r.Query(body))
}

func TestRedactorSecrets(t *testing.T) {
	r := redactWithSecrets()
	for _, secret := range []string{redactCanary, redactSpecial} {
		b := []byte(secret)
		forms := map[string]string{
			"raw":        secret,
			"query":      url.QueryEscape(secret),
			"path":       url.PathEscape(secret),
			"std base64": base64.StdEncoding.EncodeToString(b),
			"url base64": base64.URLEncoding.EncodeToString(b),
			"raw base64": base64.RawURLEncoding.EncodeToString(b),
		}
		for what, form := range forms {
			t.Run(secret+"/"+what, func(t *testing.T) {
				for _, in := range []string{
					"upstream said: " + form + ", giving up",
					form,
					"x" + form + "y",
				} {
					out := r.Text(in)
					assert.Contains(t, out, logrecord.Redacted)
					redactAssertNoSecret(t, out, secret)
					redactAssertNoSecret(t, r.String(in), secret)
					redactAssertNoSecret(t, r.HeaderValue("X-Upstream-Key", in), secret)
				}
			})
		}
	}

	t.Run("URL parts", func(t *testing.T) {
		for _, in := range []string{
			"https://hooks.example.com/services/" + redactCanary + "/x",
			"https://" + redactCanary + ".tunnel.example/",
			"https://h.example/p#" + redactCanary,
			"https://h.example/p#/route/" + url.PathEscape(redactSpecial),
			"https://h.example/files/" + url.PathEscape(redactSpecial) + "/raw",
			"https://h.example/files/" + redactEscapeAll(redactCanary) + "/raw",
			"https://h.example/p?q=" + url.QueryEscape(redactSpecial) + "&r=1",
			"https://h.example/p?q=" + redactEscapeAll(redactCanary),
			"https://h.example/p?" + redactCanary,
			"https://h.example/p?" + url.QueryEscape(redactSpecial) + "=1",
		} {
			out := r.URLString(in)
			assert.Contains(t, out, logrecord.Redacted, in)
			for _, s := range []string{redactCanary, redactSpecial} {
				redactAssertNoSecret(t, out, s)
				dec, err := url.PathUnescape(out)
				if err == nil {
					assert.NotContains(t, dec, s, "hidden behind escaping: %s", in)
				}
			}
		}
		// Only the secret goes; the rest is kept.
		assert.Equal(t, "https://hooks.example.com/services/REDACTED/x?a=1",
			r.URLString("https://hooks.example.com/services/"+redactCanary+"/x?a=1"))
	})

	t.Run("inside longer base64", func(t *testing.T) {
		// A Basic credential or a JWT carries the secret at any offset.
		for k := range 3 {
			for _, tail := range []string{"", "z", "zz", "-more-data"} {
				plain := strings.Repeat("u", k) + ":" + redactCanary + tail
				for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
					in := enc.EncodeToString([]byte(plain))
					out := r.String(in)
					// The characters that encode whole groups of the secret must be gone.
					start := k + 1
					lo, hi := 4*((start+2)/3), 4*((start+len(redactCanary))/3)
					require.Greater(t, hi-lo, 8)
					for i := lo; i+8 <= hi; i++ {
						assert.NotContains(t, out, in[i:i+8], "offset %d, %q", k, plain)
					}
				}
			}
		}
	})
}

func TestRedactorShortSecrets(t *testing.T) {
	r := logrecord.NewRedactor(logrecord.RedactConfig{Secrets: []string{"", "a", "id", "abc", "DACT", "abcd"}})
	const in = "a id abc DACTYL abcd"
	assert.Equal(t, "a id abc DACTYL REDACTED", r.String(in), "secrets under 4 bytes or inside REDACTED are ignored")
	assert.Equal(t, "REDACTED", r.String(r.String("abcd")), "idempotent")
}

func TestRedactorText(t *testing.T) {
	r := redactWithSecrets()
	tests := []struct {
		name, in, want string
	}{
		{
			"net/http error",
			`Get "https://bot:` + redactCanary + `@api.example.com/v1?page=2&token=` + redactCanary + `": dial tcp: connection refused`,
			`Get "https://REDACTED:REDACTED@api.example.com/v1?page=2&token=REDACTED": dial tcp: connection refused`,
		},
		{
			"several URLs",
			"moved from http://h/a?sig=" + redactCanary + " to https://h/b?code=x&y=1",
			"moved from http://h/a?sig=REDACTED to https://h/b?code=REDACTED&y=1",
		},
		{
			"nested redirect",
			"redirect to https://idp.example/authorize?redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fcode%3D" + redactCanary + "&state=1",
			"redirect to https://idp.example/authorize?redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fcode%3DREDACTED&state=1",
		},
		{
			"scheme-less path",
			"POST /login?user=ada&password=" + redactCanary + " 401",
			"POST /login?user=ada&password=REDACTED 401",
		},
		{
			"keyword DSN",
			"connect host=db user=app password='p w " + redactCanary + "' sslmode=disable",
			"connect host=db user=app password='REDACTED' sslmode=disable",
		},
		{
			"quoted by %q",
			fmt.Sprintf("bad config %q", `password="`+redactCanary+` x" port=5`),
			`bad config "password=\"REDACTED\" port=5"`,
		},
		{
			"unterminated quote",
			`token="` + redactCanary + " more\nnext line",
			`token="REDACTED` + "\nnext line",
		},
		{
			"bearer",
			"header Authorization: Bearer " + redactCanary + ".xyz= rejected",
			"header Authorization: Bearer REDACTED rejected",
		},
		{
			"bearer auth-params kept",
			`Bearer realm="x", error="invalid_token"`,
			`Bearer realm="x", error="invalid_token"`,
		},
		{
			"JSON escaped ampersand",
			`{"next":"https://h/items?page=2\u0026access_token=` + redactCanary + `"}`,
			`{"next":"https://h/items?page=2\u0026access_token=REDACTED"}`,
		},
		{
			"registered secret",
			"key " + redactCanary + " was revoked",
			"key REDACTED was revoked",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := r.Text(tt.in)
			assert.Equal(t, tt.want, out)
			redactAssertNoSecret(t, out, redactCanary)
			assert.Equal(t, out, r.Text(out), "idempotent")
		})
	}
}

func TestRedactorNetHTTPError(t *testing.T) {
	// Port 1 on loopback is closed: the request fails at once, with the
	// error text net/http really produces.
	raw := "http://user:" + redactCanary + "@127.0.0.1:1/x?a=1&token=" + redactCanary
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, raw, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	var uerr *url.Error
	require.ErrorAs(t, err, &uerr)
	msg := err.Error()
	require.Contains(t, msg, redactCanary, "precondition: the error quotes the URL")

	out := logrecord.DefaultRedactor().Text(msg)
	redactAssertNoSecret(t, out, redactCanary)
	assert.Contains(t, out, `Get "http://REDACTED:REDACTED@127.0.0.1:1/x?a=1&token=REDACTED"`)

	// Other clients quote the password too.
	err = &url.Error{Op: "Post", URL: raw, Err: io.EOF}
	assert.Equal(t, `Post "http://REDACTED:REDACTED@127.0.0.1:1/x?a=1&token=REDACTED": EOF`,
		logrecord.DefaultRedactor().Text(err.Error()))
}

func TestRedactorURLNotMutated(t *testing.T) {
	u, err := url.Parse("https://u:" + redactCanary + "@h.example/a%2Fb/" + redactCanary + "?token=" + redactCanary + "#" + redactCanary)
	require.NoError(t, err)
	before := *u
	userBefore := u.User.String()

	out := redactWithSecrets().URL(u)

	assert.Equal(t, "https://REDACTED:REDACTED@h.example/a%2Fb/REDACTED?token=REDACTED#REDACTED", out)
	assert.Equal(t, before, *u)
	assert.Equal(t, userBefore, u.User.String())
}

func TestRedactorNilAndZero(t *testing.T) {
	const in = "https://u:p@h/?token=x"
	want := logrecord.DefaultRedactor().URLString(in)
	require.Equal(t, "https://REDACTED:REDACTED@h/?token=REDACTED", want)

	for name, r := range map[string]*logrecord.Redactor{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, want, r.URLString(in))
			assert.Equal(t, want, r.Text(in))
			assert.Equal(t, "https://REDACTED:REDACTED@h/?token=REDACTED", r.URL(&url.URL{Scheme: "https", User: url.UserPassword("u", "p"), Host: "h", Path: "/", RawQuery: "token=x"}))
			assert.Equal(t, "token=REDACTED", r.Query("token=x"))
			assert.True(t, r.IsSensitiveHeader("authorization"))
			assert.True(t, r.IsSensitiveParam("ACCESS_TOKEN"))
			assert.Equal(t, logrecord.Redacted, r.HeaderValue("Cookie", "a=b"))
			assert.Equal(t, http.Header{"Cookie": {logrecord.Redacted}}, r.Header(http.Header{"Cookie": {"a=b"}}))
			assert.Equal(t, url.Values{"code": {logrecord.Redacted}}, r.Form(url.Values{"code": {"x"}}))
			assert.Equal(t, "plain", r.String("plain"))
		})
	}
	assert.Same(t, logrecord.DefaultRedactor(), logrecord.DefaultRedactor())
}

func TestRedactorDeepNesting(t *testing.T) {
	// Each level hides the next URL in a parameter; redaction must stay
	// linear and still not let the token through.
	u := "https://h.example/x?token=" + redactCanary
	for range 12 {
		u = "https://h.example/r?next=" + url.QueryEscape(u)
	}
	out := logrecord.DefaultRedactor().URLString(u)
	redactAssertNoSecret(t, out, redactCanary)
	for dec := out; ; {
		redactAssertNoSecret(t, dec, redactCanary)
		next, err := url.QueryUnescape(dec)
		if err != nil || next == dec {
			break
		}
		dec = next
	}
}

func TestRedactorCleanInputDoesNotAllocate(t *testing.T) {
	r := redactWithSecrets()
	const (
		clean = "https://api.example.com/v1/items?sort=name&page=2&q=hello+world&x=%7B%7D#top"
		text  = `Get "https://api.example.com/v1/items?page=2": dial tcp 10.0.0.1:443: i/o timeout`
	)
	h := http.Header{"Content-Type": {"application/json"}}
	tests := map[string]func(){
		"URLString":         func() { _ = r.URLString(clean) },
		"Query":             func() { _ = r.Query("sort=name&page=2&q=hello+world&x=%7B%7D") },
		"Text":              func() { _ = r.Text(text) },
		"String":            func() { _ = r.String(text) },
		"HeaderValue":       func() { _ = r.HeaderValue("content-type", "application/json; charset=utf-8") },
		"IsSensitiveHeader": func() { _ = r.IsSensitiveHeader("X-API-KEY") },
		"IsSensitiveParam":  func() { _ = r.IsSensitiveParam("Access%5FToken") },
		"sensitive value":   func() { _ = r.HeaderValue("Authorization", "Bearer x") },
	}
	for name, f := range tests {
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
	// Header copies: the map and one backing array for all values, no more.
	assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { _ = r.Header(h) }), 3.0, "Header")
}

func TestRedactorConcurrentUse(t *testing.T) {
	r := redactWithSecrets()
	in := "https://u:" + redactCanary + "@h/p?token=" + redactCanary + "&q=" + url.QueryEscape(redactSpecial)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				redactAssertNoSecret(t, r.URLString(in), redactCanary)
				redactAssertNoSecret(t, r.Text(in), redactSpecial)
			}
		})
	}
	wg.Wait()
}

func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{
		"",
		"https://h.example/",
		"https://u:p@h.example:8443/a/b?x=1&y=2#frag",
		"http://h/?token=x&token=y;sig=z",
		"http://h/?%61pi_key=1&access%5Ftoken=2",
		"http://h/cb?redirect_uri=https%3A%2F%2Fx%3Fcode%3D1",
		"http://h/#/route?code=1",
		"http://[::1]:80/%zz?%zz=%",
		"mailto:ada@example.com?subject=x",
		"//u@h/?",
		"?a?b&c",
		`x="y&z='`,
		"Bearer abc.def",
		"a://b://c?d=e://f",
	} {
		f.Add(s)
	}
	d := logrecord.DefaultRedactor()
	rs := redactWithSecrets()
	f.Fuzz(func(t *testing.T, s string) {
		// No input may panic.
		_ = d.URLString(s)
		_ = d.Text(s)
		_ = d.HeaderValue("Location", s)
		_ = rs.Text(s)
		_ = rs.URLString(s)

		// A registered secret never survives, wherever it is put.
		assert.NotContains(t, rs.Text(s+redactCanary+s), redactCanary)
		assert.NotContains(t, rs.URLString(s+redactCanary), redactCanary)

		if strings.Contains(s, "CANARY") {
			return
		}
		// The canary planted as the token parameter never survives.
		assert.NotContains(t, d.Query(s+"&token="+redactCanary), redactCanary)
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += "token=" + redactCanary
		full := u.String()
		before := *u
		assert.NotContains(t, d.URL(u), redactCanary, full)
		assert.Equal(t, before, *u, "URL must not modify its argument")
		assert.NotContains(t, d.URLString(full), redactCanary, full)
		assert.NotContains(t, d.Text(`Get "`+full+`": EOF`), redactCanary, full)
		assert.NotContains(t, d.Text(full), redactCanary, full)
	})
}
