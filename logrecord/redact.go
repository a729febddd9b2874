package logrecord

import (
	"bytes"
	"encoding/base64"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// Redacted is the value that replaces every secret.
//
// It needs no escaping anywhere, so a redacted URL, query or header stays
// well-formed and keeps its shape: "token=REDACTED", "REDACTED:REDACTED@host".
const Redacted = "REDACTED"

const (
	// redactMinSecretLen is the shortest registered secret that is honoured:
	// erasing every "a" or "id" would destroy ordinary text.
	redactMinSecretLen = 4

	// redactMaxDepth bounds the recursion into values that embed URLs or
	// queries (redirect_uri=https%3A%2F%2F…%3Fcode%3D…), so crafted input
	// cannot make redaction quadratic. A value nested deeper that still looks
	// structured is replaced whole.
	redactMaxDepth = 4
)

// The built-in rule works on the parts of a header or parameter name: the
// name is split on every byte that is not a letter or digit ('-', '_', '.',
// brackets…) and on camelCase boundaries, and lowered. The name is sensitive
// when a part is one of redactIsPart's, when the name with its separators
// removed contains one of redactWords (the glued spellings: accesstoken,
// clientsecret, PHPSESSID), or, for query and form parameters only, when it
// is OAuth's "code". redactAllow wins over both: the obvious non-secrets that
// a word would otherwise catch.
var (
	redactWords = []string{
		"token", "secret", "password", "passwd", "passphrase", "credential", "signature",
		"cookie", "session", "sessid", "assertion", "samlresponse", "apikey", "jwt",
		"authorization", "authentication", "privatekey", "accesskey", "authkey",
	}
	redactAllow = map[string]struct{}{
		"contenttype": {}, "contentlength": {}, "contentencoding": {}, "contentlanguage": {},
		"cachecontrol": {}, "useragent": {}, "keepalive": {}, "host": {}, "date": {}, "etag": {},
		"idempotencykey": {}, "xidempotencykey": {}, "secwebsocketkey": {}, "secwebsocketaccept": {},
		"pagetoken": {}, "nextpagetoken": {}, "pagekey": {}, "sortkey": {},
		"tokentype": {}, "tokenurl": {}, "tokenendpoint": {},
	}
	// redactAllowPrefixes: Accept-*, and the CORS headers that name headers
	// (Access-Control-Allow-Headers: Authorization) or say whether
	// credentials are allowed.
	redactAllowPrefixes = []string{"accept", "accesscontrol"}
)

// The lists above as bytes, converted once.
var (
	redactWordsByFirst   = redactByFirst(redactWords)
	redactAllowPrefixesB = redactBytes(redactAllowPrefixes)
)

// redactByFirst indexes words by their first byte.
func redactByFirst(words []string) *[256][][]byte {
	var m [256][][]byte
	for _, w := range words {
		m[w[0]] = append(m[w[0]], []byte(w))
	}
	return &m
}

func redactBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// redactMaxName bounds the length of a name the rule looks at; a longer one
// is judged by its first bytes.
const redactMaxName = 256

// redactRule applies the built-in rule to a decoded name. param selects the
// rules of query and form parameters (OAuth's "code").
func redactRule(name []byte, param bool) bool {
	if len(name) > redactMaxName {
		name = name[:redactMaxName]
	}
	var jb [redactMaxName]byte
	joined := jb[:0]
	hit := false
	for i := 0; i < len(name); {
		if !redactIsAlnum(name[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(name) && redactIsAlnum(name[j]) {
			j++
		}
		start := len(joined)
		for _, c := range name[i:j] {
			joined = append(joined, redactLowerByte(c))
		}
		run := joined[start:]
		if redactIsPart(run) {
			hit = true
		}
		// The camelCase parts of the run.
		for p := i; p < j && !hit; {
			q := p + 1
			for q < j && !redactCamelBoundary(name, q) {
				q++
			}
			if redactIsPart(run[p-i : q-i]) {
				hit = true
			}
			p = q
		}
		i = j
	}
	if _, ok := redactAllow[string(joined)]; ok {
		return false
	}
	for _, p := range redactAllowPrefixesB {
		if bytes.HasPrefix(joined, p) {
			return false
		}
	}
	if hit || param && string(joined) == "code" {
		return true
	}
	for i, c := range joined {
		for _, w := range redactWordsByFirst[c] {
			if bytes.HasPrefix(joined[i:], w) {
				return true
			}
		}
	}
	return false
}

// redactIsPart reports whether a lowered name part is sensitive by itself.
func redactIsPart(p []byte) bool {
	if len(p) < 3 || len(p) > 6 {
		return false
	}
	switch string(p) {
	case "key", "keys", "auth", "sig", "pwd", "pass", "otp", "bearer":
		return true
	}
	return false
}

// redactCamelBoundary reports whether a new part starts at name[j] inside a
// run of letters and digits: accessToken → access|Token, AWSAccessKeyId →
// AWS|Access|Key|Id.
func redactCamelBoundary(name []byte, j int) bool {
	c, prev := name[j], name[j-1]
	if !redactIsUpper(c) {
		return false
	}
	return redactIsLower(prev) || redactIsUpper(prev) && j+1 < len(name) && redactIsLower(name[j+1])
}

func redactIsUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func redactIsLower(c byte) bool { return 'a' <= c && c <= 'z' }
func redactIsAlnum(c byte) bool { return redactIsAlpha(c) || redactIsDigit(c) }

// redactLineValued reports whether values of the name (lower case) run to
// the end of the line in free text: credentials with a scheme and
// parameters ("Digest username=…, response=…"), and cookie lists.
func redactLineValued(name []byte) bool {
	return bytes.Contains(name, []byte("authorization")) || bytes.Contains(name, []byte("authentication")) ||
		bytes.Contains(name, []byte("cookie")) || string(name) == "auth"
}

var defaultRedactor = NewRedactor(RedactConfig{})

// RedactConfig lists additions to the built-in rules of [DefaultRedactor];
// the zero value means the defaults only. Nothing can be removed from the
// built-in rules, so a configuration can never make redaction weaker.
type RedactConfig struct {
	// Headers are extra sensitive header names, matched whole and
	// case-insensitively (the built-in rule on a name's parts applies in
	// any case). Their values are replaced whole by [Redacted].
	Headers []string

	// Params are extra sensitive query and form parameter names, matched
	// whole and case-insensitively (the built-in rule on a name's parts
	// applies in any case). Their values are replaced by [Redacted]; the names
	// stay, so a reader still sees that the parameter was sent.
	Params []string

	// Secrets are values, such as the API keys a process holds, to erase
	// wherever they appear: raw, in both URL-escaped forms (url.QueryEscape,
	// url.PathEscape, either hex case), and base64-encoded (standard and URL
	// alphabets, padded or not, also inside a longer base64 text such as a
	// Basic credential). Values shorter than 4 bytes are ignored, since erasing
	// them would destroy ordinary text, and so are values that occur inside
	// the word [Redacted].
	Secrets []string
}

// Redactor removes secrets from HTTP data and free text before they become
// log records, so that no exporter ever receives them. The methods that take
// a string return it unchanged, without allocating, when there is nothing to
// redact; no method modifies its argument.
//
// A Redactor is immutable and safe for concurrent use. A nil or zero
// *Redactor behaves as [DefaultRedactor].
type Redactor struct {
	headers map[string]struct{} // extra names, lower case
	params  map[string]struct{} // extra names, lower case, decoded

	// forms are every encoded form of every secret, longest first, so that
	// replacer prefers the longest match at a position.
	forms     []string
	formBytes [][]byte
	replacer  *strings.Replacer // nil without secrets
	// longestForm is the length of forms[0], 0 without secrets.
	longestForm int
}

// NewRedactor returns a Redactor applying the built-in rules plus those in
// cfg. All the encoded forms of the secrets are computed here, once.
func NewRedactor(cfg RedactConfig) *Redactor {
	r := &Redactor{
		headers: redactNameSet(cfg.Headers),
		params:  redactNameSet(cfg.Params),
	}
	var forms []string
	for _, s := range cfg.Secrets {
		if len(s) < redactMinSecretLen || strings.Contains(Redacted, s) {
			continue
		}
		forms = redactSecretForms(forms, s)
	}
	// A form inside the replacement would be matched again on every pass.
	forms = slices.DeleteFunc(forms, func(f string) bool {
		return len(f) < redactMinSecretLen || strings.Contains(Redacted, f)
	})
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	forms = slices.Compact(forms)
	if len(forms) > 0 {
		r.forms = forms
		r.longestForm = len(forms[0])
		pairs := make([]string, 0, 2*len(forms))
		for _, f := range forms {
			r.formBytes = append(r.formBytes, []byte(f))
			pairs = append(pairs, f, Redacted)
		}
		r.replacer = strings.NewReplacer(pairs...)
	}
	return r
}

// DefaultRedactor returns the Redactor with the built-in rules only. It is a
// shared instance; being immutable, it cannot be changed by its users.
//
// The built-in rule judges a header or parameter name by its parts, not by
// a list: the name is split on every byte that is not a letter or a digit
// ('-', '_', '.', brackets) and on camelCase boundaries, and lowered. It is
// sensitive when
//
//   - a part is key, keys, auth, sig, pwd, pass, otp or bearer
//     (X-Api-Key, AWSAccessKeyId, X-Auth-Token, sig, pwd), or
//   - the name without its separators contains token, secret, password,
//     passwd, passphrase, credential, signature, cookie, session, sessid,
//     assertion, samlresponse, apikey, accesskey, authkey, jwt,
//     authorization, authentication or privatekey (accessToken,
//     refresh-token, client_secret, X-Amz-Security-Token, Set-Cookie,
//     X-Forwarded-Authorization, Authentication-Info, PHPSESSID,
//     client_assertion, SAMLResponse, X-Goog-Signature), or
//   - for a query or form parameter only, it is OAuth's code.
//
// The obvious non-secrets win over both: Content-Type, Content-Length,
// Content-Encoding, Content-Language, Cache-Control, User-Agent,
// Keep-Alive, Host, Date, ETag, Accept and every Accept-*, the CORS
// Access-Control-* headers, Idempotency-Key, Sec-WebSocket-Key,
// token_type, and the pagination names pageToken, nextPageToken. Names such
// as page, limit, cursor and sort have no sensitive part. The rule errs on
// the side of redacting: primary_key or session_expires lose their values
// too, since a missed secret cannot be recalled.
func DefaultRedactor() *Redactor { return defaultRedactor }

func (r *Redactor) orDefault() *Redactor {
	// The zero Redactor has no rules at all; treating it as the default keeps
	// `var r logrecord.Redactor` from silently redacting nothing.
	if r == nil || r.params == nil {
		return defaultRedactor
	}
	return r
}

// IsSensitiveHeader reports whether values of the header name are replaced
// whole: by the built-in rule on the name's parts (see [DefaultRedactor]), or
// as one of the extra names, matched case-insensitively. Surrounding spaces
// are ignored.
func (r *Redactor) IsSensitiveHeader(name string) bool {
	return r.orDefault().isHeader(name)
}

func (r *Redactor) isHeader(name string) bool {
	var buf [64]byte
	k := bytes.TrimSpace(append(buf[:0], name...))
	if redactRule(k, false) {
		return true
	}
	return r.isExtra(r.headers, k)
}

// isExtra reports whether k, lowered in place, is one of the extra names.
func (r *Redactor) isExtra(set map[string]struct{}, k []byte) bool {
	if len(set) == 0 {
		return false
	}
	for i, c := range k {
		k[i] = redactLowerByte(c)
	}
	_, ok := set[string(k)]
	return ok
}

// IsSensitiveParam reports whether values of the query or form parameter
// name are replaced. The name is percent-decoded first, as a server would
// decode it, so access%5Ftoken and %61pi_key match too; then the built-in
// rule on its parts applies (see [DefaultRedactor]), and the extra names
// match case-insensitively, ignoring surrounding spaces. Bracketed names as
// PHP and Rails parse them match by their base or innermost part: token[],
// token[0], auth[token].
func (r *Redactor) IsSensitiveParam(name string) bool {
	r = r.orDefault()
	var buf [64]byte
	return r.isParamKey(redactDecodeKey(buf[:0], name))
}

// isParamKey takes a decoded name in its own case; it may lower k in place.
func (r *Redactor) isParamKey(k []byte) bool {
	return redactRule(k, true) || r.isExtraParam(k)
}

// isExtraParam reports whether k, lowered in place, is one of the extra
// parameter names, also in brackets.
func (r *Redactor) isExtraParam(k []byte) bool {
	if len(r.params) == 0 {
		return false
	}
	for i, c := range k {
		k[i] = redactLowerByte(c)
	}
	if _, ok := r.params[string(k)]; ok {
		return true
	}
	n := len(k)
	if n == 0 || k[n-1] != ']' {
		return false
	}
	if open := bytes.IndexByte(k, '['); open > 0 {
		if _, ok := r.params[string(k[:open])]; ok {
			return true
		}
	}
	if open := bytes.LastIndexByte(k, '['); open >= 0 {
		if _, ok := r.params[string(k[open+1:n-1])]; ok {
			return true
		}
	}
	return false
}

// HeaderValue returns value redacted for the header name: [Redacted] for a
// sensitive header (an empty value stays empty, it hides nothing). A header
// whose whole value is a URL (Location, Content-Location, Referer) is
// redacted as by [Redactor.URLString], because a relative redirect such as
// "/callback?code=…" carries an OAuth code with no scheme to spot it by.
// Any other value is redacted as by [Redactor.Text], which catches URLs,
// name=value pairs and Bearer credentials inside it, and registered secrets.
func (r *Redactor) HeaderValue(name, value string) string {
	r = r.orDefault()
	return validUTF8(r.headerValue(r.headerClass(name), value))
}

const (
	redactHeaderText = iota
	redactHeaderURL
	redactHeaderSecret
)

func (r *Redactor) headerClass(name string) int {
	if r.isHeader(name) {
		return redactHeaderSecret
	}
	name = strings.TrimSpace(name)
	for _, u := range [...]string{"location", "content-location", "referer"} {
		if strings.EqualFold(name, u) {
			return redactHeaderURL
		}
	}
	return redactHeaderText
}

func (r *Redactor) headerValue(class int, value string) string {
	switch class {
	case redactHeaderSecret:
		if value == "" {
			return ""
		}
		return Redacted
	case redactHeaderURL:
		return r.url(value, 0)
	}
	return r.text(value, 0)
}

// Header returns a redacted copy of h, each value redacted as by
// [Redactor.HeaderValue]. Like [http.Header.Clone] it returns nil for a nil
// h and keeps the number of values of every header. h is never modified.
func (r *Redactor) Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	r = r.orDefault()
	n := 0
	for _, vv := range h {
		n += len(vv)
	}
	values := make([]string, n) // one backing array, as http.Header.Clone
	out := make(http.Header, len(h))
	for k, vv := range h {
		if vv == nil {
			out[k] = nil
			continue
		}
		class := r.headerClass(k)
		n := copy(values, vv)
		for i := range values[:n] {
			values[i] = validUTF8(r.headerValue(class, values[i]))
		}
		out[k] = values[:n:n]
		values = values[n:]
	}
	return out
}

// URL returns u as a string with its secrets removed; nil gives "". u is
// never modified. It is [Redactor.URLString] applied to u.String(), so the
// rules are those of URLString.
func (r *Redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return validUTF8(r.orDefault().url(u.String(), 0))
}

// URLString returns the URL raw with its secrets removed:
//
//   - the userinfo: its username and password each become [Redacted]
//     ("REDACTED:REDACTED@", or "REDACTED@" for a lone username). The
//     username goes too because it is often the credential itself:
//     https://TOKEN@github.com, https://TOKEN:x-oauth-basic@github.com.
//   - the value of every sensitive parameter ([Redactor.IsSensitiveParam]) in
//     the query and in the fragment, where OAuth's implicit flow puts
//     access_token. The names stay.
//   - URLs and queries nested in other parameters' values
//     (redirect_uri=https%3A%2F%2F…%3Fcode%3D…), redacted by the same rules.
//   - name=value pairs of sensitive names in the path (";token=…").
//   - registered secrets anywhere: host, path, query, fragment, also when
//     hidden behind unusual percent-encoding.
//
// It works on the text rather than a parsed URL, so what it keeps stays
// byte-identical, parameter order and odd encodings included, and so input
// that url.Parse rejects is still redacted. Tokens that are just a path
// segment (https://hooks.example.com/services/T0/B0/XXXX) cannot be told
// from ordinary paths: register them in [RedactConfig.Secrets].
func (r *Redactor) URLString(raw string) string {
	return validUTF8(r.orDefault().url(raw, 0))
}

// Query returns a raw query string, or an application/x-www-form-urlencoded
// body, with the values of sensitive parameters replaced by [Redacted] and
// registered secrets erased. Pairs are split on both '&' and ';', since
// servers differ on ';'; a leading '?' is allowed. Everything else, order and
// encoding included, stays byte-identical.
func (r *Redactor) Query(rawQuery string) string {
	return validUTF8(r.orDefault().query(rawQuery, 0))
}

// Form returns a redacted copy of v: the values of sensitive parameters
// become [Redacted] (empty values stay empty), the others are redacted as by
// [Redactor.Text], and registered secrets are erased from names too. It
// returns nil for a nil v. v is never modified.
func (r *Redactor) Form(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	r = r.orDefault()
	out := make(url.Values, len(v))
	for k, vv := range v {
		sensitive := r.IsSensitiveParam(k)
		nv := make([]string, len(vv))
		for i, x := range vv {
			switch {
			case !sensitive:
				nv[i] = validUTF8(r.text(x, 0))
			case x != "":
				nv[i] = Redacted
			}
		}
		nk := validUTF8(r.erase(k))
		out[nk] = append(out[nk], nv...)
	}
	return out
}

// Text returns free text, such as an error message, with its secrets
// removed. net/http quotes the whole URL in its errors
// (Get "https://user@host/p?token=…": dial tcp …), so Text removes, in order:
//
//   - in every URL with a scheme ("https://…"), what [Redactor.URLString]
//     removes;
//   - URLs and name=value pairs escaped whole
//     ("https%3A%2F%2Fh%2Fp%3Ftoken%3D…"), decoded, redacted and escaped
//     again;
//   - outside URLs too, the value of every pair whose name is sensitive (by
//     the parameter or the header rules), in each of the forms free text
//     carries them: name=value (a scheme-less "/login?password=…", a form
//     body, a keyword DSN "host=db password=…"), name: value (a header line,
//     Go's %v of a struct or map), and JSON's "name": "value" and
//     "name":value, also escaped inside a quoted string. A quoted value is
//     redacted to its closing quote, escaped quotes and spaces included
//     (password="a b\"c d" → password="REDACTED"); a bracketed one ([…], {…})
//     to its closing bracket. The value of an Authorization-like name
//     (Authorization, Proxy-Authorization, Authentication-Info, Cookie,
//     Set-Cookie…) keeps a known scheme and is redacted to the end of the
//     credential: a lone token68 (Basic, Bearer, Token, Negotiate…), or to
//     the end of the line for auth-params (Digest's username=…, response=…;
//     AWS4-HMAC-SHA256 Credential=…), cookie lists and unknown schemes.
//     This costs some false positives ("status code=500" becomes
//     "code=REDACTED"; "code" is not sensitive in the "name: value" form),
//     accepted since a missed secret cannot be recalled;
//   - the text of XML elements of sensitive names
//     (<wsse:Password>…</wsse:Password>);
//   - the credential after "Bearer " (any case), and after "Basic " when it
//     decodes as a Basic credential does;
//   - registered secrets, in all their forms.
//
// Text takes the whole string, however long: a caller that bounds its
// output cuts what Text returns, never what it is given, so that a secret
// straddling the cut is redacted whole ([Value] and [Exception] do so).
func (r *Redactor) Text(s string) string {
	return validUTF8(r.orDefault().text(s, 0))
}

// validUTF8 is s with each run of invalid bytes replaced by U+FFFD, as
// every string this package returns is valid UTF-8. The redaction itself
// works on the bytes as given, so a secret registered with invalid bytes
// is still found.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// redactTextMargin is how far past a cut point Text looks when it redacts a
// string that is then cut (textCut): a URL, a quoted value or a pair that
// starts before the cut and goes on after it is seen whole, up to this many
// bytes.
const redactTextMargin = 4096

// textCut is Text followed by the cut to max bytes of [Limits]: the cut
// comes second, so a secret that straddles it is redacted whole, never half
// exported. A string longer than max by more than the margin is first
// shortened to max plus the margin (and the longest form of a registered
// secret): what lies beyond is cut anyway, and the margin holds everything
// redaction needs to see past the cut point.
func (r *Redactor) textCut(s string, max int) string {
	return r.cut(s, max, func(s string) string { return r.text(s, 0) })
}

// cut is textCut with another redaction: URLString's, HeaderValue's.
func (r *Redactor) cut(s string, max int, redact func(string) string) string {
	total := len(s)
	bound := max
	if bound < math.MaxInt-2*redactTextMargin-r.longestForm {
		bound += redactTextMargin + r.longestForm
	}
	if len(s) <= bound {
		return cutString(redact(s), max)
	}
	// Redaction may shorten the prefix ("Bearer <20 KiB>" becomes "Bearer
	// REDACTED") and bring its end, where a secret may be cut in two and so
	// go unrecognised, within max: then the prefix is taken longer, until
	// what redaction could not see whole lies beyond the cut.
	for {
		out := redact(s[:bound])
		if len(out) >= max+redactTextMargin+r.longestForm || bound == len(s) {
			s = out
			break
		}
		grow := bound
		if len(s)/8 > grow {
			grow = len(s) / 8
		}
		bound = min(len(s), bound+grow) // geometric: a few passes at most
	}
	s = s[:runeStartBefore(s, min(len(s), max))]
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		s = s[:runeStartBefore(s, min(len(s), max))]
	}
	return s + truncatedBytes(total)
}

// String returns s with every occurrence of every registered secret, in all
// the forms listed at [RedactConfig.Secrets], replaced by [Redacted].
func (r *Redactor) String(s string) string {
	return validUTF8(r.orDefault().erase(s))
}

// erase replaces the registered secrets' forms.
func (r *Redactor) erase(s string) string {
	// A replacement can complete another form with its neighbours only in
	// contrived cases; a few passes remove those too.
	for range 3 {
		if !r.containsForm(s) {
			return s
		}
		s = r.replacer.Replace(s)
	}
	return s
}

func (r *Redactor) containsForm(s string) bool {
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

func (r *Redactor) containsFormBytes(b []byte) bool {
	for _, f := range r.formBytes {
		if bytes.Contains(b, f) {
			return true
		}
	}
	return false
}

func (r *Redactor) text(s string, depth int) string {
	// Erasing secrets first keeps a secret that contains '&', '=' or '?'
	// from being split by the parsing below; erasing again at the end
	// catches what the other steps uncovered.
	s = r.erase(s)
	s = r.urls(s, depth)
	// Plain pairs before encoded ones: redacting an encoded run to its end
	// (code%3D0?token) would otherwise hide the name of the plain pair that
	// follows it (=secret), as FuzzRedactURL found.
	s = r.pairs(s)
	s = r.encoded(s, depth)
	s = r.elements(s)
	s = redactBearer(s)
	return r.erase(s)
}

// urls redacts every URL with a scheme inside s.
func (r *Redactor) urls(s string, depth int) string {
	sp := redactSplice{s: s}
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			break
		}
		k += i
		start := k
		for start > i && redactIsSchemeByte(s[start-1]) {
			start--
		}
		for start < k && !redactIsAlpha(s[start]) {
			start++
		}
		end := k + 3
		for end < len(s) && !redactEndsURL(s[end]) {
			end++
		}
		i = end
		if start == k {
			continue
		}
		span := s[start:end]
		red := r.url(span, depth)
		if red == span {
			continue
		}
		sp.replace(start, end, red)
	}
	return sp.String()
}

