// Package reliability holds the load, fault, bad-input and security suite
// of oplog (RELIABILITY.md at the repository root). Every test checks the
// same invariant: for each exporter, records emitted = delivered + dropped
// by reason (export.Pipeline.Stats), and what the real Collector receiver
// got, keyed by (operation id, sequence), is exactly the delivered records,
// none twice.
//
// The default scale fits CI; OPLOG_RELIABILITY_SCALE=full runs the scale of
// RELIABILITY.md, and OPLOG_RELIABILITY_REPORT=FILE appends each case's
// figures to FILE as Markdown table rows.
package reliability
