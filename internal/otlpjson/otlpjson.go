// Package otlpjson writes OpenTelemetry values in the OTLP JSON encoding,
// for the JSON exporter and the store. Strings are always valid JSON on one
// line: control characters and U+2028/2029 are escaped, invalid UTF-8
// becomes U+FFFD.
package otlpjson

import (
	"encoding/base64"
	"math"
	"strconv"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

// AppendKeyValue writes kv as an OTLP/JSON KeyValue.
func AppendKeyValue(b []byte, kv attribute.KeyValue) []byte {
	b = append(b, `{"key":`...)
	b = AppendString(b, string(kv.Key))
	b = append(b, `,"value":`...)
	b = AppendAnyValue(b, kv.Value)
	return append(b, '}')
}

// AppendAnyValue writes v as an OTLP/JSON AnyValue: {"stringValue": …},
// {"intValue": "…"} (a string, as protobuf's JSON mapping writes int64),
// arrays and kvlists nested.
func AppendAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.STRING:
		b = append(b, `{"stringValue":`...)
		b = AppendString(b, v.AsString())
	case attribute.BOOL:
		b = append(b, `{"boolValue":`...)
		b = strconv.AppendBool(b, v.AsBool())
	case attribute.INT64:
		b = append(b, `{"intValue":"`...)
		b = strconv.AppendInt(b, v.AsInt64(), 10)
		b = append(b, '"')
	case attribute.FLOAT64:
		b = append(b, `{"doubleValue":`...)
		b = AppendDouble(b, v.AsFloat64())
	case attribute.BYTESLICE:
		b = append(b, `{"bytesValue":"`...)
		b = base64.StdEncoding.AppendEncode(b, v.AsByteSlice())
		b = append(b, '"')
	case attribute.SLICE, attribute.STRINGSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.BOOLSLICE:
		return appendArray(b, logrecord.Elements(v))
	case attribute.MAP:
		b = append(b, `{"kvlistValue":{"values":[`...)
		for i, kv := range v.AsMap() {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendKeyValue(b, kv)
		}
		return append(b, "]}}"...)
	default:
		return append(b, "{}"...)
	}
	return append(b, '}')
}

func appendArray(b []byte, vs []attribute.Value) []byte {
	b = append(b, `{"arrayValue":{"values":[`...)
	for i, e := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendAnyValue(b, e)
	}
	return append(b, "]}}"...)
}

// AppendDouble writes f as JSON; NaN and ±Inf, which JSON has no number
// for, as the strings "NaN", "Infinity" and "-Infinity".
func AppendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// AppendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD
// (the pipeline sanitizes before this; the JSON exporter used on its own
// must still write valid JSON).
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, `\u00`...)
				b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if escapeRune(r) {
			// Legal in JSON, but a line or paragraph separator breaks a
			// line for some readers, a C1 control (CSI…) drives some
			// terminals, and a bidi control reorders what a reader sees.
			b = append(b, s[start:i]...)
			b = append(b, `\u`...)
			b = append(b, hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// escapeRune reports the runes above ASCII that AppendString escapes: C1
// controls, the line and paragraph separators, and the bidirectional
// controls.
func escapeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