// url redacts one URL; see URLString.
func (r *Redactor) url(s string, depth int) string {
	s = r.erase(s) // before parsing, as in text
	rest, frag, hasFrag := strings.Cut(s, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")

	// Split rest as url.Parse does: scheme, then "//" authority up to the
	// next '/', userinfo up to the authority's last '@'.
	hostStart := redactSchemeEnd(rest)
	pathStart := hostStart
	uiStart, uiEnd := -1, -1
	if strings.HasPrefix(rest[hostStart:], "//") {
		hostStart += 2
		pathStart = len(rest)
		if i := strings.IndexByte(rest[hostStart:], '/'); i >= 0 {
			pathStart = hostStart + i
		}
		if at := strings.LastIndexByte(rest[hostStart:pathStart], '@'); at >= 0 {
			uiStart, uiEnd = hostStart, hostStart+at
			hostStart = uiEnd + 1
		} else if !redactValidHostPort(rest[hostStart:pathStart]) {
			// "https://u:pa/ss@host/": a password with an unescaped '/' ends
			// the authority early, and url.Parse rejects the URL. Take the
			// userinfo up to the next '@' rather than leak the password.
			if at := strings.IndexByte(rest[pathStart:], '@'); at >= 0 {
				uiStart, uiEnd = hostStart, pathStart+at
				hostStart = uiEnd + 1
				pathStart = hostStart
				if i := strings.IndexByte(rest[hostStart:], '/'); i >= 0 {
					pathStart = hostStart + i
				} else {
					pathStart = len(rest)
				}
			}
		}
	}

	ui, newUI := "", ""
	if uiStart >= 0 {
		ui = rest[uiStart:uiEnd]
		newUI = redactUserinfo(ui)
	}
	host := rest[hostStart:pathStart]
	newHost := r.erase(host)
	path := rest[pathStart:]
	newPath := r.path(path)
	newQuery := r.query(query, depth)
	newFrag := r.fragment(frag, depth)
	if newUI == ui && newHost == host && newPath == path && newQuery == query && newFrag == frag {
		return s
	}

	var b strings.Builder
	b.Grow(len(s) + 2*len(Redacted))
	if uiStart >= 0 {
		b.WriteString(rest[:uiStart])
		b.WriteString(newUI)
		b.WriteByte('@')
	} else {
		b.WriteString(rest[:hostStart])
	}
	b.WriteString(newHost)
	b.WriteString(newPath)
	if hasQuery {
		b.WriteByte('?')
		b.WriteString(newQuery)
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(newFrag)
	}
	return b.String()
}

// redactValidHostPort reports whether the port of host, if any, is a number,
// as url.Parse requires.
func redactValidHostPort(host string) bool {
	if strings.HasPrefix(host, "[") {
		i := strings.LastIndexByte(host, ']')
		if i < 0 {
			return false
		}
		host = host[i+1:]
		if host == "" {
			return true
		}
		if host[0] != ':' {
			return false
		}
	}
	i := strings.LastIndexByte(host, ':')
	if i < 0 {
		return true
	}
	for _, c := range []byte(host[i+1:]) {
		if !redactIsDigit(c) {
			return false
		}
	}
	return true
}

// redactUserinfo replaces the username and the password, keeping the shape.
func redactUserinfo(ui string) string {
	user, pass, hasPass := strings.Cut(ui, ":")
	if (user == "" || user == Redacted) && (pass == "" || pass == Redacted) {
		return ui
	}
	switch {
	case !hasPass:
		return Redacted
	case user == "":
		return ":" + Redacted
	case pass == "":
		return Redacted + ":"
	}
	return Redacted + ":" + Redacted
}

// path redacts a URL path, or the part of a fragment before its '?'.
func (r *Redactor) path(p string) string {
	out := r.pairs(r.erase(p))
	if r.replacer == nil || strings.IndexByte(out, '%') < 0 {
		return out
	}
	var buf [128]byte
	dec := redactUnescape(buf[:0], out, false)
	if !r.containsFormBytes(dec) {
		return out
	}
	// A secret hidden by unusual escaping (every byte escaped, say): rebuild
	// the path from its decoded, erased form.
	return (&url.URL{Path: r.erase(string(dec))}).EscapedPath()
}

// fragment redacts a fragment: a query ("#access_token=…") or, for the hash
// routing of single-page apps, a path and a query ("#/cb?code=…").
func (r *Redactor) fragment(f string, depth int) string {
	head, q, ok := strings.Cut(f, "?")
	if !ok {
		return r.query(f, depth)
	}
	newHead, newQ := r.path(head), r.query(q, depth)
	if newHead == head && newQ == q {
		return f
	}
	return newHead + "?" + newQ
}

func (r *Redactor) query(s string, depth int) string {
	s = r.erase(s) // before splitting, as in text
	var b []byte
	i := 0
	if strings.HasPrefix(s, "?") {
		i = 1
	}
	for i <= len(s) {
		j := strings.IndexAny(s[i:], "&;")
		if j < 0 {
			j = len(s)
		} else {
			j += i
		}
		seg := s[i:j]
		if red := r.pair(seg, depth); red != seg {
			if b == nil {
				b = make([]byte, 0, len(s)+len(Redacted))
				b = append(b, s[:i]...)
			}
			b = append(b, red...)
		} else if b != nil {
			b = append(b, seg...)
		}
		if j < len(s) && b != nil {
			b = append(b, s[j])
		}
		i = j + 1
	}
	if b == nil {
		return s
	}
	return string(b)
}

// pair redacts one name=value segment of a query.
func (r *Redactor) pair(seg string, depth int) string {
	key, val, ok := strings.Cut(seg, "=")
	if !ok {
		return r.component(seg, depth)
	}
	var buf [64]byte
	if r.isParamKey(redactDecodeKey(buf[:0], key)) {
		if val == "" || val == Redacted {
			return seg
		}
		return key + "=" + Redacted
	}
	newKey, newVal := r.component(key, depth), r.component(val, depth)
	if newKey == key && newVal == val {
		return seg
	}
	return newKey + "=" + newVal
}

// component redacts a raw (percent-encoded) name or value of a query. The
// decoded value is redacted as free text, so URLs and queries nested in it
// are redacted too; a changed value is re-encoded with url.QueryEscape.
func (r *Redactor) component(s string, depth int) string {
	out := r.erase(s)
	if strings.IndexByte(out, '%') < 0 {
		if !redactMayNeedText(out) {
			return out
		}
		if depth >= redactMaxDepth {
			return Redacted
		}
		return r.text(out, depth+1)
	}
	var buf [128]byte
	dec := redactUnescape(buf[:0], out, true)
	// A value still escaped after one decoding (a redirect URL escaped
	// twice) goes to text too, which decodes escaped runs again.
	if !redactMayNeedTextBytes(dec) && !r.containsFormBytes(dec) && bytes.IndexByte(dec, '%') < 0 {
		return out
	}
	if depth >= redactMaxDepth {
		return Redacted
	}
	ds := string(dec)
	t := r.text(ds, depth+1)
	if t == ds {
		return out
	}
	return url.QueryEscape(t)
}

// redactMayNeedText reports whether s could hold something that text would
// redact: a URL, a name=value pair or a Bearer credential. It keeps the
// common plain value on a path that does not allocate.
func redactMayNeedText(s string) bool {
	return strings.Contains(s, "://") || strings.IndexByte(s, '=') >= 0 || redactIndexBearer(s, 0) >= 0
}

func redactMayNeedTextBytes(b []byte) bool {
	return bytes.Contains(b, []byte("://")) || bytes.IndexByte(b, '=') >= 0 || redactIndexBearer(b, 0) >= 0
}

// pairs redacts the values of the name=value, name: value and JSON
// "name": value pairs whose name is sensitive, wherever they are in s.
func (r *Redactor) pairs(s string) string {
	sp := redactSplice{s: s}
	var memo redactSpans
	for i := 0; i < len(s); {
		k := strings.IndexAny(s[i:], "=:")
		if k < 0 {
			break
		}
		sep := i + k
		i = sep + 1
		colon := s[sep] == ':'
		if colon && strings.HasPrefix(s[sep:], "://") {
			continue // a scheme
		}
		// The name ends at the separator, or before the spaces and the
		// closing quote of a quoted name ("name": or \"name\":). It may lie
		// inside the value just redacted ("key: Authorization: Basic …"):
		// names are read from s, and only what follows the separator is
		// written.
		ke := sep
		for ke > 0 && (s[ke-1] == ' ' || s[ke-1] == '\t') {
			ke--
		}
		if ke > 0 && (s[ke-1] == '"' || s[ke-1] == '\'') {
			ke--
			for ke > 0 && s[ke-1] == '\\' {
				ke--
			}
		}
		ks := ke
		for ks > 0 && redactIsKeyByte(s[ks-1]) {
			ks--
		}
		// JSON writes '&' as \u0026: "…?a=1\u0026token=…".
		if ks > 0 && s[ks-1] == '\\' && ke-ks > 5 && s[ks] == 'u' &&
			redactIsHex(s[ks+1]) && redactIsHex(s[ks+2]) && redactIsHex(s[ks+3]) && redactIsHex(s[ks+4]) {
			ks += 5
		}
		if ks == ke || colon && ks > 0 && s[ks-1] == '/' || !r.isTextKey(s[ks:ke], colon) {
			continue // no name, a path ("POST /oauth/token: …"), or not sensitive
		}
		var lb [64]byte
		line := redactLineValued(redactLowerKey(lb[:0], s[ks:ke], true))
		vs, ve, next := memo.valueSpan(s, sep+1, colon, line)
		i = next
		vs = max(vs, sp.last)
		if vs >= ve || s[vs:ve] == Redacted {
			continue
		}
		sp.replace(vs, ve, Redacted)
	}
	return sp.String()
}

// isTextKey reports whether a name found in free text is sensitive, as a
// parameter or as a header. In the "name: value" form OAuth's "code" is not
// ("status code: 500").
func (r *Redactor) isTextKey(name string, colon bool) bool {
	var buf [64]byte
	k := redactDecodeKey(buf[:0], name)
	if redactRule(k, !colon) {
		return true
	}
	return r.isExtraParam(k) || r.isExtra(r.headers, k)
}

// redactValueSpan returns the bounds of the value that starts at i and the
// index to resume scanning at. Spaces after the separator are skipped. A
// value quoted with ", ', \" or \' (as %q renders a quote) runs to the
// matching close quote, escaped quotes included, or to the end of the line
// if there is none; one in brackets ([…] as fmt prints a slice, {…}) to the
// matching bracket. An unquoted value runs to the end of the line if line is
// set (credentials with a scheme, cookie lists) or if it starts with a known
// scheme, keeping the scheme ("Basic REDACTED"); any other is plain, and
// redactPlainEnd finds its end.
func (m *redactSpans) valueSpan(s string, i int, colon, line bool) (start, end, next int) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	// A quote is opened by " or ' behind n backslashes (n > 0 when the
	// text was quoted again: \" in %q output, \\\" in %q of %q) and closed
	// by the same quote behind exactly n backslashes; a quote behind any other
	// number is escaped inside the value.
	n := 0
	for i+n < len(s) && s[i+n] == '\\' {
		n++
	}
	if i+n < len(s) && (s[i+n] == '"' || s[i+n] == '\'') {
		// A quoted value may hold a pair of its own, or be a stray quote
		// that swallowed one (key=' secret='…'): the scan goes on inside.
		start = i + n + 1
		return start, m.quotedEnd(s, start, s[i+n], n), start
	}
	// Go's %#v writes a slice with its type: "Authorization":[]string{"…"}.
	// The value is the composite literal's braces, not the empty "[]".
	if strings.HasPrefix(s[i:], "[]") {
		j := i + 2
		for j < len(s) && (redactIsAlnum(s[j]) || s[j] == '.' || s[j] == '*' || s[j] == '_') {
			j++
		}
		if j > i+2 && j < len(s) && s[j] == '{' {
			i = j
		}
	}
	if i < len(s) && (s[i] == '[' || s[i] == '{') {
		end = redactCloseBracket(s, i)
		if end < len(s) {
			return i + 1, end, end + 1
		}
		return i + 1, end, end
	}
	if line || redactSchemeAt(s, i) {
		// Any sensitive name followed by a scheme: "key: Bearer …".
		end = i
		for end < len(s) && s[end] != '\n' && s[end] != '\r' && (colon || s[end] != '&') {
			end++
		}
		return redactCredentialSpan(s, i, end)
	}
	// An unquoted value may hold a pair of its own ("key: password=\"…\""):
	// the scan goes on inside it too.
	p := &m.plain[b2i(colon)]
	if !p.ok || i < p.from || i > p.end {
		*p = redactSpan{ok: true, from: i, end: redactPlainEnd(s, i, colon)}
	}
	return i, p.end, i

}

