// Package bench compares oplog with its peers. It holds only benchmarks and
// the tests that keep their fixtures honest, in a module of its own so that
// the peers (zap, stdoutlog, …) never enter oplog's go.mod.
//
// Every benchmark is named Benchmark<Case>/<peer>, so one benchstat table
// lines the peers up case by case:
//
//	BenchmarkExportRecords/console    export.Console, no colour
//	BenchmarkExportRecords/json       export.JSON (OTLP/JSON lines)
//	BenchmarkExportRecords/stdoutlog  otel's stdoutlog exporter
//	BenchmarkExportRecords/zapjson    zap's JSON encoder on the same records
//
// An op is one batch; ns/record and B/record (bytes written) divide by the
// records in it. Run ./run to get the table; see README.md.
package bench
