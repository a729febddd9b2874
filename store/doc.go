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
// Every text stored is valid UTF-8: a provider that does not sanitize as
// export's pipeline does may pass any bytes, and each invalid sequence is
// stored as U+FFFD, so that any id or value a listing shows can be asked
// for again.
//
// # What describes an operation
//
// An operation's kind, references, state, times and error come only from
// what is entitled to say them: oplog's start and end records (event
// oplog.operation.start or oplog.operation.end with
// oplog.message.source=internal) and the operation's span. Any other
// record is a message of its operation and changes nothing else, whatever
// oplog.* attributes it carries: an error logged with LogError does not
// become the error of an operation that then succeeds, nor replaces the
// cause of one that failed. The error is the end record's exception, or
// the last exception event of a span with status Error, until the end
// record arrives.
//
// A span describes only the operation whose span it is: code can set any
// attribute on the span in its context, oplog.operation.id included, so
// the store takes the operation's span id from its first start or end
// record and ignores any other span that names the operation (all spans,
// when the records carry no span id); a span that named it before that
// record arrived is forgotten when it does. The
// operation's own span gives its kind and references only until a start
// or end record (which carries them all) describes the operation, and its
// state, duration and error only until the end record does. A record or span
// that gives one of oplog's keys twice with different values (possible
// when an SDK allows duplicate keys) is not trusted with that key.
//
// # Times
//
// Times are stored as Unix nanoseconds, which hold 1677-09-21 to
// 2262-04-11. A time outside is clamped to that range, where it sorts and
// filters; the message keeps the time as sent in Message.OriginalTime and
// its operation is marked Operation.TimeClamped. Every time inside is
// stored as it is, the Unix epoch and times before it too. A record
// without a timestamp is stored at its observed time, and one with
// neither (not from an SDK logger, which sets the observed time) at the
// time it is stored.
//
// # Sharing a file
//
// Several stores, in one process or several, may open the same file. A
// write takes the file's write lock when it begins and waits up to ten
// seconds for another writer's; past that, Export returns the error
// (SQLITE_BUSY) and the pipeline counts the batch as failed, so nothing is
// lost unseen.
//
// Retention by age and by size runs in the background (see Options).
//
// The viewer package serves these queries as a JSON API and a web page.
package store