// redactSpans remembers the ends of the values found by one scan for pairs.
// The scan goes on inside a quoted or plain value, and the next value may
// start inside the last one ("token=token=token=…"): its end is the same,
// and is not searched for again, which keeps the scan linear.
type redactSpans struct {
	plain  [2]redactSpan // by colon
	quoted []redactSpan
}

type redactSpan struct {
	ok        bool
	from, end int
	q         byte
	n         int
}

// quotedEnd returns the end of the value that starts at start after the
// quote q behind n backslashes: the same quote behind exactly n
// backslashes, or the end of the line.
func (m *redactSpans) quotedEnd(s string, start int, q byte, n int) int {
	for _, sp := range m.quoted {
		if sp.q == q && sp.n == n && start >= sp.from && start <= sp.end {
			return sp.end
		}
	}
	end := len(s)
	for j := start; j < len(s); j++ {
		if s[j] == '\n' {
			end = j
			break
		}
		if s[j] == q {
			b := 0
			for j-b > start && s[j-b-1] == '\\' {
				b++
			}
			if b == n {
				end = j - n
				break
			}
		}
	}
	sp := redactSpan{ok: true, from: start, end: end, q: q, n: n}
	for k := range m.quoted {
		if m.quoted[k].q == q && m.quoted[k].n == n {
			m.quoted[k] = sp
			return end
		}
	}
	m.quoted = append(m.quoted, sp)
	return end
}

