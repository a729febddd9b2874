// Package viewer serves the operations and messages of a [store.Store] as a
// JSON API and a web page to browse them. [New] returns the
// [net/http.Handler]; mount it where the operator can reach it:
//
//	http.Handle("/oplog/", http.StripPrefix("/oplog", viewer.New(st, nil)))
//
// The handler reads through a [Source], which *store.Store implements.
// It writes nothing: every method but GET and HEAD is answered with 405.
//
// # Who may read
//
// The viewer answers only requests addressed to localhost or a loopback
// address (any port), or to a host of [Options.AllowedHosts]; any other
// Host header is answered 421 on every path, so that a page of another
// site cannot read the logs by pointing its own name at this server (DNS
// rebinding). With [Options.Token] set, every API request must carry
// "Authorization: Bearer <token>" (401 and WWW-Authenticate otherwise);
// the page asks for the token on the first 401 and keeps it for the tab.
// Serve beyond the loopback interface only with a token, and over TLS (or
// behind a proxy that adds it) when the network is not trusted.
//
// # The page
//
// GET / is a single page of hand-written HTML, CSS and JavaScript embedded
// in the binary: it loads nothing from any other origin, and its
// Content-Security-Policy forbids it to. It lists operations newest first,
// filtered by integration, connection, kind, state, period and text, and
// shows one operation with its messages: HTTP messages with their method,
// URL, status and headers, attributes as a collapsible tree, and a link to
// the operation's trace when [Options.TraceURL] is set. Log data is shown as
// text, never interpreted as HTML. The comment at the top of
// web/assets/app.js lists the element ids and classes a browser test can
// rely on.
//
// # The API
//
// Every answer is JSON, with Cache-Control: no-store:
//
//	GET /api/operations                 store.OperationPage
//	    integration, connection, kind, state, q, cursor, limit
//	    since, until                    RFC 3339 times
//	GET /api/operations/{id}            store.Operation
//	GET /api/operations/{id}/messages   store.MessagePage
//	    min_severity                    1–24 or trace, debug, info, warn,
//	                                    error, fatal (any case)
//	    q, cursor, limit
//	GET /api/facets                     store.Facets
//
// The parameters are the fields of [store.OperationFilter] and
// [store.MessageFilter]; an empty one does not filter. Lists in answers are
// never null.
//
// # Errors
//
// An error is an object {"error": "..."} with a status: 400 for input the
// viewer or the store refuses (an unknown or repeated parameter, an
// unparsable time, limit or severity, an unknown state, a search longer
// than [store.MaxSearchLen] bytes, text that is not valid UTF-8, a
// malformed cursor: any [*store.InputError]); 401 for an API request
// without the token, when one is set; 404 for an unknown operation
// ([store.ErrNotFound]) or path; 405 for a method other than GET or HEAD;
// 421 for a host not allowed. Any other error of the
// Source is answered with 500 and the message "internal error", and logged
// to [Options.Logger] with its text, which may name files and queries.
package viewer
