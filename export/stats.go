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
	// QueueFull: the exporter's queue was full, in items or in bytes, when
	// the record was emitted (the exporter was slower than the program
	// logs; see [WithQueueSize] and [WithQueueBytes]).
	QueueFull uint64
	// ExportFailed: the export failed after retries, or did not finish by its
	// timeout, or the exporter panicked (see [PanicError]).
	ExportFailed uint64
	// Rejected: the receiver accepted the request but rejected these records
	// (an OTLP partial success).
	Rejected uint64
	// Invalid: the receiver refused the request as malformed (HTTP 400), or
	// refused as too large a request of one item already cut, or the item
	// could not be cut to fit one request ([WithBatchBytes]).
	Invalid uint64
	// Shutdown: emitted after Shutdown began, or still queued or in an
	// export under way when Shutdown's deadline passed (Shutdown returns
	// then, whatever the exporter does, and an export that returns later
	// counts nothing more).
	Shutdown uint64
}

func (d Drops) add(e Drops) Drops {
	return Drops{
		QueueFull: d.QueueFull + e.QueueFull, ExportFailed: d.ExportFailed + e.ExportFailed,
		Rejected: d.Rejected + e.Rejected, Invalid: d.Invalid + e.Invalid, Shutdown: d.Shutdown + e.Shutdown,
	}
}

// Total is the sum of every reason.
func (d Drops) Total() uint64 {
	return d.QueueFull + d.ExportFailed + d.Rejected + d.Invalid + d.Shutdown
}

// Undelivered sums the drops of every exporter, of records and of spans.
func (s Stats) Undelivered() uint64 {
	return s.UndeliveredRecords() + s.Spans.Dropped.Total()
}

// UndeliveredRecords sums the drops of every log exporter.
func (s Stats) UndeliveredRecords() uint64 {
	var n uint64
	for _, e := range s.Exporters {
		n += e.Dropped.Total()
	}
	return n
}

// SpanStats counts the operation spans, as [Stats] counts records: spans
// go through the same bounded, counted queues, one per span exporter
// ([WithSpanExporter], [WithStore], OTLP, the console). For each span
// exporter, once the pipeline is quiet (after ForceFlush or Shutdown):
//
//	Ended = Delivered + Dropped.Total() + Pending
//
// and after Shutdown, Pending is zero.
type SpanStats struct {
	// Ended counts the spans that ended, plus, after Shutdown, the spans
	// still open then (see OpenAtShutdown).
	Ended uint64
	// Exported sums Delivered over the span exporters.
	Exported uint64
	// Failed sums Dropped.ExportFailed over the span exporters.
	Failed uint64
	// Dropped sums the drops of every span exporter, by reason.
	Dropped Drops
	// Pending sums the spans queued or in an export under way.
	Pending uint64
	// OpenAtShutdown counts the spans started and not ended when Shutdown
	// ran (operations still running, say): they can never be exported, and
	// are counted in Ended and, for every span exporter, in
	// Dropped.Shutdown.
	OpenAtShutdown uint64
	// Exporters has one entry per span exporter, in the order they were
	// added: "console", "otlp", "store", or the Go type of an exporter
	// given with [WithSpanExporter].
	Exporters []ExporterStats
}