// redactPlainEnd returns the end of the unquoted value that starts at i:
// the next separator, which in the "name: value" form (colon) includes ','
// and closing brackets. A name and its ": " end the value too ("key:
// Authorization: Basic …").
func redactPlainEnd(s string, i int, colon bool) int {
	end := i
	for end < len(s) && !redactEndsValue(s[end]) && !(colon && redactEndsColonValue(s[end])) {
		if s[end] == ':' && (end+1 == len(s) || s[end+1] == ' ' || s[end+1] == '\t') {
			return end
		}
		end++
	}
	return end
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// redactCredentialSpan returns the part of the line s[i:end] to redact
// after an Authorization-like name. A known scheme stays ("Basic REDACTED");
// a lone token68 credential after it is redacted to its end, and anything
// else (Digest's and AWS's auth-params, an unknown scheme, a cookie list) to
// the end of the line.
func redactCredentialSpan(s string, i, end int) (start, stop, next int) {
	w := i
	for w < end && (redactIsAlnum(s[w]) || s[w] == '-') {
		w++
	}
	if w == i || w == end || s[w] != ' ' || !redactIsScheme(s[i:w]) {
		return i, end, end
	}
	for w < end && s[w] == ' ' {
		w++
	}
	if w == end {
		return i, end, end
	}
	t := w
	for t < end && redactIsToken68Byte(s[t]) {
		t++
	}
	p := t
	for p < end && s[p] == '=' {
		p++
	}
	if t > w && (p == end || strings.IndexByte(" \t,;", s[p]) >= 0 || p == t && (s[p] == '"' || s[p] == '\'')) {
		return w, p, p
	}
	return w, end, end
}

// redactSchemes are the HTTP authentication schemes a credential in free
// text is recognised by (IANA's registry and the common vendor ones).
var redactSchemes = []string{
	"basic", "bearer", "digest", "token", "apikey", "api-key", "aws4-hmac-sha256", "negotiate", "ntlm",
	"kerberos", "hoba", "mutual", "scram-sha-1", "scram-sha-256", "vapid", "dpop", "gnap", "oauth",
	"privatetoken", "concealed", "hmac", "hmac-sha256", "signature", "sharedkey", "sharedkeylite",
	"sharedaccesssignature",
}

// redactSchemeAt reports whether a known scheme and a space start s[i:].
func redactSchemeAt(s string, i int) bool {
	w := i
	for w < len(s) && (redactIsAlnum(s[w]) || s[w] == '-') {
		w++
	}
	return w > i && w+1 < len(s) && s[w] == ' ' && redactIsScheme(s[i:w])
}

func redactIsScheme(w string) bool {
	for _, x := range redactSchemes {
		if strings.EqualFold(w, x) {
			return true
		}
	}
	return false
}

func redactEndsColonValue(c byte) bool { return c == ',' || c == '}' || c == ']' || c == ')' }

// redactCloseBracket returns the index of the bracket that closes the one
// at s[i], skipping quoted text, or the end of the line if none does.
func redactCloseBracket(s string, i int) int {
	depth := 0
	var quote byte
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == '\\' {
				j++
			} else if c == quote {
				quote = 0
			}
		case c == '"':
			quote = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return j
			}
		case c == '\n':
			return j
		}
	}
	return len(s)
}

