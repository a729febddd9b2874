package export

import (
	"regexp"
	"strconv"
)

// How an export failed, read from its error. (Seam: these read the error's
// text; they are being replaced by what the OTLP client observed.)

// partialSuccessRE matches the text of otlploghttp's partial-success error,
// whose type is internal to that module: "OTLP partial success: MSG (N logs
// rejected)". Pinned by TestPartialSuccessText.
var partialSuccessRE = regexp.MustCompile(`OTLP partial success: .*\((\d+) logs rejected\)`)

func partialSuccess(err error) (uint64, bool) {
	m := partialSuccessRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	n, perr := strconv.ParseUint(m[1], 10, 64)
	return n, perr == nil
}

// badRequest reports an OTLP answer of 400: the receiver found the request
// malformed, and sending it again cannot help.
func badRequest(err error) bool {
	return badRequestRE.MatchString(err.Error())
}

var badRequestRE = regexp.MustCompile(`failed to send (logs|traces) to .*: 400 `)

// tooLarge reports an answer refusing the request for its size (413, or a
// 400 saying the body is too large): the batch is split and sent again.
func tooLarge(err error) bool {
	return tooLargeRE.MatchString(err.Error())
}

var tooLargeRE = regexp.MustCompile(`: 413 |request body too large`)
