package export

import (
	"errors"
	"net/http"

	"github.com/oplog-go/oplog/internal/fastpath"
)

// How an export failed, read from the typed outcome the OTLP client
// observed (see transport.go), never from an error's text: a receiver's
// error body can say anything. Errors of other exporters are plain
// failures.

// partialSuccess reports the items a receiver rejected in a successful
// (2xx) answer's decoded partial_success field.
func partialSuccess(err error) (uint64, bool) {
	if e, ok := fastpath.As[*otlpError](err); ok && e.rejected > 0 {
		return e.rejected, true
	}
	return 0, false
}

// badRequest reports an OTLP answer of 400 that is not about the request's
// size: the receiver found the request malformed, and sending it again
// cannot help.
func badRequest(err error) bool {
	e, ok := fastpath.As[*otlpError](err)
	return ok && e.status == http.StatusBadRequest && !e.tooLarge
}

// ErrTooLarge is what an exporter's error wraps (errors.Is) when its
// receiver refused a batch for its size: the pipeline then splits the
// batch in halves and exports each again, down to one record or span, which
// it cuts to fit. oplog's OTLP exporters return it for a 413 answer, the
// Collector's 400 "request body too large", and a request over 64 MiB,
// which they do not send. Any other exporter (see [WithExporter]) may
// return it too; the pipeline never reads an error's text.
var ErrTooLarge = errors.New("request too large for the receiver")

// tooLarge reports a request refused for its size: the batch is split and
// sent again.
func tooLarge(err error) bool { return fastpath.Is(err, ErrTooLarge) }