// encoded redacts, in free text, what hides behind percent-encoding: a URL
// or a name=value pair escaped whole (https%3A%2F%2Fh%2Fp%3Ftoken%3D…,
// token%3D…). Each run of text between separators that decodes to
// something text would redact is redacted decoded and re-encoded.
func (r *Redactor) encoded(s string, depth int) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	sp := redactSplice{s: s}
	for i := 0; i < len(s); {
		if redactEndsValue(s[i]) || s[i] == '=' {
			i++
			continue
		}
		j := i
		pct := false
		for j < len(s) && !redactEndsValue(s[j]) && s[j] != '=' {
			pct = pct || s[j] == '%'
			j++
		}
		run := s[i:j]
		start := i
		i = j
		if !pct {
			continue
		}
		var buf [128]byte
		dec := redactUnescape(buf[:0], run, true)
		if string(dec) == run || !redactMayNeedTextBytes(dec) && bytes.IndexByte(dec, '%') < 0 && !r.containsFormBytes(dec) {
			continue
		}
		red := Redacted
		if depth < redactMaxDepth {
			ds := string(dec)
			t := r.text(ds, depth+1)
			if t == ds {
				continue
			}
			red = url.QueryEscape(t)
		}
		sp.replace(start, j, red)
	}
	return sp.String()
}

