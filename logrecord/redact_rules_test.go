package logrecord_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oplog-go/oplog/logrecord"
)

// ruleCanary is a secret no rule knows by value: only the name rule or the
// text forms can find it.
const ruleCanary = "QzX7canary9Kp"

func TestRedactorNameRuleParams(t *testing.T) {
	r := logrecord.DefaultRedactor()
	sensitive := []string{
		// the spellings
		"accessToken", "refresh-token", "clientSecret", "key", "secret", "jwt", "session_token",
		"oauth_token", "private_token", "auth_token", "pwd", "passwd", "assertion", "client_assertion",
		"SAMLResponse", "sig", "Signature", "X-Amz-Signature", "AWSAccessKeyId", "X-Goog-Signature",
		// the former list
		"api_key", "apikey", "token", "access_token", "refresh_token", "id_token", "client_secret",
		"password", "code", "signature", "x-amz-credential", "x-amz-security-token", "awsaccesskeyid",
		// more spellings of the same words
		"API-KEY", "apiKey", "x.api.key", "accesstoken", "sessionId", "PHPSESSID", "user[password]",
		"credentials", "otp", "sIg", "id_token_hint",
	}
	for _, name := range sensitive {
		assert.True(t, r.IsSensitiveParam(name), name)
		out := r.Query("page=2&" + url.QueryEscape(name) + "=" + ruleCanary)
		assert.NotContains(t, out, ruleCanary, name)
		assert.Contains(t, out, "page=2", name)
		out = r.URLString("https://h.example/p?" + url.QueryEscape(name) + "=" + ruleCanary + "&limit=5")
		assert.NotContains(t, out, ruleCanary, name)
		assert.Contains(t, out, "limit=5", name)
	}
	for _, name := range []string{"page", "limit", "cursor", "sort", "q", "state", "client_id", "redirect_uri",
		"token_type", "grant_type", "expires_in", "pageToken", "monkey", "author", "passport_no"} {
		assert.False(t, r.IsSensitiveParam(name), name)
	}
}

func TestRedactorNameRuleHeaders(t *testing.T) {
	r := logrecord.DefaultRedactor()
	sensitive := []string{
		"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token",
		"X-Amz-Security-Token", "X-Goog-Api-Key", "Api-Key", "Private-Token", "X-Shopify-Access-Token",
		"X-Vault-Token", "X-Access-Token", "X-Forwarded-Authorization", "Authentication",
		"Authentication-Info", "X-CSRF-Token", "X-Session-Id", "x-amz-signature", "X-Api-Secret",
	}
	for _, name := range sensitive {
		assert.True(t, r.IsSensitiveHeader(name), name)
		assert.Equal(t, logrecord.Redacted, r.HeaderValue(name, ruleCanary), name)
		h := r.Header(map[string][]string{name: {ruleCanary}, "Accept": {"*/*"}})
		assert.Equal(t, []string{logrecord.Redacted}, h[name], name)
		assert.Equal(t, []string{"*/*"}, h["Accept"], name)
	}
	for _, name := range []string{"Content-Type", "Content-Length", "Cache-Control", "Accept", "Accept-Encoding",
		"Accept-Language", "User-Agent", "Keep-Alive", "Host", "Date", "ETag", "Idempotency-Key",
		"Sec-WebSocket-Key", "Access-Control-Allow-Headers", "Access-Control-Allow-Credentials",
		"WWW-Authenticate", "X-Request-Id", "Vary"} {
		assert.False(t, r.IsSensitiveHeader(name), name)
	}
}

