package logrecord

import (
	"net/http"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
)

// Keys of the maps that HTTP requests and responses become in a value.
const (
	httpKeyMethod     = "method"
	httpKeyURL        = "url"
	httpKeyHeader     = "header"
	httpKeyStatusCode = "status_code"
	httpKeyRequest    = "request"
)

// httpValue converts HTTP data found anywhere in a value, redacted by the
// converter's redactor as it redacts the same data at top level. Bodies are
// never read: a log call must not consume them, and they are not bounded.
func (c *converter) httpValue(v any, d int) attribute.Value {
	switch x := v.(type) {
	case *url.URL:
		if x == nil {
			return attribute.Value{}
		}
		return attribute.StringValue(c.url(x))
	case url.URL:
		return attribute.StringValue(c.url(&x))
	case *url.Userinfo:
		if x == nil {
			return attribute.Value{}
		}
		return attribute.StringValue(cutString(redactUserinfo(x.String()), c.l.MaxStringLen))
	case url.Values:
		if x == nil {
			return attribute.Value{}
		}
		return c.form(x, d)
	case http.Header:
		if x == nil {
			return attribute.Value{}
		}
		return c.header(x, d)
	case *http.Request:
		if x == nil {
			return attribute.Value{}
		}
		return c.request(x, d, true)
	case http.Request:
		return c.request(&x, d, true)
	case *http.Response:
		if x == nil {
			return attribute.Value{}
		}
		return c.response(x, d)
	case http.Response:
		return c.response(&x, d)
	case *http.Cookie:
		if x == nil {
			return attribute.Value{}
		}
		return attribute.StringValue(c.cookie(*x))
	case http.Cookie:
		return attribute.StringValue(c.cookie(x))
	}
	return attribute.Value{} // not reached: value's case lists the types above
}

func (c *converter) url(u *url.URL) string {
	return c.red.cut(u.String(), c.l.MaxStringLen, func(s string) string { return c.red.url(s, 0) })
}

// cookie writes the cookie as Set-Cookie would, its value redacted.
func (c *converter) cookie(k http.Cookie) string {
	if k.Value != "" {
		k.Value = Redacted
	}
	k.Quoted = false
	return c.red.textCut(k.String(), c.l.MaxStringLen)
}

// form is [Redactor.Form] as a map value: each name to its values.
func (c *converter) form(v url.Values, d int) attribute.Value {
	if d >= c.l.MaxDepth {
		return attribute.StringValue(MarkerDepth)
	}
	kvs := make([]attribute.KeyValue, 0, min(len(v), c.l.MaxItems)+1)
	for k, vv := range v {
		sensitive := c.red.IsSensitiveParam(k)
		kvs = append(kvs, attribute.KeyValue{
			Key: attribute.Key(cutString(c.red.erase(k), c.l.MaxKeyLen)),
			Value: c.redactedStrings(vv, func(s string) string {
				if sensitive {
					if s == "" {
						return ""
					}
					return Redacted
				}
				return c.red.textCut(s, c.l.MaxStringLen)
			}),
		})
	}
	return c.mapValue(kvs)
}

// header is [Redactor.Header] as a map value: each name to its values.
func (c *converter) header(h http.Header, d int) attribute.Value {
	if d >= c.l.MaxDepth {
		return attribute.StringValue(MarkerDepth)
	}
	kvs := make([]attribute.KeyValue, 0, min(len(h), c.l.MaxItems)+1)
	for k, vv := range h {
		class := c.red.headerClass(k)
		kvs = append(kvs, attribute.KeyValue{
			Key: attribute.Key(cutString(k, c.l.MaxKeyLen)),
			Value: c.redactedStrings(vv, func(s string) string {
				return c.red.cut(s, c.l.MaxStringLen, func(s string) string { return c.red.headerValue(class, s) })
			}),
		})
	}
	return c.mapValue(kvs)
}

// redactedStrings is a string slice value of ss, each redacted (and cut) by
// redact, at most MaxItems of them.
func (c *converter) redactedStrings(ss []string, redact func(string) string) attribute.Value {
	if ss == nil {
		return attribute.Value{}
	}
	n := min(len(ss), c.l.MaxItems)
	out := make([]string, n, n+1)
	for i := range n {
		out[i] = redact(ss[i])
	}
	if len(ss) > n {
		out = append(out, truncatedItems(len(ss)))
	}
	return attribute.StringSliceValue(out)
}

// request is a request's method, redacted URL and, if withHeader, redacted
// headers; never its body, form or trailers.
func (c *converter) request(q *http.Request, d int, withHeader bool) attribute.Value {
	if d >= c.l.MaxDepth {
		return attribute.StringValue(MarkerDepth)
	}
	kvs := make([]attribute.KeyValue, 0, 3)
	kvs = append(kvs, c.httpKV(httpKeyMethod, attribute.StringValue(cutString(q.Method, c.l.MaxStringLen))))
	if q.URL != nil {
		kvs = append(kvs, c.httpKV(httpKeyURL, attribute.StringValue(c.url(q.URL))))
	}
	if withHeader && q.Header != nil {
		kvs = append(kvs, c.httpKV(httpKeyHeader, c.header(q.Header, d+1)))
	}
	return attribute.MapValue(kvs...)
}

// response is a response's status code, redacted headers and the method
// and redacted URL of its request; never its body.
func (c *converter) response(p *http.Response, d int) attribute.Value {
	if d >= c.l.MaxDepth {
		return attribute.StringValue(MarkerDepth)
	}
	kvs := make([]attribute.KeyValue, 0, 3)
	kvs = append(kvs, c.httpKV(httpKeyStatusCode, attribute.Int64Value(int64(p.StatusCode))))
	if p.Header != nil {
		kvs = append(kvs, c.httpKV(httpKeyHeader, c.header(p.Header, d+1)))
	}
	if p.Request != nil {
		kvs = append(kvs, c.httpKV(httpKeyRequest, c.request(p.Request, d+1, false)))
	}
	return attribute.MapValue(kvs...)
}

func (c *converter) httpKV(k string, v attribute.Value) attribute.KeyValue {
	return attribute.KeyValue{Key: attribute.Key(cutString(k, c.l.MaxKeyLen)), Value: v}
}