// elements redacts the text of XML elements whose name is sensitive
// (<password>…</password>, <wsse:Password>…</wsse:Password>), as SOAP and
// XML APIs quote them in their errors: up to the next '<'.
func (r *Redactor) elements(s string) string {
	sp := redactSplice{s: s}
	gt, lt := -1, -1 // the next '>' and '<' found, remembered to stay linear
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			break
		}
		i += k + 1
		ne := i
		for ne < len(s) && (redactIsKeyByte(s[ne]) || s[ne] == ':') {
			ne++
		}
		if ne == i || ne >= len(s) {
			continue
		}
		tagEnd := ne
		if s[ne] != '>' {
			// Attributes (<wsse:Password Type="…">), but not a self-closed
			// element.
			if s[ne] != ' ' && s[ne] != '\t' && s[ne] != '\n' && s[ne] != '\r' {
				continue
			}
			tagEnd = redactNextByte(s, '>', ne, &gt)
			if tagEnd == len(s) || redactNextByte(s, '<', ne, &lt) < tagEnd || s[tagEnd-1] == '/' {
				continue
			}
		}
		name := s[i:ne]
		if c := strings.LastIndexByte(name, ':'); c >= 0 {
			name = name[c+1:] // the namespace prefix
		}
		if name == "" || !r.isTextKey(name, true) {
			continue
		}
		vs := tagEnd + 1
		ve := redactNextByte(s, '<', vs, &lt)
		i = ve
		if vs >= ve || s[vs:ve] == Redacted || vs < sp.last {
			continue
		}
		sp.replace(vs, ve, Redacted)
	}
	return sp.String()
}

