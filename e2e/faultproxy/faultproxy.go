// Package faultproxy is an HTTP proxy on loopback that stands between an
// OTLP/HTTP exporter and the real Collector receiver (package collector) and
// injects faults: delays, error statuses, Retry-After, partial successes,
// dropped connections and requests that never get an answer. It also keeps
// the raw bytes of every request, so a test can search what actually went
// over the wire.
//
// Each request is numbered from 1 in arrival order; a [Rule] decides, from
// that number and the request, what the proxy does with it.
package faultproxy

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// Action is what the proxy does with one request. The zero value forwards
// it unchanged.
type Action struct {
	// Delay waits this long before anything else.
	Delay time.Duration
	// Status, if non-zero, answers with this status without forwarding.
	Status int
	// RetryAfter is sent as the Retry-After header (seconds) with Status.
	RetryAfter int
	// Reject drops the last Reject log records of a logs request before
	// forwarding it, and answers with an OTLP partial success naming them.
	Reject int
	// Hold, if not nil, holds the request until it is closed (then goes on
	// with the rest of the action).
	Hold <-chan struct{}
	// Hang holds the request without answering until the client gives up or
	// the proxy is closed.
	Hang bool
	// Reset closes the connection without answering.
	Reset bool
}

// Rule chooses the action for request n (counted from 1).
type Rule func(n int, r *http.Request) Action

// Forward is the rule that forwards everything.
func Forward(int, *http.Request) Action { return Action{} }

// Proxy forwards OTLP/HTTP requests to a receiver, applying its rule.
type Proxy struct {
	srv      *http.Server
	addr     string
	upstream string
	client   *http.Client
	closed   chan struct{}
	once     sync.Once

	mu       sync.Mutex
	rule     Rule
	n        int
	bodies   [][]byte
	arrivals []time.Time
}

// Start listens on a free loopback port and forwards to upstream
// ("127.0.0.1:port"). It registers t.Cleanup(p.Close).
func Start(t testing.TB, upstream string, rule Rule) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultproxy: listen: %v", err)
	}
	if rule == nil {
		rule = Forward
	}
	p := &Proxy{
		addr: l.Addr().String(), upstream: upstream, rule: rule,
		client: &http.Client{Transport: &http.Transport{}},
		closed: make(chan struct{}),
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(l) }()
	t.Cleanup(p.Close)
	return p
}

// Endpoint is the proxy's "127.0.0.1:port", for export.OTLPEndpoint.
func (p *Proxy) Endpoint() string { return p.addr }

// SetRule replaces the rule for the requests that follow.
func (p *Proxy) SetRule(r Rule) {
	p.mu.Lock()
	p.rule = r
	p.mu.Unlock()
}

// Requests is the number of requests the proxy has received.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Arrivals returns the arrival time of every request, in order.
func (p *Proxy) Arrivals() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.arrivals...)
}

// Bodies returns the raw bytes of every request as sent (still compressed
// if the client compressed them), in arrival order.
func (p *Proxy) Bodies() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.bodies...)
}

// CloseIdle closes the proxy's idle connections to the receiver (a test
// counting goroutines calls it so that the proxy's own do not count).
func (p *Proxy) CloseIdle() { p.client.CloseIdleConnections() }

// Close stops the proxy, releasing hanging requests.
func (p *Proxy) Close() {
	p.once.Do(func() {
		close(p.closed)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.srv.Shutdown(ctx)
		p.client.CloseIdleConnections()
	})
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.n++
	n, rule := p.n, p.rule
	p.bodies = append(p.bodies, body)
	p.arrivals = append(p.arrivals, time.Now())
	p.mu.Unlock()

	a := rule(n, r)
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		case <-p.closed:
			return
		}
	}
	if a.Hold != nil {
		select {
		case <-a.Hold:
		case <-r.Context().Done():
			return
		case <-p.closed:
			return
		}
	}
	switch {
	case a.Hang:
		select {
		case <-r.Context().Done():
		case <-p.closed:
		}
		return
	case a.Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
			}
		}
		return
	case a.Status != 0:
		if a.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(a.RetryAfter))
		}
		http.Error(w, "faultproxy: injected "+http.StatusText(a.Status), a.Status)
		return
	}

	var rejected int
	if a.Reject > 0 {
		body, rejected, err = dropLast(body, r.Header.Get("Content-Encoding") == "gzip", a.Reject)
		if err != nil {
			http.Error(w, "faultproxy: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	if a.Reject > 0 {
		req.Header.Del("Content-Encoding")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		// The upstream receiver is down: look like it to the client.
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	out, _ := io.ReadAll(resp.Body)
	if rejected > 0 && resp.StatusCode == http.StatusOK {
		er := plogotlp.NewExportResponse()
		ps := er.PartialSuccess()
		ps.SetRejectedLogRecords(int64(rejected))
		ps.SetErrorMessage("faultproxy: rejected " + strconv.Itoa(rejected))
		if out, err = er.MarshalProto(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

// dropLast removes the last n log records of an OTLP protobuf logs request
// and returns the re-encoded request and how many it removed.
func dropLast(body []byte, gzipped bool, n int) ([]byte, int, error) {
	if gzipped {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, 0, err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return nil, 0, err
		}
	}
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		return nil, 0, err
	}
	removed := 0
	rls := req.Logs().ResourceLogs()
	for i := rls.Len() - 1; i >= 0 && removed < n; i-- {
		sls := rls.At(i).ScopeLogs()
		for j := sls.Len() - 1; j >= 0 && removed < n; j-- {
			lrs := sls.At(j).LogRecords()
			keep := max(lrs.Len()-(n-removed), 0)
			idx := 0
			removed += lrs.Len() - keep
			lrs.RemoveIf(func(plog.LogRecord) bool { idx++; return idx > keep })
		}
	}
	if removed == 0 {
		return nil, 0, errors.New("no log records to reject")
	}
	out, err := req.MarshalProto()
	return out, removed, err
}