// TestRedactorTextForms plants the canary in every credential form that
// error texts carry; none may survive, and the text around it stays.
func TestRedactorTextForms(t *testing.T) {
	c := ruleCanary
	forms := map[string]string{
		"authorization basic":      "Authorization: Basic " + c,
		"authorization basic b64":  "Authorization: Basic dXNlcjp" + c + "==",
		"authorization digest":     `Authorization: Digest username="u", realm="r", nonce="n", uri="/", response="` + c + `", opaque="o"`,
		"authorization digest 1st": `Authorization: Digest response="` + c + `", username="u"`,
		"authorization token":      "Authorization: Token token=" + c,
		"authorization apikey":     "Authorization: ApiKey " + c,
		"authorization aws":        "Authorization: AWS4-HMAC-SHA256 Credential=AKIA" + c + "/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + c,
		"authorization negotiate":  "authorization: Negotiate " + c,
		"authorization unknown":    "Authorization: MyScheme " + c,
		"authorization no scheme":  "Authorization: " + c + " rejected",
		"proxy authorization":      "Proxy-Authorization: Basic " + c,
		"forwarded authorization":  "X-Forwarded-Authorization: Bearer " + c,
		"authorization equals":     "authorization=Bearer " + c,
		"go header map":            "map[Accept:[*/*] Authorization:[Basic " + c + "]]",
		"cookie":                   "Cookie: theme=dark; session=" + c + "; other=" + c,
		"set-cookie":               "Set-Cookie: id=" + c + "; Path=/; HttpOnly",
		"bearer alone":             "sent Bearer " + c,
		"basic alone":              "sent Basic dXNlcjpzM2NyM3QtQ0FOQVJZ",
		"key=value":                "client_secret=" + c,
		"key=value camel":          "clientSecret=" + c,
		"key: value":               "password: " + c,
		"key:value":                "apiKey:" + c,
		"key = value":              "password = " + c,
		"header line":              "X-Vault-Token: " + c,
		"json spaced":              `{"user": "u", "password": "` + c + `"}`,
		"json compact":             `{"user":"u","access_token":"` + c + `"}`,
		"json number":              `{"pin":1,"otp":` + "12345" + c + `}`,
		"json object":              `{"credentials": {"u": "` + c + `"}}`,
		"json escaped":             `{\"refresh_token\":\"` + c + `\"}`,
		"go struct":                "{Name:x Token:" + c + " ID:1}",
		"quoted with spaces":       `password="a b ` + c + ` d"`,
		"quoted escaped quote":     `password="a b\"` + c + ` d"`,
		"quoted single":            `password='a ` + c + `'`,
		"percent-encoded url":      "https%3A%2F%2Fh.example%2Fp%3Ftoken%3D" + c,
		"percent-encoded lower":    "https%3a%2f%2fh.example%2fp%3ftoken%3d" + c,
		"double encoded url":       "https%253A%252F%252Fh%252Fp%253Ftoken%253D" + c,
		"percent-encoded pair":     "state=token%3D" + c,
		"redirect in query":        "/login?redirect_uri=https%3A%2F%2Fh%2Fcb%3Fcode%3D" + c,
		"url userinfo":             "https://user:" + c + "@h.example/",
		"url query":                `Get "https://h.example/p?X-Amz-Signature=` + c + `": EOF`,
		"dsn":                      "host=db user=app password=" + c + " dbname=x",
		"sig param":                "sig=" + c,
		"xml element":              "<auth><user>u</user><password>" + c + "</password></auth>",
		"xml namespaced":           `<wsse:UsernameToken><wsse:Password Type="x">` + c + `</wsse:Password>`,
	}
	r := logrecord.DefaultRedactor()
	for name, form := range forms {
		for _, text := range []string{form, "before " + form + "\nafter", "err=" + strconv.Quote(form)} {
			out := r.Text(text)
			assert.NotContains(t, out, c, "%s: %q → %q", name, text, out)
			assert.NotContains(t, out, "QzX7", "%s: %q → %q", name, text, out)
		}
	}
	// What is not a credential stays.
	for _, s := range []string{
		"status code: 500", "authentication failed: bad user", "Content-Type: application/json",
		"page=2&limit=10", "Basic usage", "Bearer", `{"page": 2, "sort": "asc"}`, "http://h/%zz",
	} {
		assert.Equal(t, s, r.Text(s))
	}
	assert.Equal(t, "Authorization: Basic REDACTED rejected", r.Text("Authorization: Basic "+c+" rejected"))
	assert.Equal(t, `{"password": "REDACTED", "user": "u"}`, r.Text(`{"password": "`+c+`", "user": "u"}`))
}