// redactNextByte returns the index of the first c in s at or after from, or
// len(s); memo holds the last answer, reused while it is still ahead, so
// that repeated searches stay linear.
func redactNextByte(s string, c byte, from int, memo *int) int {
	if *memo >= from {
		return *memo
	}
	if k := strings.IndexByte(s[from:], c); k >= 0 {
		*memo = from + k
	} else {
		*memo = len(s)
	}
	return *memo
}

// redactBearer replaces the credential that follows "Bearer ", and the
// credential after "Basic " when it decodes as a Basic credential does
// (base64 of "user:password").
func redactBearer(s string) string {
	return redactScheme(redactScheme(s, "bearer", nil), "basic", redactIsBasicCredential)
}

func redactIsBasicCredential(c string) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if d, err := enc.DecodeString(c); err == nil {
			return bytes.IndexByte(d, ':') >= 0
		}
	}
	return false
}

// redactScheme replaces the token68 credential that follows the scheme word
// (lower case) and spaces, when check, if any, accepts it.
func redactScheme(s, word string, check func(string) bool) string {
	sp := redactSplice{s: s}
	for i := 0; ; {
		k := redactIndexWord(s, word, i)
		if k < 0 {
			break
		}
		i = k + len(word)
		if k > 0 && (redactIsAlpha(s[k-1]) || redactIsDigit(s[k-1])) {
			continue
		}
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j == i {
			continue
		}
		ts := j
		for j < len(s) && redactIsToken68Byte(s[j]) {
			j++
		}
		te := j
		for j < len(s) && s[j] == '=' {
			j++
		}
		if te == ts {
			continue
		}
		// `Bearer realm="x"` starts auth-params, not a credential.
		if j > te && j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != ',' && s[j] != ';' {
			continue
		}
		i = j
		if s[ts:j] == Redacted || check != nil && !check(s[ts:j]) {
			continue
		}
		sp.replace(ts, j, Redacted)
	}
	return sp.String()
}

