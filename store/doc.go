// Package store keeps operations and their messages in an embedded SQLite
// database (the pure-Go modernc.org/sqlite driver: no cgo), in a file or in
// memory, and answers the queries of a logs screen: operations filtered by
// integration, connection, kind, state, period and text, newest first with
// cursor pagination; the messages of one operation; the values filters can
// take.
//
// A *Store is both an sdk/log Exporter and an sdk/trace SpanExporter: add it
// to a pipeline with export.WithStore, or to any SDK provider. Operations
// are built from their start and end records and from their spans,
// whichever arrive; messages are every record, searchable with SQLite's
// full-text index (FTS5) over bodies, error types and messages, and HTTP
// URLs and status codes.
//
// Retention by age and by size runs in the background (see Options).
//
// The viewer package serves these queries as a JSON API and a web page.
package store
