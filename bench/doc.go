// Package bench compares oplog with its peers. It holds only benchmarks and
// the tests that keep them honest, in a module of its own so that the peers
// (zap, zerolog, otelslog, stdoutlog, …) never enter oplog's go.mod.
//
// Every benchmark is named Benchmark<Case>/<peer>, so one benchstat table
// lines the peers up case by case. The logging cases (Static, FiveFields,
// TenFields, TenFieldsBound, Disabled, OperationLifecycle, HTTPMessage) run
// serially and, as Benchmark<Case>Parallel, with b.RunParallel, for the
// peers
//
//	oplog      the operation handle, into export.Setup (discarding exporter)
//	oplogslog  log/slog through bridge, inside the operation
//	otelapi    the same final record through the OTel log API into a
//	           default sdk/log provider (BatchProcessor, discarding exporter)
//	otelslog   log/slog through the contrib otelslog bridge, same provider
//	zap        zap's production JSON encoder, to io.Discard
//	zerolog    zerolog, to io.Discard
//	slog       slog.JSONHandler, to io.Discard
//
// The OTel rows' time includes a final ForceFlush, and dropped/op counts
// what their pipeline lost. BenchmarkOpenOperations and BenchmarkAttributes
// measure how the cost of a message scales; BenchmarkExportRecords compares
// the exporters on the same batch. BenchmarkStoreIngest and
// TestStoreAtScale measure package store: ingest rate, and query latency
// at up to a million messages. Run ./run to get the tables; see
// README.md and BENCHMARKS.md at the repository root.
package bench
