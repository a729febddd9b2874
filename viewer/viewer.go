package viewer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"time"

	"github.com/oplog-go/oplog/store"
)

// Source is what the viewer reads; *store.Store implements it. The viewer
// calls it concurrently, once per API request, with the request's context.
type Source interface {
	// Operations returns a page of the operations f selects.
	Operations(ctx context.Context, f store.OperationFilter) (store.OperationPage, error)
	// Operation returns one operation, or store.ErrNotFound.
	Operation(ctx context.Context, id string) (store.Operation, error)
	// Messages returns a page of one operation's messages.
	Messages(ctx context.Context, f store.MessageFilter) (store.MessagePage, error)
	// Facets returns the values the filters can take.
	Facets(ctx context.Context) (store.Facets, error)
}

// Options configure the handler [New] returns. A nil *Options, like the
// zero Options, means the defaults.
type Options struct {
	// TraceURL is the address of an operation's trace in a tracing UI, with
	// {trace_id} where the trace id goes, for example
	// "http://localhost:16686/trace/{trace_id}" for Jaeger. Empty: the page
	// shows the trace id as text. Only http and https addresses are linked.
	TraceURL string

	// Logger receives the errors of the Source, which clients see only as
	// "internal error". Nil means slog.Default() at the time of each error.
	Logger *slog.Logger

	// AllowedHosts are the host names, besides the loopback ones, that a
	// request may address in its Host header: "logs.example.com", or
	// "10.0.0.5" for a server reached by its address. They are compared
	// without port, case, final dot and surrounding spaces. Any other host
	// is answered 421 Misdirected Request, on every path: a page of another
	// site that points its own name at this server (DNS rebinding) cannot
	// read the logs. "*" allows every host, for a proxy in front that
	// checks it. Default: only localhost, 127.0.0.0/8 and ::1, with any
	// port.
	AllowedHosts []string

	// Token, when set, is required of every API request, as the header
	// "Authorization: Bearer <token>"; a request without it, or with
	// another, is answered 401 with WWW-Authenticate. The page and its
	// assets load without it: the page asks for the token on the first
	// 401 and keeps it for the browser tab (sessionStorage). The scheme
	// is matched in any case; a token in the query string is never
	// accepted (addresses end up in logs, history and Referer headers).
	// Use a long random string of printable ASCII without spaces. Empty:
	// no token.
	Token string
}

//go:embed web
var web embed.FS

// page is the template of the single page; its data is Options.TraceURL.
var page = template.Must(template.ParseFS(web, "web/index.html"))

// contentSecurityPolicy allows the page only its own script, style and
// API: no inline script or style, no other origin, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// contentTypes are the types of the files under web/assets, by extension:
// set here rather than read from the system's MIME tables, which differ.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// handler serves the viewer; it is immutable after New.
type handler struct {
	src    Source
	logger *slog.Logger
	hosts  hosts
	token  token
	mux    *http.ServeMux
	page   asset
	assets map[string]asset // by name under /assets/
}

// asset is an embedded file ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// New returns an http.Handler that serves, under the root it is mounted at:
//
//	GET /                               the page
//	GET /assets/{name}                  its script, style and icon
//	GET /api/operations                 a store.OperationPage
//	GET /api/operations/{id}            a store.Operation
//	GET /api/operations/{id}/messages   a store.MessagePage
//	GET /api/facets                     the store.Facets
//
// See the package documentation for the API's parameters and errors. The
// page refers to the assets and the API by relative addresses, so the
// handler can be mounted under a prefix with http.StripPrefix (the page is
// then at the prefix with its trailing slash).
func New(src Source, opts *Options) http.Handler {
	var o Options
	if opts != nil {
		o = *opts
	}
	h := &handler{src: src, logger: o.Logger, mux: http.NewServeMux(),
		hosts: newHosts(o.AllowedHosts), token: newToken(o.Token)}
	h.page = renderPage(o.TraceURL)
	h.assets = loadAssets()

	h.mux.HandleFunc("/api/operations", h.api(h.operations))
	h.mux.HandleFunc("/api/operations/{id}", h.api(h.operation))
	h.mux.HandleFunc("/api/operations/{id}/messages", h.api(h.messages))
	h.mux.HandleFunc("/api/facets", h.api(h.facets))
	h.mux.HandleFunc("/api/", h.api(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+quote(r.URL.Path))
	}))
	h.mux.HandleFunc("/assets/{name}", h.asset)
	h.mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, r, h.page)
	})
	h.mux.HandleFunc("/", http.NotFound)
	return h
}

// ServeHTTP sets the headers every answer carries, refuses a host not
// allowed and every method but GET and HEAD.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("Referrer-Policy", "no-referrer")
	if !h.hosts.allows(r.Host) {
		writeError(w, http.StatusMisdirectedRequest, "host "+quote(r.Host)+" not allowed: the viewer answers "+
			"localhost and its loopback addresses, and the hosts of viewer.Options.AllowedHosts")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: the viewer is read-only")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// api wraps an API endpoint: with Options.Token set, it requires the token.
func (h *handler) api(f http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, sent := h.token.check(r); !ok {
			challenge := `Bearer realm="oplog viewer"`
			if sent {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			writeError(w, http.StatusUnauthorized, "this viewer requires its access token: Authorization: Bearer <token>")
			return
		}
		f(w, r)
	}
}

// renderPage executes the page template once: its only data is the trace
// address, which the script reads from a meta element.
func renderPage(traceURL string) asset {
	var b bytes.Buffer
	if err := page.Execute(&b, traceURL); err != nil {
		// The template is embedded and its data a string: this cannot fail
		// unless the template itself is broken, which the tests catch.
		panic("viewer: page template: " + err.Error())
	}
	return newAsset(b.Bytes(), "text/html; charset=utf-8")
}

// loadAssets reads the embedded files under web/assets.
func loadAssets() map[string]asset {
	entries, err := fs.ReadDir(web, "web/assets")
	if err != nil {
		panic("viewer: embedded assets: " + err.Error())
	}
	assets := make(map[string]asset, len(entries))
	for _, e := range entries {
		body, err := fs.ReadFile(web, "web/assets/"+e.Name())
		if err != nil {
			panic("viewer: embedded assets: " + err.Error())
		}
		ct, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			panic("viewer: embedded asset of unknown type: " + e.Name())
		}
		assets[e.Name()] = newAsset(body, ct)
	}
	return assets
}

func newAsset(body []byte, contentType string) asset {
	sum := sha256.Sum256(body)
	return asset{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

func (h *handler) asset(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	serveAsset(w, r, a)
}

// serveAsset serves a with its ETag: browsers revalidate on each load
// (no-cache) and get 304 while the binary is the same.
func serveAsset(w http.ResponseWriter, r *http.Request, a asset) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