// redactIndexBearer returns the index of the first "bearer", in any case, at
// or after from, or -1.
func redactIndexBearer[T string | []byte](s T, from int) int {
	return redactIndexWord(s, "bearer", from)
}

// redactIndexWord returns the index of the first occurrence of word (lower
// case), in any case, at or after from, or -1.
func redactIndexWord[T string | []byte](s T, word string, from int) int {
	for i := from; i+len(word) <= len(s); i++ {
		j := 0
		for j < len(word) && s[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return i
		}
	}
	return -1
}

// redactSecretForms appends the forms of secret s that are worth erasing.
func redactSecretForms(forms []string, s string) []string {
	q, p := url.QueryEscape(s), url.PathEscape(s)
	forms = append(forms, s, q, p, redactLowerHex(q), redactLowerHex(p))
	b := []byte(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		forms = append(forms, enc.EncodeToString(b))
	}
	// Inside a longer base64 text ("user:" + s in a Basic credential) the
	// encoding of s depends on its offset modulo 3. For each offset keep the
	// characters that depend on s alone.
	for k, first := range [3]int{0, 2, 3} {
		buf := make([]byte, k+len(s))
		copy(buf[k:], s)
		n := len(buf)
		core := base64.RawStdEncoding.EncodeToString(buf)[first : 4*(n/3)+n%3]
		forms = append(forms, core, strings.NewReplacer("+", "-", "/", "_").Replace(core))
	}
	return forms
}

// redactLowerHex turns the hex digits of percent escapes to lower case, as
// some encoders write them.
func redactLowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = redactLowerByte(b[i+1])
			b[i+2] = redactLowerByte(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func redactNameSet(extra []string) map[string]struct{} {
	m := make(map[string]struct{}, len(extra))
	for _, name := range extra {
		if k := redactLowerKey(nil, name, false); len(k) > 0 {
			m[string(k)] = struct{}{}
		}
	}
	return m
}

// redactDecodeKey appends name to dst percent-decoded (with '+' as a space)
// and without surrounding spaces, keeping its case for the camelCase rule.
func redactDecodeKey(dst []byte, name string) []byte {
	return bytes.TrimSpace(redactUnescape(dst, name, true))
}

// redactLowerKey appends name to dst in ASCII lower case without surrounding
// spaces, percent-decoding it first (with '+' as a space) if decode is set.
// Malformed escapes are kept as they are, as lenient servers do.
func redactLowerKey(dst []byte, name string, decode bool) []byte {
	if decode {
		dst = redactUnescape(dst, name, true)
	} else {
		dst = append(dst, name...)
	}
	for i, c := range dst {
		dst[i] = redactLowerByte(c)
	}
	return bytes.TrimSpace(dst)
}

// redactUnescape appends s to dst percent-decoded, keeping malformed escapes;
// plus selects query decoding, where '+' is a space.
func redactUnescape(dst []byte, s string, plus bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && redactIsHex(s[i+1]) && redactIsHex(s[i+2]):
			c = redactUnhex(s[i+1])<<4 | redactUnhex(s[i+2])
			i += 2
		case c == '+' && plus:
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// redactSchemeEnd returns the index just after "scheme:" at the start of s,
// or 0 if s does not start with a scheme.
func redactSchemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case redactIsAlpha(c):
		case redactIsSchemeByte(c):
			if i == 0 {
				return 0
			}
		case c == ':':
			if i == 0 {
				return 0
			}
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

func redactIsAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func redactIsDigit(c byte) bool { return '0' <= c && c <= '9' }

func redactIsHex(c byte) bool {
	return redactIsDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f'
}

func redactUnhex(c byte) byte {
	if redactIsDigit(c) {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

func redactLowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func redactIsSchemeByte(c byte) bool {
	return redactIsAlpha(c) || redactIsDigit(c) || c == '+' || c == '-' || c == '.'
}

// redactIsKeyByte reports whether c can be part of a parameter name in free
// text.
func redactIsKeyByte(c byte) bool {
	return redactIsAlpha(c) || redactIsDigit(c) ||
		c == '_' || c == '-' || c == '.' || c == '~' || c == '%' || c == '[' || c == ']'
}

func redactIsToken68Byte(c byte) bool {
	return redactIsAlpha(c) || redactIsDigit(c) ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// redactEndsURL reports whether c ends a URL in free text. Punctuation such
// as ',' or ')' does not: redacting a character too many is better than
// leaving the end of a token.
func redactEndsURL(c byte) bool {
	return c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`'
}

// redactEndsValue reports whether c ends an unquoted parameter value in free
// text.
func redactEndsValue(c byte) bool {
	return redactEndsURL(c) || c == '&' || c == ';'
}

// Value is [Value] with r's rules: error texts and HTTP data (URLs, query
// values, headers, requests, responses, cookies) nested anywhere in v are
// redacted as r redacts them at top level, r's registered secrets and extra
// names included, and redacted before they are cut to the limits. (The
// package-level [Value] does the same with [DefaultRedactor].) It never
// panics.
func (r *Redactor) Value(v any) attribute.Value {
	c := converter{l: defaults, red: r.orDefault()}
	return c.value(v, 0)
}

// KeyValue is [Redactor.Value] for one attribute: the key made valid and cut
// to the key limit, the value converted.
func (r *Redactor) KeyValue(key string, v any) attribute.KeyValue {
	return attribute.KeyValue{Key: attribute.Key(cutString(key, DefaultMaxKeyLen)), Value: r.Value(v)}
}

// Exception is [Exception] with r's rules: the message is err's text
// redacted by r, and only then cut to the string limit, so a secret that
// straddles the cut is never half exported. Callers that redact error texts
// with their own Redactor use this rather than redacting Exception's message
// afterwards.
func (r *Redactor) Exception(err error) []attribute.KeyValue {
	return r.AppendException(nil, err)
}

// AppendException appends [Redactor.Exception]'s attributes to dst.
func (r *Redactor) AppendException(dst []attribute.KeyValue, err error) []attribute.KeyValue {
	return appendException(dst, err, r.orDefault())
}

// redactSplice builds a copy of s with spans replaced, left to right; it
// allocates only at the first replacement, and gives s itself back when
// there was none.
type redactSplice struct {
	s    string
	b    []byte
	last int // the end of the last span replaced
}

func (p *redactSplice) replace(start, end int, with string) {
	if p.b == nil {
		p.b = make([]byte, 0, len(p.s)+len(Redacted))
	}
	p.b = append(p.b, p.s[p.last:start]...)
	p.b = append(p.b, with...)
	p.last = end
}

func (p *redactSplice) String() string {
	if p.b == nil {
		return p.s
	}
	return string(append(p.b, p.s[p.last:]...))
}
