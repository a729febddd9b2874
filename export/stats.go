package export

// Stats counts what the pipeline did with every record. For each exporter,
// once the pipeline is quiet (after ForceFlush or Shutdown):
//
//	Emitted = Delivered + Dropped.Total() + Pending
//
// Records below the minimum severity are not emitted and not counted.
type Stats struct {
	// Emitted counts the records that reached the pipeline.
	Emitted uint64
	// Exporters has one entry per log exporter, in the order they were added.
	Exporters []ExporterStats
	// Spans counts the operation spans.
	Spans SpanStats
}

// ExporterStats is what one exporter did with the emitted records.
type ExporterStats struct {
	// Name says which exporter: "console", "json", "otlp", "memory", "store", or the
	// Go type of an exporter given with [WithExporter].
	Name      string
	Delivered uint64
	Dropped   Drops
	// Pending counts records queued or in an export under way.
	Pending uint64
}

// Drops counts records that were not delivered, by reason.
type Drops struct {
	// QueueFull: the exporter's queue was full when the record was emitted
	// (the exporter was slower than the program logs; see WithQueueSize).
	QueueFull uint64
	// ExportFailed: the export failed after retries, or did not finish by its
	// timeout.
	ExportFailed uint64
	// Rejected: the receiver accepted the request but rejected these records
	// (an OTLP partial success).
	Rejected uint64
	// Invalid: the receiver refused the request as malformed (HTTP 400).
	Invalid uint64
	// Shutdown: still queued, or emitted, when Shutdown's deadline passed.
	Shutdown uint64
}

// Total is the sum of every reason.
func (d Drops) Total() uint64 {
	return d.QueueFull + d.ExportFailed + d.Rejected + d.Invalid + d.Shutdown
}

// Undelivered sums the drops of every exporter.
func (s Stats) Undelivered() uint64 {
	var n uint64
	for _, e := range s.Exporters {
		n += e.Dropped.Total()
	}
	return n
}

// SpanStats counts operation spans. Ended spans that are neither exported,
// failed nor pending were dropped by the span batcher's full queue.
type SpanStats struct {
	Ended    uint64
	Exported uint64
	Failed   uint64
}
