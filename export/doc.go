// Package export wires oplog to the OpenTelemetry SDK: [Setup] builds an
// sdk/log LoggerProvider and an sdk/trace TracerProvider whose records and
// spans go to the exporters you choose, and returns a [Pipeline] to flush,
// shut down and read delivery counts from. It is the one place an
// application touches the SDK; function code uses the OTel APIs only.
//
// # Exporters
//
// [Console] writes one line per record for humans; [JSON] writes OTLP/JSON
// lines for machines; [WithOTLP] sends OTLP/HTTP (otlploghttp and
// otlptracehttp) to an OpenTelemetry Collector or any OTLP backend; [Memory]
// keeps records and spans for tests. Any sdk/log Exporter plugs in with
// [WithExporter], any span exporter with [WithSpanExporter].
//
// # Delivery
//
// Records and spans take the same path. Each one is sanitized once, as it
// is emitted or as its span ends, before it is queued: valid UTF-8
// everywhere (body, attributes, event and span names, span events and
// links, status text, scope; the resource once, in Setup), duplicate keys
// removed, [logrecord.Limits] applied, and the count of attributes dropped
// past Limits.MaxAttributes kept in the record (OTLP
// dropped_attributes_count, JSON droppedAttributesCount, a
// "…[+N attributes dropped]" mark on the console). One bad string cannot
// make an OTLP batch fail. A record or span larger than one request
// ([WithBatchBytes]) is cut to fit, marked as [logrecord.Limits] marks a
// cut; the resource, which every request carries, is cut likewise to a
// quarter of one request, service.name kept, and the error handler told.
//
// Each exporter, of records or of spans, has its own queue and goroutine: a
// log call only enqueues, never waits on I/O. A queue is bounded in items
// ([WithQueueSize]) and in estimated bytes ([WithQueueBytes]), so memory
// stays bounded while a receiver stalls. Batches are bounded in items
// ([WithBatchSize]) and in estimated encoded bytes ([WithBatchBytes]); a
// request the receiver refuses as too large is split in halves and sent
// again, down to one item, which is cut further. Every record ends up
// delivered or counted in [Pipeline.Stats] by reason (queue full, export
// failed, rejected by the receiver, invalid, shutdown), every span likewise
// in [SpanStats], and drops are reported as they happen through the error
// handler ([WithErrorHandler]; default: stderr), rate-limited, on a
// goroutine of the pipeline's, so that a handler that blocks holds no log
// call and no Shutdown past its deadline. A refused or dropped connection
// is retried with backoff within the export timeout; OTLP answers 429 and
// 5xx are retried by the OTLP exporter itself. An exporter or error handler
// that panics is recovered: its batch is counted as export failed and a
// [*PanicError] reported.
//
// [Pipeline.Shutdown] flushes spans, then logs, within the caller's
// deadline, and returns by it (at most 50 ms past it, for an export under
// way to stop) whatever an exporter does: what is still queued or in an
// export that did not stop is counted as dropped at shutdown, and
// spans still open are counted too. Its error says how many records and
// spans were not delivered.
//
// # Configuration
//
// Options win over environment variables. With no exporter option, the
// variables choose; with nothing set, records go to stdout in the console
// format.
//
//	variable                               meaning                                          default
//	OTEL_SDK_DISABLED                      true (any case): nothing is produced or sent     false
//	OTEL_SERVICE_NAME                      service.name of the resource                     unknown_service:<program>
//	OTEL_RESOURCE_ATTRIBUTES               more resource attributes, k=v,k=v                none
//	OTEL_LOGS_EXPORTER                     console, otlp, none (comma list)                 console, plus otlp if a logs endpoint is set
//	OTEL_TRACES_EXPORTER                   console, otlp, none (comma list)                 otlp if a traces endpoint is set, else none
//	OTEL_EXPORTER_OTLP_ENDPOINT            base http or https URL of the OTLP receiver      http://localhost:4318 when otlp is chosen
//	OTEL_EXPORTER_OTLP_LOGS_ENDPOINT       full URL for logs (…/v1/logs)                    from the base URL
//	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT     full URL for traces (…/v1/traces)                from the base URL
//	OTEL_EXPORTER_OTLP_HEADERS             request headers, k=v,k=v (values %-encoded)      none
//	OTEL_EXPORTER_OTLP_TIMEOUT             one request's timeout, in ms (0: none)           10000
//	OTEL_EXPORTER_OTLP_COMPRESSION         gzip or none                                     none
//	OTEL_EXPORTER_OTLP_INSECURE            true for plain http with a host:port endpoint    false
//	OTEL_EXPORTER_OTLP_PROTOCOL            http/protobuf (the only one supported)           http/protobuf
//	OTEL_EXPORTER_OTLP_CERTIFICATE         PEM file of the CAs that verify the receiver     the system's
//	OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE  PEM file of the client certificate (mTLS)        none
//	OTEL_EXPORTER_OTLP_CLIENT_KEY          PEM file of its private key (with the above)     none
//	OTEL_BLRP_MAX_QUEUE_SIZE               records each exporter may hold                   2048
//	OTEL_BLRP_MAX_EXPORT_BATCH_SIZE        records per export (at most the queue size)      512
//	OPLOG_BLRP_MAX_QUEUE_BYTES             bytes of records each exporter may hold          33554432 (32 MiB)
//	OPLOG_BLRP_MAX_EXPORT_BATCH_BYTES      bytes of one export request                      4194304 (4 MiB)
//	OTEL_BLRP_SCHEDULE_DELAY               ms the OTLP exporter waits to fill a batch       1000
//	OTEL_BLRP_EXPORT_TIMEOUT               ms one export may take, retries included         30000
//	OTEL_BSP_MAX_QUEUE_SIZE                spans each span exporter may hold                OTEL_BLRP_MAX_QUEUE_SIZE's
//	OTEL_BSP_MAX_EXPORT_BATCH_SIZE         spans per export                                 OTEL_BLRP_MAX_EXPORT_BATCH_SIZE's
//	OTEL_BSP_SCHEDULE_DELAY                ms a span exporter waits to fill a batch         OTEL_BLRP_SCHEDULE_DELAY's
//	OTEL_BSP_EXPORT_TIMEOUT                ms one span export may take                      OTEL_BLRP_EXPORT_TIMEOUT's
//	OPLOG_CONSOLE_FORMAT                   pretty or json, for the default stdout exporter  pretty
//	OPLOG_LEVEL                            minimum severity exported (a severity name)      every record
//
// The per-signal OTLP variables (…_LOGS_…, …_TRACES_…: endpoint, headers,
// timeout, compression, insecure, protocol, and the three certificate
// variables) are honoured as the OTLP exporters define them, the signal's
// own first; a logs or traces endpoint is the base variable or the
// signal's own, so that the signal's own endpoint turns OTLP on for that
// signal alone. The span queues take the same sizes and durations as the
// record queues, the OTEL_BSP_* variables winning over the OTEL_BLRP_*
// ones for them (options, such as [WithQueueSize], win over both). A batch
// size above the queue size is lowered to it. Byte sizes are estimated
// encoded sizes.
//
// A mistake is an error from [Setup] that names the variable or option and
// the accepted values, rather than a setting silently ignored: a header
// list that does not parse (a bad percent-escape, an empty or invalid name,
// a control character in a value; values, which hold secrets, are never
// echoed), an endpoint that is not an http or https URL (or whose port is
// not from 1 to 65535), a certificate file that is missing, unreadable or
// not PEM, a client certificate without its key, a nil writer, exporter or
// store (a typed nil included), a size or duration of zero or less, a
// number of milliseconds larger than a duration holds (it is not wrapped
// around), a severity that is not one of the 24. OTEL_SDK_DISABLED follows
// the specification: "true" in any case disables the SDK (Setup returns
// providers that produce nothing, still registered as the globals unless
// [WithoutGlobal], with zero [Pipeline.Stats]); "false" or empty enables
// it; any other value enables it, with a warning to the error handler.
//
// The OTLP exporters send through oplog's own HTTP client, one per
// pipeline, closed by [Pipeline.Shutdown]. It never follows a redirect (the
// request would carry the configured headers to another host): a 3xx
// answer fails the export. Delivery is read from the answer itself: a
// partial success only from the decoded partial_success field of a 2xx
// answer; any other answer fails the batch, whatever its body says. A time
// that OTLP's Unix nanoseconds cannot carry (before 1970, after
// 2262-04-11) is sent clamped to the nearest one, by the OTLP and JSON
// exporters alike, rather than wrapped around to another date; the other
// exporters (the store) get it as it was.
package export
